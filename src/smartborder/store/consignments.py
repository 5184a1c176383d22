"""Writing consignments: intake runs, versions, items, findings, RFIs, outcomes, rejections."""

from datetime import UTC, datetime

import polars as pl
from sqlalchemy import Engine, bindparam, insert, select, update

from smartborder.store.bulk import BulkWriter
from smartborder.store.tables import (
    consignments,
    goods_items,
    intake_runs,
    outcomes,
    quality_findings,
    rejections,
    rfis,
)

LOOKUP_CHUNK = 10_000  # references per query, well under every driver's parameter limit
IDS_SCHEMA = {"consignment_id": pl.Int64, "submitter": pl.String, "reference": pl.String}


def current_ids(engine: Engine, keys: pl.DataFrame) -> pl.DataFrame:
    """The id of the current version of each (submitter, reference) in `keys` that is stored."""
    references = keys["reference"].drop_nulls().unique().to_list()
    query = select(consignments.c.id.label("consignment_id"), consignments.c.submitter, consignments.c.reference).where(
        consignments.c.is_current, consignments.c.reference.in_(bindparam("references", expanding=True))
    )
    with engine.connect() as conn:
        rows = [row for start in range(0, len(references), LOOKUP_CHUNK)
                for row in conn.execute(query, {"references": references[start : start + LOOKUP_CHUNK]})]  # fmt: skip
    found = pl.DataFrame(rows, schema=IDS_SCHEMA, orient="row")
    return found.join(keys.select("submitter", "reference").unique(), on=["submitter", "reference"], how="semi")


def now() -> datetime:
    return datetime.now(UTC)


def start_run(engine: Engine, source: str, fmt: str, submitter: str | None) -> int:
    with engine.begin() as conn:
        return conn.execute(
            insert(intake_runs).values(source=source, format=fmt, submitter=submitter, started_at=now(), status="running", rows_read=0,
                                       accepted=0, amended=0, unchanged=0, rejected_rows=0, rows_in_file=0, rows_accepted=0, rows_amended=0,
                                       rows_unchanged=0)
            .returning(intake_runs.c.id)
        ).scalar_one()  # fmt: skip


def finish_run(engine: Engine, run_id: int, counts: dict[str, int], failure: BaseException | None = None) -> None:
    """Record a run's end and counts: finished, or failed with the exception that ended it."""
    outcome = {"status": "finished"} if failure is None else {"status": "failed", "error": f"{type(failure).__name__}: {failure}"}
    with engine.begin() as conn:
        conn.execute(update(intake_runs).where(intake_runs.c.id == run_id).values(finished_at=now(), **outcome, **counts))


def allocate_ids(bulk: BulkWriter, name: str, count: int) -> int:
    """Reserve `count` consecutive ids for table `name`; returns the first. Safe under concurrency:
    the update locks the counter row until the batch commits."""
    if not name.isidentifier():
        raise ValueError(f"not a table name: {name!r}")
    bulk.execute(f"INSERT INTO id_blocks (name, next_id) VALUES ('{name}', 1) ON CONFLICT (name) DO NOTHING")
    reserved = bulk.query(f"UPDATE id_blocks SET next_id = next_id + {int(count)} WHERE name = '{name}' RETURNING next_id")
    return int(reserved[0, 0]) - count


VERSION_SCHEMA = {"submitter": pl.String, "reference": pl.String, "id": pl.Int64, "version": pl.Int64, "content_hash": pl.String}


def current_versions(bulk: BulkWriter, keys: pl.DataFrame) -> pl.DataFrame:
    """The stored current version of each (submitter, reference) in `keys`, where there is one."""
    if keys.is_empty():
        return pl.DataFrame(schema=VERSION_SCHEMA)
    bulk.temporary("intake_keys", keys.select("submitter", "reference").unique())
    found = bulk.query(
        "SELECT c.submitter, c.reference, c.id, c.version, c.content_hash "
        "FROM consignments c JOIN intake_keys k ON c.submitter = k.submitter AND c.reference = k.reference "
        "WHERE c.is_current"
    )
    return found.select(pl.col(name).cast(dtype) for name, dtype in VERSION_SCHEMA.items())


def supersede(bulk: BulkWriter, ids: pl.Series) -> None:
    """Mark earlier versions as no longer current (amendments keep them, never overwrite)."""
    if ids.len():
        bulk.temporary("superseded", ids.alias("id").to_frame())
        bulk.execute("UPDATE consignments SET is_current = FALSE WHERE id IN (SELECT id FROM superseded)")


def write_batch(bulk: BulkWriter, tables: dict[str, pl.DataFrame]) -> None:
    """Insert one batch's rows, keyed by table name, in dependency order."""
    for table in (consignments, goods_items, quality_findings, rfis, outcomes, rejections):
        if table.name in tables:
            bulk.insert(table, tables[table.name])
