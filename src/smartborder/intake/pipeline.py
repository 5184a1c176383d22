"""`ingest`: a file of advance data into the store, batch by batch, with nothing lost.

Good rows are stored whatever is wrong with others; every rejected row goes to the rejects file
(and the store) with its row number, field, code and reason. Resubmitting a consignment unchanged
stores nothing new; a changed resubmission is stored as a new version beside the earlier one.
"""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import polars as pl
from sqlalchemy import Connection, Engine

from smartborder.config import Settings
from smartborder.intake import errors as E
from smartborder.intake.mapping import load_mapping, resolve
from smartborder.intake.prepare import Prepared, prepare, rejected_with_consignment
from smartborder.intake.readers import RawBatch, detect_format, read_batches
from smartborder.quality.rules import KEY
from smartborder.schema import ROW
from smartborder.store import consignments as repo


@dataclass
class IntakeSummary:
    run_id: int
    source: str
    format: str
    rejects_path: Path
    rows_read: int = 0
    accepted: int = 0  # consignments stored for the first time
    amended: int = 0  # consignments stored as a new version
    unchanged: int = 0  # resubmissions identical to the stored version
    rejected_rows: int = 0
    findings: int = 0
    rfis: int = 0
    outcomes: int = 0
    absent: list[str] = field(default_factory=list)  # mapped columns the file does not have

    def counts(self) -> dict[str, int]:
        return {"rows_read": self.rows_read, "accepted": self.accepted, "amended": self.amended,
                "unchanged": self.unchanged, "rejected_rows": self.rejected_rows}  # fmt: skip


