"""Intake end to end on both stores: every bad input is rejected alone, with its reason, and the
good rows around it are stored."""

import pytest
import yaml
from sqlalchemy import func, select

from factories import read_rejects, row, write_csv
from smartborder.intake.errors import IntakeError
from smartborder.intake.pipeline import ingest
from smartborder.store.db import open_store
from smartborder.store.tables import consignments, goods_items, intake_runs, outcomes, quality_findings, rejections, rfis


@pytest.fixture
def engine(settings):
    engine = open_store(settings)
    yield engine
    engine.dispose()


def _run(tmp_path, engine, settings, rows, mapping=None, **kw):
    path = write_csv(tmp_path / "in.csv", rows)
    mapping_path = None
    if mapping is not None:
        mapping_path = tmp_path / "mapping.yaml"
        mapping_path.write_text(yaml.safe_dump(mapping))
    return ingest(path, engine, settings, mapping_path, **kw)


def _stored(engine, *columns, current_only=True):
    query = select(*(consignments.c[c] for c in columns)).order_by(consignments.c.reference, consignments.c.version)
    if current_only:
        query = query.where(consignments.c.is_current)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]


def _count(engine, table):
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_clean_file_is_stored_with_items_and_no_rejects(tmp_path, engine, settings):
    summary = _run(tmp_path, engine, settings, [row("A"), row("B", value="12.00", currency="usd")])
    assert (summary.accepted, summary.rejected_rows, summary.rows_read) == (2, 0, 2)
    assert _stored(engine, "reference", "version", "destination_country") == [("A", 1, "DE"), ("B", 1, "DE")]
    with engine.connect() as conn:
        items = conn.execute(select(goods_items.c.item_no, goods_items.c.hs_code, goods_items.c.value, goods_items.c.currency)
                             .order_by(goods_items.c.value)).all()  # fmt: skip
    assert [tuple(i) for i in items] == [(1, "940521", 12.0, "USD"), (1, "940521", 38.5, "EUR")]
    assert read_rejects(summary.rejects_path) == []


@pytest.mark.parametrize(
    ("changes", "field", "code", "message"),
    [
        ({"destination_country": "XX"}, "destination_country", "unknown_code", "'XX' is not an ISO 3166 country code"),
        ({"currency": "ABC"}, "currency", "unknown_code", "'ABC' is not an ISO 4217 currency code"),
        ({"hs_code": "999999"}, "hs_code", "unknown_code", "HS subheading '999999' exists in no HS edition (HS 2017, HS 2022)"),
        ({"hs_code": "8517"}, "hs_code", "invalid", "HS code '8517' must have 6 to 10 digits"),
        ({"value": "-5"}, "value", "negative", "value -5.0 is negative"),
        ({"net_mass": "5e12"}, "net_mass", "absurd", "net_mass 5000000000000.0 is beyond any plausible value (over 1e+09)"),
        ({"declared_date": "1899-01-01"}, "declared_date", "absurd", "declared_date 1899-01-01 is outside 2000-01-01 .. one year from today"),
        ({"declared_date": "01/03/2025"}, "declared_date", "unparseable", "'01/03/2025' is not a date (YYYY-MM-DD)"),
        ({"value": "twelve"}, "value", "unparseable", "'twelve' is not a number"),
        ({"consignee_aeo": "maybe"}, "consignee_aeo", "unparseable", "'maybe' is not true or false"),
        ({"transport_mode": "teleport"}, "transport_mode", "unknown_code", "'teleport' is not one of sea, rail, road, air, post, inland_waterway, fixed_installation, multimodal, unknown"),
        ({"reference": ""}, "reference", "missing", "reference is required"),
        ({"hs_code": ""}, "hs_code", "missing", "hs_code is required"),
    ],
)  # fmt: skip
def test_a_bad_value_rejects_its_row_alone(tmp_path, engine, settings, changes, field, code, message):
    summary = _run(tmp_path, engine, settings, [row("GOOD-1"), row("BAD") | changes, row("GOOD-2")])
    assert (summary.accepted, summary.rejected_rows) == (2, 1)
    assert [r for r in read_rejects(summary.rejects_path)] == [
        {"row": "3", "reference": changes.get("reference", "BAD"), "field": field, "code": code, "message": message}
    ]
    assert _stored(engine, "reference") == [("GOOD-1",), ("GOOD-2",)]
    with engine.connect() as conn:
        assert conn.execute(select(rejections.c.row, rejections.c.code)).all() == [(3, code)]


