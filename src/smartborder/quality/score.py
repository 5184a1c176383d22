"""A consignment's data-quality score and whether it needs a request for information (RFI)."""

import polars as pl

from smartborder.schema import KEY


def consignment_quality(keys: pl.Series, findings: pl.DataFrame, rfi_severity: float) -> pl.DataFrame:
    """Per consignment: `quality_score` (1 = clean, the product of (1 - severity) over its findings),
    `rfi` (a finding at or above `rfi_severity`) and `rfi_request` (what the submitter must supply)."""
    per_consignment = findings.lazy().group_by(KEY).agg(
        (1 - pl.col("severity")).product().alias("quality_score"),
        (pl.col("severity") >= rfi_severity).any().alias("rfi"),
        pl.col("message").filter(pl.col("severity") >= rfi_severity).str.join("; ").alias("rfi_request"),
    )
    return (
        keys.to_frame(KEY).lazy()
        .join(per_consignment, on=KEY, how="left")
        .with_columns(pl.col("quality_score").fill_null(1.0), pl.col("rfi").fill_null(False))
        .collect(engine="in-memory")
    )
