"""The inspection replay (benchmarks/simulate.py): only selected consignments reveal their label, the
random control sample estimates non-compliance without bias, the inspected ones alone do not."""

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from smartborder.learn.dataset import KNOWN_AT, LABEL
from smartborder.learn.simulation import CONTROL, RISK, WARMUP, replay
from smartborder.risk.selection import Exploit, Explore, Mixed

WEEKS, PER_WEEK = 6, 2000
START = date(2021, 1, 4)


def synthetic(seed: int = 3) -> pl.DataFrame:
    """6 weeks x 2,000 consignments; non-compliance 0.04 + 0.5 x^4 for x uniform on [0, 1] (14 % overall)."""
    rng = np.random.default_rng(seed)
    n = WEEKS * PER_WEEK
    x = rng.random(n)
    days = np.sort(rng.integers(0, 7 * WEEKS, n))
    dates = [START + timedelta(days=int(d)) for d in days]
    label = (rng.random(n) < 0.04 + 0.5 * x**4).astype(np.int8)
    return pl.DataFrame({"reference": [f"R{i}" for i in range(n)], "declared_date": dates, "x": x, LABEL: label, KNOWN_AT: dates})


class Binned:
    """A small stand-in model: the observed rate per tenth of x; records what it was given."""

    def __init__(self):
        self.trained_on: list[pl.DataFrame] = []
        self.scored: list[pl.DataFrame] = []

    def fit(self, revealed: pl.DataFrame, seed: int) -> np.ndarray:
        self.trained_on.append(revealed)
        bins = np.minimum((revealed["x"].to_numpy() * 10).astype(int), 9)
        labels = revealed[LABEL].to_numpy()
        return np.array([(labels[bins == b].sum() + 1) / ((bins == b).sum() + 2) for b in range(10)])

    def score(self, model: np.ndarray, week: pl.DataFrame, recent: pl.DataFrame) -> np.ndarray:
        self.scored.append(week)
        x = week["x"].to_numpy()
        return model[np.minimum((x * 10).astype(int), 9)] + 1e-6 * x


def run(strategy, seed=0, model=None, **options):
    model = model or Binned()
    options = {"share": 0.05, "control_share": 0.05, "warmup_weeks": 2} | options
    return replay(synthetic(), strategy, model.fit, model.score, seed=seed, **options), model


def test_only_selected_consignments_reveal_their_label():
    result, model = run(Exploit())
    frame = synthetic()
    revealed = result.revealed
    assert revealed["reference"].is_unique().all()
    assert set(revealed["selected_by"].unique()) == {WARMUP, RISK, CONTROL}
    weekly = revealed.group_by("week", "selected_by").len()
    assert weekly.filter(pl.col("selected_by") == RISK)["len"].max() <= 0.05 * PER_WEEK * 1.2  # about share x week volume
    assert result.weeks == WEEKS - 2 and len(model.trained_on) == WEEKS - 2  # retrained every replayed week
    # the model never sees a label it was not shown by an inspection, nor a label of the week it scores
    truth = dict(zip(frame["reference"], frame[LABEL]))
    for i, trained in enumerate(model.trained_on):
        earlier = revealed.filter(pl.col("week") < 2 + i)
        assert set(trained["reference"]) == set(earlier["reference"])
        assert all(truth[r] == y for r, y in zip(trained["reference"], trained[LABEL]))
    assert all(LABEL not in week.columns and KNOWN_AT not in week.columns for week in model.scored)
    assert result.consignments == frame.filter(pl.col("declared_date") >= START + timedelta(weeks=2)).height


def test_control_sample_is_unbiased_and_exploitation_biases_the_naive_estimate():
    explore, _ = run(Explore())
    exploit, _ = run(Exploit())
    rate, half_width = explore.control
    assert explore.control_inspected > 300 and half_width < 0.04
    assert abs(rate - explore.true_rate) < 2 * half_width
    estimates = [run(Explore(), seed=seed)[0].control[0] for seed in range(8)]  # ~3,200 control inspections in all
    assert abs(np.mean(estimates) - explore.true_rate) < 0.015
    assert abs(explore.naive_rate - explore.true_rate) < 0.03  # random inspections: the naive estimate is fine too
    assert exploit.naive_rate > exploit.true_rate + 0.1  # inspecting the riskiest inflates the observed rate
    assert exploit.precision > 2 * explore.precision and exploit.recall > 2 * explore.recall
    assert exploit.control == explore.control  # same seed: same control samples whatever the strategy


def test_deterministic_for_a_seed_and_retrain_every():
    first, _ = run(Mixed(0.1), seed=7)
    again, _ = run(Mixed(0.1), seed=7)
    other, _ = run(Mixed(0.1), seed=8)
    assert first.revealed.equals(again.revealed)
    assert not first.revealed.equals(other.revealed)
    sparse, model = run(Mixed(0.1), seed=7, retrain_every=2)
    assert sparse.fits == len(model.trained_on) == 2
    explore, model = run(Explore())
    assert explore.fits == 0 and not model.scored  # Explore ignores scores: no model trained
    with pytest.raises(ValueError, match="warm-up"):
        run(Exploit(), warmup_weeks=WEEKS)
