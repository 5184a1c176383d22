"""The API and the web forms under hostile input (issue 9, items 14 and 15): a request too large
is refused at once with 413 and what to do; heavy work stays off the event loop; JSON that
cannot be stored (lone surrogates, NaN, Infinity) is a 4xx naming the field; and no error
answer echoes what was sent. Runs on SQLite and on PostgreSQL."""

import asyncio
import json
import threading
import time

import pytest

from service_fixtures import PASSWORD, consignment, make_world, submit_sample
from smartborder.api.models import MAX_SUBMISSION_ITEMS

SECRET = "do-not-echo-4711"  # sent in bodies that fail: no answer may carry it back


@pytest.fixture
def world(tmp_path, database_url):
    made = make_world(tmp_path, database_url)
    made.client.headers["Origin"] = str(made.client.base_url)  # the web forms are posted from the site's own pages
    with made.client:
        yield made


def _post_json(world, path: str, text: str, who: str | None = None):
    headers = {"Content-Type": "application/json"} | (world.as_(who) if who else {})
    return world.client.post(path, content=text.encode("utf-8", "surrogatepass"), headers=headers)


def _refused_naming(answer, field: str) -> None:
    """A 4xx whose errors name `field` and do not repeat what was sent."""
    assert 400 <= answer.status_code < 500, answer.text
    detail = answer.json()["detail"]
    assert any(field in map(str, error["loc"]) for error in detail), answer.text
    assert SECRET not in answer.text and all("input" not in error for error in detail), answer.text


# --- item 15: JSON that cannot be stored or answered ---------------------------------------------

UNSTORABLE = {  # what replaces the JSON value of a field, and why it cannot be taken
    "lone high surrogate": '"\\ud800"',
    "lone low surrogate": f'"{SECRET}\\udfff"',
    "NaN": "NaN",
    "Infinity": "Infinity",
    "-Infinity": "-Infinity",
}


def _with(record: dict, field: str, json_value: str) -> str:
    """`record` as JSON text with `field`'s value replaced by the raw JSON `json_value`."""
    return json.dumps(record | {field: "@@"}).replace('"@@"', json_value)


@pytest.mark.parametrize("value", list(UNSTORABLE.values()), ids=list(UNSTORABLE))
def test_unstorable_json_in_a_submission_is_a_4xx_naming_the_field(world, value):
    body = '{"consignments": [' + _with(consignment("BZ-1", consignor_name=SECRET), "consignee_name", value) + "]}"
    _refused_naming(_post_json(world, "/v1/submissions", body, "bazaro"), "consignee_name")
    item = consignment("x")["items"][0]
    number_or_text = "gross_mass" if not value.startswith('"') else "description"
    with_item = json.dumps(consignment("BZ-2") | {"items": ["@item"]}).replace('"@item"', _with(item, number_or_text, value))
    nested = '{"consignments": [' + with_item + "]}"
    _refused_naming(_post_json(world, "/v1/submissions", nested, "bazaro"), number_or_text)
    assert world.client.get("/v1/submissions", headers=world.as_("bazaro")).json()["total"] == 0


@pytest.mark.parametrize("value", list(UNSTORABLE.values()), ids=list(UNSTORABLE))
def test_unstorable_json_in_an_assessment_or_a_sign_in_is_a_4xx_naming_the_field(world, value):
    record = consignment("CHK-1", consignor_name=SECRET) | {"submitter": "Bazaro"}
    _refused_naming(_post_json(world, "/v1/assess", _with(record, "consignee_name", value), "officer.de"), "consignee_name")
    _refused_naming(_post_json(world, "/v1/auth/token", _with({"username": "officer.de"}, "password", value)), "password")


def test_a_lone_surrogate_in_a_key_is_a_4xx_naming_the_object_that_holds_it(world):
    body = '{"consignments": [' + json.dumps(consignment("BZ-1") | {"@key": SECRET}).replace('"@key"', '"\\ud800"') + "]}"
    answer = _post_json(world, "/v1/submissions", body, "bazaro")
    assert answer.status_code == 422 and [e["loc"] for e in answer.json()["detail"]] == [["body", "consignments", 0]], answer.text
    assert SECRET not in answer.text
    answer = _post_json(world, "/v1/auth/token", '{"username": "officer.de", "password": "x", "\\udc00": 1}')
    assert answer.status_code == 422 and [e["loc"] for e in answer.json()["detail"]] == [["body"]], answer.text


