"""Tenancy that holds: an administration's countries are real and its own, each consignment is
assessed once by the administration it is bound for, a hold stays until an officer records an
outcome, the model register is per administration, and a consignment nobody would assess is
refused. Runs on SQLite and on PostgreSQL."""

from datetime import UTC, datetime

import polars as pl
import pytest
from sqlalchemy import func, insert, select
from typer.testing import CliRunner

from service_fixtures import PASSWORD, consignment, make_world, with_operator
from smartborder.cli import app as cli
from smartborder.learn import registry
from smartborder.service import accounts
from smartborder.store.assessments import record
from smartborder.store.tables import assessments, audit_log, consignments, organisations

HOLD_PROFILE = """\
id: KP-HOLD
title: Goods from North Korea
rationale: test profile
owner: test desk
expected_selection_rate: 0.001
when:
  origin_country: {in: [KP]}
effect: {lane: hold, weight: 0.9}
"""
FROM_KP = {"origin_country": "KP"}


@pytest.fixture
def world(tmp_path, database_url):
    made = with_operator(make_world(tmp_path, database_url))
    (tmp_path / "administrations" / "customs-de" / "profiles" / "kp-hold.yaml").write_text(HOLD_PROFILE)
    with made.client:
        yield made


def _engine(world):
    return world.client.app.state.service.engine


def _submit(world, *records):
    return world.client.post("/v1/submissions", json={"consignments": list(records)}, headers=world.as_("bazaro"))


def _organisation(world, countries, code="customs-xx"):
    body = {"code": code, "name": f"Customs {code}", "kind": "administration", "countries": countries}
    return world.client.post("/v1/organisations", json=body, headers=world.as_("operator"))


def _lanes(world, reference):
    """Every assessment recorded for the reference, oldest first, any version."""
    query = (select(assessments.c.lane, assessments.c.reasons).join(consignments, consignments.c.id == assessments.c.consignment_id)
             .where(consignments.c.reference == reference).order_by(assessments.c.id))  # fmt: skip
    with _engine(world).connect() as conn:
        return conn.execute(query).all()


# 8 (a): country codes are validated


@pytest.mark.parametrize("code", ["XX", "ZZ", "QQ"])
def test_administration_countries_must_be_iso_3166(world, code):
    refused = _organisation(world, ["AT", code])
    assert refused.status_code == 422 and "countries" in refused.text and f"'{code}'" in refused.text, refused.text
    with pytest.raises(accounts.AccountError, match=f"'{code}'"):
        accounts.create_organisation(_engine(world), "customs-yy", "Customs YY", "administration", (code,))
    assert accounts.organisation_by_code(_engine(world), "customs-xx") is None


def test_a_submitter_has_no_countries(world):
    refused = world.client.post("/v1/organisations", json={"code": "nordpost", "name": "Nordpost", "kind": "submitter", "countries": ["SE"]},
                                headers=world.as_("operator"))  # fmt: skip
    assert refused.status_code == 422 and "countries" in refused.text


# 8 (b): one administration owns each country, and assesses its consignments once


def test_overlapping_administration_refused(world):
    overlap = _organisation(world, ["AT", "DE"])
    assert overlap.status_code == 409 and "'DE'" in overlap.text and "customs-de" in overlap.text, overlap.text
    with pytest.raises(accounts.AccountConflict, match="'FR'.*customs-fr"):
        accounts.create_organisation(_engine(world), "customs-fr2", "Customs FR 2", "administration", ("FR",))
    assert _organisation(world, ["AT", "CH"]).status_code == 201  # countries nobody covers yet are fine
    assert _organisation(world, ["CH"], "customs-ch").status_code == 409


def test_each_consignment_is_assessed_once_by_its_owner(world):
    """A store made before overlaps were refused may hold two administrations for one country:
    the earlier one decides, and the consignment is assessed once."""
    with _engine(world).begin() as conn:
        conn.execute(insert(organisations).values(code="customs-de2", name="Customs DE 2", kind="administration", countries="DE",
                                                  created_at=datetime.now(UTC)))  # fmt: skip
    assert _submit(world, consignment("BZ-KP", item=FROM_KP)).json()["consignments"][0]["status"] == "held"
    assert [lane for lane, _ in _lanes(world, "BZ-KP")] == ["hold"]


# 8 (c): a hold is never overwritten by a later green


