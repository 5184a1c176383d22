"""The store holds what was sent, or says why not: text with NUL characters on both stores (issue 9,
item 2), re-ingesting a file with a reference used across batches (item 5), and a dead writer
process (item 13)."""

import os
import signal
import sys

import orjson
import pytest
from sqlalchemy import select, text

from factories import read_rejects, row, write_csv
from service_fixtures import consignment, make_world
from smartborder.intake.pipeline import ingest
from smartborder.intake.mapping import Mapping, resolve
from smartborder.intake.prepare import prepare
from smartborder.intake.writer import WriterError
from smartborder.intake.readers import records_frame
from smartborder.store.db import open_store
from smartborder.store.tables import consignments, goods_items, intake_runs, rejections

NUL = "\x00"


def _stored(engine) -> list[tuple]:
    """Every stored version: reference, version, whether current, its description."""
    query = (
        select(consignments.c.reference, consignments.c.version, consignments.c.is_current, goods_items.c.description)
        .join(goods_items, goods_items.c.consignment_id == consignments.c.id)
        .order_by(consignments.c.reference, consignments.c.version)
    )
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]


def _runs(engine) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(intake_runs).order_by(intake_runs.c.id)))


# --- item 2: a NUL character (U+0000) rejects its row, on SQLite and PostgreSQL alike -------------

NUL_CASES = {  # a field and the text that holds a NUL there; the reason must name the field
    "description": {"description": f"LED lamp{NUL} with charger"},
    "consignor_name": {"consignor_name": f"{NUL}Shenzhen Bright"},
    "destination_country": {"destination_country": f"D{NUL}E"},  # a code: its other rejection would quote the NUL
    "quantity": {"quantity": f"2{NUL}"},  # a number: "'2\0' is not a number" would quote it
}


@pytest.mark.parametrize("field", list(NUL_CASES))
def test_a_nul_character_rejects_its_row_and_the_rest_is_stored(settings, tmp_path, field):
    engine = open_store(settings)
    rows = [row(f"R{i}") for i in range(1, 6)]
    rows[2] |= NUL_CASES[field]
    summary = ingest(write_csv(tmp_path / "in.csv", rows), engine, settings)
    assert (summary.accepted, summary.rejected_rows) == (4, 1)
    assert [r[0] for r in _stored(engine)] == ["R1", "R2", "R4", "R5"]
    rejects = read_rejects(summary.rejects_path)
    assert {(r["row"], r["reference"], r["field"], r["code"]) for r in rejects} == {("4", "R3", field, "invalid")}
    assert "NUL" in rejects[0]["message"] and NUL not in rejects[0]["message"]
    assert _runs(engine)[-1].accepted == 4
    engine.dispose()


def test_a_nul_in_the_reference_is_rejected_and_quoted_safely(settings, tmp_path):
    engine = open_store(settings)
    summary = ingest(write_csv(tmp_path / "in.csv", [row("R1"), row(f"R{NUL}2"), row("R3")]), engine, settings)
    assert (summary.accepted, summary.rejected_rows) == (2, 1)
    with engine.connect() as conn:
        stored = conn.execute(select(rejections.c.row, rejections.c.reference, rejections.c.field)).all()
    assert stored == [(3, "R\\u00002", "reference")]  # the rejection names it, escaped: a NUL is stored nowhere
    engine.dispose()


def test_a_nul_in_an_extra_attribute_or_an_outcome_rejects_its_row(settings, tmp_path):
    engine = open_store(settings)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("extra: {tax_rate: Tax Rate}\noutcome: {result: Result, officer: Officer}\n")
    rows = [row("R1") | {"Tax Rate": "0.1", "Result": "no_finding", "Officer": "A"},
            row("R2") | {"Tax Rate": f"0{NUL}.2", "Result": "no_finding", "Officer": "B"},
            row("R3") | {"Tax Rate": "0.3", "Result": "no_finding", "Officer": f"C{NUL}"}]  # fmt: skip
    summary = ingest(write_csv(tmp_path / "in.csv", rows), engine, settings, mapping_path=mapping)
    assert (summary.accepted, summary.rejected_rows) == (1, 2)
    assert {(r["row"], r["field"]) for r in read_rejects(summary.rejects_path)} == {("3", "extra.tax_rate"), ("4", "outcome_officer")}
    engine.dispose()


