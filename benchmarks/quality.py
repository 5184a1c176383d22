"""Data-quality findings against the sample generator's truth: for each planted problem that is a
data-quality problem, the share of planted consignments whose findings reveal it; and the share
of consignments with nothing planted that still got a request for information.

    python benchmarks/quality.py [--n 50000] [--seed 5]
"""

import argparse
import tempfile
from pathlib import Path

import polars as pl
from sqlalchemy import select

from smartborder.config import Settings
from smartborder.intake.pipeline import ingest
from smartborder.sample.detection import asked_without_cause, finding_recall
from smartborder.sample.generator import write_sample
from smartborder.store.db import open_store
from smartborder.store.tables import consignments, quality_findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_sample(args.n, args.seed, Path(tmp) / "sample.parquet")
        settings = Settings(data_dir=Path(tmp))
        engine = open_store(settings)
        ingest(paths["consignments"], engine, settings)
        with engine.connect() as conn:
            rows = conn.execute(select(consignments.c.reference, quality_findings.c.code, quality_findings.c.severity).join(quality_findings)).all()
        found = pl.DataFrame(rows, schema={"reference": pl.String, "code": pl.String, "severity": pl.Float64}, orient="row")
        truth = pl.read_csv(paths["truth"])
    print(f"{args.n:,} generated consignments (seed {args.seed})")
    print(finding_recall(truth, found))
    share = asked_without_cause(truth, found, settings.rfi_severity, args.n)
    print(f"consignments with nothing planted that got a request for information: {share:.2%}")

if __name__ == "__main__":
    main()
