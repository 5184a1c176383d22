"""Selection: turning proposed lanes into final lanes within inspection capacity.

Red (physical examination) and yellow (document check) are rationed: a share of all consignments,
or a number per office and day. A strategy decides who gets the rationed places. Hold is never
rationed. A random control sample, drawn uniformly from all assessed consignments whatever their
score, goes to red on top of the capacity, so that non-compliance can be estimated without bias.

A proposed red is a floor ("red if capacity allows, otherwise at least yellow"): a red that finds
no place becomes yellow and takes a yellow place first, even beyond the yellow capacity; proposed
yellows share what is left, the others are released (green), their `proposed_lane` kept.
"""

import math
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Protocol

import numpy as np
import polars as pl

from smartborder.risk.lanes import GREEN, HOLD, LANES, RED, RFI, YELLOW

__all__ = ["LANES", "Capacity", "Strategy", "Exploit", "Explore", "Mixed", "select", "selection_report", "control_estimate", "wilson_interval"]

GROUP = ("office", "declared_date")  # the unit of per-office-day capacity
OUTPUT = ("proposed_lane", "selected_by", "reason")
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Capacity:
    """Rationed places: a share of all consignments or a number per (office, declared_date), per lane.
    Neither means not rationed. The control sample comes on top of the red capacity."""

    red_share: float | None = None
    yellow_share: float | None = None
    red_per_office_day: int | None = None
    yellow_per_office_day: int | None = None
    control_share: float = 0.005

    def __post_init__(self):
        for lane in (RED, YELLOW):
            share, count = getattr(self, f"{lane}_share"), getattr(self, f"{lane}_per_office_day")
            if share is not None and count is not None:
                raise ValueError(f"Capacity: give {lane}_share or {lane}_per_office_day, not both")
            if share is not None:
                _check_share(f"{lane}_share", share)
            if count is not None and (isinstance(count, bool) or not isinstance(count, Integral) or count < 0):
                raise ValueError(f"Capacity.{lane}_per_office_day must be a whole number >= 0, got {count!r}")
        _check_share("control_share", self.control_share)

    @property
    def per_office_day(self) -> bool:
        return self.red_per_office_day is not None or self.yellow_per_office_day is not None


