"""smartborder: risk management for customs administrations."""

__version__ = "0.1.0"
