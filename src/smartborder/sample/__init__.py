"""Synthetic consignments with planted problems, for the demo, tests and benchmarks."""