def test_non_finite_numbers_are_refused_in_every_request_model(world):
    sample = submit_sample(world)
    outcome = _post_json(world, f"/v1/consignments/{sample.red_de}/outcomes",
                         _with({"result": "seizure", "control_type": "physical"}, "extra_duty", "Infinity"), "officer.de")  # fmt: skip
    _refused_naming(outcome, "extra_duty")
    upload = {"kind": "party", "source": "test", "date": "2026-01-01", "content": "id,name,country\nX-1,Somebody,RU\n"}
    answer = world.client.put("/v1/watchlists/parties", content=_with(upload, "weight", "NaN"),
                              headers=world.as_("analyst.de") | {"Content-Type": "application/json"})  # fmt: skip
    _refused_naming(answer, "weight")


def test_a_validation_error_names_the_field_without_echoing_the_request(world):
    answer = world.client.post("/v1/auth/token", json={"username": "officer.de", "password": SECRET * 30})  # over 200 characters
    _refused_naming(answer, "password")
    assert answer.json()["detail"][0]["type"] == "string_too_long" and "200" in answer.json()["detail"][0]["msg"]
    answer = world.client.post("/v1/submissions", json={"consignments": [consignment("BZ-1", colour=SECRET)]}, headers=world.as_("bazaro"))
    _refused_naming(answer, "colour")
    answer = _post_json(world, "/v1/submissions", '{"consignments": [{"reference": "' + SECRET + '"', "bazaro")  # cut short
    assert answer.status_code == 422 and SECRET not in answer.text and "JSON" in answer.json()["detail"][0]["msg"], answer.text


@pytest.mark.parametrize("text", ["%ED%A0%80", "%00", "a%00b%ED%B0%80"], ids=["surrogate", "NUL", "both"])
def test_surrogates_and_nul_in_paths_and_queries_are_4xx(world, text):
    for path, who in ((f"/v1/submissions/{text}", "bazaro"), (f"/v1/queue?lane={text}", "officer.de"), (f"/v1/submissions?page={text}", "bazaro"),
                      (f"/v1/profiles/{text}", "analyst.de"), (f"/v1/watchlists/{text}/entries?q={text}", "analyst.de")):  # fmt: skip
        answer = world.client.get(path, headers=world.as_(who))
        assert 400 <= answer.status_code < 500, (path, answer.status_code, answer.text)


@pytest.mark.parametrize("text", ["\ud800", "\x00"], ids=["surrogate", "NUL"])
def test_surrogates_and_nul_in_web_forms_are_not_a_server_error(world, text):
    client = world.client
    raw = text.encode("utf-8", "surrogatepass")
    for form in ({"username": "officer.de" + text, "password": PASSWORD}, {"username": "officer.de", "password": PASSWORD + text}):
        signed = client.post("/signin", content=b"&".join(k.encode() + b"=" + v.encode("utf-8", "surrogatepass") for k, v in form.items()),
                             headers={"Content-Type": "application/x-www-form-urlencoded"}, follow_redirects=False)  # fmt: skip
        assert signed.status_code < 500, signed.text
    multipart = client.post("/signin", files={"username": (None, b"officer.de" + raw), "password": (None, PASSWORD.encode())}, follow_redirects=False)
    assert multipart.status_code < 500, multipart.text
    sample = submit_sample(world)
    assert client.post("/signin", data={"username": "analyst.de", "password": PASSWORD}, follow_redirects=False).status_code == 303
    noted = client.post(f"/consignments/{sample.red_de}/outcomes", files={"result": (None, b"no_finding"), "control_type": (None, b"documentary"),
                                                                          "note": (None, b"checked " + raw)})  # fmt: skip
    assert noted.status_code == 422 and "note" in noted.text, noted.text
    profile = client.post("/profiles/new", files={"yaml": (None, b"id: X-1\ntitle: t" + raw + b"\n")})
    assert 400 <= profile.status_code < 500, profile.text
    csv = b"id,name,country\nX-1,Some" + raw + b"body,RU\n"
    listed = client.post("/watchlists", files={"name": (None, b"parties"), "kind": (None, b"party"), "source": (None, b"test" + raw),
                                               "date": (None, b"2026-01-01"), "file": ("l.csv", csv)})  # fmt: skip
    assert 400 <= listed.status_code < 500, listed.text


# --- item 14: a request too large is refused at once, and the server keeps answering ---------------


