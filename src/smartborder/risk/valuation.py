"""Valuation control: declared values compared with what goods of the same kind and origin usually cost.

A reference is learnt from past goods items: the value in USD per kg and per unit, by HS subheading
and origin and by HS subheading over all origins, summarised robustly (median, and a lower bound
from the median absolute deviation of the logarithms). A goods item declared below both a share of
the median and the lower bound is flagged as possibly undervalued.
"""

from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import polars as pl

from smartborder.quality.terms import in_usd
from smartborder.schema import ITEM_NO, KEY

MAD_TO_SD = 1.4826  # the MAD of a normal distribution times this is its standard deviation
LOW_SDS = 3.0  # the lower bound lies this many (robust) standard deviations below the median, in logs
BASES = ("kg", "unit")
SCOPES = ("origin", "all")  # the (hs6, origin) reference first, then hs6 over all origins
REFERENCE_SCHEMA = {"hs6": pl.String, "origin_country": pl.String, "basis": pl.String, "n": pl.UInt32,
                    "median_usd": pl.Float64, "low_usd": pl.Float64}  # fmt: skip
FINDING_SCHEMA = {KEY: pl.Int64, ITEM_NO: pl.Int32, "hs6": pl.String, "origin_country": pl.String, "declared_usd": pl.Float64,
                  "expected_usd": pl.Float64, "ratio_to_expected": pl.Float64, "basis": pl.String, "message": pl.String}  # fmt: skip


@dataclass(frozen=True)
class ValuationReference:
    table: pl.DataFrame  # REFERENCE_SCHEMA; origin_country null = over all origins
    min_observations: int

    def save(self, path: Path) -> None:
        self.table.write_parquet(path, metadata={"min_observations": str(self.min_observations)})

    @classmethod
    def load(cls, path: Path) -> "ValuationReference":
        minimum = int(pl.read_parquet_metadata(path).get("min_observations", "0"))
        return cls(pl.read_parquet(path).cast(REFERENCE_SCHEMA), minimum)  # type: ignore[arg-type]

    @cached_property
    def lookups(self) -> dict[str, pl.DataFrame]:
        """Per scope, the reference as it is looked up: a row per key, a median and a lower bound per basis."""
        return {scope: _lookup(self.table, scope) for scope in SCOPES}


def _positive(name: str) -> pl.Expr:
    return pl.when(pl.col(name) > 0).then(pl.col(name))


def _measures(frame: pl.DataFrame) -> pl.LazyFrame:
    """hs6, value in USD and the positive measures: kg (net mass, else gross) and unit (quantity)."""
    return frame.lazy().with_columns(
        pl.col("hs_code").str.slice(0, 6).alias("hs6"),
        in_usd(pl.col("value"), pl.col("currency")).alias("_usd"),
        pl.coalesce(_positive("net_mass"), _positive("gross_mass")).alias("_kg"),
        _positive("quantity").alias("_unit"),
    )


def learn_reference(history: pl.DataFrame, min_observations: int = 20) -> ValuationReference:
    """USD per kg and per unit by (hs6, origin) and by hs6 over all origins, from past goods items
    (hs_code, origin_country, value, currency, net_mass, gross_mass, quantity). Items with zero or missing
    value or measure are left out; groups with fewer than `min_observations` items are dropped."""
    items = _measures(history).filter(pl.col("_usd") > 0)
    observed = pl.concat([
        items.filter(pl.col(f"_{basis}").is_not_null()).select(
            "hs6", pl.col("origin_country").cast(pl.String), pl.lit(basis).alias("basis"), (pl.col("_usd") / pl.col(f"_{basis}")).alias("x"))
        for basis in BASES
    ]).filter(pl.col("hs6").is_not_null())  # fmt: skip
    log = pl.col("x").log()
    mad = (log - log.median()).abs().median()
    stats = [pl.len().alias("n"), pl.col("x").median().alias("median_usd"), (log.median() - LOW_SDS * MAD_TO_SD * mad).exp().alias("low_usd")]
    by_origin = observed.filter(pl.col("origin_country").is_not_null()).group_by("hs6", "origin_country", "basis").agg(stats)
    overall = observed.group_by("hs6", "basis").agg(stats).with_columns(pl.lit(None, pl.String).alias("origin_country"))
    table = (
        pl.concat([by_origin, overall], how="diagonal")
        .filter(pl.col("n") >= min_observations)
        .select(pl.col(name).cast(dtype) for name, dtype in REFERENCE_SCHEMA.items())
        .sort("hs6", "basis", pl.col("origin_country"), nulls_last=False)
        .collect()
    )
    return ValuationReference(table, min_observations)


def _keys(scope: str) -> list[str]:
    return ["hs6", "origin_country"] if scope == "origin" else ["hs6"]


def _lookup(table: pl.DataFrame, scope: str) -> pl.DataFrame:
    """The reference of one scope by its keys, with columns named after scope and basis."""
    keys = _keys(scope)
    part = table.filter(pl.col("origin_country").is_not_null() if scope == "origin" else pl.col("origin_country").is_null())
    lookup = part.select(keys).unique(maintain_order=True)
    for basis in BASES:
        values = part.filter(pl.col("basis") == basis).select(
            *keys, pl.col("median_usd").alias(f"_median_{scope}_{basis}"), pl.col("low_usd").alias(f"_low_{scope}_{basis}")
        )
        lookup = lookup.join(values, on=keys, how="left", maintain_order="left")
    return lookup