def _check_share(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= value <= 1:
        raise ValueError(f"Capacity.{name} must be a share between 0 and 1, got {value!r}")


class Strategy(Protocol):
    """How rationed places are filled: a value per row of `frame`, higher = chosen first."""

    def rank(self, frame: pl.DataFrame, rng: np.random.Generator) -> pl.Series: ...


class Exploit:
    """Most expected findings first: the highest risk score first."""

    def rank(self, frame: pl.DataFrame, rng: np.random.Generator) -> pl.Series:
        return frame.get_column("risk_score").cast(pl.Float64)


class Explore:
    """Uniformly random order, whatever the score."""

    def rank(self, frame: pl.DataFrame, rng: np.random.Generator) -> pl.Series:
        return pl.Series("rank", rng.random(frame.height))


@dataclass(frozen=True)
class Mixed:
    """`exploration` of the places to random consignments, the rest by score. Whatever the number of
    places k, the first k are the best (1 - exploration) * k scores plus, on average, exploration * k
    drawn uniformly from all the others. Each row is reached by score at time position / (1 - e) or
    by the random draw at a random time whose law makes that so; it comes at the earlier of the two."""

    exploration: float = 0.1

    def __post_init__(self):
        if isinstance(self.exploration, bool) or not isinstance(self.exploration, Real) or not 0 <= self.exploration <= 1:
            raise ValueError(f"Mixed.exploration must be between 0 and 1, got {self.exploration!r}")

    def rank(self, frame: pl.DataFrame, rng: np.random.Generator) -> pl.Series:
        n, e = frame.height, float(self.exploration)
        scores = frame.get_column("risk_score").cast(pl.Float64).fill_nan(None).fill_null(-np.inf).to_numpy()
        position = np.empty(n)
        position[np.lexsort((rng.random(n), -scores))] = np.arange(n)  # 0 = best score, ties at random
        by_score = position / (1 - e) if e < 1 else np.full(n, np.inf)
        u = rng.random(n)
        by_draw = n * (1 - u) / (1 - (1 - e) * u)  # P(not drawn by t) = (n - t) / (n - (1 - e) t)
        return pl.Series("rank", -np.minimum(by_score, by_draw))


def select(frame: pl.DataFrame, capacity: Capacity, strategy: Strategy | None = None, seed: int = 0) -> pl.DataFrame:
    """Final lanes within capacity. frame: reference, risk_score, lane (proposed) and, for per-office-day
    capacity, office and declared_date. Returns frame with the final `lane`, `proposed_lane`,
    `selected_by` ("risk", "random_control", "capacity" or null) and a readable `reason`.
    Deterministic for a seed. Rows in lane "rfi" (awaiting data) pass through and are not drawn."""
    strategy = strategy or Exploit()
    _check_frame(frame, capacity)
    rng = np.random.default_rng(seed)
    n = frame.height
    lanes = frame.get_column("lane")
    assessed = np.flatnonzero((lanes != RFI).to_numpy())
    control = np.zeros(n, dtype=bool)
    control[rng.choice(assessed, _places(capacity.control_share, assessed.size), replace=False)] = True
    work = frame.drop(OUTPUT, strict=False).with_columns(
        proposed_lane=lanes.cast(pl.String), _row=pl.int_range(pl.len()), _control=pl.Series(control), _tie=pl.Series(rng.random(n))
    )
    proposed = pl.col("proposed_lane")
    in_draw = ~pl.col("_control")

    red_keys, red_room = _room(capacity.red_share, capacity.red_per_office_day, n)
    work = work.with_columns(_red=_chosen(work, (proposed == RED) & in_draw, strategy, rng, red_keys, red_room))
    fallen = (proposed == RED) & in_draw & ~pl.col("_red")

    yellow_keys, yellow_room = _room(capacity.yellow_share, capacity.yellow_per_office_day, n)
    taken = fallen.sum().over(yellow_keys) if yellow_keys else fallen.sum()
    work = work.with_columns(_yellow_room=(yellow_room - taken).clip(lower_bound=0))
    work = work.with_columns(_yellow=_chosen(work, (proposed == YELLOW) & in_draw, strategy, rng, yellow_keys, pl.col("_yellow_room")))

    def outcome(lane, selected_by, reason):
        return pl.lit(lane), pl.lit(selected_by, dtype=pl.String), pl.lit(reason)

    cases = [
        (proposed == RFI, outcome(RFI, None, "request for information before assessment")),
        ((proposed == HOLD) & pl.col("_control"), outcome(HOLD, "random_control", "proposed hold; in the random control sample")),
        (proposed == HOLD, outcome(HOLD, "risk", "proposed hold")),
        (pl.col("_control"), outcome(RED, "random_control", "random control sample")),
        (pl.col("_red"), outcome(RED, "risk", "proposed red")),
        (proposed == RED, outcome(YELLOW, "capacity", "red capacity reached: document check instead")),
        (pl.col("_yellow"), outcome(YELLOW, "risk", "proposed yellow")),
        (proposed == YELLOW, outcome(GREEN, "capacity", "yellow capacity reached: released")),
    ]
    columns = []
    for i, (name, default) in enumerate((("lane", proposed), ("selected_by", pl.lit(None, dtype=pl.String)),
                                         ("reason", pl.format("proposed {}", proposed)))):  # fmt: skip
        expr = pl.when(cases[0][0]).then(cases[0][1][i])
        for condition, result in cases[1:]:
            expr = expr.when(condition).then(result[i])
        columns.append(expr.otherwise(default).alias(name))
    return work.with_columns(columns).select(*frame.drop(OUTPUT, strict=False).columns, *OUTPUT)


def _check_frame(frame: pl.DataFrame, capacity: Capacity) -> None:
    required = ["reference", "risk_score", "lane", *(GROUP if capacity.per_office_day else ())]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"select: frame lacks column(s) {', '.join(missing)}")
    unknown = set(frame.get_column("lane").unique().to_list()) - {*LANES, RFI}
    if unknown:
        raise ValueError(f"select: unknown lane(s) {sorted(map(str, unknown))}; lanes are {', '.join(LANES)}")
    if frame.get_column("reference").is_duplicated().any():
        raise ValueError("select: one row per consignment expected, some references repeat")


