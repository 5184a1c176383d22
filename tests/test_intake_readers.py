import codecs

import polars as pl
import pytest

from factories import row, write_csv
from smartborder.intake.errors import ENCODING, MALFORMED, IntakeError
from smartborder.intake.readers import detect_format, read_batches
from smartborder.schema import ROW


def _all(path, fmt, batch_size=1000, **kw):
    batches = list(read_batches(path, fmt, batch_size, **kw))
    frame = pl.concat([b.frame for b in batches], how="diagonal_relaxed")
    malformed = pl.concat([b.malformed for b in batches])
    return batches, frame, malformed


def test_detects_format_from_content_not_name(tmp_path):
    parquet = tmp_path / "data.csv"
    pl.DataFrame({"a": [1]}).write_parquet(parquet)
    ndjson = tmp_path / "data.txt"
    ndjson.write_text('{"a": 1}\n')
    csv_file = write_csv(tmp_path / "x.json", [row()])
    assert [detect_format(p) for p in (parquet, ndjson, csv_file)] == ["parquet", "ndjson", "csv"]


def test_empty_file_and_json_array_are_clear_errors(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(IntakeError, match="the file is empty"):
        detect_format(empty)
    array = tmp_path / "a.json"
    array.write_text('[{"a": 1}]')
    with pytest.raises(IntakeError, match="one JSON object per line"):
        detect_format(array)


def test_csv_rows_keep_their_line_numbers_and_bad_rows_are_rejected_alone(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text('a,b,c\n1,2,3\n4,5\n\n6,"x\ny",7\n8,9,10,11\n12,13,14\n')
    _, frame, malformed = _all(path, "csv")
    assert frame[ROW].to_list() == [2, 5, 8]  # the quoted newline spans lines 5-6
    assert frame["b"].to_list() == ["2", "x\ny", "13"]
    assert malformed.select(ROW, "code", "message").rows() == [
        (3, MALFORMED, "expected 3 fields as in the header, found 2"),
        (7, MALFORMED, "expected 3 fields as in the header, found 4"),
    ]


def test_csv_bytes_not_in_the_encoding_reject_only_their_row(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("name,city\nAnna,Köln\n".encode() + "Zoë,Gdańsk\n".encode("cp1250") + b"Li,Beijing\n")
    _, frame, malformed = _all(path, "csv")
    assert frame["name"].to_list() == ["Anna", "Li"]
    assert malformed[ROW].to_list() == [3]
    assert malformed["code"][0] == ENCODING
    assert "column 'name'" in malformed["message"][0] and "encoding" in malformed["message"][0]


def test_csv_in_a_declared_or_marked_encoding(tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("name\nFrançois Müller\n".encode("latin-1"))
    _, frame, malformed = _all(latin, "csv", encoding="latin-1")
    assert frame["name"].to_list() == ["François Müller"] and malformed.is_empty()
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(codecs.BOM_UTF16_LE + "name\nŁódź\n".encode("utf-16-le"))
    _, frame, _ = _all(utf16, "csv")
    assert frame["name"].to_list() == ["Łódź"]
    bom = tmp_path / "bom.csv"
    bom.write_bytes(codecs.BOM_UTF8 + b"name\nx\n")
    assert _all(bom, "csv")[1].columns == ["name", ROW]


def test_csv_header_problems(tmp_path):
    dup = tmp_path / "dup.csv"
    dup.write_text("a,b,a\n1,2,3\n")
    with pytest.raises(IntakeError, match="column 'a' appears twice"):
        list(read_batches(dup, "csv", 10))
    with pytest.raises(IntakeError, match="unknown encoding 'klingon'"):
        list(read_batches(dup, "csv", 10, encoding="klingon"))


def test_csv_is_read_in_bounded_batches(tmp_path):
    path = write_csv(tmp_path / "f.csv", [row(f"R{i}") for i in range(2500)])
    batches, frame, _ = _all(path, "csv", batch_size=1000)
    assert [b.frame.height for b in batches] == [1000, 1000, 500]
    assert batches[0].done < batches[1].done < batches[2].done == 1.0
    assert frame["reference"].to_list() == [f"R{i}" for i in range(2500)]


def test_ndjson_flattens_parties_and_explodes_items(tmp_path):
    path = tmp_path / "f.ndjson"
    path.write_text(
        '{"reference": "A", "consignee": {"name": "Anna", "aeo": false}, "transit": ["PL", "CZ"], "items": [{"hs_code": "940521", "value": 3.5}, {"hs_code": "610910"}]}\n'
        "not json\n"
        '["a list"]\n'
        '{"reference": "B", "items": [{"hs_code": "950300"}]}\n'
    )
    _, frame, malformed = _all(path, "ndjson")
    assert frame.select(ROW, "reference", "consignee.name", "consignee.aeo", "transit", "items.hs_code", "items.value").rows() == [
        (1, "A", "Anna", "false", "PL CZ", "940521", "3.5"),
        (1, "A", "Anna", "false", "PL CZ", "610910", None),
        (4, "B", None, None, None, "950300", None),
    ]
    assert malformed.select(ROW, "code").rows() == [(2, MALFORMED), (3, MALFORMED)]
    assert malformed["message"][1] == "each line must be one JSON object"


def test_parquet_nested_items_and_types_become_text(tmp_path):
    from datetime import date

    path = tmp_path / "f.parquet"
    pl.DataFrame({
        "reference": ["A", "B"],
        "declared_date": [date(2025, 1, 2), date(2025, 1, 3)],
        "consignee_aeo": [True, None],
        "items": [[{"hs_code": "940521", "value": 3.5}, {"hs_code": "610910", "value": 0.0}], [{"hs_code": "950300", "value": 12.0}]],
    }).write_parquet(path)  # fmt: skip
    _, frame, _ = _all(path, "parquet")
    assert frame.select(ROW, "reference", "declared_date", "consignee_aeo", "items.hs_code", "items.value").rows() == [
        (1, "A", "2025-01-02", "true", "940521", "3.5"),
        (1, "A", "2025-01-02", "true", "610910", "0.0"),
        (2, "B", "2025-01-03", None, "950300", "12.0"),
    ]


def test_corrupt_parquet_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"PAR1 this is not really parquet")
    with pytest.raises(IntakeError, match="not a readable Parquet file"):
        list(read_batches(path, "parquet", 10))
