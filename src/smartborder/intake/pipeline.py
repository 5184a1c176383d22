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
from sqlalchemy import Engine

from smartborder.config import Settings
from smartborder.intake import errors as E
from smartborder.intake.mapping import Mapping, Resolved, load_mapping, resolve
from smartborder.intake.prepare import Prepared, prepare
from smartborder.intake.readers import RawBatch, detect_format, read_batches
from smartborder.intake.writer import Stored, Writer
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


def _account(stored: Stored, batch: RawBatch, summary: IntakeSummary, rejects_file: RejectsFile, on_progress) -> None:
    """Add a stored batch to the summary and its rejections to the rejects file."""
    for name, count in stored.counts.items():
        setattr(summary, name, getattr(summary, name) + count)
    summary.rows_read += batch.frame[ROW].n_unique() + batch.malformed.height
    summary.rejected_rows += stored.rejects[ROW].n_unique()
    rejects_file.write(stored.rejects)
    if on_progress:
        on_progress(batch.done)


@dataclass
class Source:
    """A file bound to its mapping, ready to give prepared batches."""

    path: Path
    format: str
    resolved: Resolved
    mapping: Mapping
    batches: Iterator[RawBatch]

    def prepared(self, rfi_severity: float) -> Iterator[tuple[RawBatch, Prepared]]:
        m = self.mapping
        return ((batch, prepare(batch.frame, self.resolved, m.group_by, m.not_supplied, rfi_severity)) for batch in self.batches)


def open_source(path: Path, settings: Settings, mapping_path: Path | None = None, submitter: str | None = None) -> Source:
    """Read a file's first batch, bind the mapping to its columns; IntakeError when it cannot be used."""
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
    return Source(path, fmt, resolved, mapping, batches)


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
    source = open_source(path, settings, mapping_path, submitter)
    run_id = repo.start_run(engine, str(path), source.format, submitter)
    rejects_path = rejects_path or settings.data_dir / "rejects" / f"{path.stem}.run{run_id}.rejects.csv"
    summary = IntakeSummary(run_id, str(path), source.format, rejects_path, absent=source.resolved.absent)
    rejects_file = RejectsFile(rejects_path)
    pending: RawBatch | None = None  # the batch the writer is storing while the next is prepared
    failure: BaseException | None = None
    try:
        with Writer(engine.url.render_as_string(hide_password=False)) as writer:
            for batch, prepared in source.prepared(settings.rfi_severity):
                if pending is not None:
                    _account(writer.result(), pending, summary, rejects_file, on_progress)
                writer.submit(run_id, path.name, prepared, batch.malformed)
                pending = batch
            if pending is not None:
                _account(writer.result(), pending, summary, rejects_file, on_progress)
    except BaseException as e:
        failure = e
        raise
    finally:
        rejects_file.close()
        repo.finish_run(engine, run_id, summary.counts(), failure)
    return summary
