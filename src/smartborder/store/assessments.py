"""Recording assessments against the stored consignments they are about (current versions)."""

from datetime import UTC, datetime

import polars as pl
from sqlalchemy import Engine, insert

from smartborder.store.consignments import current_ids
from smartborder.store.tables import assessments

COLUMNS = ("risk_score", "lane", "proposed_lane", "selected_by", "profiles", "reasons", "rfi")


def record(engine: Engine, frame: pl.DataFrame) -> int:
    """Store one assessment per row of `frame` (submitter, reference and COLUMNS); returns how many
    matched a stored consignment. Rows for consignments not in the store are left out."""
    rows = frame.join(current_ids(engine, frame), on=["submitter", "reference"]).select(
        "consignment_id", *[pl.col(c) if c in frame.columns else pl.lit(None).alias(c) for c in COLUMNS]
    ).with_columns(pl.lit(datetime.now(UTC)).alias("assessed_at"))
    if rows.height:
        with engine.begin() as conn:
            conn.execute(insert(assessments), rows.to_dicts())
    return rows.height