def _usable(scope: str, basis: str) -> pl.Expr:
    """The item has the measure of `basis` and a reference of that scope and basis exists."""
    return pl.col(f"_median_{scope}_{basis}").is_not_null() & pl.col(f"_{basis}").is_not_null()


def _first_usable(values: dict[tuple[str, str], pl.Expr]) -> pl.Expr:
    """The value of the first usable (scope, basis) candidate, in the order given."""
    return pl.coalesce(pl.when(_usable(scope, basis)).then(value) for (scope, basis), value in values.items())


def _fixed(x: pl.Expr, decimals: int) -> pl.Expr:
    """A number as text with exactly `decimals` decimals (12 -> '12.00')."""
    scaled = (x.abs() * 10**decimals).round(0).cast(pl.Int64)
    sign = pl.when(x < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    whole, fraction = (scaled // 10**decimals).cast(pl.String), (scaled % 10**decimals).cast(pl.String).str.zfill(decimals)
    return pl.concat_str(sign, whole, pl.lit("."), fraction) if decimals else pl.concat_str(sign, whole)


def _amount(x: pl.Expr) -> pl.Expr:
    """Whole numbers from 10 upwards, two decimals below."""
    return pl.when(x.abs() >= 10).then(_fixed(x, 0)).otherwise(_fixed(x, 2))


def _measure_text(x: pl.Expr) -> pl.Expr:
    """3.0 -> '3', 1.25 -> '1.25'."""
    return pl.when(x == x.round(0)).then(x.cast(pl.Int64).cast(pl.String)).otherwise(x.round(3).cast(pl.String))


@cache
def _finding(ratio: float) -> tuple[list[pl.Expr], pl.Expr, list[pl.Expr]]:
    """On items with their measures and reference columns: the usable reference (basis, measure,
    median, low), whether the item is flagged, and the columns of its finding."""
    candidates = [(scope, basis) for basis in BASES for scope in SCOPES]
    usable = [
        _first_usable({(s, b): pl.lit(b) for s, b in candidates}).alias("_basis"),
        _first_usable({(s, b): pl.col(f"_{b}") for s, b in candidates}).alias("_measure"),
        _first_usable({(s, b): pl.col(f"_median_{s}_{b}") for s, b in candidates}).alias("_median"),
        _first_usable({(s, b): pl.col(f"_low_{s}_{b}") for s, b in candidates}).alias("_low"),
    ]
    basis, measure, median = pl.col("_basis"), pl.col("_measure"), pl.col("_median")
    per_measure = pl.col("_usd") / measure
    flagged = (per_measure < ratio * median) & (per_measure < pl.col("_low"))
    expected = median * measure
    share = pl.col("_usd") / expected
    unit_words = pl.when(basis == "kg").then(pl.lit(" kg")).when(measure == 1).then(pl.lit(" unit")).otherwise(pl.lit(" units"))
    origin = pl.when(pl.col("origin_country").is_not_null()).then(pl.concat_str(pl.lit(" from "), "origin_country")).otherwise(pl.lit(""))
    in_usd = pl.when(pl.col("currency") == "USD").then(pl.lit("")).otherwise(pl.concat_str(pl.lit(" ("), _amount(pl.col("_usd")), pl.lit(" USD)")))
    percent = (share * 100).round(0).cast(pl.Int64).cast(pl.String)
    message = pl.concat_str(
        pl.lit("declared "), _fixed(pl.col("value"), 2), pl.lit(" "), "currency", in_usd, pl.lit(", about "), percent,
        pl.lit(" % of the usual "), _amount(expected), pl.lit(" USD for "), _measure_text(measure), unit_words, pl.lit(" of HS "), "hs6", origin,
    )  # fmt: skip
    columns = [
        pl.col(KEY),
        pl.col(ITEM_NO),
        pl.col("hs6"),
        pl.col("origin_country"),
        pl.col("_usd").alias("declared_usd"),
        expected.alias("expected_usd"),
        share.alias("ratio_to_expected"),
        basis.alias("basis"),
        message.alias("message"),
    ]
    return usable, flagged.fill_null(False), columns


def undervaluation(batch: pl.DataFrame, reference: ValuationReference, ratio: float = 0.3) -> pl.DataFrame:
    """One row per goods item whose value per kg (or unit) is below both `ratio` x the reference median and
    the reference's lower bound. The (hs6, origin) reference is used when it exists, else hs6 over all origins;
    per kg when the item has a mass, per unit otherwise."""
    usable, flagged, columns = _finding(ratio)
    frame = _measures(batch).with_columns(pl.col("origin_country").cast(pl.String))
    for scope, lookup in reference.lookups.items():
        frame = frame.join(lookup.lazy(), on=_keys(scope), how="left")
    found = frame.with_columns(usable).filter(flagged).collect(engine="in-memory")
    if found.is_empty():  # messages are only formatted for flagged items
        return pl.DataFrame(schema=FINDING_SCHEMA)
    return found.select(columns).cast(FINDING_SCHEMA).sort(KEY, ITEM_NO)  # type: ignore[arg-type]
