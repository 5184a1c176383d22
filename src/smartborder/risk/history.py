"""Past goods items to learn from: from a file (read as intake reads it) or from the store."""

from pathlib import Path

import polars as pl
from sqlalchemy import Engine, select

from smartborder.config import Settings
from smartborder.intake.pipeline import open_source
from smartborder.schema import CONSIGNMENT_FIELDS, ITEM_FIELDS, with_all_fields
from smartborder.store.tables import consignments, goods_items


def history_items(path: Path, mapping: Path | None, settings: Settings) -> pl.DataFrame:
    """The usable goods items of a file, with their consignment's fields."""
    parts = [p.goods_items() for _, p in open_source(path, settings, mapping).prepared(settings.rfi_severity)]
    return with_all_fields(pl.concat(parts, how="diagonal_relaxed"))


def stored_items(engine: Engine) -> pl.DataFrame:
    """The goods items of the store's current consignments, with their consignment's fields."""
    columns = [consignments.c[n] for n in CONSIGNMENT_FIELDS] + [goods_items.c[n] for n in ITEM_FIELDS]
    query = select(*columns).join_from(consignments, goods_items).where(consignments.c.is_current)
    return pl.read_database(query, engine)
