"""Replaying inspections week by week, when only the consignments inspected reveal their outcome.

A model trained on its own selections sees only what it chose to look at. `replay` runs that loop on
labelled consignments: a warm-up of uniformly random inspections, then each week the current model
scores the week's consignments, `select` fills the inspection capacity in the strategy's order and adds
its random control sample, only the selected consignments reveal their label, and the model is
retrained on every label revealed so far. The model is passed in as two functions (fit, score), so the
loop itself stays pure and testable without the real model.

Weeks count from the first declaration date (days // 7). Per-week seeds depend on `seed` and the week
only, so all strategies share the same control samples (the control draw comes first in `select`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from smartborder.learn.dataset import KNOWN_AT, LABEL
from smartborder.learn.features import DATE
from smartborder.risk.lanes import RED
from smartborder.risk.selection import Capacity, Explore, Strategy, control_estimate, select

__all__ = ["Replay", "replay", "WARMUP", "RISK", "CONTROL"]

WARMUP, RISK, CONTROL = "warmup", "risk", "random_control"  # why a consignment was inspected
WEEK = "week"

Fit = Callable[[pl.DataFrame, int], Any]  # (revealed consignments with labels, seed) -> model
Score = Callable[[Any, pl.DataFrame, pl.DataFrame], np.ndarray]  # (model, week without labels, labels revealed since fit) -> scores


@dataclass
class Replay:
    """What a strategy found over the replayed weeks (those after the warm-up)."""

    strategy: str
    weeks: int  # replayed weeks
    consignments: int  # in the replayed weeks
    fraud: int  # non-compliant consignments in the replayed weeks, inspected or not
    risk_inspected: int  # chosen by the strategy
    risk_found: int
    control_inspected: int  # the random control sample
    control_found: int
    fits: int  # times the model was trained
    revealed: pl.DataFrame  # every inspected consignment, warm-up included: reference, week, selected_by, label

    @property
    def true_rate(self) -> float:
        return self.fraud / self.consignments

    @property
    def precision(self) -> float:
        """Non-compliant found among the inspections chosen by the strategy."""
        return self.risk_found / self.risk_inspected if self.risk_inspected else float("nan")

    @property
    def recall(self) -> float:
        """Share of all non-compliance of the replayed weeks found by the strategy's inspections."""
        return self.risk_found / self.fraud if self.fraud else float("nan")

    @property
    def control(self) -> tuple[float, float]:
        """Non-compliance rate from the random control sample alone, and its 95 % half-width."""
        frame = self._replayed().filter(pl.col("selected_by") == CONTROL)
        return control_estimate(frame, frame[LABEL].cast(pl.Boolean))

    @property
    def naive_rate(self) -> float:
        """Non-compliance rate among all consignments inspected (strategy and control): biased by selection."""
        return float(self._replayed()[LABEL].mean())

    def _replayed(self) -> pl.DataFrame:
        return self.revealed.filter(pl.col("selected_by") != WARMUP)


def replay(
    frame: pl.DataFrame,
    strategy: Strategy,
    fit: Fit,
    score: Score,
    *,
    share: float = 0.05,
    control_share: float = 0.005,
    warmup_weeks: int = 4,
    retrain_every: int = 1,
    seed: int = 0,
    name: str | None = None,
) -> Replay:
    """Replay `frame` (one row per consignment: reference, declared_date, label and the model's inputs)
    in date order, week by week (see the module docstring). The strategy fills `share` of each week's
    consignments; the control sample is `control_share` of them on top. During the first `warmup_weeks`
    a uniformly random `share` is inspected instead and no control sample is drawn. The model is
    retrained every `retrain_every` replayed weeks on all labels revealed before the week; Explore
    ignores scores, so no model is trained for it."""
    if warmup_weeks < 1 or retrain_every < 1:
        raise ValueError("replay: warmup_weeks and retrain_every must be at least 1")
    weeks = (pl.col(DATE) - pl.col(DATE).min()).dt.total_days() // 7
    frame = frame.sort(DATE, maintain_order=True).with_columns(weeks.cast(pl.Int64).alias(WEEK))
    hidden = [c for c in (LABEL, KNOWN_AT, WEEK) if c in frame.columns]
    uses_scores = not isinstance(strategy, Explore)
    revealed: list[pl.DataFrame] = []
    model, fitted_upto, fits, replayed_weeks = None, 0, 0, 0
    for week, rows in frame.group_by(WEEK, maintain_order=True):
        week = int(week[0])
        week_seed = seed * 1_000_003 + week
        if week < warmup_weeks:
            scores, chosen_by, capacity, pick = np.zeros(rows.height), WARMUP, Capacity(red_share=share, control_share=0.0), Explore()
        else:
            known = pl.concat(revealed, how="vertical_relaxed") if revealed else rows.clear()
            if uses_scores and (model is None or replayed_weeks % retrain_every == 0):
                model, fitted_upto, fits = fit(known.drop(WEEK, "selected_by"), seed), len(revealed), fits + 1
            recent = pl.concat(revealed[fitted_upto:] or [known.clear()], how="vertical_relaxed").drop(WEEK, "selected_by")
            scores = np.asarray(score(model, rows.drop(hidden), recent), dtype=float) if uses_scores else np.zeros(rows.height)
            chosen_by, capacity, pick = RISK, Capacity(red_share=share, control_share=control_share), strategy
            replayed_weeks += 1
        lanes = select(rows.select("reference", pl.Series("risk_score", scores), pl.lit(RED).alias("lane")), capacity, pick, week_seed)
        inspected = (pl.col("lane") == RED) & pl.col("selected_by").is_in([RISK, CONTROL])
        picked = lanes.filter(inspected).select("reference", pl.col("selected_by").replace(RISK, chosen_by))
        revealed.append(rows.join(picked, on="reference", how="inner", maintain_order="left"))
    if replayed_weeks == 0:
        raise ValueError(f"replay: no week after the {warmup_weeks} warm-up week(s)")
    everything = pl.concat(revealed, how="vertical_relaxed")
    period = frame.filter(pl.col(WEEK) >= warmup_weeks)
    counted = lambda by: everything.filter(pl.col("selected_by") == by)  # noqa: E731
    return Replay(
        strategy=name or type(strategy).__name__, weeks=replayed_weeks, consignments=period.height, fraud=int(period[LABEL].sum()),
        risk_inspected=counted(RISK).height, risk_found=int(counted(RISK)[LABEL].sum()),
        control_inspected=counted(CONTROL).height, control_found=int(counted(CONTROL)[LABEL].sum()),
        fits=fits, revealed=everything.select("reference", WEEK, "selected_by", LABEL),
    )  # fmt: skip
