"""Lanes: what happens to a consignment, from release to hold."""

GREEN, BLUE, YELLOW, RED, HOLD = "green", "blue", "yellow", "red", "hold"
LANES = (GREEN, BLUE, YELLOW, RED, HOLD)  # in order of severity
RFI = "rfi"  # the data is too poor to assess: a request for information comes first

MEANING = {
    GREEN: "release",
    BLUE: "post-clearance audit",
    YELLOW: "document check",
    RED: "physical examination",
    HOLD: "do not load / do not release until resolved",
    RFI: "request for information before assessment",
}
SEVERITY = {lane: rank for rank, lane in enumerate(LANES)}
