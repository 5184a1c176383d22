"""The REST API as its users meet it: submitters, officers, analysts and admins, each in their
own organisation. Runs on SQLite and on PostgreSQL."""

import pytest
from sqlalchemy import select, text

from service_fixtures import MEDICINES, PASSWORD, consignment, make_world
from smartborder.service import accounts
from smartborder.store.tables import api_tokens, audit_log, users


@pytest.fixture
def world(tmp_path, database_url):
    made = make_world(tmp_path, database_url)
    with made.client:
        yield made


def _submit(world, who, *records):
    return world.client.post("/v1/submissions", json={"consignments": list(records)}, headers=world.as_(who))


def _queue(world, who, **params):
    response = world.client.get("/v1/queue", params=params, headers=world.as_(who))
    assert response.status_code == 200, response.text
    return response.json()


def test_submission_is_stored_assessed_and_reported_without_scores(world):
    response = _submit(world, "bazaro", consignment("BZ-1"), consignment("BZ-2", item=MEDICINES))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (2, 0)
    assert [c["status"] for c in body["consignments"]] == ["released", "held"]
    for path in ("/v1/submissions", "/v1/submissions/BZ-2"):
        shown = world.client.get(path, headers=world.as_("bazaro")).text
        assert "risk" not in shown and "reason" not in shown and "MED-T1" not in shown and "profile" not in shown
    queued = _queue(world, "officer.de")
    assert [(c["reference"], c["lane"]) for c in queued["items"]] == [("BZ-2", "red")]


def test_resubmission_unchanged_then_amended_keeps_versions(world):
    _submit(world, "bazaro", consignment("BZ-1"))
    assert _submit(world, "bazaro", consignment("BZ-1")).json()["unchanged"] == 1
    amended = world.client.put("/v1/submissions/BZ-1", json=consignment("BZ-1", item=MEDICINES), headers=world.as_("bazaro"))
    assert amended.status_code == 200, amended.text
    assert (amended.json()["result"], amended.json()["status"]) == ("amended", "held")
    assert world.client.get("/v1/submissions/BZ-1", headers=world.as_("bazaro")).json()["version"] == 2
    assert world.client.put("/v1/submissions/NOPE", json=consignment("NOPE"), headers=world.as_("bazaro")).status_code == 404
    mismatch = world.client.put("/v1/submissions/BZ-1", json=consignment("BZ-9"), headers=world.as_("bazaro"))
    assert mismatch.status_code == 422 and "reference" in mismatch.text


def test_rejected_consignments_name_field_and_reason(world):
    response = _submit(world, "bazaro", consignment("BZ-1"), consignment("BZ-2", destination_country="QQ"))
    assert response.status_code == 200
    rejected = response.json()["consignments"][1]
    assert rejected["result"] == "rejected" and rejected["errors"][0]["field"] == "destination_country"
    only_bad = _submit(world, "bazaro", consignment("BZ-3", item={"hs_code": "999999"}))
    assert only_bad.status_code == 422 and "hs_code" in only_bad.text


@pytest.mark.parametrize(
    "change, field",
    [
        ({"colour": "red"}, "colour"),  # unknown field
        ({"declared_date": "yesterday"}, "declared_date"),  # not a date
        ({"transport_mode": "teleport"}, "transport_mode"),  # not a choice
        ({"items": [{"hs_code": "940521", "value": -5}]}, "value"),  # out of range
        ({"items": [{"hs_code": "940521", "quantity": "2"}]}, "quantity"),  # a string for a number
        ({"items": []}, "items"),  # no goods
    ],
)
def test_strict_requests_name_the_field(world, change, field):
    response = _submit(world, "bazaro", consignment("BZ-1") | change)
    assert response.status_code == 422
    assert any(field in map(str, error["loc"]) for error in response.json()["detail"]), response.text


