"""Party-screening accuracy on labelled name pairs (benchmarks/data/screening_pairs.csv, see
SOURCES.md there): precision, recall and F1 at the default threshold, on the development half
(on which the threshold was chosen) and the test half (held out), with recall per category.

Each pair is screened the way `smartborder screen` screens: the query against a watch list
holding the entry, through the candidate index, so that blocking losses count as misses.

    python benchmarks/screening.py [--threshold T]
"""

import argparse
from pathlib import Path

import polars as pl

from smartborder.risk.screening import DEFAULT_THRESHOLD, Party, WatchList

DATA = Path(__file__).parent / "data"


def scores(pairs: pl.DataFrame) -> pl.Series:
    """The best score each pair's query gets against its own entry (0 when not a candidate)."""
    queries, entries = [], []
    for row in pairs.iter_rows(named=True):
        queries.append(Party(str(row["pair_id"]), (row["query_name"],), row["query_country"], row["query_kind"]))
        aliases = tuple(a.strip() for a in (row["entry_aliases"] or "").split(";") if a.strip())
        entries.append(Party(str(row["pair_id"]), (row["entry_name"], *aliases), row["entry_country"], row["entry_kind"]))
    best: dict[str, float] = {}
    for match in WatchList(entries).screen(queries, threshold=0.0):
        if match.query_id == match.entry_id:  # the pair's own entry (other entries of the list are not labelled)
            best[match.query_id] = max(best.get(match.query_id, 0.0), match.score)
    return pl.Series("score", [best.get(str(p), 0.0) for p in pairs["pair_id"]])


def quality(frame: pl.DataFrame, threshold: float) -> tuple[float, float, float]:
    predicted, actual = frame["score"] >= threshold, frame["match"] == 1
    tp = (predicted & actual).sum()
    precision = tp / predicted.sum() if predicted.sum() else 0.0
    recall = tp / actual.sum() if actual.sum() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    args = parser.parse_args()
    pairs = pl.read_csv(DATA / "screening_pairs.csv", infer_schema=False).with_columns(pl.col("match").cast(pl.Int8))
    pairs = pairs.join(pl.read_csv(DATA / "screening_pairs.split.csv", infer_schema=False), on="pair_id")
    pairs = pairs.with_columns(scores(pairs))
    print(f"{pairs.height} labelled pairs ({pairs['match'].sum()} matches); threshold {args.threshold}")
    for split in ("dev", "test", None):
        part = pairs if split is None else pairs.filter(pl.col("split") == split)
        p, r, f = quality(part, args.threshold)
        print(f"{split or 'all':>5}: precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  ({part.height} pairs)")
    dev = pairs.filter(pl.col("split") == "dev")
    best = max((quality(dev, t / 100)[2], t / 100) for t in range(70, 100))
    print(f"threshold with the best F1 on dev: {best[1]:.2f} (F1 {best[0]:.3f})")
    by_category = pairs.group_by("category").agg(
        pl.len().alias("pairs"), pl.col("match").first().alias("match"),
        ((pl.col("score") >= args.threshold) == (pl.col("match") == 1)).mean().round(3).alias("correct"),
    ).sort("match", "category", descending=[True, False])  # fmt: skip
    with pl.Config(tbl_rows=40):
        print(by_category)


if __name__ == "__main__":
    main()
