"""Generated sample data goes through intake whole, and the data-quality findings recover the
problems the generator planted (its truth file), without flagging clean consignments."""

import polars as pl
import pytest
from sqlalchemy import select

from smartborder.intake.pipeline import ingest
from smartborder.sample.detection import asked_without_cause, finding_recall
from smartborder.sample.generator import write_sample
from smartborder.store.db import open_store
from smartborder.store.tables import consignments, quality_findings

N = 4_000


@pytest.mark.parametrize("suffix", [".parquet", ".ndjson"])
def test_sample_is_ingested_whole_and_planted_quality_problems_are_found(settings, tmp_path, suffix):
    paths = write_sample(N, seed=11, out=tmp_path / f"sample{suffix}")
    engine = open_store(settings)
    summary = ingest(paths["consignments"], engine, settings)
    assert (summary.rows_read, summary.accepted, summary.rejected_rows) == (N, N, 0)

    with engine.connect() as conn:
        found = pl.DataFrame(
            conn.execute(select(consignments.c.reference, quality_findings.c.code, quality_findings.c.severity)
                         .join(quality_findings, isouter=True)).all(),
            schema={"reference": pl.String, "code": pl.String, "severity": pl.Float64}, orient="row",
        )  # fmt: skip
    engine.dispose()
    truth = pl.read_csv(paths["truth"])
    recall = finding_recall(truth, found)
    assert recall["recall"].min() >= 0.95, recall
    assert asked_without_cause(truth, found, settings.rfi_severity, N) < 0.01
