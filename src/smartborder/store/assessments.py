"""Recording assessments against the stored consignments they are about (current versions).

A hold is never overwritten: once any version of a consignment was held, every later assessment
keeps it on hold until an officer records an outcome. Every path that records assessments (the
API's submissions, `assess --store`, the demo) goes through `record`."""

from datetime import UTC, datetime

import polars as pl
from sqlalchemy import Connection, Engine, bindparam, func, insert, or_, select

from smartborder.risk.lanes import HOLD
from smartborder.store.consignments import LOOKUP_CHUNK, current_ids
from smartborder.store.tables import assessments, consignments, outcomes

COLUMNS = ("risk_score", "lane", "proposed_lane", "selected_by", "profiles", "reasons", "rfi")
KEYS = ["submitter", "reference"]


def record(engine: Engine, frame: pl.DataFrame) -> int:
    """Store one assessment per row of `frame` (submitter, reference and COLUMNS); returns how many
    matched a stored consignment. Rows for consignments not in the store are left out. A
    consignment still held (`unlifted_holds`) stays on hold, with a reason saying so."""
    matched = frame.join(current_ids(engine, frame), on=KEYS)
    with engine.begin() as conn:
        rows = _keep_holds(matched, unlifted_holds(conn, matched)).select(
            "consignment_id", *[pl.col(c) if c in matched.columns else pl.lit(None).alias(c) for c in COLUMNS]
        ).with_columns(pl.lit(datetime.now(UTC)).alias("assessed_at"))
        if rows.height:
            conn.execute(insert(assessments), rows.to_dicts())
    return rows.height


def unlifted_holds(conn: Connection, keys: pl.DataFrame) -> pl.DataFrame:
    """(submitter, reference, held_at) of the consignments in `keys` that were held (any version)
    with no outcome recorded since: the officer's decision is still to come."""
    query, found = _unlifted_holds_query(), []
    for (submitter,), group in keys.select(KEYS).unique().group_by("submitter"):
        for start in range(0, group.height, LOOKUP_CHUNK):
            references = group["reference"].slice(start, LOOKUP_CHUNK).to_list()
            rows = conn.execute(query, {"submitter": submitter, "references": references})
            found += [(submitter, reference, f"{held_at:%Y-%m-%d %H:%M}") for reference, held_at in rows]
    return pl.DataFrame(found, schema={"submitter": pl.String, "reference": pl.String, "held_at": pl.String}, orient="row")


def _unlifted_holds_query():
    """Reference and time of the latest hold of one submitter's consignments (all versions) with no outcome recorded after it."""
    held_at = func.max(assessments.c.assessed_at)
    version = consignments.alias("version")
    inspected_at = (
        select(func.max(outcomes.c.recorded_at))
        .join(version, version.c.id == outcomes.c.consignment_id)
        .where(version.c.submitter == consignments.c.submitter, version.c.reference == consignments.c.reference)
        .scalar_subquery()
    )
    return (
        select(consignments.c.reference, held_at)
        .join(assessments, (assessments.c.consignment_id == consignments.c.id) & (assessments.c.lane == HOLD))
        .where(consignments.c.submitter == bindparam("submitter"), consignments.c.reference.in_(bindparam("references", expanding=True)))
        .group_by(consignments.c.submitter, consignments.c.reference)
        .having(or_(inspected_at.is_(None), inspected_at < held_at))
    )


def _keep_holds(frame: pl.DataFrame, held: pl.DataFrame) -> pl.DataFrame:
    """`frame` with the consignments still held put on hold again when their new assessment would release them or lower the lane."""
    if held.is_empty():
        return frame
    reason = pl.format("held earlier (assessed {} UTC): only an officer's recorded outcome lifts the hold", pl.col("held_at"))
    reasons = pl.col("reasons") if "reasons" in frame.columns else pl.lit(None, dtype=pl.String)
    with_reason = pl.concat_str([reason, pl.when(reasons != "").then(reasons)], separator="; ", ignore_nulls=True)
    is_held = pl.col("held_at").is_not_null() & (pl.col("lane") != HOLD)
    return frame.join(held, on=KEYS, how="left").with_columns(
        pl.when(is_held).then(pl.lit(HOLD)).otherwise(pl.col("lane")).alias("lane"),
        pl.when(is_held).then(with_reason).otherwise(reasons).alias("reasons"),
    ).drop("held_at")