def test_tenancy_administrations_and_submitters_see_only_their_own(world):
    _submit(world, "bazaro", consignment("BZ-DE", item=MEDICINES), consignment("BZ-FR", "FR", item=MEDICINES))
    _submit(world, "parcelwave", consignment("PW-DE", item=MEDICINES))
    de = {c["reference"]: c["id"] for c in _queue(world, "officer.de")["items"]}
    fr = {c["reference"]: c["id"] for c in _queue(world, "officer.fr")["items"]}
    assert set(de) == {"BZ-DE", "PW-DE"} and set(fr) == {"BZ-FR"}
    # an officer of France cannot read, nor record an outcome for, a consignment bound for Germany
    assert world.client.get(f"/v1/consignments/{de['BZ-DE']}", headers=world.as_("officer.fr")).status_code == 404
    seizure = {"result": "seizure", "control_type": "physical", "finding_kind": "counterfeit"}
    assert world.client.post(f"/v1/consignments/{de['BZ-DE']}/outcomes", json=seizure, headers=world.as_("officer.fr")).status_code == 404
    assert world.client.get(f"/v1/consignments/{de['BZ-DE']}", headers=world.as_("officer.de")).status_code == 200
    # a submitter cannot read another submitter's consignment, even knowing its reference
    assert world.client.get("/v1/submissions/PW-DE", headers=world.as_("bazaro")).status_code == 404
    listed = world.client.get("/v1/submissions", headers=world.as_("bazaro")).json()
    assert {c["reference"] for c in listed["items"]} == {"BZ-DE", "BZ-FR"} and listed["total"] == 2
    assert world.client.put("/v1/submissions/PW-DE", json=consignment("PW-DE"), headers=world.as_("bazaro")).status_code == 404


def test_roles(world):
    assert world.client.get("/v1/queue").status_code == 401
    assert world.client.get("/v1/queue", headers={"Authorization": "Bearer sb_not-a-token"}).status_code == 401
    assert world.client.get("/v1/queue", headers=world.as_("bazaro")).status_code == 403
    assert _submit(world, "officer.de", consignment("X")).status_code == 403
    assert world.client.post("/v1/profiles", json={"yaml": "id: X"}, headers=world.as_("officer.de")).status_code == 403
    assert world.client.get("/v1/users", headers=world.as_("analyst.de")).status_code == 403
    assert world.client.get("/v1/users", headers=world.as_("admin")).status_code == 200


def test_outcome_changes_hit_rate_and_is_audited(world):
    _submit(world, "bazaro", consignment("BZ-1", item=MEDICINES), consignment("BZ-2", item=MEDICINES))
    ids = [c["id"] for c in _queue(world, "officer.de")["items"]]
    stats = lambda: next(p for p in world.client.get("/v1/profiles", headers=world.as_("officer.de")).json() if p["id"] == "MED-T1")  # noqa: E731
    assert (stats()["hits"], stats()["hit_rate"]) == (2, None)
    recorded = world.client.post(f"/v1/consignments/{ids[0]}/outcomes", headers=world.as_("officer.de"),
                                 json={"result": "seizure", "control_type": "physical", "finding_kind": "prohibited_restricted", "quantity_seized": 30})  # fmt: skip
    assert recorded.status_code == 201 and recorded.json()["officer"] == "officer.de"
    world.client.post(f"/v1/consignments/{ids[1]}/outcomes", json={"result": "no_finding", "control_type": "physical"}, headers=world.as_("officer.de"))
    assert (stats()["inspected"], stats()["found"], stats()["hit_rate"]) == (2, 1, 0.5)
    assert _queue(world, "officer.de")["total"] == 0  # inspected consignments leave the queue
    detail = world.client.get(f"/v1/consignments/{ids[0]}", headers=world.as_("officer.de")).json()
    assert "profile MED-T1" in detail["assessments"][0]["reasons"][0] and detail["outcomes"][0]["result"] == "seizure"
    assert world.client.get("/v1/submissions/BZ-1", headers=world.as_("bazaro")).json()["status"] == "detained"
    log = world.client.get("/v1/audit", headers=world.as_("analyst.de")).json()
    assert [(e["username"], e["action"]) for e in log] == [("officer.de", "outcome.record")] * 2
    bad = world.client.post(f"/v1/consignments/{ids[0]}/outcomes", json={"result": "no_finding", "control_type": "physical", "finding_kind": "drugs"},
                            headers=world.as_("officer.de"))  # fmt: skip
    assert bad.status_code == 422 and "finding_kind" in bad.text


