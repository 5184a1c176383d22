"""Readers turn a file into batches of text columns, one row per goods item, with the row each
came from. They never stop at a bad row: it becomes a rejection and reading goes on.

Column names are the source's own; nested objects are flattened with dots (`consignor.name`) and
a list of objects (the goods items) is exploded to one row per element (`items.hs_code`).
Memory stays bounded: a file is read `batch_size` records at a time.

Each batch also says how many rows of the file it covers, counted apart from the parser, so that
every row can be accounted for: a row is a non-blank physical line of a CSV (after the header) or
NDJSON file, and a row of a Parquet file as its metadata counts them. A CSV record whose quoted
field spans lines covers each of them.
"""

import codecs
import csv
import io
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from smartborder.intake.errors import ENCODING, MALFORMED, IntakeError, empty_rejects, reject_frame, rejects
from smartborder.schema import ROW

FORMATS = ("csv", "ndjson", "parquet")
RECORD_LINES = 100  # a quoted CSV field that has not closed within this many lines ...
RECORD_CHARS = csv.field_size_limit()  # ... or characters is unterminated: its row is rejected, the next is read
MAX_DEPTH = 32  # objects and lists nested in an NDJSON record, the record itself included
SPANS = {ROW: pl.Int64, "lines": pl.Int64}


def no_spans() -> pl.DataFrame:
    """Spans of a batch whose records each cover one row."""
    return pl.DataFrame(schema=SPANS)


@dataclass
class RawBatch:
    frame: pl.DataFrame  # text columns named as in the source, plus ROW
    malformed: pl.DataFrame = field(default_factory=empty_rejects)  # rows that could not be parsed at all
    done: float = 0.0  # share of the file read so far, for progress
    lines: int = 0  # rows of the file read for this batch, counted apart from the parser (see the module docstring)
    spans: pl.DataFrame = field(default_factory=no_spans)  # ROW, lines: the records that cover more than one row


def detect_format(path: Path) -> str:
    """csv, ndjson or parquet, from the file's first bytes rather than its name."""
    with path.open("rb") as f:
        head = f.read(4096)
    if not head:
        raise IntakeError(f"{path}: the file is empty")
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "csv"
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if text.startswith(b"{"):
        return "ndjson"
    if text.startswith(b"["):
        raise IntakeError(f"{path}: a JSON array; send one JSON object per line (NDJSON) instead")
    return "csv"


def read_batches(path: Path, fmt: str, batch_size: int, encoding: str = "utf-8", delimiter: str = ",") -> Iterator[RawBatch]:
    if fmt == "csv":
        return read_csv(path, batch_size, encoding, delimiter)
    if fmt == "ndjson":
        return read_ndjson(path, batch_size)
    if fmt == "parquet":
        return read_parquet(path, batch_size)
    raise IntakeError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _text_encoding(path: Path, encoding: str) -> str:
    """The codec to decode with: a byte-order mark wins over the declared encoding."""
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if codecs.lookup(encoding).name == "utf-8":
        return "utf-8-sig"
    return encoding


def _invalid_text(frame: pl.DataFrame, encoding: str) -> pl.DataFrame:
    """Rejections for rows holding bytes that were not text in `encoding` (decoded as U+FFFD)."""
    text_columns = [c for c in frame.columns if c != ROW]
    if not text_columns:
        return empty_rejects()
    bad = pl.any_horizontal(pl.col(c).str.contains("\ufffd", literal=True) for c in text_columns)
    first_bad = pl.coalesce(pl.when(pl.col(c).str.contains("\ufffd", literal=True)).then(pl.lit(c)) for c in text_columns)
    found = frame.filter(bad).select(ROW, first_bad.alias("field"))
    return reject_frame(
        [(row, None, col, ENCODING, f"bytes that are not valid {encoding} text in column '{col}'; declare the file's encoding in the mapping (encoding: latin-1, ...)") for row, col in found.iter_rows()]
    )


