"""Writing and reading consignments: intake runs, versions, items, findings, RFIs, outcomes, rejections."""

from datetime import UTC, datetime

import polars as pl
from sqlalchemy import Connection, Engine, and_, bindparam, insert, select, update

from smartborder.store.tables import (
    consignments,
    goods_items,
    id_blocks,
    intake_runs,
    outcomes,
    quality_findings,
    rejections,
    rfis,
)

LOOKUP_CHUNK = 5_000  # references per look-up query, well under every driver's parameter limit


def now() -> datetime:
    return datetime.now(UTC)


def start_run(engine: Engine, source: str, fmt: str, submitter: str | None) -> int:
    with engine.begin() as conn:
        return conn.execute(
            insert(intake_runs).values(source=source, format=fmt, submitter=submitter, started_at=now(),
                                       rows_read=0, accepted=0, amended=0, unchanged=0, rejected_rows=0)
            .returning(intake_runs.c.id)
        ).scalar_one()  # fmt: skip


def finish_run(engine: Engine, run_id: int, counts: dict[str, int]) -> None:
    with engine.begin() as conn:
        conn.execute(update(intake_runs).where(intake_runs.c.id == run_id).values(finished_at=now(), **counts))


def allocate_ids(conn: Connection, name: str, count: int) -> int:
    """Reserve `count` consecutive ids for table `name`; returns the first. Safe under concurrency."""
    reserved = conn.execute(
        update(id_blocks).where(id_blocks.c.name == name).values(next_id=id_blocks.c.next_id + count).returning(id_blocks.c.next_id)
    ).scalar_one_or_none()
    if reserved is None:
        conn.execute(insert(id_blocks).values(name=name, next_id=1 + count))
        return 1
    return reserved - count


def current_versions(conn: Connection, keys: pl.DataFrame) -> pl.DataFrame:
    """The stored current version of each (submitter, reference) in `keys`, where there is one."""
    columns = [consignments.c[n] for n in ("submitter", "reference", "id", "version", "content_hash", "intake_run_id", "source_row")]
    query = select(*columns).where(and_(consignments.c.is_current, consignments.c.reference.in_(bindparam("refs", expanding=True))))
    references = keys["reference"].unique().to_list()
    found = []
    for start in range(0, len(references), LOOKUP_CHUNK):
        found += conn.execute(query, {"refs": references[start : start + LOOKUP_CHUNK]}).all()
    schema = {"submitter": pl.String, "reference": pl.String, "id": pl.Int64, "version": pl.Int64,
              "content_hash": pl.String, "intake_run_id": pl.Int64, "source_row": pl.Int64}  # fmt: skip
    stored = pl.DataFrame(found, schema=schema, orient="row")
    return stored.join(keys.select("submitter", "reference").unique(), on=["submitter", "reference"], how="semi")


def _insert(conn: Connection, table, frame: pl.DataFrame) -> None:
    if frame.height:
        conn.execute(insert(table), frame.select([c.name for c in table.columns if c.name in frame.columns]).to_dicts())


def supersede(conn: Connection, ids: list[int]) -> None:
    """Mark earlier versions as no longer current (amendments keep them, never overwrite)."""
    if ids:
        conn.execute(update(consignments).where(consignments.c.id == bindparam("old_id")).values(is_current=False),
                     [{"old_id": i} for i in ids])  # fmt: skip


def write_batch(conn: Connection, tables: dict[str, pl.DataFrame]) -> None:
    """Insert one batch's rows, keyed by table name, in dependency order."""
    for table in (consignments, goods_items, quality_findings, rfis, outcomes, rejections):
        if table.name in tables:
            _insert(conn, table, tables[table.name])