def test_missing_required_column_is_a_clear_error_and_stores_nothing(tmp_path, engine, settings):
    rows = [{k: v for k, v in row().items() if k != "hs_code"}]
    with pytest.raises(IntakeError, match="missing required columns for hs_code: the file has submitter, reference"):
        _run(tmp_path, engine, settings, rows)
    mapping = {"fields": {"reference": "Ref", "submitter": {"value": "X"}, "declared_date": "Date",
                          "destination_country": "To", "hs_code": "HS"}}  # fmt: skip
    with pytest.raises(IntakeError, match=r"missing required column 'HS' \(for hs_code\)"):
        _run(tmp_path, engine, settings, [{"Ref": "A", "Date": "2025-01-01", "To": "DE"}], mapping)
    assert _count(engine, consignments) == 0


def test_a_bad_mapping_names_the_problem(tmp_path, engine, settings):
    with pytest.raises(IntakeError, match="mapping.yaml: fields: Value error, unknown record field 'declared_dat'; known: submitter, reference"):
        _run(tmp_path, engine, settings, [row()], {"fields": {"declared_dat": "Date"}})
    with pytest.raises(IntakeError, match="fields.currency: Value error, give exactly one of 'column'"):
        _run(tmp_path, engine, settings, [row()], {"fields": {"currency": {"map": {"x": "y"}}}})


def test_duplicate_references_in_one_file_keep_the_first(tmp_path, engine, settings):
    settings.batch_size = 2  # the third and fifth rows repeat references from earlier batches
    rows = [row("A"), row("B"), row("A", value="1"), row("C"), row("B", value="2")]
    summary = _run(tmp_path, engine, settings, rows)
    assert (summary.accepted, summary.rejected_rows) == (3, 2)
    rejects = read_rejects(summary.rejects_path)
    assert [(r["row"], r["code"], r["message"]) for r in rejects] == [
        ("4", "duplicate_reference", "reference 'A' is already used by the consignment at row 2 of this file"),
        ("6", "duplicate_reference", "reference 'B' is already used by the consignment at row 3 of this file"),
    ]
    assert _stored(engine, "reference", "version") == [("A", 1), ("B", 1), ("C", 1)]


def test_duplicate_in_the_same_batch(tmp_path, engine, settings):
    summary = _run(tmp_path, engine, settings, [row("A"), row("A", value="3")])
    assert [(r["row"], r["code"]) for r in read_rejects(summary.rejects_path)] == [("3", "duplicate_reference")]


def test_resubmission_is_idempotent_and_amendment_keeps_the_earlier_version(tmp_path, engine, settings):
    _run(tmp_path, engine, settings, [row("A"), row("B")])
    again = _run(tmp_path, engine, settings, [row("A"), row("B")])
    assert (again.accepted, again.amended, again.unchanged) == (0, 0, 2)
    amended = _run(tmp_path, engine, settings, [row("A", value="99.00"), row("B")])
    assert (amended.accepted, amended.amended, amended.unchanged) == (0, 1, 1)
    assert _stored(engine, "reference", "version", "is_current", current_only=False) == [
        ("A", 1, False), ("A", 2, True), ("B", 1, True),
    ]  # fmt: skip
    with engine.connect() as conn:
        values = conn.execute(select(goods_items.c.value).join(consignments).where(consignments.c.reference == "A")
                              .order_by(consignments.c.version)).scalars().all()  # fmt: skip
        runs = conn.execute(select(intake_runs.c.accepted, intake_runs.c.amended, intake_runs.c.unchanged).order_by(intake_runs.c.id)).all()
    assert values == [38.5, 99.0]
    assert [tuple(r) for r in runs] == [(2, 0, 0), (0, 0, 2), (0, 1, 1)]


