"""Labelled consignments: a file read as intake reads it, joined to its recorded inspection outcomes."""

from pathlib import Path

import polars as pl
from sqlalchemy import Engine, select

from smartborder.config import Settings
from smartborder.intake.pipeline import open_source
from smartborder.intake.validate import POSITIVE
from smartborder.schema import CONSIGNMENT_FIELDS, EXTRA, ITEM_FIELDS, ITEM_NO, KEY, with_all_fields
from smartborder.store.tables import consignments, goods_items, outcomes

LABEL = "label"  # 1: non-compliance or seizure found at inspection, 0: nothing found
KNOWN_AT = "known_at"  # when the outcome became known: inspection date, else the declaration date
REVENUE = "revenue"  # extra duty and taxes the inspection assessed: an outcome, never a feature


def consignment_rows(goods_items: pl.DataFrame) -> pl.DataFrame:
    """One row per consignment as the model sees it: its first goods item's fields, every record
    field present, and the `extra` attributes as columns of their own."""
    frame = with_all_fields(goods_items.filter(pl.col(ITEM_NO) == 1))
    if EXTRA in frame.columns and frame[EXTRA].drop_nulls().len():
        frame = frame.with_columns(frame[EXTRA].str.json_decode(infer_schema_length=None)).unnest(EXTRA)
    extras = [c for c in frame.columns if c not in (KEY, *CONSIGNMENT_FIELDS, *ITEM_FIELDS) and not c.startswith(("outcome_", "_"))
              and c not in ("row", ITEM_NO, EXTRA, "quality_score", "rfi", "rfi_request", "value_usd")]  # fmt: skip
    outcomes = [c for c in frame.columns if c.startswith("outcome_")]
    return frame.select(KEY, *CONSIGNMENT_FIELDS, *ITEM_FIELDS, *extras, *outcomes)


def labelled(path: Path, mapping: Path | None, settings: Settings) -> pl.DataFrame:
    """One row per inspected consignment (see `consignment_rows`), with `label` and `known_at`.
    Consignments without an outcome are left out."""
    parts = []
    for _, prepared in open_source(path, settings, mapping).prepared(settings.rfi_severity):
        if not prepared.outcomes.is_empty():
            parts.append(prepared.goods_items().join(prepared.outcomes, on=KEY, how="inner"))
    if not parts:
        raise ValueError(f"{path}: no consignment with an inspection outcome (does the mapping map `outcome`?)")
    return _with_label(consignment_rows(pl.concat(parts, how="diagonal_relaxed")))


def stored_labelled(engine: Engine, countries: tuple[str, ...] | None = None) -> pl.DataFrame:
    """The store's current consignments with a recorded outcome (the latest, when several), as
    `labelled` gives them from a file; only those bound for `countries`, when given."""
    item = goods_items.alias("item")
    query = (
        select(consignments.c.id.label(KEY), *(consignments.c[n] for n in CONSIGNMENT_FIELDS), consignments.c[EXTRA],
               *(item.c[n] for n in ITEM_FIELDS), outcomes.c.result.label("outcome_result"),
               outcomes.c.inspected_at.label("outcome_inspected_at"), outcomes.c.recorded_at)
        .join_from(consignments, item, (item.c.consignment_id == consignments.c.id) & (item.c.item_no == 1))
        .join(outcomes, outcomes.c.consignment_id == consignments.c.id)
        .where(consignments.c.is_current)
    )  # fmt: skip
    if countries is not None:
        query = query.where(consignments.c.destination_country.in_(countries))
    frame = pl.read_database(query, engine, schema_overrides={KEY: pl.Int64})
    if frame.is_empty():
        raise ValueError("no stored consignment has an inspection outcome: ingest a file with outcomes or import them")
    latest = frame.sort("recorded_at", descending=True).unique(KEY, keep="first").drop("recorded_at").with_columns(pl.lit(1, dtype=pl.Int32).alias(ITEM_NO))
    return _with_label(consignment_rows(latest.sort(KEY)))


def _with_label(frame: pl.DataFrame) -> pl.DataFrame:
    def outcome(name: str, dtype) -> pl.Expr:  # an outcome field the mapping may not map
        return pl.col(f"outcome_{name}").cast(dtype) if f"outcome_{name}" in frame.columns else pl.lit(None, dtype=dtype)

    return frame.select(
        pl.exclude("^outcome_.*$"),
        pl.col("outcome_result").is_in(POSITIVE).cast(pl.Int8).alias(LABEL),
        pl.coalesce(outcome("inspected_at", pl.Date), "declared_date").alias(KNOWN_AT),
        outcome("extra_duty", pl.Float64).alias(REVENUE),
    )
