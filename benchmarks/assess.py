"""Assessment speed: 1,000,000 generated consignments through `assess` with 50 risk profiles, a
20,000-entry party list (plus the shipped lists) and valuation control; then one consignment at
a time, in-process, as the API will call it. Prints consignments/s, peak memory and latency.

    python benchmarks/assess.py [--n 1000000] [--profiles 50] [--entries 20000] [--single 1000]

The sample is generated first in a process of its own; its memory does not count. The party
list's names are built from syllables, so that they resemble listed names rather than the
generator's consignees (a list made from the same name pools would match half of them).
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import yaml

from memory import PeakMemory
from smartborder.config import Settings
from smartborder.intake.pipeline import open_source
from smartborder.risk.engine import assess
from smartborder.risk.history import history_items
from smartborder.risk.run import assess_file, load_context
from smartborder.risk.valuation import learn_reference

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SYLLABLES = "ka ri mo na sha vel tor dan ul bek ar zo lin ha mir sol eg tan vor is ga lek ru om".split()
LEGAL = ["LLC", "Ltd", "GmbH", "OOO", "FZE", "JSC", "Co., Ltd.", "S.A."]
ORIGINS = ["CN", "HK", "TR", "IN", "VN", "US", "GB", "AE", "PK", "TH"]


def party_list(n: int, rng: np.random.Generator) -> pl.DataFrame:
    """`n` listed parties: persons (two or three syllable-built words) and companies with legal forms."""
    def word() -> str:
        return "".join(rng.choice(SYLLABLES, rng.integers(2, 4))).capitalize()

    rows = []
    for i in range(n):
        if i % 2:
            rows.append((f"B-{i:05d}", f"{word()} {word()} {rng.choice(LEGAL)}", str(rng.choice(ORIGINS)), "organization"))
        else:
            rows.append((f"B-{i:05d}", " ".join(word() for _ in range(rng.integers(2, 4))), str(rng.choice(ORIGINS)), "person"))
    return pl.DataFrame(rows, schema=["id", "name", "country", "kind"], orient="row")


def profiles(directory: Path, count: int, rng: np.random.Generator) -> None:
    """The shipped profiles, and generated ones (HS prefix, origins, value) up to `count`."""
    shipped = sorted((EXAMPLES / "profiles").glob("*.yaml"))
    for path in shipped[:count]:
        shutil.copy(path, directory / path.name)
    for i in range(count - min(len(shipped), count)):
        profile = {
            "id": f"BENCH-{i:03d}", "title": f"Generated profile {i}", "rationale": "benchmark", "owner": "benchmark",
            "expected_selection_rate": 0.01,
            "when": {"hs_code": {"prefix": [f"{rng.integers(1, 97):02d}"]}, "origin_country": {"in": [str(c) for c in rng.choice(ORIGINS, 3, replace=False)]},
                     "value_usd": {"lt": float(rng.integers(5, 200))}},
            "effect": {"lane": str(rng.choice(["yellow", "red"])), "weight": round(float(rng.uniform(0.1, 0.6)), 2)},
        }  # fmt: skip
        (directory / f"bench-{i:03d}.yaml").write_text(yaml.safe_dump(profile))


def watchlists(directory: Path, entries: int, rng: np.random.Generator) -> None:
    """The shipped lists, and a party list of `entries`."""
    shutil.copytree(EXAMPLES / "watchlists", directory, dirs_exist_ok=True)
    party_list(entries, rng).write_csv(directory / "benchmark-parties.csv")
    index = yaml.safe_load((directory / "watchlists.yaml").read_text())
    index["lists"].append({"name": "benchmark-parties", "kind": "party", "file": "benchmark-parties.csv", "source": "generated",
                           "date": date(2025, 1, 1), "lane": "red", "weight": 0.7})  # fmt: skip
    (directory / "watchlists.yaml").write_text(yaml.safe_dump(index))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--profiles", type=int, default=50)
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--single", type=int, default=1_000)
    args = parser.parse_args()
    rng = np.random.default_rng(3)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name, n, seed in (("sample", args.n, 7), ("history", 100_000, 8)):
            subprocess.run([sys.executable, "-m", "smartborder", "sample", "--n", str(n), "--seed", str(seed), "--out", str(tmp / f"{name}.parquet")],
                           check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        (tmp / "profiles").mkdir()
        profiles(tmp / "profiles", args.profiles, rng)
        watchlists(tmp / "lists", args.entries, rng)
        settings = Settings(data_dir=tmp)
        context = load_context(tmp / "profiles", tmp / "lists", None, on=date(2025, 2, 1))
        context.valuation = learn_reference(history_items(tmp / "history.parquet", None, settings))
        entries = sum(len(n.parties.entries) for n in context.lists.party_lists())
        print(f"context: {len(context.compiled)} profiles, {len(context.lists.by_name)} lists ({entries:,} listed parties), "
              f"{context.valuation.table.height:,} valuation references")  # fmt: skip
        with PeakMemory() as memory:
            started = time.perf_counter()
            summary = assess_file(tmp / "sample.parquet", context, settings, tmp / "assessed.parquet")
            seconds = time.perf_counter() - started
        print(f"assessed {summary.consignments:,} consignments in {seconds:.1f} s: {summary.consignments / seconds:,.0f} consignments/s; "
              f"peak memory {memory.main_mb:,.0f} MB")  # fmt: skip
        print("lanes: " + ", ".join(f"{lane} {n:,}" for lane, n in summary.lanes.items()))

        _, prepared = next(open_source(tmp / "sample.parquet", Settings(data_dir=tmp, batch_size=args.single)).prepared(settings.rfi_severity))
        items = prepared.goods_items()
        keys = items["consignment_row"].unique(maintain_order=True).to_list()
        assess(items.filter(pl.col("consignment_row") == keys[0]), context)  # warm up
        latencies = []
        for key in keys:
            one = items.filter(pl.col("consignment_row") == key)
            started = time.perf_counter()
            assess(one, context)
            latencies.append(time.perf_counter() - started)
        ms = np.array(latencies) * 1000
        print(f"one consignment at a time ({len(ms):,}): p50 {np.percentile(ms, 50):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms")


if __name__ == "__main__":
    main()