def test_grouped_rows_form_one_consignment_across_batches(tmp_path, engine, settings):
    settings.batch_size = 2
    rows = [row("A", hs_code="940521"), row("A", hs_code="610910", description="cotton t-shirt"), row("A", hs_code="950300", description="plastic toy car"),
            row("B"), row("C"), row("C", hs_code="999999")]  # fmt: skip
    summary = _run(tmp_path, engine, settings, rows, {"group_by": ["reference"], "fields": {}})
    assert (summary.accepted, summary.rejected_rows) == (2, 2)
    with engine.connect() as conn:
        items = conn.execute(select(consignments.c.reference, goods_items.c.item_no, goods_items.c.hs_code).join(goods_items)
                             .order_by(consignments.c.reference, goods_items.c.item_no)).all()  # fmt: skip
    assert [tuple(i) for i in items] == [("A", 1, "940521"), ("A", 2, "610910"), ("A", 3, "950300"), ("B", 1, "940521")]
    rejects = read_rejects(summary.rejects_path)
    assert [(r["row"], r["code"], r["message"]) for r in rejects] == [
        ("6", "rejected_with_consignment", "rejected with its consignment, which starts at row 6"),
        ("7", "unknown_code", "HS subheading '999999' exists in no HS edition (HS 2017, HS 2022)"),
    ]


def test_mapping_renames_translates_and_sets_constants(tmp_path, engine, settings):
    mapping = {
        "fields": {
            "reference": "Ref", "declared_date": {"column": "Datum", "format": "%d.%m.%Y"}, "destination_country": {"value": "DE"},
            "hs_code": "Tarif", "value": {"column": "Wert", "decimal": ","}, "currency": {"value": "EUR"},
            "transport_mode": {"column": "Modus", "map": {"4": "air", "5": "post"}}, "description": "Ware",
        },
        "extra": {"customs_procedure": "Verfahren"},
    }  # fmt: skip
    rows = [{"Ref": "K-1", "Datum": "03.02.2025", "Tarif": "8517.13", "Wert": "1.234,50", "Modus": "5", "Ware": "Smartphone", "Verfahren": "4000"}]
    summary = _run(tmp_path, engine, settings, rows, mapping, submitter="Deutsche Paketdienst")
    assert summary.accepted == 1, read_rejects(summary.rejects_path)
    assert _stored(engine, "submitter", "reference", "transport_mode", "declared_date", "extra")[0][:3] == ("Deutsche Paketdienst", "K-1", "post")
    stored = _stored(engine, "declared_date", "extra")[0]
    assert (str(stored[0]), stored[1]) == ("2025-02-03", '{"customs_procedure":"4000"}')
    with engine.connect() as conn:
        assert tuple(conn.execute(select(goods_items.c.hs_code, goods_items.c.value)).one()) == ("851713", 1234.5)


def test_poor_data_is_accepted_with_findings_and_an_rfi(tmp_path, engine, settings):
    rows = [row("CLEAN"), row("VAGUE", description="gift", consignee_name="N/A"), row("CHEAP", value="0")]
    summary = _run(tmp_path, engine, settings, rows)
    assert (summary.accepted, summary.rejected_rows, summary.rfis) == (3, 0, 1)
    with engine.connect() as conn:
        found = conn.execute(select(consignments.c.reference, quality_findings.c.code).join(quality_findings)
                             .order_by(consignments.c.reference, quality_findings.c.code)).all()  # fmt: skip
        request = conn.execute(select(rfis.c.submitter, rfis.c.status, rfis.c.request)).one()
    assert [tuple(f) for f in found] == [("CHEAP", "value_zero"), ("VAGUE", "description_vague"), ("VAGUE", "party_name_placeholder")]
    assert request.submitter == "Parcelwave" and request.status == "open"
    assert "'gift' does not say what the goods are" in request.request and "the consignee's name 'N/A' is a placeholder" in request.request
    scores = dict(_stored(engine, "reference", "quality_score"))
    assert scores["CLEAN"] == 1.0 and scores["CHEAP"] == pytest.approx(0.6) and scores["VAGUE"] == pytest.approx(0.16)


def test_outcome_columns_are_optional(tmp_path, engine, settings):
    mapping = {"fields": {}, "outcome": {"result": {"column": "Fraud", "map": {"0": "no_finding", "1": "non_compliance"}}}}
    _run(tmp_path, engine, settings, [row("A") | {"Fraud": "1"}, row("B") | {"Fraud": "0"}], mapping)
    with engine.connect() as conn:
        recorded = conn.execute(select(consignments.c.reference, outcomes.c.result).join(outcomes).order_by(consignments.c.reference)).all()
    assert [tuple(r) for r in recorded] == [("A", "non_compliance"), ("B", "no_finding")]
    without = _run(tmp_path, engine, settings, [row("C")], mapping)
    assert (without.accepted, without.outcomes, without.absent) == (1, 0, ["outcome.result"])
