"""Customs-knowledge features of labelled or new consignments, vectorised with Polars.

Party history is built without leakage: a consignment declared on day d sees only outcomes known
(`known_at`) strictly before d; consignments of the same day never see each other. `build(frame,
history)` takes the history explicitly, so the caller decides what was known: to train, a labelled
frame is its own history (each row sees the earlier days); to score new consignments, the history is
the training data (kept with the model), plus any outcomes recorded since. A frame's own outcomes
are used only when the caller passes them as history too.
"""

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import polars as pl

from smartborder.learn.dataset import KNOWN_AT, LABEL, REVENUE
from smartborder.schema import FIELD_BY_NAME, KEY

PARTIES = {"importer": "consignee_id", "declarant": "submitter", "seller": "consignor_id", "courier": "carrier"}
PRIOR_STRENGTH = 5.0  # a party's rate is shrunk towards the overall rate as if it had this many more consignments
MIN_REFERENCE = 5  # fewest items of a subheading for its typical value per kg
MIN_NUMERIC_LEVELS = 50  # an extra attribute that is all numbers with fewer distinct values is taken as a code
HISTORY_COLUMNS = [*PARTIES.values(), "hs_code", "value", "net_mass", KNOWN_AT, LABEL]
CODES = ("hs_chapter", "hs_heading", "hs_subheading", "departure_country", "origin_country", "office", "transport_mode")
DATE = "declared_date"
ONE_DAY = pl.duration(days=1)


def _log_value_per_kg() -> pl.Expr:
    return pl.when(pl.col("net_mass") > 0).then((pl.col("value") / pl.col("net_mass")).log1p())