def test_a_body_over_the_limit_is_413_at_once_with_what_to_do(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("SMARTBORDER_MAX_REQUEST_BYTES", "100000")
    world = make_world(tmp_path, database_url)
    body = json.dumps({"consignments": [consignment(f"BZ-{n}") for n in range(200)]}).encode()  # valid, and over 100,000 bytes
    assert len(body) > 100_000
    with world.client:
        for content in (body, iter([body[:50_000], body[50_000:]])):  # with Content-Length, and streamed (chunked, no length)
            answer = world.client.post("/v1/submissions", content=content, headers=world.as_("bazaro") | {"Content-Type": "application/json"})
            assert answer.status_code == 413, answer.text
            assert "100,000 bytes" in answer.json()["detail"] and "split" in answer.json()["detail"], answer.text
        form = world.client.post("/signin", data={"username": "officer.de", "password": "x" * 100_001}, follow_redirects=False)
        assert form.status_code == 413
        assert world.client.get("/v1/submissions", headers=world.as_("bazaro")).json()["total"] == 0
        small = world.client.post("/v1/submissions", json={"consignments": [consignment("BZ-1")]}, headers=world.as_("bazaro"))
        assert small.status_code == 200, small.text


def test_too_many_goods_items_in_one_submission_is_413_before_the_items_are_validated(world):
    per_consignment = 999
    count = MAX_SUBMISSION_ITEMS // per_consignment + 1
    bad_item = {"hs_code": "not a code", "value": -1, "colour": "red"}  # each item would be three errors if it were validated
    body = {"consignments": [consignment(f"BZ-{n}") | {"items": [bad_item] * per_consignment} for n in range(count)]}
    started = time.monotonic()
    answer = world.client.post("/v1/submissions", json=body, headers=world.as_("bazaro"))
    assert answer.status_code == 413, answer.text[:500]
    detail = answer.json()["detail"]
    assert f"{MAX_SUBMISSION_ITEMS:,}" in detail and f"{count * per_consignment:,}" in detail and "split" in detail, detail
    assert time.monotonic() - started < 30
    fits = {"consignments": [consignment("BZ-1") | {"items": [bad_item]}]}  # the same items, few of them: validated, and named
    assert world.client.post("/v1/submissions", json=fits, headers=world.as_("bazaro")).status_code == 422


def test_a_get_is_answered_while_a_large_submission_is_processed(world):
    item = consignment("x")["items"][0] | {"description": "LED desk lamp with USB charger " * 15}
    items = [item | {"value": 1.0 + k} for k in range(10)]
    large = {"consignments": [consignment(f"BZ-{n}") | {"items": items} for n in range(MAX_SUBMISSION_ITEMS // len(items))]}
    finished: dict[str, float] = {}

    def submit():
        answer = world.client.post("/v1/submissions", json=large, headers=world.as_("bazaro"))
        finished["submission"] = time.monotonic()
        finished["status"] = answer.status_code

    sending = threading.Thread(target=submit)
    sending.start()
    time.sleep(0.3)  # the submission is being read, decoded and validated
    assert world.client.get("/v1/submissions/rfis", headers=world.as_("bazaro")).status_code == 200
    finished["get"] = time.monotonic()
    sending.join(120)
    assert finished["status"] == 200
    assert finished["get"] < finished["submission"], finished


def test_submissions_and_assessments_are_decoded_off_the_event_loop(world, monkeypatch):
    decoded_on_the_loop = []
    loads = json.loads

    def watched(text, *args, **kwargs):
        try:
            asyncio.get_running_loop()
            decoded_on_the_loop.append(text)
        except RuntimeError:  # a worker thread: no event loop there
            pass
        return loads(text, *args, **kwargs)

    monkeypatch.setattr(json, "loads", watched)
    sent = world.client.post("/v1/submissions", json={"consignments": [consignment("BZ-LOOP")]}, headers=world.as_("bazaro"))
    assessed = world.client.post("/v1/assess", json=consignment("CHK-LOOP") | {"submitter": "Bazaro"}, headers=world.as_("officer.de"))
    amended = world.client.put("/v1/submissions/BZ-LOOP", json=consignment("BZ-LOOP", carrier="Other"), headers=world.as_("bazaro"))
    assert (sent.status_code, assessed.status_code, amended.status_code) == (200, 200, 200), (sent.text, assessed.text, amended.text)
    assert not [text for text in decoded_on_the_loop if b"-LOOP" in (text if isinstance(text, bytes) else text.encode())]