def _places(share: float, n: int) -> int:
    """Whole places a share of n gives, never above the share (10,000 * 0.02 = 200)."""
    return math.floor(share * n + 1e-9)


def _room(share: float | None, per_office_day: int | None, n: int) -> tuple[list[str], pl.Expr]:
    """Group keys and places per group; unlimited when neither is given."""
    if per_office_day is not None:
        return list(GROUP), pl.lit(per_office_day, dtype=pl.Int64)
    return [], pl.lit(n if share is None else _places(share, n), dtype=pl.Int64)


def _chosen(work: pl.DataFrame, candidate: pl.Expr, strategy: Strategy, rng: np.random.Generator, keys: list[str], room: pl.Expr) -> pl.Series:
    """True where a candidate ranks within its group's room, in strategy order (random among ties)."""
    pool = work.filter(candidate)
    rank = strategy.rank(pool.drop("_row", "_control", "_tie"), rng)
    if len(rank) != pool.height:
        raise ValueError(f"{type(strategy).__name__}.rank returned {len(rank)} values for {pool.height} rows")
    position = pl.int_range(pl.len()).over(keys) if keys else pl.int_range(pl.len())
    rows = (
        pool.with_columns(_rank=pl.Series(rank).cast(pl.Float64).fill_nan(None))
        .sort(["_rank", "_tie"], descending=[True, False], nulls_last=True)
        .filter(position < room)
        .get_column("_row")
        .to_numpy()
    )
    chosen = np.zeros(work.height, dtype=bool)
    chosen[rows] = True
    return pl.Series(chosen)


def selection_report(frame: pl.DataFrame, hits: pl.DataFrame) -> pl.DataFrame:
    """Expected against actual selection per profile. frame: select's output; hits: reference, profile_id,
    expected_rate. Rates are shares of all consignments in frame: hit_rate (the profile hit them),
    selected_rate (hit, and ended red or yellow)."""
    expected = hits.group_by("profile_id").agg(pl.col("expected_rate").unique())
    conflicting = expected.filter(pl.col("expected_rate").list.len() > 1).get_column("profile_id").to_list()
    if conflicting:
        raise ValueError(f"selection_report: more than one expected_rate for profile(s) {conflicting}")
    n = frame.height
    matched = (
        hits.select("reference", "profile_id").unique()
        .join(frame.select("reference", "lane"), on="reference", how="inner")
        .group_by("profile_id")
        .agg(hit=pl.len(), selected=pl.col("lane").is_in([RED, YELLOW]).sum())
    )  # fmt: skip
    return (
        expected.with_columns(pl.col("expected_rate").list.first())
        .join(matched, on="profile_id", how="left")
        .select(
            "profile_id", "expected_rate",
            (pl.col("hit").fill_null(0) / n).alias("hit_rate") if n else pl.lit(None, dtype=pl.Float64).alias("hit_rate"),
            (pl.col("selected").fill_null(0) / n).alias("selected_rate") if n else pl.lit(None, dtype=pl.Float64).alias("selected_rate"),
        )
        .sort("profile_id")
    )  # fmt: skip


def control_estimate(frame: pl.DataFrame, outcome: pl.Series) -> tuple[float, float]:
    """Non-compliance rate from the random control sample alone (rows select marked "random_control";
    outcome: True = non-compliant, aligned with frame, null = no result yet and left out), and the
    half-width of its 95 % Wilson interval. The estimate is the sample proportion (unbiased); the
    Wilson interval itself is centred slightly towards 1/2: see wilson_interval."""
    if len(outcome) != frame.height:
        raise ValueError(f"control_estimate: {len(outcome)} outcomes for {frame.height} rows")
    in_control = (frame.get_column("selected_by") == "random_control").fill_null(False)
    results = outcome.cast(pl.Boolean).filter(in_control).drop_nulls()
    if results.len() == 0:
        raise ValueError("control_estimate: no results for the random control sample")
    found, n = int(results.sum()), results.len()
    low, high = wilson_interval(found, n)
    return found / n, (high - low) / 2


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion of successes out of n."""
    p, z2 = successes / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return centre - half, centre + half