def _cumulative(known: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Outcomes per day (per `by`), summed up to each day; usable from the next day."""
    daily = known.group_by(*by, KNOWN_AT).agg(pl.len().alias("n"), pl.col(LABEL).sum().alias("k")).sort(*by, KNOWN_AT)
    running = [pl.col(c).cum_sum().over(by) if by else pl.col(c).cum_sum() for c in ("n", "k")]
    return daily.with_columns(*running, (pl.col(KNOWN_AT) + ONE_DAY).alias("available")).drop(KNOWN_AT).sort("available")


def _earlier(frame: pl.DataFrame, history: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """n (consignments) and k (non-compliant) in `history` known strictly before each row's date, per `by`."""
    rows = frame.select(*by, DATE).with_row_index("_i").sort(DATE)
    known = _cumulative(history.filter(pl.all_horizontal(pl.col(c).is_not_null() for c in by)) if by else history, by)
    joined = rows.join_asof(known, left_on=DATE, right_on="available", by=by or None, strategy="backward", check_sortedness=False)
    return joined.sort("_i").select(pl.col("n").fill_null(0), pl.col("k").fill_null(0))


def party_history(frame: pl.DataFrame, history: pl.DataFrame) -> pl.DataFrame:
    """For each party role: count of earlier consignments and smoothed earlier non-compliance rate
    (k + a p0) / (n + a), p0 being the overall rate known before the row's date (Laplace-smoothed)."""
    overall = _earlier(frame, history, [])
    counts = {"p0": (overall["k"] + 1) / (overall["n"] + 2)}
    for role, column in PARTIES.items():
        earlier = _earlier(frame, history, [column])
        counts |= {f"{role}_n": earlier["n"], f"{role}_k": earlier["k"], f"{role}_present": frame[column].is_not_null()}
    rate = lambda role: (pl.col(f"{role}_k") + PRIOR_STRENGTH * pl.col("p0")) / (pl.col(f"{role}_n") + PRIOR_STRENGTH)  # noqa: E731
    return pl.DataFrame(counts).select(
        expression
        for role in PARTIES
        for expression in (pl.when(f"{role}_present").then(pl.col(f"{role}_n").cast(pl.Float64)).alias(f"{role}_count"),
                           pl.when(f"{role}_present").then(rate(role)).alias(f"{role}_rate"))
    )  # fmt: skip


def _unit_value_gap(frame: pl.DataFrame, history: pl.DataFrame) -> pl.Expr:
    """Log value per kg against the subheading's median in the history (declared values only, no outcomes)."""
    reference = (history.with_columns(pl.col("hs_code").str.slice(0, 6).alias("hs_subheading"), _log_value_per_kg().alias("v"))
                 .group_by("hs_subheading").agg(pl.col("v").median().alias("ref"), pl.col("v").count().alias("m"))
                 .filter(pl.col("m") >= MIN_REFERENCE))  # fmt: skip
    refs = frame.select(pl.col("hs_code").str.slice(0, 6).alias("hs_subheading")).join(reference, on="hs_subheading", how="left", maintain_order="left")
    return pl.lit(refs["ref"])


def extras(frame: pl.DataFrame) -> list[str]:
    """The declared attributes beyond the record (a mapping's `extra`)."""
    return [c for c in frame.columns if c not in FIELD_BY_NAME and c not in (KEY, LABEL, KNOWN_AT, REVENUE)]


def build(frame: pl.DataFrame, history: pl.DataFrame) -> pl.DataFrame:
    """Features of each row of `frame`, in its order; categoricals still as text (see FeatureSpec)."""
    hs = pl.col("hs_code")
    base = frame.select(
        hs.str.slice(0, 2).alias("hs_chapter"), hs.str.slice(0, 4).alias("hs_heading"), hs.str.slice(0, 6).alias("hs_subheading"),
        pl.when(pl.col("net_mass") > 0).then(pl.col("value") / pl.col("net_mass")).alias("value_per_kg"),
        (_log_value_per_kg() - _unit_value_gap(frame, history)).alias("unit_value_gap"),
        pl.col("value").log1p().alias("log_value"), pl.col("net_mass").log1p().alias("log_mass"),
        "departure_country", "origin_country",
        (pl.col("departure_country") == pl.col("origin_country")).cast(pl.Float64).alias("same_country"),
        "office", "transport_mode",
        pl.col(DATE).dt.weekday().cast(pl.Float64).alias("weekday"), pl.col(DATE).dt.month().cast(pl.Float64).alias("month"),
        *extras(frame),
    )  # fmt: skip
    return pl.concat([base, party_history(frame, history)], how="horizontal")


@dataclass
class FeatureSpec:
    """The model's inputs: names in order, which are categorical and their levels as seen in training."""

    names: list[str]
    categorical: dict[str, list[str]]  # column -> levels; a level's index is its code

    @classmethod
    def learn(cls, features: pl.DataFrame) -> "FeatureSpec":
        categorical = {}
        for name in features.columns:
            column = features[name]
            if column.dtype == pl.String and (name in CODES or not _numeric(column)):
                categorical[name] = sorted(column.drop_nulls().unique().to_list())
        return cls(features.columns, categorical)

    def matrix(self, features: pl.DataFrame) -> np.ndarray:
        """Float matrix in `names` order: categoricals as level codes, unknown levels and gaps as NaN."""
        columns = [
            pl.col(n).replace_strict(levels, list(range(len(levels))), default=None, return_dtype=pl.Float64)
            if (levels := self.categorical.get(n)) is not None else pl.col(n).cast(pl.Float64, strict=False)
            for n in self.names
        ]  # fmt: skip
        return features.select(columns).to_numpy().astype(np.float64)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, path: Path) -> "FeatureSpec":
        return cls(**json.loads(path.read_text()))


def _numeric(column: pl.Series) -> bool:
    """Text that is all numbers with many distinct values (a rate, an amount), not a code."""
    values = column.drop_nulls()
    as_number = values.cast(pl.Float64, strict=False)
    return values.len() > 0 and as_number.null_count() == 0 and as_number.n_unique() >= MIN_NUMERIC_LEVELS and not math.isnan(as_number.sum())
