"""Risk assessment: party screening against watch lists (more to come: profiles, valuation, lanes)."""