def read_csv(path: Path, batch_size: int, encoding: str = "utf-8", delimiter: str = ",") -> Iterator[RawBatch]:
    try:
        codec = _text_encoding(path, encoding)
    except LookupError:
        raise IntakeError(f"unknown encoding {encoding!r}") from None
    size = max(path.stat().st_size, 1)
    raw = path.open("rb")
    with raw, io.TextIOWrapper(raw, encoding=codec, errors="replace", newline="") as text:
        try:
            records = CsvRecords(text, delimiter)
        except csv.Error as e:
            raise IntakeError(f"{path}: the header line cannot be read as CSV: {e}") from None
        if records.header is None:
            raise IntakeError(f"{path}: the file is empty")
        header = [name.strip() for name in records.header]
        _check_header(path, header)
        rows: list[list[str]] = []
        numbers: list[int] = []
        spans: list[tuple[int, int]] = []
        malformed: list[tuple] = []
        counted = 0  # rows counted by the batches yielded so far
        for number, lines, fields, problem in records:
            if problem is not None:
                malformed.append((number, None, None, MALFORMED, problem))
                continue
            rows.append(fields)
            numbers.append(number)
            if lines > 1:
                spans.append((number, lines))
            if len(rows) >= batch_size:
                yield _csv_batch(header, rows, numbers, malformed, raw.tell() / size, encoding, records.counted - counted, spans)
                rows, numbers, spans, malformed, counted = [], [], [], [], records.counted
        if rows or malformed:
            yield _csv_batch(header, rows, numbers, malformed, 1.0, encoding, records.counted - counted, spans)


class CsvRecords:
    """The records of a CSV text after its header: (row, rows it covers, fields, None), or
    (row, 1, None, reason) for a row that cannot be read. Blank lines are skipped.

    Lines are given to the csv module one at a time. A line opening a quoted field that does not
    close (by the end of the file, within RECORD_LINES lines or RECORD_CHARS characters, or in a
    record of the header's width) is rejected alone, and reading resumes at the line after it:
    the lines the csv module read past it are read again. `counted` is the number of non-blank
    lines read from the file after the header, whatever the parser makes of them."""

    def __init__(self, text: io.TextIOBase, delimiter: str):
        self._text, self._delimiter = text, delimiter
        self._last = 0  # number of the last line read from the file
        self._again: deque[tuple[int, str]] = deque()  # lines to read again
        self._record: list[tuple[int, str]] = []  # the lines of the record being read: (row, line)
        self._cut = self._stopped = False  # the lines stopped: at a bound (cut) or at the end of the file
        self._reader = self._new_reader()
        self.counted = 0
        self.header = self._next()
        self.counted, self.width = 0, len(self.header or ())

    def _new_reader(self):
        self._stopped = False
        return csv.reader(self._lines(), delimiter=self._delimiter, strict=True)

    def _lines(self) -> Iterator[str]:
        record, again, readline = self._record, self._again, self._text.readline
        while True:
            if again:
                number, line = again.popleft()
            else:
                line = readline()
                if not line:
                    self._stopped = True
                    return
                self._last += 1
                number = self._last
                if not line.isspace():
                    self.counted += 1
            if record and (len(record) >= RECORD_LINES or sum(len(text) for _, text in record) + len(line) > RECORD_CHARS):
                again.appendleft((number, line))
                self._cut = self._stopped = True
                return
            record.append((number, line))
            yield line

    def _next(self) -> list[str] | None:
        """The next record's fields, None at the end; csv.Error when it is not CSV."""
        self._record.clear()
        self._cut = False
        if self._stopped and self._again:
            self._reader = self._new_reader()
        return next(self._reader, None)

    def __iter__(self) -> Iterator[tuple[int, int, list[str] | None, str | None]]:
        while True:
            try:
                fields = self._next()
            except csv.Error as e:
                fields, problem = None, f"not valid CSV: {e}"
            else:
                if fields is None:
                    return
                problem = None if len(fields) == self.width else f"expected {self.width} fields as in the header, found {len(fields)}"
            record = self._record
            first = record[0][0]
            if len(record) == 1 and record[0][1].isspace():
                continue
            if problem is None:
                yield first, sum(1 for _, line in record if not line.isspace()), fields, None
            elif len(record) > 1 or self._stopped:
                yield first, 1, None, self._unterminated(problem)
                self._again.extendleft(reversed(record[1:]))
            else:
                yield first, 1, None, problem

    def _unterminated(self, problem: str) -> str:
        first, last = self._record[0][0], self._record[-1][0]
        if self._cut:
            why = f"it does not close within {RECORD_LINES} lines or {RECORD_CHARS:,} characters"
        elif self._stopped:
            why = "the file ends before it closes"
        else:
            why = f"read on to row {last}, it does not end a valid record ({problem})"
        return f"unterminated quoted field starting at row {first}: {why}; reading resumes at row {first + 1}"


