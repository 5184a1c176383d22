"""A corpus of bad files (CSV, NDJSON, Parquet): each is ingested on both stores, and every row of the
file is accounted for. The rows in the file (counted here, apart from the reader) equal the rows
accepted + amended + unchanged + rejected, on the run's summary and in its stored intake_runs row,
and the rejects file names every rejected row."""

import csv
import io

import orjson
import polars as pl
import pyarrow.parquet as pq
import pytest
import yaml
from sqlalchemy import func, select
from typer.testing import CliRunner

from factories import read_rejects, row
from smartborder.cli import app
from smartborder.intake import pipeline
from smartborder.intake.errors import ENCODING, MALFORMED, IntakeError, UnaccountedRows
from smartborder.intake.pipeline import ingest
from smartborder.intake.readers import MAX_DEPTH
from smartborder.store.db import open_store
from smartborder.store.tables import consignments, intake_runs

ROW_COUNTS = ("rows_in_file", "rows_accepted", "rows_amended", "rows_unchanged", "rejected_rows")
HEADER = ",".join(row())


@pytest.fixture
def engine(settings):
    engine = open_store(settings)
    yield engine
    engine.dispose()


def _line(values: dict[str, str], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerow(values.values())
    return out.getvalue()


def _good(count: int, start: int = 0, **changes) -> list[str]:
    return [_line(row(f"R{i}", **changes)) for i in range(start, start + count)]


def _with_description(text: str, reference: str = "BAD") -> str:
    """A CSV line whose description is `text` written as it is, quotes and all."""
    return _line(row(reference, description="@@")).replace("@@", text)


UNTERMINATED = _with_description('"LED desk lamp with USB charger')


def _physical_rows(text: str) -> int:
    """Rows in a CSV or NDJSON text as a person counts them: non-blank lines after the header."""
    return sum(1 for line in text.split("\n")[1:] if line.strip())


def _stored_run(engine, run_id: int) -> dict:
    with engine.connect() as conn:
        return conn.execute(select(intake_runs).where(intake_runs.c.id == run_id)).one()._asdict()


def _assert_conserved(summary, engine, rows_in_file: int) -> None:
    assert summary.rows_in_file == rows_in_file
    assert rows_in_file == summary.rows_accepted + summary.rows_amended + summary.rows_unchanged + summary.rejected_rows
    stored = _stored_run(engine, summary.run_id)
    assert {k: stored[k] for k in ROW_COUNTS} == {k: getattr(summary, k) for k in ROW_COUNTS}
    assert (stored["accepted"], stored["amended"], stored["unchanged"]) == (summary.accepted, summary.amended, summary.unchanged)


def _rejected(summary) -> dict[int, list[dict]]:
    by_row: dict[int, list[dict]] = {}
    for reject in read_rejects(summary.rejects_path):
        by_row.setdefault(int(reject["row"]), []).append(reject)
    return by_row


def _ingest_text(tmp_path, engine, settings, text: str, mapping: dict | None = None, name: str = "in.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    mapping_path = None
    if mapping is not None:
        mapping_path = tmp_path / "mapping.yaml"
        mapping_path.write_text(yaml.safe_dump(mapping))
    return ingest(path, engine, settings, mapping_path)


# CSV


@pytest.mark.parametrize(("before", "after"), [(0, 1000), (10, 1000), (20, 5), (20, 0)], ids=["start", "middle", "near-end", "last-line"])
def test_an_unterminated_quote_rejects_its_row_and_reading_resumes_at_the_next(tmp_path, engine, settings, before, after):
    text = HEADER + "\n" + "".join(_good(before)) + UNTERMINATED + "".join(_good(after, start=before))
    summary = _ingest_text(tmp_path, engine, settings, text)
    bad_row = before + 2  # the header is row 1
    assert (summary.accepted, summary.rejected_rows) == (before + after, 1)
    rejected = _rejected(summary)
    assert list(rejected) == [bad_row]
    assert rejected[bad_row][0]["code"] == MALFORMED
    assert f"unterminated quoted field starting at row {bad_row}" in rejected[bad_row][0]["message"]
    _assert_conserved(summary, engine, before + after + 1)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(consignments)).scalar_one() == before + after


def test_several_unterminated_quotes_and_a_quote_closing_too_late(tmp_path, engine, settings):
    closes_late = _with_description('"lamp, with a "stray" quote inside')  # the quoted field ends at `"stray"` followed by text
    text = HEADER + "\n" + "".join(_good(3)) + UNTERMINATED + UNTERMINATED + "".join(_good(3, 3)) + closes_late + "".join(_good(200, 6))
    summary = _ingest_text(tmp_path, engine, settings, text)
    assert (summary.accepted, summary.rejected_rows) == (206, 3)
    assert list(_rejected(summary)) == [5, 6, 10]
    _assert_conserved(summary, engine, _physical_rows(text))


def test_legal_quoted_fields_spanning_lines_are_kept_and_each_line_counted(tmp_path, engine, settings):
    text = (HEADER + "\n" + "".join(_good(2)) + _line(row("ML1", description="LED desk lamp\nwith USB charger"))
            + _line(row("ML2", description="cotton t-shirt\n\nsize M, blue")) + "".join(_good(2, 2)))  # fmt: skip
    summary = _ingest_text(tmp_path, engine, settings, text)
    assert (summary.accepted, summary.rejected_rows) == (6, 0)
    assert summary.rows_in_file == 8  # ML1 covers two lines, ML2 three of which one is blank
    _assert_conserved(summary, engine, _physical_rows(text))
    with engine.connect() as conn:
        rows = dict(conn.execute(select(consignments.c.reference, consignments.c.source_row)).all())
    assert (rows["ML1"], rows["ML2"], rows["R2"]) == (4, 6, 9)


def test_a_quote_inside_an_unquoted_field_is_text(tmp_path, engine, settings):
    text = HEADER + "\n" + _with_description('55" LED TV', "INCH") + "".join(_good(300))
    summary = _ingest_text(tmp_path, engine, settings, text)
    assert (summary.accepted, summary.rejected_rows) == (301, 0)
    _assert_conserved(summary, engine, 301)


def test_wrong_field_counts_reject_their_rows_only(tmp_path, engine, settings):
    short = ",".join(list(row("SHORT").values())[:5]) + "\n"
    long = _line(row("LONG") | {"one_more": "x"})
    text = HEADER + "\n" + "".join(_good(2)) + short + "".join(_good(2, 2)) + long + "".join(_good(2, 4))
    summary = _ingest_text(tmp_path, engine, settings, text)
    assert (summary.accepted, summary.rejected_rows) == (6, 2)
    rejected = _rejected(summary)
    assert {r: v[0]["message"] for r, v in rejected.items()} == {
        4: f"expected {len(row())} fields as in the header, found 5",
        7: f"expected {len(row())} fields as in the header, found {len(row()) + 1}",
    }
    _assert_conserved(summary, engine, 8)


def test_bytes_not_in_the_encoding_reject_their_row_only(tmp_path, engine, settings):
    path = tmp_path / "in.csv"
    good = "".join(_good(3)).encode()
    path.write_bytes(HEADER.encode() + b"\n" + good + _line(row("ZOE", consignee_name="Zoë Gdańsk")).encode("cp1250") + "".join(_good(3, 3)).encode())
    summary = ingest(path, engine, settings)
    assert (summary.accepted, summary.rejected_rows) == (6, 1)
    assert [(r, v[0]["code"]) for r, v in _rejected(summary).items()] == [(5, ENCODING)]
    _assert_conserved(summary, engine, 7)


def test_blank_lines_are_not_rows(tmp_path, engine, settings):
    text = HEADER + "\n\n" + "".join(_good(2)) + "   \n\r\n" + "".join(_good(2, 2)) + "\n\n"
    summary = _ingest_text(tmp_path, engine, settings, text)
    assert (summary.accepted, summary.rejected_rows) == (4, 0)
    _assert_conserved(summary, engine, 4)
    assert read_rejects(summary.rejects_path) == []


@pytest.mark.parametrize("marked", ["utf-8-sig", "utf-16"])
def test_a_byte_order_mark_is_not_data(tmp_path, engine, settings, marked):
    text = HEADER + "\n" + "".join(_good(3)) + UNTERMINATED + "".join(_good(3, 3))
    summary = _ingest_text(tmp_path, engine, settings, text, encoding=marked)
    assert (summary.accepted, summary.rejected_rows) == (6, 1)
    assert list(_rejected(summary)) == [5]
    _assert_conserved(summary, engine, 7)


def test_a_declared_encoding_and_delimiter_recover_the_same_way(tmp_path, engine, settings):
    lines = [_line(row(f"L{i}", consignee_name="François Müller"), ";") for i in range(400)]
    lines[10] = _line(row("BAD", description="@@"), ";").replace("@@", '"Müller lamp')
    text = ";".join(row()) + "\n" + "".join(lines)
    summary = _ingest_text(tmp_path, engine, settings, text, {"encoding": "latin-1", "delimiter": ";", "fields": {}}, encoding="latin-1")
    assert (summary.accepted, summary.rejected_rows) == (399, 1)
    assert list(_rejected(summary)) == [12]
    _assert_conserved(summary, engine, 400)
    with engine.connect() as conn:
        assert conn.execute(select(consignments.c.consignee_name).limit(1)).scalar_one() == "François Müller"


def test_rows_of_grouped_consignments_count_one_by_one_also_when_amended_or_unchanged(tmp_path, engine, settings):
    mapping = {"group_by": ["reference"], "fields": {}}
    items = lambda ref, value: [_line(row(ref, value=value)), _line(row(ref, hs_code="610910", description="cotton t-shirt", value=value))]  # noqa: E731
    first = HEADER + "\n" + "".join(items("A", "10") + items("B", "10") + items("C", "10"))
    summary = _ingest_text(tmp_path, engine, settings, first, mapping)
    assert (summary.accepted, summary.rows_accepted) == (3, 6)
    _assert_conserved(summary, engine, 6)
    second = HEADER + "\n" + "".join(items("A", "10") + items("B", "99") + [UNTERMINATED.replace("BAD", "C")] + items("D", "10"))
    summary = _ingest_text(tmp_path, engine, settings, second, mapping)
    assert (summary.accepted, summary.amended, summary.unchanged) == (1, 1, 1)
    assert (summary.rows_accepted, summary.rows_amended, summary.rows_unchanged, summary.rejected_rows) == (2, 2, 2, 1)
    _assert_conserved(summary, engine, 7)


def test_rows_spanning_lines_count_in_full_when_their_consignment_waits_for_the_next_batch(tmp_path, engine, settings):
    settings.batch_size = 2
    lamp = lambda ref: _line(row(ref, description="LED desk lamp\nwith USB charger"))  # noqa: E731
    text = HEADER + "\n" + "".join([_line(row("A")), lamp("B"), lamp("B"), lamp("B"), _line(row("C")), lamp("D")])
    summary = _ingest_text(tmp_path, engine, settings, text, {"group_by": ["reference"], "fields": {}})
    assert (summary.accepted, summary.rows_accepted) == (4, 10)
    _assert_conserved(summary, engine, _physical_rows(text))


def test_the_cli_prints_the_balance_of_rows(settings, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(HEADER + "\n" + "".join(_good(10)) + UNTERMINATED + "".join(_good(990, 10)))
    result = CliRunner().invoke(app, ["ingest", str(path)], env={"COLUMNS": "40"})
    assert result.exit_code == 0, result.output
    assert "rows in the file 1,001 = 1,000 accepted + 0 amended + 0 unchanged + 1 rejected" in result.output


# NDJSON


def _ndjson(records: list[dict]) -> str:
    return "".join(orjson.dumps(r).decode() + "\n" for r in records)


def _nested(record: dict, key: str, depth: int, opening: str = '{"a":', closing: str = "}") -> str:
    """An NDJSON line: `record` with `key` holding `depth` nested containers (written as text: too deep for orjson.dumps)."""
    return orjson.dumps(record).decode()[:-1] + f', "{key}": ' + opening * depth + '"x"' + closing * depth + "}\n"


def _with_items(reference: str, hs_codes: list[str]) -> dict:
    item_fields = ("description", "hs_code", "quantity", "quantity_unit", "gross_mass", "net_mass", "value", "currency", "origin_country")
    record = row(reference)
    items = [{k: record[k] for k in item_fields} | {"hs_code": code} for code in hs_codes]
    return {k: v for k, v in record.items() if k not in item_fields} | {"items": items}


def test_deeply_nested_ndjson_lines_are_rejected_and_the_rest_kept(tmp_path, engine, settings):
    text = (_ndjson([row(f"N{i}") for i in range(5)])
            + _nested(row("DEEP1"), "spec", 990)
            + _nested(row("DEEP2"), "spec", 40, "[", "]")
            + _nested(_with_items("DEEP3", ["940521"]), "spec", MAX_DEPTH)  # one level more than allowed: the record is one
            + _nested(row("FLAT"), "spec", MAX_DEPTH - 1)  # exactly as deep as allowed
            + _ndjson([row(f"N{i}") for i in range(5, 10)]))  # fmt: skip
    summary = _ingest_text(tmp_path, engine, settings, text, name="in.ndjson")
    assert (summary.accepted, summary.rejected_rows) == (11, 3)
    rejected = _rejected(summary)
    assert list(rejected) == [6, 7, 8]
    assert all(f"nested deeper than {MAX_DEPTH} levels" in v[0]["message"] for v in rejected.values())
    _assert_conserved(summary, engine, 14)


def test_deep_goods_items_are_rejected_too(tmp_path, engine, settings):
    record = _with_items("DEEP-ITEM", ["940521", "610910"])
    deep_item = orjson.dumps(record).decode().replace('"hs_code":"610910"', '"hs_code":"610910","spec":' + "[" * 200 + "1" + "]" * 200)
    text = _ndjson([_with_items("OK", ["940521", "610910"])]) + deep_item + "\n"
    summary = _ingest_text(tmp_path, engine, settings, text, name="in.ndjson")
    assert (summary.accepted, summary.rejected_rows, summary.rows_accepted) == (1, 1, 1)
    assert list(_rejected(summary)) == [2]
    _assert_conserved(summary, engine, 2)


def test_invalid_and_non_object_ndjson_lines_are_rejected_one_by_one(tmp_path, engine, settings):
    text = (_ndjson([row("N1")]) + "not json\n" + '{"reference": "cut off\n' + "\n   \n" + '["a", "list"]\n' + "42\n" + '"text"\n'
            + _ndjson([row("N2"), row("N3")]))  # fmt: skip
    summary = _ingest_text(tmp_path, engine, settings, text, name="in.ndjson")
    assert list(_rejected(summary)) == [2, 3, 6, 7, 8]
    assert (summary.accepted, summary.rejected_rows) == (3, 5)
    _assert_conserved(summary, engine, 8)


# Parquet


def _parquet_rows(count: int) -> pl.DataFrame:
    return pl.DataFrame([row(f"P{i:05d}", value=f"{10 + i % 90}.50", description=f"LED desk lamp model {i}") for i in range(count)])


def _corrupt_row_group(path, group: int) -> None:
    """Overwrite the middle of every column chunk of row group `group` (its data pages)."""
    meta = pq.ParquetFile(path).metadata.row_group(group)
    data = bytearray(path.read_bytes())
    for j in range(meta.num_columns):
        chunk = meta.column(j)
        start = chunk.dictionary_page_offset or chunk.data_page_offset
        size = chunk.total_compressed_size
        data[start + size // 3 : start + 2 * size // 3] = b"\xa5" * (2 * size // 3 - size // 3)
    path.write_bytes(bytes(data))
    with pytest.raises(OSError):  # the group is unreadable indeed
        pq.ParquetFile(path).read_row_group(group)


@pytest.mark.parametrize("batch_size", [25_000, 200])
def test_a_corrupt_row_group_is_rejected_by_its_rows_and_the_next_is_read(tmp_path, engine, settings, batch_size):
    settings.batch_size = batch_size
    path = tmp_path / "in.parquet"
    _parquet_rows(2000).write_parquet(path, row_group_size=500)
    _corrupt_row_group(path, 1)
    summary = ingest(path, engine, settings)
    assert (summary.accepted, summary.rejected_rows) == (1500, 500)
    rejected = _rejected(summary)
    assert list(rejected) == list(range(501, 1001))
    assert "row group 2 of 4 (rows 501-1000) cannot be read" in rejected[501][0]["message"]
    _assert_conserved(summary, engine, 2000)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(consignments)).scalar_one() == 1500


def test_parquet_lists_of_lists_and_arrays_are_kept_as_json_text(tmp_path, engine, settings):
    path = tmp_path / "in.parquet"
    _parquet_rows(3).with_columns(
        pl.Series("spec", [[[1, 2], [3]], None, [[None]]]),
        pl.Series("size", [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=pl.Array(pl.Float64, 2)),
    ).write_parquet(path, row_group_size=2)  # fmt: skip
    mapping = {"fields": {}, "extra": {"spec": "spec", "size": "size"}}
    mapping_path = tmp_path / "mapping.yaml"
    mapping_path.write_text(yaml.safe_dump(mapping))
    summary = ingest(path, engine, settings, mapping_path)
    assert (summary.accepted, summary.rejected_rows) == (3, 0)
    _assert_conserved(summary, engine, 3)
    with engine.connect() as conn:
        extra = conn.execute(select(consignments.c.extra).order_by(consignments.c.source_row)).scalars().all()
    assert [orjson.loads(e) for e in extra] == [{"spec": "[[1,2],[3]]", "size": "[1.0,2.0]"}, {"spec": None, "size": "[3.0,4.0]"}, {"spec": "[[null]]", "size": "[5.0,6.0]"}]


def test_a_truncated_or_too_deep_parquet_file_is_a_clear_error_and_no_run(tmp_path, engine, settings):
    path = tmp_path / "cut.parquet"
    _parquet_rows(100).write_parquet(path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(IntakeError, match="not a readable Parquet file"):
        ingest(path, engine, settings)
    deep = tmp_path / "deep.parquet"
    nested = _parquet_rows(3).with_columns(pl.col("reference").alias("spec"))
    for _ in range(120):
        nested = nested.with_columns(pl.struct(pl.col("spec").alias("x")).alias("spec"))
    nested.write_parquet(deep)
    with pytest.raises(IntakeError, match="nested"):
        ingest(deep, engine, settings)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(intake_runs)).scalar_one() == 0


# The law kept when a run fails, and enforced


def test_a_run_failing_half_way_records_the_counts_of_what_it_stored(tmp_path, engine, settings, monkeypatch):
    settings.batch_size = 100
    real = pipeline.read_batches

    def failing_after_three(*args, **kwargs):
        for number, batch in enumerate(real(*args, **kwargs), start=1):
            if number == 4:
                raise RuntimeError("the disk went away")
            yield batch

    monkeypatch.setattr(pipeline, "read_batches", failing_after_three)
    path = tmp_path / "in.csv"
    path.write_text(HEADER + "\n" + "".join(_good(600)))
    with pytest.raises(RuntimeError, match="the disk went away"):
        ingest(path, engine, settings)
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(consignments)).scalar_one()
        run_id = conn.execute(select(intake_runs.c.id)).scalar_one()
    run = _stored_run(engine, run_id)
    assert stored == 300
    assert (run["accepted"], run["rows_accepted"], run["rejected_rows"], run["rows_in_file"]) == (300, 300, 0, 300)


def test_a_row_lost_on_the_way_fails_the_run_naming_the_difference(tmp_path, engine, settings, monkeypatch):
    settings.batch_size = 100
    real = pipeline.read_batches

    def losing_one_row(*args, **kwargs):
        for number, batch in enumerate(real(*args, **kwargs), start=1):
            if number == 2:
                batch.frame = batch.frame.slice(1)
            yield batch

    monkeypatch.setattr(pipeline, "read_batches", losing_one_row)
    path = tmp_path / "in.csv"
    path.write_text(HEADER + "\n" + "".join(_good(300)))
    with pytest.raises(UnaccountedRows, match="1 row unaccounted for: rows in the file 300 ≠ 299 accepted \\+ 0 amended \\+ 0 unchanged \\+ 0 rejected"):
        ingest(path, engine, settings)
    with engine.connect() as conn:
        run_id = conn.execute(select(intake_runs.c.id)).scalar_one()
    assert (_stored_run(engine, run_id)["rows_in_file"], _stored_run(engine, run_id)["rows_accepted"]) == (300, 299)


def test_submissions_through_the_api_record_their_rows(tmp_path, database_url):
    from service_fixtures import consignment, make_world

    world = make_world(tmp_path, database_url)
    with world.client:
        sent = [consignment("API-1"), consignment("API-2", item={"hs_code": "999999"}), consignment("API-3")]
        response = world.client.post("/v1/submissions", json={"consignments": sent}, headers=world.as_("bazaro"))
        assert response.status_code < 300, response.text
        engine = world.client.app.state.service.engine
        with engine.connect() as conn:
            run = conn.execute(select(intake_runs)).one()._asdict()
    assert {k: run[k] for k in ROW_COUNTS} == {"rows_in_file": 3, "rows_accepted": 2, "rows_amended": 0, "rows_unchanged": 0, "rejected_rows": 1}