def test_hold_kept_through_resubmission_and_amendment_until_an_officer_records_an_outcome(world):
    sent = _submit(world, consignment("BZ-1", item=FROM_KP))
    assert sent.json()["consignments"][0]["status"] == "held"
    resubmitted = _submit(world, consignment("BZ-1", item=FROM_KP | {"value": 40.0}))  # a changed resubmission, as clean as the first
    assert resubmitted.json()["consignments"][0]["result"] == "amended"
    amended = world.client.put("/v1/submissions/BZ-1", json=consignment("BZ-1"), headers=world.as_("bazaro"))  # now a lamp from China
    assert (amended.json()["result"], amended.json()["status"]) == ("amended", "held"), amended.text
    assert world.client.get("/v1/submissions/BZ-1", headers=world.as_("bazaro")).json()["status"] == "held"
    lanes = _lanes(world, "BZ-1")
    assert [lane for lane, _ in lanes] == ["hold"] * 3
    assert "held earlier" in lanes[-1].reasons and "only an officer's recorded outcome lifts" in lanes[-1].reasons
    queued = world.client.get("/v1/queue", headers=world.as_("officer.de")).json()["items"]
    assert [(c["reference"], c["lane"]) for c in queued] == [("BZ-1", "hold")]
    outcome = world.client.post(f"/v1/consignments/{queued[0]['id']}/outcomes", json={"result": "no_finding", "control_type": "physical"},
                                headers=world.as_("officer.de"))  # fmt: skip
    assert outcome.status_code == 201
    again = world.client.put("/v1/submissions/BZ-1", json=consignment("BZ-1", item={"value": 41.0}), headers=world.as_("bazaro"))
    assert (again.json()["result"], again.json()["status"]) == ("amended", "released")  # the officer's outcome lifted the hold
    assert _lanes(world, "BZ-1")[-1].lane == "green"


def test_hold_kept_by_every_path_that_records_assessments(world):
    """`store.assessments.record` is what the CLI (`assess --store`), the demo and the API use."""
    _submit(world, consignment("BZ-2"))
    assert _lanes(world, "BZ-2")[-1].lane == "green"
    keys = {"submitter": ["Bazaro"], "reference": ["BZ-2"], "risk_score": [0.1]}
    assert record(_engine(world), pl.DataFrame(keys | {"lane": ["hold"], "reasons": ["watch list: a listed party"]})) == 1
    assert record(_engine(world), pl.DataFrame(keys | {"lane": ["green"], "reasons": [""]})) == 1
    assert record(_engine(world), pl.DataFrame(keys | {"lane": ["rfi"], "reasons": ["request for information: describe the goods"]})) == 1
    kept = _lanes(world, "BZ-2")
    assert [lane for lane, _ in kept] == ["green", "hold", "hold", "hold"]
    assert kept[-1].reasons.endswith("request for information: describe the goods")
    assert world.client.get("/v1/submissions/BZ-2", headers=world.as_("bazaro")).json()["status"] == "held"


# 9: the model register is per administration


def _register(world, tmp_path, version, organisation_id):
    info = {"version": version, "training_window": ["2025-01-01", "2025-03-31"], "out_of_time_metrics": {"roc_auc": 0.9}}
    return registry.register(_engine(world), tmp_path / version, info, organisation_id)


def test_promotion_changes_only_the_promoting_administrations_champion(world, tmp_path):
    engine = _engine(world)
    de, fr = (accounts.organisation_by_code(engine, code) for code in ("customs-de", "customs-fr"))
    analyst_fr = accounts.create_user(engine, fr.id, "analyst.fr", "analyst.fr", "analyst", PASSWORD)
    as_fr = {"Authorization": f"Bearer {accounts.issue_token(engine, analyst_fr, 'test')[1]}"}
    assert [_register(world, tmp_path, v, de.id) for v in ("de-1", "de-2")] == ["champion", "challenger"]
    assert _register(world, tmp_path, "fr-1", fr.id) == "champion"  # FR's first model, whatever DE has
    assert _register(world, tmp_path, "cli-1", None) == "champion"  # the command line's own register
    assert world.client.post("/v1/models/de-2/promote", headers=world.as_("analyst.de")).status_code == 204
    seen = lambda headers: {m["version"]: m["status"] for m in world.client.get("/v1/models", headers=headers).json()}  # noqa: E731
    assert seen(world.as_("officer.de")) == {"de-1": "retired", "de-2": "champion"}
    assert seen(as_fr) == {"fr-1": "champion"}
    assert registry.champion(engine, fr.id) == (tmp_path / "fr-1").resolve()
    assert registry.champion(engine, None) == (tmp_path / "cli-1").resolve()
    refused = world.client.post("/v1/models/de-1/promote", headers=as_fr)
    assert refused.status_code == 404 and "de-1" in refused.text
    assert registry.champion(engine, de.id) == (tmp_path / "de-2").resolve()
    with engine.connect() as conn:
        entries = conn.execute(select(audit_log.c.organisation_id, audit_log.c.action, audit_log.c.target)
                               .where(audit_log.c.action.startswith("model."))).all()  # account changes are audited too
    assert entries == [(de.id, "model.promote", "model:de-2")]
    assert world.client.get("/v1/audit", headers=as_fr).json() == []