def test_profiles_created_edited_retired_with_audit(world):
    analyst = world.as_("analyst.de")
    new = "id: TOB-T1\ntitle: Tobacco\nrationale: r\nowner: o\nexpected_selection_rate: 0.01\nwhen:\n  hs_code: {prefix: ['2402']}\neffect: {lane: yellow}\n"
    assert world.client.post("/v1/profiles", json={"yaml": new}, headers=analyst).status_code == 201
    assert world.client.post("/v1/profiles", json={"yaml": new}, headers=analyst).status_code == 409
    broken = world.client.post("/v1/profiles", json={"yaml": new.replace("hs_code", "hs_kode").replace("TOB-T1", "TOB-T2")}, headers=analyst)
    assert broken.status_code == 422 and "line 7" in broken.json()["detail"] and "hs_kode" in broken.json()["detail"]
    edited = world.client.put("/v1/profiles/TOB-T1", json={"yaml": new.replace("yellow", "red")}, headers=analyst)
    assert edited.status_code == 200
    assert world.client.post("/v1/profiles/TOB-T1/retire", headers=analyst).status_code == 204
    listed = {p["id"]: p["status"] for p in world.client.get("/v1/profiles", headers=analyst).json()}
    assert listed == {"MED-T1": "active", "TOB-T1": "retired"}
    assert world.client.put("/v1/profiles/TOB-T1", json={"yaml": new}, headers=analyst).status_code == 404
    log = [(e["action"], e["target"]) for e in world.client.get("/v1/audit", headers=analyst).json()]
    assert log == [("profile.retire", "profile:TOB-T1"), ("profile.edit", "profile:TOB-T1"), ("profile.create", "profile:TOB-T1")]
    # France's analysts see none of it
    assert {p["id"] for p in world.client.get("/v1/profiles", headers=world.as_("officer.fr")).json()} == {"MED-T1"}


def test_watchlists_upload_entries_whitelist(world):
    analyst = world.as_("analyst.de")
    content = "id,name,country\nX-1,Zolotarenko Trading LLC,RU\nX-2,Pelagrin Maritime,AU\n"
    body = {"kind": "party", "source": "test", "date": "2026-01-01", "content": content, "lane": "hold", "weight": 0.9}
    made = world.client.put("/v1/watchlists/test-parties", json=body, headers=analyst)
    assert made.status_code == 200, made.text
    assert made.json()["entries"] == 2
    page = world.client.get("/v1/watchlists/test-parties/entries", params={"per_page": 1, "page": 2}, headers=analyst).json()
    assert page["total"] == 2 and page["items"][0]["id"] == "X-2"
    bad = world.client.put("/v1/watchlists/bad", json=body | {"content": "id,name,country\nX-1,Someone,QQ\n"}, headers=analyst)
    assert bad.status_code == 422 and "line 2" in bad.json()["detail"]
    white = world.client.post("/v1/watchlists/test-parties/whitelist", json={"entry_id": "X-2", "name": "Pelagrin Maritime Pty"}, headers=analyst)
    assert white.status_code == 201 and white.json()[0]["entry_id"] == "X-2"
    # the new list is used at once: a consignment from a listed consignor is held
    _submit(world, "bazaro", consignment("BZ-1", consignor_name="Zolotarenko Trading LLC", consignor_country="RU"))
    assert [c["lane"] for c in _queue(world, "officer.de")["items"]] == ["hold"]
    assert [e["action"] for e in world.client.get("/v1/audit", headers=analyst).json()] == ["watchlist.whitelist", "watchlist.upload"]


