"""Intake speed: generated consignments from Parquet into a fresh store, validated, judged and
stored. Prints consignments/s and the peak memory of the main and the writer process.

    python benchmarks/intake.py [--n 1000000] [--database-url URL]

Default: 1,000,000 consignments into a new SQLite file in a temporary directory. The sample is
generated first, in a process of its own, so that its memory does not count.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from memory import PeakMemory
from smartborder.config import Settings
from smartborder.intake.pipeline import ingest
from smartborder.store.db import open_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "consignments.parquet"
        subprocess.run([sys.executable, "-m", "smartborder", "sample", "--n", str(args.n), "--seed", "7", "--out", str(source)],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        settings = Settings(data_dir=Path(tmp), database_url=args.database_url)
        engine = open_store(settings)
        with PeakMemory() as memory:
            started = time.perf_counter()
            summary = ingest(source, engine, settings)
            seconds = time.perf_counter() - started
    print(f"source: {args.n:,} generated consignments, Parquet {source.name}; store: {engine.url.get_backend_name()}, batch size {settings.batch_size:,}")
    print(f"ingested {summary.rows_read:,} consignments ({summary.accepted + summary.amended:,} stored, {summary.rejected_rows:,} rejected, "
          f"{summary.findings:,} findings, {summary.rfis:,} RFIs) in {seconds:.1f} s")  # fmt: skip
    print(f"throughput: {summary.rows_read / seconds:,.0f} consignments/s")
    print(f"peak memory: main process {memory.main_mb:,.0f} MB, writer process {memory.children_mb:,.0f} MB")


if __name__ == "__main__":
    main()