def test_a_version_is_unique_within_an_administration_only(world, tmp_path):
    engine = _engine(world)
    de, fr = (accounts.organisation_by_code(engine, code).id for code in ("customs-de", "customs-fr"))
    assert [_register(world, tmp_path, "m-1", owner) for owner in (de, fr, None, de)] == ["champion"] * 4
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(registry.models)).scalar_one() == 3


def test_assessment_context_uses_the_administrations_champion(world, tmp_path):
    engine = _engine(world)
    de, fr = (accounts.organisation_by_code(engine, code) for code in ("customs-de", "customs-fr"))
    contexts = world.client.app.state.service.contexts
    before = contexts.get(fr)
    _register(world, tmp_path, "de-1", de.id)
    assert contexts.get(fr) is before  # DE's model is not FR's: FR's context is not even reloaded
    assert before.model is None


def test_cli_register_per_administration(world, tmp_path, settings):
    engine = _engine(world)
    de = accounts.organisation_by_code(engine, "customs-de")
    _register(world, tmp_path, "de-1", de.id)
    _register(world, tmp_path, "de-2", de.id)
    _register(world, tmp_path, "cli-1", None)
    runner = CliRunner()
    listed = runner.invoke(cli, ["models", "list", "--administration", "customs-de"])
    assert listed.exit_code == 0 and "de-2" in listed.output and "cli-1" not in listed.output, listed.output
    own = runner.invoke(cli, ["models", "list"])
    assert own.exit_code == 0 and "cli-1" in own.output and "de-1" not in own.output, own.output
    assert runner.invoke(cli, ["models", "promote", "de-2"]).exit_code == 2  # not in the command line's register
    assert runner.invoke(cli, ["models", "promote", "de-2", "--administration", "customs-fr"]).exit_code == 2
    promoted = runner.invoke(cli, ["models", "promote", "de-2", "--administration", "customs-de"])
    assert promoted.exit_code == 0, promoted.output
    assert registry.champion(engine, de.id) == (tmp_path / "de-2").resolve()
    unknown = runner.invoke(cli, ["models", "list", "--administration", "bazaro"])
    assert unknown.exit_code == 2 and "no administration 'bazaro'" in unknown.output
    none_for_fr = runner.invoke(cli, ["assess", str(tmp_path / "x.csv"), "--out", str(tmp_path / "o.csv"), "--model", "champion",
                                      "--administration", "customs-fr"])  # fmt: skip
    assert none_for_fr.exit_code == 2 and "customs-fr" in none_for_fr.output, none_for_fr.output


# 16: a consignment bound for a country no administration covers


def test_consignment_for_an_uncovered_country_is_refused_by_the_api(world):
    sent = _submit(world, consignment("BZ-AT", "AT"), consignment("BZ-DE"))
    assert sent.status_code == 200 and (sent.json()["accepted"], sent.json()["rejected"]) == (1, 1), sent.text
    refused = sent.json()["consignments"][0]
    assert refused["result"] == "rejected" and [(e["field"], e["code"]) for e in refused["errors"]] == [("destination_country", "not_covered")]
    assert "no administration on this service covers 'AT'" in refused["errors"][0]["message"]
    assert world.client.get("/v1/submissions/BZ-AT", headers=world.as_("bazaro")).status_code == 404
    only = _submit(world, consignment("BZ-AT2", "AT"))
    assert only.status_code == 422 and "not_covered" in only.text
    assert _organisation(world, ["AT"]).status_code == 201
    assert _submit(world, consignment("BZ-AT", "AT")).json()["accepted"] == 1  # once covered, accepted and assessed
    assert _lanes(world, "BZ-AT")[-1].lane == "green"


def test_files_from_the_command_line_are_stored_whatever_their_destination(tmp_path, settings):
    """Files ingested from the command line have no tenancy: they are stored as they are."""
    from factories import row, write_csv
    from smartborder.store.db import open_store

    path = write_csv(tmp_path / "to-austria.csv", [row("F-AT", destination_country="AT")])
    ingested = CliRunner().invoke(cli, ["ingest", str(path)])
    assert ingested.exit_code == 0, ingested.output
    engine = open_store(settings)
    with engine.connect() as conn:
        assert conn.execute(select(consignments.c.destination_country).where(consignments.c.reference == "F-AT")).scalar_one() == "AT"
    engine.dispose()
