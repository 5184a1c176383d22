"""The numbers of the dashboard, over the consignments an administration may read: volumes, lanes,
inspection rate, hit rate, revenue from extra duty, data quality, detections by kind and the time
from receipt to a lane decision; and the same per day for the charts."""

import polars as pl
from sqlalchemy import Engine, select

from smartborder.intake.validate import POSITIVE
from smartborder.risk.lanes import HOLD, RED, YELLOW
from smartborder.service.accounts import Principal
from smartborder.service.records import in_scope, overview
from smartborder.store.tables import consignments, outcomes

SELECTED = (RED, YELLOW, HOLD)


def _frame(engine: Engine, who: Principal) -> pl.DataFrame:
    base = overview().where(in_scope(who)).subquery()
    query = select(base.c.id, base.c.declared_date, base.c.received_at, base.c.assessed_at, base.c.lane, base.c.outcome, base.c.quality_score,
                   base.c.open_rfis)  # fmt: skip
    return pl.read_database(query, engine, schema_overrides={"lane": pl.String, "outcome": pl.String})


def _findings(engine: Engine, who: Principal) -> pl.DataFrame:
    query = (
        select(outcomes.c.finding_kind, outcomes.c.result, outcomes.c.extra_duty)
        .join(consignments, consignments.c.id == outcomes.c.consignment_id)
        .where(in_scope(who))
    )
    return pl.read_database(query, engine, schema_overrides={"finding_kind": pl.String, "result": pl.String, "extra_duty": pl.Float64})


def summary(engine: Engine, who: Principal) -> dict:
    """Headline figures and the series behind the dashboard's charts."""
    frame, found = _frame(engine, who), _findings(engine, who)
    assessed = frame.filter(pl.col("lane").is_not_null())
    inspected = frame.filter(pl.col("outcome").is_not_null())
    hits = inspected.filter(pl.col("outcome").is_in(POSITIVE)).height
    decision_seconds = assessed.select((pl.col("assessed_at") - pl.col("received_at")).dt.total_seconds().median()).item() if assessed.height else None
    daily = (
        frame.group_by("declared_date").agg(
            pl.len().alias("consignments"), pl.col("lane").is_in(SELECTED).sum().alias("selected"),
            pl.col("outcome").is_not_null().sum().alias("inspected"), pl.col("outcome").is_in(POSITIVE).sum().alias("found"),
        ).sort("declared_date")
    )  # fmt: skip
    detections = found.filter(pl.col("result").is_in(POSITIVE)).group_by(pl.col("finding_kind").fill_null("unspecified")).len().sort("len", descending=True)
    lanes = assessed.group_by("lane").len().sort("len", descending=True)
    return {
        "consignments": frame.height,
        "assessed": assessed.height,
        "inspected": inspected.height,
        "found": hits,
        "inspection_rate": inspected.height / assessed.height if assessed.height else None,
        "hit_rate": hits / inspected.height if inspected.height else None,
        "revenue": float(found["extra_duty"].fill_null(0).sum()),
        "mean_quality": frame["quality_score"].mean() if frame.height else None,
        "open_rfis": int(frame["open_rfis"].sum()) if frame.height else 0,
        "median_seconds_to_decision": decision_seconds,
        "lanes": dict(lanes.iter_rows()),
        "detections": dict(detections.iter_rows()),
        "daily": {column: [str(v) if column == "declared_date" else v for v in daily[column]] for column in daily.columns},
    }