def test_a_nul_in_an_ndjson_file_rejects_its_line(settings, tmp_path):
    engine = open_store(settings)
    lines = [consignment("N1"), consignment("N2", item={"description": f"lamp{NUL}"}), consignment("N3", consignee_name=f"A{NUL}")]
    path = tmp_path / "in.ndjson"
    path.write_bytes(b"\n".join(orjson.dumps(c | {"submitter": "Bazaro"}) for c in lines) + b"\n")
    summary = ingest(path, engine, settings)
    assert (summary.accepted, summary.rejected_rows) == (1, 2)
    assert {(r["row"], r["field"]) for r in read_rejects(summary.rejects_path)} == {("2", "description"), ("3", "consignee_name")}
    engine.dispose()


def test_submitting_999_good_and_one_with_a_nul_stores_the_999(tmp_path, database_url):
    world = make_world(tmp_path, database_url)
    records = [consignment(f"BZ-{i}") for i in range(999)] + [consignment("BZ-NUL", item={"description": "lamp\u0000"})]
    with world.client:
        sent = world.client.post("/v1/submissions", json={"consignments": records}, headers=world.as_("bazaro"))
        assert sent.status_code == 200, sent.text
        body = sent.json()
        assert (body["accepted"], body["rejected"]) == (999, 1)
        bad = body["consignments"][-1]
        assert bad["result"] == "rejected" and [e["field"] for e in bad["errors"]] == ["description"] and "NUL" in bad["errors"][0]["message"]
        engine = world.client.app.state.service.engine
        assert len(_stored(engine)) == 999


def test_a_nul_in_a_reference_through_the_api_is_a_rejection_or_a_4xx_never_a_500(tmp_path, database_url):
    world = make_world(tmp_path, database_url)
    with world.client:
        records = [consignment("BZ-1"), consignment("BZ\u00002")]
        sent = world.client.post("/v1/submissions", json={"consignments": records}, headers=world.as_("bazaro"))
        assert sent.status_code == 200 and sent.json()["accepted"] == 1, sent.text
        assert [e["field"] for e in sent.json()["consignments"][1]["errors"]] == ["reference"]
        for method, path in (("GET", "/v1/submissions/BZ%002"), ("PUT", "/v1/submissions/BZ%002")):
            answer = world.client.request(method, path, json=consignment("BZ\u00002"), headers=world.as_("bazaro"))
            assert answer.status_code == 422, (method, answer.text)


def test_an_rfi_answer_with_a_nul_is_refused_naming_the_field(tmp_path, database_url):
    world = make_world(tmp_path, database_url)
    with world.client:
        vague = consignment("BZ-VAGUE", item={"description": "gift"})
        assert world.client.post("/v1/submissions", json={"consignments": [vague]}, headers=world.as_("bazaro")).status_code == 200
        (rfi,) = world.client.get("/v1/submissions/rfis", headers=world.as_("bazaro")).json()["items"]
        answer = world.client.post(f"/v1/submissions/rfis/{rfi['id']}/answer", json={"answer": "a lamp\u0000"}, headers=world.as_("bazaro"))
        assert answer.status_code == 422 and "answer" in answer.text and "NUL" in answer.text, answer.text
        fine = world.client.post(f"/v1/submissions/rfis/{rfi['id']}/answer", json={"answer": "a lamp"}, headers=world.as_("bazaro"))
        assert fine.status_code == 200 and fine.json()["status"] == "answered"


# --- item 5: the same file ingested again changes nothing ------------------------------------------


def test_reingesting_a_file_with_a_reference_used_across_batches_is_idempotent(settings, tmp_path):
    engine = open_store(settings)
    settings.batch_size = 2
    path = write_csv(tmp_path / "in.csv", [row("R1"), row("R2"), row("R3"), row("R1", description="Ceramic mug")])
    after_first = None
    for run in (1, 2, 3):
        summary = ingest(path, engine, settings)
        rejects = read_rejects(summary.rejects_path)
        assert [(r["row"], r["reference"], r["code"]) for r in rejects] == [("5", "R1", "duplicate_reference")], f"run {run}"
        assert "row 2 " in rejects[0]["message"]  # the first occurrence, whatever the store holds
        assert (summary.accepted if run == 1 else summary.unchanged, summary.amended) == (3, 0), f"run {run}"
        stored = _stored(engine)
        after_first = after_first or stored
        assert stored == after_first, f"run {run}"
    assert after_first == [("R1", 1, True, "LED desk lamp with USB charger"), ("R2", 1, True, "LED desk lamp with USB charger"),
                           ("R3", 1, True, "LED desk lamp with USB charger")]  # fmt: skip
    engine.dispose()


