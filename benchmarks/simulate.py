"""Selection strategies replayed on the KCS synthetic declarations, when only inspected consignments
reveal their outcome (a model trained on its own selections can go blind).

train.csv then valid.csv (2020-01 to 2021-03) are replayed week by week in date order. The first
weeks are a warm-up where a uniformly random 5 % is inspected. Then each week the current risk model
(smartborder's RiskModel, full tree budget, early-stopped as in `smartborder train`) scores the week's
declarations, the strategy fills 5 % of them, a random control sample of 0.5 % comes on top, only
those reveal their label, and the model is retrained on every label revealed so far (every week by
default; `--retrain-every N` to go faster). Party history when scoring: the labels revealed so far.
Strategies: Exploit (highest score first), Explore (random), Mixed(0.1) (10 % of places random); same
seed for all, so all share the same control samples.

Reported over the replayed weeks (after the warm-up): precision of the inspections chosen by the
strategy, recall of all fraud (found by those inspections / all fraud of the period, inspected or
not), the non-compliance rate estimated from the control sample alone and its absolute error against
the period's true rate, and the naive estimate from all inspected consignments (biased by selection).

    python benchmarks/simulate.py [--seed 0] [--warmup-weeks 4] [--retrain-every 1] [--share 0.05] [--control-share 0.005]

One to two minutes on two cores with the defaults (weekly retraining, full tree budget; `--max-trees` to lower it).
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
from rich.console import Console
from rich.table import Table

from smartborder.config import Settings
from smartborder.learn import model as model_module
from smartborder.learn.dataset import labelled
from smartborder.learn.model import RiskModel
from smartborder.learn.simulation import replay
from smartborder.risk.selection import Exploit, Explore, Mixed

ROOT = Path(__file__).resolve().parents[1]
KCS = ROOT.parent / "shared" / "data" / "kcs-synthetic-declarations"  # = parents[2] / "shared" / ... of this file
MAPPING = ROOT / "examples" / "kcs" / "mapping.yaml"


def load() -> pl.DataFrame:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        parts = [labelled(KCS / name, MAPPING, settings) for name in ("train.csv", "valid.csv")]
    return pl.concat(parts, how="diagonal_relaxed").sort("declared_date", maintain_order=True)


def fit(revealed: pl.DataFrame, seed: int) -> RiskModel:
    return RiskModel.fit(revealed, seed)


def score(model: RiskModel, week: pl.DataFrame, recent: pl.DataFrame) -> np.ndarray:
    """Party history: the model's training labels plus those revealed since it was trained."""
    return model.predict(week, outcomes=recent if recent.height else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--warmup-weeks", type=int, default=4)
    parser.add_argument("--retrain-every", type=int, default=1, help="retrain the model every N replayed weeks")
    parser.add_argument("--share", type=float, default=0.05, help="inspection capacity, share of each week's declarations")
    parser.add_argument("--control-share", type=float, default=0.005, help="random control sample, on top of the capacity")
    parser.add_argument("--max-trees", type=int, default=None, help=f"tree budget before early stopping (default {model_module.MAX_TREES})")
    args = parser.parse_args()
    if args.max_trees is not None:
        model_module.MAX_TREES = args.max_trees
    started = time.perf_counter()
    frame = load()
    strategies = {"Exploit (by score)": Exploit(), "Explore (random)": Explore(), "Mixed (10 % random)": Mixed(0.1)}
    results, seconds = [], []
    for name, strategy in strategies.items():
        began = time.perf_counter()
        results.append(replay(frame, strategy, fit, score, share=args.share, control_share=args.control_share,
                              warmup_weeks=args.warmup_weeks, retrain_every=args.retrain_every, seed=args.seed, name=name))  # fmt: skip
        seconds.append(time.perf_counter() - began)
    elapsed = time.perf_counter() - started
    first = results[0]
    print(f"KCS replay: {frame.height:,} declarations, {first.weeks} weeks replayed after a {args.warmup_weeks}-week random warm-up "
          f"({first.consignments:,} declarations, {first.fraud:,} fraud, true rate {first.true_rate:.2%}); capacity {args.share:.1%} "
          f"+ control {args.control_share:.1%} per week; RiskModel retrained every {args.retrain_every} week(s), "
          f"tree budget {model_module.MAX_TREES} (early stopping); seed {args.seed}")  # fmt: skip
    table = Table(title=f"Inspections chosen by each strategy, and the non-compliance rate it can estimate (run {elapsed:.0f} s)")
    for column in ("strategy", "fits", "inspected", "found", "precision", "recall", "control n",
                   "control est. ±95 %", "control err (pp)", "naive est.", "naive err (pp)", "time"):  # fmt: skip
        table.add_column(column, justify="left" if column == "strategy" else "right")
    for r, took in zip(results, seconds):
        rate, half = r.control
        table.add_row(r.strategy, str(r.fits), f"{r.risk_inspected:,}", f"{r.risk_found:,}", f"{r.precision:.3f}", f"{r.recall:.3f}",
                      f"{r.control_inspected:,}", f"{rate:.2%} ± {half * 100:.1f}", f"{abs(rate - r.true_rate) * 100:.2f}",
                      f"{r.naive_rate:.2%}", f"{abs(r.naive_rate - r.true_rate) * 100:.2f}", f"{took:.0f} s")  # fmt: skip
    Console(width=200).print(table)


if __name__ == "__main__":
    main()
