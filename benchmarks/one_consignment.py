"""Latency of one consignment, as the API handles a request: `prepare_records([record], ...)` (mapping,
typing, validation, data quality) and then `assess` of its goods items, in-process, one consignment
at a time. Prints p50 and p99 of each step in milliseconds.

    python benchmarks/one_consignment.py [--n 1000]

The consignments (and their own party watch list) and a history are generated first, and a
valuation reference is learnt from the history, each in a process of its own: this process starts
as the API does, with the context loaded and nothing else seen. The context is the shipped
profiles and lists, the sample's watch list and that valuation reference.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import numpy as np
import polars as pl

from smartborder.intake.records import prepare_records
from smartborder.risk.engine import assess
from smartborder.risk.run import load_context

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
WARM_UP = 20  # consignments run first and not counted: caches, lazy imports


def as_json(record: dict) -> dict:
    """A sample record as the API receives it: dates as ISO text, the rest as JSON values."""
    return {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in record.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sample, history, reference = Path(tmp) / "sample.parquet", Path(tmp) / "history.parquet", Path(tmp) / "reference.parquet"
        environment = {**os.environ, "SMARTBORDER_DATA_DIR": tmp}  # learning the reference keeps to the temporary directory
        for command in (["sample", "--n", str(args.n + WARM_UP), "--seed", "7", "--out", str(sample)],
                        ["sample", "--n", "20000", "--seed", "8", "--out", str(history)],
                        ["valuation", "learn", str(history), "--out", str(reference)]):  # fmt: skip
            subprocess.run([sys.executable, "-m", "smartborder", *command], check=True, stdout=subprocess.DEVNULL, env=environment)
        context = load_context(EXAMPLES / "profiles", EXAMPLES / "watchlists", reference)
        context.lists.add_party_list("sample-watchlist", sample.with_suffix(".watchlist.csv"), "sample", "red", 0.8)
        records = [as_json(r) for r in pl.read_parquet(sample).to_dicts()]
    prepare_ms, assess_ms = [], []
    for record in records:
        started = time.perf_counter()
        prepared = prepare_records([record], "benchmark", 0.6)
        between = time.perf_counter()
        assess(prepared.goods_items(), context)
        prepare_ms.append((between - started) * 1000)
        assess_ms.append((time.perf_counter() - between) * 1000)
    print(f"{len(records) - WARM_UP:,} consignments, one at a time")
    for step, ms in (("prepare", prepare_ms), ("assess", assess_ms)):
        ms = np.array(ms[WARM_UP:])
        print(f"{step}: p50 {np.percentile(ms, 50):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms")


if __name__ == "__main__":
    main()