def test_an_in_batch_duplicate_names_the_first_row():
    frame = records_frame([row("A") | {"row": 1}, row("B") | {"row": 2}, row("A", description="Mug") | {"row": 3}])
    prepared = prepare(frame, resolve(Mapping(), frame.columns, None), [], [], 0.6)
    (reject,) = prepared.rejects.to_dicts()
    assert (reject["row"], reject["code"]) == (3, "duplicate_reference")
    assert reject["message"] == "reference 'A' is already used by the consignment at row 1 of this file"


# --- item 13: a dead writer process is restarted; one that cannot start is a 503 -------------------


def _writer_pid(world) -> int:
    return world.client.app.state.service.inbox._writer._process.pid


def test_a_killed_writer_is_restarted_and_the_batch_retried(tmp_path, database_url):
    world = make_world(tmp_path, database_url)
    with world.client:
        first = world.client.post("/v1/submissions", json={"consignments": [consignment("BZ-1")]}, headers=world.as_("bazaro"))
        assert first.status_code == 200 and first.json()["accepted"] == 1
        killed = _writer_pid(world)
        os.kill(killed, signal.SIGKILL)
        second = world.client.post("/v1/submissions", json={"consignments": [consignment("BZ-2")]}, headers=world.as_("bazaro"))
        assert second.status_code == 200 and second.json()["accepted"] == 1, second.text
        assert _writer_pid(world) != killed
        engine = world.client.app.state.service.engine
        runs = _runs(engine)
        assert [r.status for r in runs] == ["finished", "failed", "finished"]
        assert "writer process ended" in runs[1].error and runs[1].finished_at is not None
        assert [r[0] for r in _stored(engine)] == ["BZ-1", "BZ-2"]


def test_a_writer_that_cannot_start_is_a_503_with_retry_after(tmp_path, database_url, monkeypatch):
    world = make_world(tmp_path, database_url)
    with world.client:
        monkeypatch.setattr(sys, "executable", "/bin/false")  # the writer process exits at once
        refused = world.client.post("/v1/submissions", json={"consignments": [consignment("BZ-1")]}, headers=world.as_("bazaro"))
        assert refused.status_code == 503 and int(refused.headers["Retry-After"]) > 0, refused.text
        assert "writer" in refused.json()["detail"]
        monkeypatch.undo()  # the writer can start again: the next submission is stored
        sent = world.client.post("/v1/submissions", json={"consignments": [consignment("BZ-1")]}, headers=world.as_("bazaro"))
        assert sent.status_code == 200 and sent.json()["accepted"] == 1, sent.text
        runs = _runs(world.client.app.state.service.engine)
        assert [r.status for r in runs] == ["failed", "failed", "finished"]


def test_a_failed_file_ingest_is_marked_failed(settings, tmp_path, monkeypatch):
    engine = open_store(settings)
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(Exception, match="writer process"):
        ingest(write_csv(tmp_path / "in.csv", [row("R1")]), engine, settings)
    (run,) = _runs(engine)
    assert run.status == "failed" and "writer process" in run.error and run.finished_at is not None
    engine.dispose()


def test_a_batch_failing_in_the_store_marks_the_run_failed_with_its_error(settings, tmp_path):
    engine = open_store(settings)
    settings.batch_size = 2
    with engine.begin() as conn:  # a value no consignment row can have breaks the second batch in the store
        conn.execute(text("CREATE UNIQUE INDEX trap ON consignments (office)"))
    rows = [row("A", office="1"), row("B", office="2"), row("C", office="1"), row("D", office="4")]
    with pytest.raises(WriterError, match="(?i)unique"):
        ingest(write_csv(tmp_path / "in.csv", rows), engine, settings)
    (run,) = _runs(engine)
    assert (run.status, run.accepted) == ("failed", 2) and "unique" in run.error.lower() and run.finished_at is not None
    engine.dispose()