def _check_header(path: Path, header: list[str]) -> None:
    if not any(header):
        raise IntakeError(f"{path}: the first line must name the columns")
    seen = set()
    for name in header:
        if name in seen:
            raise IntakeError(f"{path}: column {name!r} appears twice in the header")
        seen.add(name)


def _csv_batch(header, rows, numbers, malformed, done, encoding, lines, spans) -> RawBatch:
    frame = pl.DataFrame(rows, schema={name: pl.String for name in header}, orient="row")
    frame = frame.with_columns(pl.Series(ROW, numbers, dtype=pl.Int64))
    bad_text = _invalid_text(frame, encoding)
    frame = frame.filter(~pl.col(ROW).is_in(bad_text[ROW].implode()))
    return RawBatch(frame, pl.concat([reject_frame(malformed), bad_text]), done, lines, pl.DataFrame(spans, schema=SPANS, orient="row"))


def read_ndjson(path: Path, batch_size: int) -> Iterator[RawBatch]:
    size = max(path.stat().st_size, 1)
    with path.open("rb") as f:
        records: list[dict[str, str | None]] = []
        malformed: list[tuple] = []
        lines = 0
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            lines += 1
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as e:
                code = ENCODING if "utf-8" in str(e).lower() else MALFORMED
                malformed.append((number, None, None, code, f"not valid JSON: {e}"))
                continue
            if not isinstance(obj, dict):
                malformed.append((number, None, None, MALFORMED, "each line must be one JSON object"))
                continue
            if _too_deep(line, obj):
                malformed.append((number, None, None, MALFORMED, f"nested deeper than {MAX_DEPTH} levels of objects and lists"))
                continue
            records.extend(flatten_record(obj, number))
            if len(records) >= batch_size:
                yield RawBatch(records_frame(records), reject_frame(malformed), f.tell() / size, lines)
                records, malformed, lines = [], [], 0
        if records or malformed:
            yield RawBatch(records_frame(records), reject_frame(malformed), 1.0, lines)


def _too_deep(line: bytes, obj: dict) -> bool:
    """Whether `obj` (read from `line`) nests objects and lists deeper than MAX_DEPTH; the brackets
    on the line bound the depth, which settles most lines without looking inside."""
    if line.count(b"{") + line.count(b"[") <= MAX_DEPTH:
        return False
    level: list = [obj]
    for _ in range(MAX_DEPTH):
        level = [v for container in level for v in (container.values() if isinstance(container, dict) else container) if isinstance(v, dict | list)]
        if not level:
            return False
    return True


def _scalar_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, dict):
        return orjson.dumps(value).decode()
    return str(value)


def _flatten_object(obj: dict, prefix: str = "") -> tuple[dict[str, str | None], dict[str, list[dict]]]:
    """Scalars by dotted name, and lists of objects (goods items) by dotted name."""
    scalars: dict[str, str | None] = {}
    lists: dict[str, list[dict]] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            inner, inner_lists = _flatten_object(value, f"{name}.")
            scalars.update(inner)
            lists.update(inner_lists)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lists[name] = value
        else:
            scalars[name] = _scalar_text(value)
    return scalars, lists