class RejectsFile:
    """The rejects CSV, written as batches come: row, reference, field, code, message."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._file)
        self._writer.writerow(E.REJECT_SCHEMA)

    def write(self, rejects: pl.DataFrame) -> None:
        self._writer.writerows(rejects.iter_rows())

    def close(self) -> None:
        self._file.close()


def whole_consignments(batches: Iterator[RawBatch], columns: list[str]) -> Iterator[RawBatch]:
    """Batches that never split a consignment: the trailing rows sharing the last row's `columns`
    wait for the next batch."""
    carry: pl.DataFrame | None = None
    for batch in batches:
        frame = batch.frame if carry is None else pl.concat([carry, batch.frame], how="diagonal_relaxed")
        if frame.height == 0:
            yield batch
            continue
        last = frame.tail(1)
        same_as_last = pl.all_horizontal(pl.col(c).eq_missing(last[c][0]) for c in columns)
        tail_start = frame.with_row_index("_i").filter(~same_as_last)["_i"].max()
        split = 0 if tail_start is None else tail_start + 1
        carry = frame.slice(split)
        yield RawBatch(frame.slice(0, split), batch.malformed, batch.done)
    if carry is not None and carry.height:
        yield RawBatch(carry, E.empty_rejects(), 1.0)


def _store(conn: Connection, run_id: int, source: str, prepared: Prepared, summary: IntakeSummary) -> pl.DataFrame:
    """Store a prepared batch; returns the rejections only the store can see (a reference used
    earlier in the same file)."""
    cons = prepared.consignments
    stored = repo.current_versions(conn, cons.select("submitter", "reference"))
    joined = cons.join(stored, on=["submitter", "reference"], how="left", suffix="_stored", maintain_order="left")
    in_this_run = pl.col("intake_run_id") == run_id
    duplicates = joined.filter(in_this_run.fill_null(False))
    unchanged = joined.filter(~in_this_run.fill_null(False) & (pl.col("content_hash") == pl.col("content_hash_stored")))
    fresh = joined.filter(pl.col("id").is_null() | (~in_this_run & (pl.col("content_hash") != pl.col("content_hash_stored"))))

    rows = prepared.items.select(ROW, KEY).join(cons.select(KEY, "reference"), on=KEY)
    late_rejects = rejected_with_consignment(
        rows,
        duplicates.select(E.rejects(pl.col(KEY), "reference", E.DUPLICATE_REFERENCE,
                                    pl.format("reference '{}' is already used by the consignment at row {} of this file",
                                              pl.col("reference"), pl.col("source_row")), pl.col("reference"))),
    )  # fmt: skip
    summary.unchanged += unchanged.height
    summary.amended += fresh.filter(pl.col("id").is_not_null()).height
    summary.accepted += fresh.filter(pl.col("id").is_null()).height
    if fresh.height == 0:
        return late_rejects

    first_id = repo.allocate_ids(conn, "consignments", fresh.height)
    received = repo.now()
    fresh = fresh.with_columns(
        pl.int_range(first_id, first_id + fresh.height, dtype=pl.Int64).alias("new_id"),
        (pl.col("version").fill_null(0) + 1).alias("new_version"),
    )
    repo.supersede(conn, fresh["id"].drop_nulls().to_list())
    ids = fresh.select(KEY, pl.col("new_id").alias("consignment_id"))
    consignment_rows = fresh.drop("id", "version", "content_hash_stored", "intake_run_id", "source_row").rename({"new_id": "id", "new_version": "version", KEY: "source_row"}).with_columns(
        pl.lit(True).alias("is_current"), pl.lit(run_id).alias("intake_run_id"), pl.lit(received).alias("received_at")
    )
    rfis = fresh.filter(pl.col("rfi")).select(
        pl.col("new_id").alias("consignment_id"), "submitter", pl.lit("open").alias("status"),
        pl.lit(received).alias("created_at"), pl.col("rfi_request").alias("request"),
    )  # fmt: skip
    outcomes = pl.DataFrame()
    if prepared.outcomes.height:
        outcomes = prepared.outcomes.join(ids, on=KEY).select(
            "consignment_id", *[pl.col(c).alias(c.removeprefix("outcome_")) for c in prepared.outcomes.columns if c.startswith("outcome_")],
            pl.lit(f"intake run {run_id}: {source}").alias("source"), pl.lit(received).alias("recorded_at"),
        )  # fmt: skip
    findings = prepared.findings.join(ids, on=KEY)
    repo.write_batch(conn, {
        "consignments": consignment_rows,
        "goods_items": prepared.items.join(ids, on=KEY),
        "quality_findings": findings,
        "rfis": rfis,
        "outcomes": outcomes,
    })  # fmt: skip
    summary.findings += findings.height
    summary.rfis += rfis.height
    summary.outcomes += outcomes.height
    return late_rejects


def ingest(
    path: Path,
    engine: Engine,
    settings: Settings,
    mapping_path: Path | None = None,
    submitter: str | None = None,
    rejects_path: Path | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> IntakeSummary:
    """Read, validate, judge and store one file; see the module docstring."""
    if not path.is_file():
        raise E.IntakeError(f"{path} does not exist or is not a file")
    mapping = load_mapping(mapping_path)
    fmt = mapping.format or detect_format(path)
    batches = read_batches(path, fmt, settings.batch_size, mapping.encoding, mapping.delimiter)
    first = next(batches, None)
    if first is None:
        raise E.IntakeError(f"{path}: no data rows")
    resolved = resolve(mapping, [c for c in first.frame.columns if c != ROW], submitter)
    batches = chain([first], batches)
    group_columns = [resolved.fields[name].column for name in mapping.group_by if resolved.fields[name].column]
    if group_columns:
        batches = whole_consignments(batches, group_columns)

    run_id = repo.start_run(engine, str(path), fmt, submitter)
    rejects_path = rejects_path or settings.data_dir / "rejects" / f"{path.stem}.run{run_id}.rejects.csv"
    summary = IntakeSummary(run_id, str(path), fmt, rejects_path, absent=resolved.absent)
    rejects_file = RejectsFile(rejects_path)
    try:
        for batch in batches:
            summary.rows_read += batch.frame[ROW].n_unique() + batch.malformed.height
            prepared = prepare(batch.frame, resolved, mapping.group_by, mapping.not_supplied, settings.rfi_severity)
            with engine.begin() as conn:
                late = _store(conn, run_id, path.name, prepared, summary)
                rejects = pl.concat([batch.malformed, prepared.rejects, late]).sort(ROW)
                repo.write_batch(conn, {"rejections": rejects.with_columns(pl.lit(run_id).alias("intake_run_id"))})
            rejects_file.write(rejects)
            summary.rejected_rows += rejects[ROW].n_unique()
            if on_progress:
                on_progress(batch.done)
    finally:
        rejects_file.close()
        repo.finish_run(engine, run_id, summary.counts())
    return summary
