"""Each submitter's running data-quality record, from the store."""

import polars as pl
from sqlalchemy import Engine, and_, case, func, select

from smartborder.quality.rules import NOTE
from smartborder.store.tables import consignments, quality_findings, rfis

TOP_FINDINGS = 3


def submitter_quality(engine: Engine, submitter: str | None = None, countries: tuple[str, ...] | None = None) -> pl.DataFrame:
    """Per submitter over its current consignments (those bound for `countries`, when given): how
    many, the share that is clean (no finding beyond a note), the mean score, open RFIs and the
    most common findings."""
    current = consignments.c.is_current
    if submitter is not None:
        current = and_(current, consignments.c.submitter == submitter)
    if countries is not None:
        current = and_(current, consignments.c.destination_country.in_(countries))
    flawed = select(quality_findings.c.consignment_id).where(quality_findings.c.severity > NOTE).distinct().subquery()
    summary = (
        select(
            consignments.c.submitter,
            func.count().label("consignments"),
            func.avg(case((flawed.c.consignment_id.is_(None), 1.0), else_=0.0)).label("clean_share"),
            func.avg(consignments.c.quality_score).label("mean_score"),
        )
        .select_from(consignments.outerjoin(flawed, flawed.c.consignment_id == consignments.c.id))
        .where(current)
        .group_by(consignments.c.submitter)
    )
    open_rfis = (
        select(rfis.c.submitter, func.count().label("open_rfis"))
        .join(consignments, consignments.c.id == rfis.c.consignment_id)
        .where(and_(current, rfis.c.status == "open"))
        .group_by(rfis.c.submitter)
    )
    by_code = (
        select(consignments.c.submitter, quality_findings.c.code, func.count().label("n"))
        .join(consignments, consignments.c.id == quality_findings.c.consignment_id)
        .where(and_(current, quality_findings.c.severity > NOTE))
        .group_by(consignments.c.submitter, quality_findings.c.code)
    )
    with engine.connect() as conn:
        frame = pl.DataFrame([r._asdict() for r in conn.execute(summary)],
                             schema={"submitter": pl.String, "consignments": pl.Int64, "clean_share": pl.Float64, "mean_score": pl.Float64})
        rfi_frame = pl.DataFrame([r._asdict() for r in conn.execute(open_rfis)], schema={"submitter": pl.String, "open_rfis": pl.Int64})
        codes = pl.DataFrame([r._asdict() for r in conn.execute(by_code)], schema={"submitter": pl.String, "code": pl.String, "n": pl.Int64})
    top = (
        codes.sort(["submitter", "n", "code"], descending=[False, True, False])
        .group_by("submitter", maintain_order=True)
        .agg(pl.format("{} ({})", "code", "n").head(TOP_FINDINGS).str.join(", ").alias("top_findings"))
    )  # fmt: skip
    return (
        frame.join(rfi_frame, on="submitter", how="left")
        .join(top, on="submitter", how="left")
        .with_columns(pl.col("open_rfis").fill_null(0), pl.col("top_findings").fill_null(""))
        .sort(["clean_share", "consignments"], descending=[False, True])
    )
