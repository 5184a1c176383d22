"""The writer process: batches are stored whole or not at all, and its failures surface."""

import polars as pl
import pytest
from sqlalchemy import func, select, text

from factories import row, write_csv
from smartborder.intake.pipeline import ingest
from smartborder.intake.writer import WriterError
from smartborder.store.db import open_store
from smartborder.store.tables import consignments, intake_runs


def test_a_failing_batch_is_rolled_back_alone_and_reported(settings, tmp_path):
    engine = open_store(settings)
    settings.batch_size = 2
    with engine.begin() as conn:  # a value no consignment row can have breaks the third batch in the store
        conn.execute(text("CREATE UNIQUE INDEX trap ON consignments (office)"))
    rows = [row("A", office="1"), row("B", office="2"), row("C", office="3"), row("D", office="4"), row("E", office="1"), row("F", office="6")]
    with pytest.raises(WriterError, match="(?i)unique"):
        ingest(write_csv(tmp_path / "in.csv", rows), engine, settings)
    with engine.connect() as conn:
        stored = conn.execute(select(consignments.c.reference).order_by(consignments.c.reference)).scalars().all()
        run = conn.execute(select(intake_runs.c.finished_at, intake_runs.c.accepted)).one()
    assert stored == ["A", "B", "C", "D"]  # the two batches before the failure, nothing of the failed one
    assert run.finished_at is not None and run.accepted == 4
    engine.dispose()


def test_consecutive_runs_share_the_store_safely(settings, tmp_path):
    """Main-process reads and writer-process writes on one SQLite file, run after run."""
    engine = open_store(settings)
    for n in range(3):
        ingest(write_csv(tmp_path / f"in{n}.csv", [row(f"R{n}-{i}") for i in range(5)]), engine, settings)
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(consignments)).scalar_one() == 5 * (n + 1)
    frame = pl.read_database("SELECT COUNT(*) AS n FROM goods_items", engine)
    assert frame["n"][0] == 15
    engine.dispose()
