"""`ingest`: a file of advance data into the store, batch by batch, with nothing lost.

Good rows are stored whatever is wrong with others; every rejected row goes to the rejects file
(and the store) with its row number, field, code and reason. Resubmitting a consignment unchanged
stores nothing new; a changed resubmission is stored as a new version beside the earlier one.

Every row is accounted for: rows in the file (counted by the readers apart from parsing) = rows
accepted + amended + unchanged + rejected, where a row counts in the result of its consignment.
Each run records these counts, also when it fails half-way (then of what it stored), and a run
whose rows do not add up fails with UnaccountedRows.
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
from smartborder.intake.readers import RawBatch, detect_format, no_spans, read_batches
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
    rows_in_file: int = 0  # rows of the file, counted apart from the parser (see intake.readers)
    rows_accepted: int = 0  # rows of the consignments accepted, amended and unchanged
    rows_amended: int = 0
    rows_unchanged: int = 0
    rejected_rows: int = 0
    findings: int = 0
    rfis: int = 0
    outcomes: int = 0
    absent: list[str] = field(default_factory=list)  # mapped columns the file does not have

    def counts(self) -> dict[str, int]:
        return {"rows_read": self.rows_read, "accepted": self.accepted, "amended": self.amended, "unchanged": self.unchanged,
                "rows_in_file": self.rows_in_file, **{name: getattr(self, name) for name in ROW_RESULTS.values()}}  # fmt: skip


ROW_RESULTS = {"accepted": "rows_accepted", "amended": "rows_amended", "unchanged": "rows_unchanged", "rejected": "rejected_rows"}


def rows_by_result(rows: pl.DataFrame, spans: pl.DataFrame) -> dict[str, int]:
    """Rows of the file by where they ended (ROW_RESULTS' names), from where each source row ended
    (`rows`: ROW, result) and the rows of the file it covers (`spans`: ROW, lines; 1 when absent)."""
    twice = rows.filter(pl.col(ROW).is_duplicated())[ROW].unique().sort()
    if twice.len():
        raise E.UnaccountedRows(f"rows {', '.join(map(str, twice.head(10)))} are counted in two results")
    found = dict(rows.join(spans, on=ROW, how="left").group_by("result").agg(pl.col("lines").fill_null(1).sum()).iter_rows())
    return {name: found.get(result, 0) for result, name in ROW_RESULTS.items()}


def balance(counts: dict[str, int]) -> str:
    """'rows in the file N = accepted + amended + unchanged + rejected', with the run's counts."""
    parts = " + ".join(f"{counts[name]:,} {result}" for result, name in ROW_RESULTS.items())
    return f"rows in the file {counts['rows_in_file']:,} {'=' if unaccounted(counts) == 0 else '≠'} {parts}"


def unaccounted(counts: dict[str, int]) -> int:
    """Rows in the file that ended in no result (negative: rows counted that the file does not have)."""
    return counts["rows_in_file"] - sum(counts[name] for name in ROW_RESULTS.values())


def check_balance(counts: dict[str, int]) -> None:
    """UnaccountedRows, naming the difference, when the rows of a run do not add up."""
    missing = unaccounted(counts)
    if missing:
        rows = f"{abs(missing):,} row{'' if abs(missing) == 1 else 's'}"
        raise E.UnaccountedRows(f"{rows} {'unaccounted for' if missing > 0 else 'more than the file has'}: {balance(counts)}")


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
    carry_spans = no_spans()
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
        spans = pl.concat([carry_spans, batch.spans])
        carried = pl.col(ROW).is_in(carry[ROW].implode())
        carry_spans = spans.filter(carried)
        yield RawBatch(frame.slice(0, split), batch.malformed, batch.done, batch.lines, spans.filter(~carried))
    if carry is not None and carry.height:
        yield RawBatch(carry, E.empty_rejects(), 1.0, 0, carry_spans)


def _account(stored: Stored, batch: RawBatch, summary: IntakeSummary, rejects_file: RejectsFile, on_progress) -> None:
    """Add a stored batch to the summary and its rejections to the rejects file."""
    for name, count in stored.counts.items():
        setattr(summary, name, getattr(summary, name) + count)
    summary.rows_read += batch.frame[ROW].n_unique() + batch.malformed.height
    summary.rows_in_file += batch.lines
    for name, rows in rows_by_result(stored.rows, batch.spans).items():
        setattr(summary, name, getattr(summary, name) + rows)
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
            try:
                for batch, prepared in source.prepared(settings.rfi_severity):
                    if pending is not None:
                        submitted, pending = pending, None
                        _account(writer.result(), submitted, summary, rejects_file, on_progress)
                    writer.submit(run_id, path.name, prepared, batch.malformed)
                    pending = batch
            finally:
                if pending is not None:  # submitted, so stored whatever failed since: counted
                    _account(writer.result(), pending, summary, rejects_file, on_progress)
        check_balance(summary.counts())
    except BaseException as e:
        failure = e
        raise
    finally:
        rejects_file.close()
        repo.finish_run(engine, run_id, summary.counts(), failure)
    return summary