def flatten_record(obj: dict, number: int) -> list[dict[str, str | None]]:
    """One row per goods item (or one row when the record has no list of items)."""
    scalars, lists = _flatten_object(obj)
    scalars[ROW] = number
    if not lists:
        return [scalars]
    name, items = next(iter(lists.items()))  # the goods items; further lists are kept as JSON text
    for other, values in list(lists.items())[1:]:
        scalars[other] = orjson.dumps(values).decode()
    rows = []
    for item in items:
        item_scalars, _ = _flatten_object(item, f"{name}.")
        rows.append(scalars | item_scalars)
    return rows


def records_frame(records: list[dict]) -> pl.DataFrame:
    names = list(dict.fromkeys(name for record in records for name in record))
    schema = {name: (pl.Int64 if name == ROW else pl.String) for name in names}
    return pl.DataFrame(records, schema=schema)


def read_parquet(path: Path, batch_size: int) -> Iterator[RawBatch]:
    """Row group by row group: a row group that cannot be read is rejected by its rows, and
    reading goes on with the next."""
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as e:
        raise IntakeError(f"{path}: not a readable Parquet file: {e}") from None
    meta = parquet.metadata
    total = max(meta.num_rows, 1)
    held: list[pl.DataFrame] = []  # record batches read, with their ROW, not yet yielded
    lines = 0  # rows the metadata counts in the row groups begun, not yet given to a batch
    first = 1  # the row number of the row group's first row
    for group in range(meta.num_row_groups):
        rows = meta.row_group(group).num_rows
        lines += rows
        read = 0
        try:
            for record_batch in parquet.iter_batches(batch_size=batch_size, row_groups=[group]):
                start = first + read
                held.append(pl.from_arrow(record_batch).with_columns(pl.int_range(start, start + record_batch.num_rows, dtype=pl.Int64).alias(ROW)))
                read += record_batch.num_rows
                if sum(frame.height for frame in held) >= batch_size:
                    yield RawBatch(_as_text(pl.concat(held)), done=(first + read - 1) / total, lines=lines)
                    held, lines = [], 0
        except (pa.ArrowException, OSError) as e:
            message = f"row group {group + 1} of {meta.num_row_groups} (rows {first}-{first + rows - 1}) cannot be read: {e}"
            unreadable = pl.select(rejects(pl.int_range(first + read, first + rows, dtype=pl.Int64), None, MALFORMED, message))
            frame = _as_text(pl.concat(held)) if held else _no_rows(parquet)
            yield RawBatch(frame, unreadable, done=(first + rows - 1) / total, lines=lines)
            held, lines = [], 0
        first += rows
    if held or lines:
        yield RawBatch(_as_text(pl.concat(held)) if held else _no_rows(parquet), done=1.0, lines=lines)


def _no_rows(parquet: pq.ParquetFile) -> pl.DataFrame:
    """The file's text columns, without rows."""
    return _as_text(pl.from_arrow(parquet.schema_arrow.empty_table()).with_columns(pl.lit(None, dtype=pl.Int64).alias(ROW)))


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Flatten structs, explode the list of goods items, and turn every value into text."""
    while True:
        structs = [c for c, t in frame.schema.items() if isinstance(t, pl.Struct)]
        item_lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List) and isinstance(t.inner, pl.Struct)]
        if not structs and not item_lists:
            break
        for name in structs:
            frame = frame.with_columns(pl.col(name).struct.rename_fields([f"{name}.{f.name}" for f in frame.schema[name].fields])).unnest(name)
        if item_lists:
            frame = frame.explode(item_lists[0])
    text = []
    for name, dtype in frame.schema.items():
        if name == ROW:
            text.append(pl.col(name))
        elif isinstance(dtype, pl.Array) or (isinstance(dtype, pl.List) and dtype.inner.is_nested()):
            text.append(pl.struct(pl.col(name).alias("v")).struct.json_encode().str.json_path_match("$.v").alias(name))  # as JSON
        elif isinstance(dtype, pl.List):
            text.append(pl.col(name).cast(pl.List(pl.String)).list.join(" ").alias(name))
        elif dtype == pl.Boolean:
            text.append(pl.col(name).replace_strict({True: "true", False: "false"}, return_dtype=pl.String).alias(name))
        else:
            text.append(pl.col(name).cast(pl.String).alias(name))
    return frame.select(text)
