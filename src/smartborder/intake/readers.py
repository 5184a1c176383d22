"""Readers turn a file into batches of text columns, one row per goods item, with the row each
came from. They never stop at a bad row: it becomes a rejection and reading goes on.

Column names are the source's own; nested objects are flattened with dots (`consignor.name`) and
a list of objects (the goods items) is exploded to one row per element (`items.hs_code`).
Memory stays bounded: a file is read `batch_size` records at a time.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from smartborder.intake.errors import ENCODING, MALFORMED, IntakeError, empty_rejects, reject_frame
from smartborder.schema import ROW

FORMATS = ("csv", "ndjson", "parquet")


@dataclass
class RawBatch:
    frame: pl.DataFrame  # text columns named as in the source, plus ROW
    malformed: pl.DataFrame = field(default_factory=empty_rejects)  # rows that could not be parsed at all
    done: float = 0.0  # share of the file read so far, for progress


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
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise IntakeError(f"{path}: the file is empty") from None
        except csv.Error as e:
            raise IntakeError(f"{path}: the header line cannot be read as CSV: {e}") from None
        _check_header(path, header)
        rows: list[list[str]] = []
        numbers: list[int] = []
        malformed: list[tuple] = []
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                malformed.append((start, None, None, MALFORMED, f"not valid CSV: {e}"))
                continue
            if not record or record == [""]:
                continue  # blank line
            if len(record) != len(header):
                malformed.append((start, None, None, MALFORMED, f"expected {len(header)} fields as in the header, found {len(record)}"))
                continue
            rows.append(record)
            numbers.append(start)
            if len(rows) >= batch_size:
                yield _csv_batch(header, rows, numbers, malformed, raw.tell() / size, encoding)
                rows, numbers, malformed = [], [], []
        if rows or malformed:
            yield _csv_batch(header, rows, numbers, malformed, 1.0, encoding)


def _check_header(path: Path, header: list[str]) -> None:
    if not any(header):
        raise IntakeError(f"{path}: the first line must name the columns")
    seen = set()
    for name in header:
        if name in seen:
            raise IntakeError(f"{path}: column {name!r} appears twice in the header")
        seen.add(name)


def _csv_batch(header, rows, numbers, malformed, done, encoding) -> RawBatch:
    frame = pl.DataFrame(rows, schema={name: pl.String for name in header}, orient="row")
    frame = frame.with_columns(pl.Series(ROW, numbers, dtype=pl.Int64))
    bad_text = _invalid_text(frame, encoding)
    frame = frame.filter(~pl.col(ROW).is_in(bad_text[ROW].implode()))
    return RawBatch(frame, pl.concat([reject_frame(malformed), bad_text]), done)


def read_ndjson(path: Path, batch_size: int) -> Iterator[RawBatch]:
    size = max(path.stat().st_size, 1)
    with path.open("rb") as f:
        records: list[dict[str, str | None]] = []
        malformed: list[tuple] = []
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as e:
                code = ENCODING if "utf-8" in str(e).lower() else MALFORMED
                malformed.append((number, None, None, code, f"not valid JSON: {e}"))
                continue
            if not isinstance(obj, dict):
                malformed.append((number, None, None, MALFORMED, "each line must be one JSON object"))
                continue
            records.extend(flatten_record(obj, number))
            if len(records) >= batch_size:
                yield RawBatch(records_frame(records), reject_frame(malformed), f.tell() / size)
                records, malformed = [], []
        if records or malformed:
            yield RawBatch(records_frame(records), reject_frame(malformed), 1.0)


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
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as e:
        raise IntakeError(f"{path}: not a readable Parquet file: {e}") from None
    total = max(parquet.metadata.num_rows, 1)
    seen = 0
    for record_batch in parquet.iter_batches(batch_size=batch_size):
        frame = pl.from_arrow(record_batch)
        frame = frame.with_columns(pl.int_range(seen + 1, seen + frame.height + 1, dtype=pl.Int64).alias(ROW))
        seen += frame.height
        yield RawBatch(_as_text(frame), done=seen / total)


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
        elif isinstance(dtype, pl.List):
            text.append(pl.col(name).cast(pl.List(pl.String)).list.join(" ").alias(name))
        elif dtype == pl.Boolean:
            text.append(pl.col(name).replace_strict({True: "true", False: "false"}, return_dtype=pl.String).alias(name))
        else:
            text.append(pl.col(name).cast(pl.String).alias(name))
    return frame.select(text)
