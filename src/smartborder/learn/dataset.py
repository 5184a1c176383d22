"""Labelled consignments: a file read as intake reads it, joined to its recorded inspection outcomes."""

from pathlib import Path

import polars as pl

from smartborder.config import Settings
from smartborder.intake.pipeline import open_source
from smartborder.schema import CONSIGNMENT_FIELDS, EXTRA, ITEM_FIELDS, ITEM_NO, KEY, with_all_fields

LABEL = "label"  # 1: non-compliance or seizure found at inspection, 0: nothing found
KNOWN_AT = "known_at"  # when the outcome became known: inspection date, else the declaration date
POSITIVE = ("non_compliance", "seizure")


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
    frame = consignment_rows(pl.concat(parts, how="diagonal_relaxed"))
    return frame.select(
        pl.exclude("^outcome_.*$"),
        pl.col("outcome_result").is_in(POSITIVE).cast(pl.Int8).alias(LABEL),
        pl.coalesce("outcome_inspected_at", "declared_date").alias(KNOWN_AT),
    )
