"""Detection of the problems the sample generator plants, by the whole assessment: shipped
profiles and watch lists (examples/), the generator's watch list as a party list, and valuation
references learnt from another sample. Recall per planted problem is the share of its
consignments that do not go green; the false-alarm rate is the share of consignments with
nothing planted that do not go green.

    python benchmarks/detection.py [--n 50000]
"""

import argparse
import tempfile
from datetime import date
from pathlib import Path

import polars as pl

from smartborder.config import Settings
from smartborder.risk.history import history_items
from smartborder.risk.run import assess_file, load_context
from smartborder.risk.valuation import learn_reference
from smartborder.sample.generator import write_sample

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        settings = Settings(data_dir=tmp)
        history = write_sample(args.n, seed=1, out=tmp / "history.parquet")
        sample = write_sample(args.n, seed=2, out=tmp / "sample.parquet")
        context = load_context(EXAMPLES / "profiles", EXAMPLES / "watchlists", None, on=date(2025, 2, 1))
        context.valuation = learn_reference(history_items(history["consignments"], None, settings))
        context.lists.add_party_list("generated-watchlist", sample["watchlist"], "sample generator", "red", 0.8)
        summary = assess_file(sample["consignments"], context, settings, tmp / "assessed.parquet")
        assessed = pl.read_parquet(summary.out)
        truth = pl.read_csv(sample["truth"])
    flagged = assessed.filter(pl.col("lane") != "green")
    rows = []
    for problem in sorted(truth["problem"].unique()):
        planted = truth.filter(pl.col("problem") == problem)["reference"].unique()
        found = flagged.filter(pl.col("reference").is_in(planted.implode()))
        lanes = found.group_by("lane").len().sort("len", descending=True)
        rows.append((problem, planted.len(), found.height, found.height / planted.len(), ", ".join(f"{lane} {n}" for lane, n in lanes.iter_rows())))
    table = pl.DataFrame(rows, schema=["planted problem", "planted", "found", "recall", "lanes"], orient="row", strict=False)
    clean = assessed.filter(~pl.col("reference").is_in(truth["reference"].implode()))
    print(f"{args.n:,} generated consignments assessed with {len(context.compiled)} profiles, {len(context.lists.by_name)} watch lists and valuation control")
    with pl.Config(tbl_rows=20, fmt_str_lengths=60, tbl_width_chars=140):
        print(table.with_columns(pl.col("recall").round(3)))
    print(f"false alarms: {clean.filter(pl.col('lane') != 'green').height:,} of {clean.height:,} consignments with nothing planted "
          f"({clean.filter(pl.col('lane') != 'green').height / clean.height:.2%}) do not go green")  # fmt: skip


if __name__ == "__main__":
    main()