def test_assess_is_synchronous_and_stores_nothing(world):
    response = world.client.post("/v1/assess", json=consignment("CHK-1", item=MEDICINES) | {"submitter": "Bazaro"}, headers=world.as_("officer.de"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["lane"] == "red" and body["profiles"] == ["MED-T1"] and "Retail medicines" in body["reasons"][0]
    assert _queue(world, "officer.de")["total"] == 0
    assert world.client.post("/v1/assess", json=consignment("CHK-1") | {"submitter": "B"}, headers=world.as_("bazaro")).status_code == 403
    unusable = world.client.post("/v1/assess", json=consignment("CHK-2", destination_country="QQ") | {"submitter": "B"}, headers=world.as_("officer.de"))
    assert unusable.status_code == 422 and "destination_country" in unusable.text


def test_requests_for_information_answered_once(world):
    vague = consignment("BZ-1", item={"description": "gift", "value": 0.01})
    receipt = _submit(world, "bazaro", vague).json()["consignments"][0]
    assert receipt["status"] == "information_requested"
    open_rfis = world.client.get("/v1/submissions/rfis", headers=world.as_("bazaro")).json()
    assert open_rfis["total"] == 1 and open_rfis["items"][0]["reference"] == "BZ-1"
    rfi_id = open_rfis["items"][0]["id"]
    assert world.client.post(f"/v1/submissions/rfis/{rfi_id}/answer", json={"answer": "x"}, headers=world.as_("parcelwave")).status_code == 404
    answered = world.client.post(f"/v1/submissions/rfis/{rfi_id}/answer", json={"answer": "Two cotton T-shirts, 12 EUR"}, headers=world.as_("bazaro"))
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert world.client.post(f"/v1/submissions/rfis/{rfi_id}/answer", json={"answer": "again"}, headers=world.as_("bazaro")).status_code == 409
    assert world.client.get("/v1/submissions/rfis", headers=world.as_("bazaro")).json()["total"] == 0


def test_accounts_tokens_hashed_and_revocable(world):
    engine = world.client.app.state.service.engine
    platform = accounts.create_organisation(engine, "platform", "Platform", accounts.PLATFORM)  # only an operator makes organisations
    operator_id = accounts.create_user(engine, platform.id, "operator", "Operator", accounts.OPERATOR, None)
    operator = {"Authorization": f"Bearer {accounts.issue_token(engine, operator_id, 'test')[1]}"}
    assert world.client.post("/v1/organisations", json={"code": "nordpost", "name": "Nordpost", "kind": "submitter"}, headers=operator).status_code == 201
    made = world.client.post("/v1/users", json={"organisation": "nordpost", "username": "np", "display_name": "Nordpost API", "role": "submitter",
                                                "password": "a long passphrase"}, headers=operator)  # fmt: skip
    assert made.status_code == 201, made.text
    wrong_role = world.client.post("/v1/users", json={"organisation": "nordpost", "username": "np2", "display_name": "x", "role": "officer"}, headers=operator)
    assert wrong_role.status_code == 422 and "role" in wrong_role.text
    signed = world.client.post("/v1/auth/token", json={"username": "np", "password": "a long passphrase"})
    assert signed.status_code == 201
    assert world.client.post("/v1/auth/token", json={"username": "np", "password": "wrong"}).status_code == 401
    token = world.client.post("/v1/tokens", json={"name": "batch uploads"}, headers={"Authorization": f"Bearer {signed.json()['token']}"}).json()
    mine = {"Authorization": f"Bearer {token['token']}"}
    assert world.client.get("/v1/submissions", headers=mine).status_code == 200
    with engine.connect() as conn:
        stored = " ".join(map(str, conn.execute(select(api_tokens)).all())) + " ".join(map(str, conn.execute(select(users)).all()))
    assert token["token"] not in stored and "a long passphrase" not in stored and "$argon2id$" in stored
    assert world.client.delete(f"/v1/tokens/{token['id']}", headers=mine).status_code == 204
    assert world.client.get("/v1/submissions", headers=mine).status_code == 401
    # deactivating a user ends their access at once
    assert world.client.patch(f"/v1/users/{world.user_ids['bazaro']}", json={"active": False}, headers=operator).status_code == 200
    assert world.client.get("/v1/submissions", headers=world.as_("bazaro")).status_code == 401
    assert world.client.post("/v1/auth/token", json={"username": "bazaro", "password": PASSWORD}).status_code == 401


def test_pagination_and_measures(world):
    _submit(world, "bazaro", *[consignment(f"BZ-{i}", item=MEDICINES) for i in range(7)])
    first, last = (_queue(world, "officer.de", per_page=3, page=p) for p in (1, 3))
    assert (first["total"], len(first["items"]), len(last["items"])) == (7, 3, 1)
    assert world.client.get("/v1/queue", params={"per_page": 0}, headers=world.as_("officer.de")).status_code == 422
    assert world.client.get("/v1/queue", params={"lane": "purple"}, headers=world.as_("officer.de")).status_code == 422
    figures = world.client.get("/v1/measures", headers=world.as_("officer.de")).json()
    assert (figures["consignments"], figures["lanes"]) == (7, {"red": 7})
    quality = world.client.get("/v1/quality", headers=world.as_("officer.de")).json()
    assert [q["submitter"] for q in quality] == ["Bazaro"]
    assert world.client.get("/v1/quality", headers=world.as_("officer.fr")).json() == []


def test_store_keeps_audit_rows(world):
    """The audit log is in the store itself, beside what it records."""
    world.client.post("/v1/profiles", json={"yaml": "id: A-1\ntitle: t\nrationale: r\nowner: o\nexpected_selection_rate: 0.01\nwhen: {hs_code: {prefix: ['01']}}\neffect: {lane: red}\n"},
                      headers=world.as_("analyst.de"))  # fmt: skip
    with world.client.app.state.service.engine.connect() as conn:
        assert conn.execute(select(audit_log.c.username, audit_log.c.action).where(audit_log.c.action.startswith("profile."))).all() == [
            ("analyst.de", "profile.create")]  # fmt: skip
        assert conn.execute(text("select count(*) from organisations")).scalar_one() == 4


def test_models_listed_and_challenger_promoted_with_audit(world, tmp_path):
    from smartborder.learn.registry import register
    from smartborder.service.accounts import organisation_by_code

    engine = world.client.app.state.service.engine
    de = organisation_by_code(engine, "customs-de").id  # the register is the administration's own
    for version in ("m-1", "m-2"):
        info = {"version": version, "training_window": ["2025-01-01", "2025-03-31"], "out_of_time_metrics": {"roc_auc": 0.9}}
        register(engine, tmp_path / version, info, de)
    listed = world.client.get("/v1/models", headers=world.as_("officer.de")).json()
    assert [(m["version"], m["status"], m["metrics"]["roc_auc"]) for m in listed] == [("m-1", "champion", 0.9), ("m-2", "challenger", 0.9)]
    assert world.client.post("/v1/models/m-2/promote", headers=world.as_("officer.de")).status_code == 403
    assert world.client.post("/v1/models/m-2/promote", headers=world.as_("analyst.de")).status_code == 204
    assert world.client.post("/v1/models/m-9/promote", headers=world.as_("analyst.de")).status_code == 404
    assert {m["version"]: m["status"] for m in world.client.get("/v1/models", headers=world.as_("analyst.de")).json()} == {"m-1": "retired", "m-2": "champion"}
    assert [(e["action"], e["target"]) for e in world.client.get("/v1/audit", headers=world.as_("analyst.de")).json()] == [("model.promote", "model:m-2")]
