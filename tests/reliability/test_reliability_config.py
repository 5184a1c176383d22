"""Configuration that cannot break assessment (issue 9, items 6, 7 and the configuration parts of 15):
profiles type-checked against the record and dry-run before they are kept, each source of evidence
isolated in `assess`, profile ids unique without regard to case, and list files with over-long
fields refused with their line and field. API cases run on SQLite and on PostgreSQL."""

from datetime import date
from textwrap import dedent

import polars as pl
import pytest

from service_fixtures import MEDICINES, PASSWORD, RED_PROFILE, RED_PROFILE_ID, consignment, make_world
from smartborder.risk import profiles as profile_module
from smartborder.risk.engine import Context, assess
from smartborder.risk.lists import Lists, ListSpec, NamedList, load_lists
from smartborder.risk.profiles import ProfileError, load_profile
from smartborder.risk.watchlists import ListError, read_parties
from smartborder.schema import ITEM_NO, KEY

BIG = 200 * 1024  # above Python's csv field limit (128 KiB)


def _profile(profile_id: str, when: str, effect: str = "{lane: yellow}") -> str:
    return f"id: {profile_id}\ntitle: t\nrationale: r\nowner: o\nexpected_selection_rate: 0.01\nwhen:\n  {when}\neffect: {effect}\n"


@pytest.fixture
def world(tmp_path, database_url):
    made = make_world(tmp_path, database_url)
    made.client.headers["Origin"] = str(made.client.base_url)  # the web forms are posted from the site's own pages
    with made.client:
        yield made


def _post(world, text: str):
    return world.client.post("/v1/profiles", json={"yaml": text}, headers=world.as_("analyst.de"))


def _listed(world) -> dict[str, dict]:
    response = world.client.get("/v1/profiles", headers=world.as_("analyst.de"))
    assert response.status_code == 200, response.text
    return {p["id"]: p for p in response.json()}


def _assess_medicines(world):
    return world.client.post("/v1/assess", json=consignment("CHK-1", item=MEDICINES) | {"submitter": "Bazaro"}, headers=world.as_("officer.de"))


# --- 6a, 15: a profile's values must suit its fields ----------------------------------------------------------------------------------

UNSUITABLE = [  # (condition, what the error names)
    ("declared_date: {equals: 'x'}", "when.declared_date.equals"),
    ("route: {in: [1, 2]}", "when.route.in.0"),
    ("hs_code: {prefix: null}", "when.hs_code.prefix"),
    ("hs_code: {prefix: 3.5}", "when.hs_code.prefix"),
    ("hs_code: {prefix: []}", "when.hs_code.prefix"),
    ("hs_code: {prefix: [abc]}", "when.hs_code.prefix.0"),
    ("hs_code: {in: null}", "when.hs_code.in"),
    ("value: {gt: null}", "when.value.gt"),
    ("value: {regex: '1'}", "when.value.regex"),
    ("value: {in: [cheap]}", "when.value.in.0"),
    ("value: {equals: true}", "when.value.equals"),
    ("value: {between: [10, 1]}", "when.value.between"),
    ("value: {watchlist: risky}", "when.value.watchlist"),
    ("value_usd: {equals: 'ten'}", "when.value_usd.equals"),
    ("declared_date: {gt: 5}", "when.declared_date.gt"),
    ("declared_date: {prefix: '2025'}", "when.declared_date.prefix"),
    ("origin_country: {in: [QQ]}", "when.origin_country.in.0"),
    ("origin_country: {gt: 3}", "when.origin_country.gt"),
    ("origin_country: {prefix: C}", "when.origin_country.prefix"),
    ("currency: {equals: EURO}", "when.currency.equals"),
    ("transport_mode: {equals: ship}", "when.transport_mode.equals"),
    ("consignor_aeo: {equals: 'yes'}", "when.consignor_aeo.equals"),
    ("consignor_aeo: {lt: 1}", "when.consignor_aeo.lt"),
    ("route: {equals: CN}", "when.route.equals"),
    ("transit_countries: {not_in: [1]}", "when.transit_countries.not_in.0"),
    ("description: {gt: 3}", "when.description.gt"),
]


@pytest.mark.parametrize(("condition", "named"), UNSUITABLE)
def test_a_profile_whose_values_do_not_suit_the_field_is_refused_and_not_kept(world, condition, named):
    refused = _post(world, _profile("BAD-1", condition))
    assert refused.status_code == 422, refused.text
    assert f"line 7: {named}" in refused.json()["detail"], refused.json()["detail"]
    assert set(_listed(world)) == {RED_PROFILE_ID}  # nothing kept
    assert _assess_medicines(world).status_code == 200


@pytest.mark.parametrize(
    "condition",
    ["declared_date: {between: [2025-01-01, 2025-12-31]}", "declared_date: {equals: 2025-03-01}", "route: {in: [cn, TR]}",
     "transit_countries: {not_in: [RU]}", "value: {in: [1, 2.5]}", "consignor_aeo: {equals: false}", "transport_mode: {in: [air, post]}",
     "consignor_id: {regex: '^CN'}", "office: {prefix: DE}", "currency: {equals: eur}", "hs_code: {prefix: 3004}", "consignee_id: {equals: null}"],
)  # fmt: skip
def test_a_profile_whose_values_suit_the_fields_is_kept_and_runs(world, condition):
    made = _post(world, _profile("OK-1", condition))
    assert made.status_code == 201, made.text
    assert "OK-1" in _listed(world)
    assert _assess_medicines(world).status_code == 200


def test_the_dates_and_routes_profiles_compare_select_the_right_items(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(_profile("D-1", "declared_date: {ge: 2025-03-01}\n  route: {in: [tr]}"), encoding="utf-8")
    context = Context([load_profile(path)], Lists({}), on=date(2025, 6, 1))
    batch = pl.DataFrame({KEY: [1, 2, 3], ITEM_NO: [1, 1, 1], "submitter": "S", "reference": ["a", "b", "c"],
                          "declared_date": [date(2025, 3, 1), date(2025, 2, 1), date(2025, 4, 1)],
                          "departure_country": ["CN", "TR", "CN"], "transit_countries": ["TR", None, "AE"]})  # fmt: skip
    assert assess(batch, context)["profiles"].to_list() == ["D-1", "", ""]


# --- 6b: compiled and dry-run before it is kept -----------------------------------------------------------------------------------------


def test_a_profile_that_fails_in_polars_is_refused_before_it_is_kept(world, monkeypatch):
    monkeypatch.setattr(profile_module, "condition_expr", lambda field, condition, lists: pl.col("declared_date") > pl.lit("x"))
    refused = _post(world, _profile("BAD-2", "hs_code: {prefix: ['01']}"))
    assert refused.status_code == 422 and "BAD-2" in refused.json()["detail"], refused.text
    assert set(_listed(world)) == {RED_PROFILE_ID}
    edited = world.client.put(f"/v1/profiles/{RED_PROFILE_ID}", json={"yaml": _profile(RED_PROFILE_ID, "hs_code: {prefix: ['01']}")},
                              headers=world.as_("analyst.de"))  # fmt: skip
    assert edited.status_code == 422 and RED_PROFILE_ID in edited.json()["detail"]
    kept = world.client.get(f"/v1/profiles/{RED_PROFILE_ID}", headers=world.as_("analyst.de")).json()
    assert kept["yaml"] == RED_PROFILE  # the profile kept its text


# --- 6c: one failing source does not leave consignments unassessed ----------------------------------------------------------------------


def _two_profiles(tmp_path) -> Context:
    for name, text in (("good", _profile("GOOD-1", "hs_code: {prefix: ['3004']}", "{lane: red}")), ("bad", _profile("BAD-3", "value: {gt: 1}"))):
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    return Context([load_profile(tmp_path / "good.yaml"), load_profile(tmp_path / "bad.yaml")], Lists({}))


def _batch() -> pl.DataFrame:
    return pl.DataFrame({KEY: [1, 2], ITEM_NO: [1, 1], "submitter": "S", "reference": ["a", "b"], "hs_code": ["300490", "940521"], "value": [5.0, 9.0]})


def _fail(context: Context, profile_id: str) -> None:
    """Make one compiled profile raise when it is evaluated, as a profile the checks missed would."""
    i = next(i for i, c in enumerate(context.compiled) if c.profile.id == profile_id)
    context.matches[i] = (pl.col("declared_date") > pl.lit("x")).alias(f"_p{i}")


def test_a_profile_that_fails_at_evaluation_fails_alone_and_is_reported(tmp_path):
    context = _two_profiles(tmp_path)
    _fail(context, "BAD-3")
    assessed = assess(_batch(), context)
    assert assessed["lane"].to_list() == ["red", "green"]  # the other profile still applies
    assert assessed["profiles"].to_list() == ["GOOD-1", ""]
    assert assessed["incomplete"].to_list() == [True, True]
    assert all(r.startswith("assessment incomplete: profile BAD-3 failed: ") for r in assessed["reasons"])
    assert list(context.problems) == ["profile:BAD-3"]
    _fail(context, "GOOD-1")
    context.matches[1] = context.compiled[1].matches.alias("_p1")  # BAD-3 mended
    assert assess(_batch(), context)["profiles"].to_list() == ["BAD-3", "BAD-3"]
    assert set(context.problems) == {"profile:BAD-3", "profile:GOOD-1"}  # reported until the configuration is loaded again


@pytest.mark.parametrize(("source", "name"), [("screen", "watch-list screening"), ("valuation", "valuation"), ("model", "model")])
def test_a_failing_source_of_evidence_leaves_the_others_to_assess(tmp_path, monkeypatch, source, name):
    context = _two_profiles(tmp_path)

    def broken(*args):
        raise pl.exceptions.ComputeError("boom")

    if source == "screen":
        monkeypatch.setattr(context.lists, "screen", broken)
    elif source == "model":
        from types import SimpleNamespace

        context.model = SimpleNamespace(info={"version": "m-1"}, predict=broken, explain=broken)  # type: ignore[assignment]
    else:
        import smartborder.risk.engine as engine

        context.valuation = object()  # type: ignore[assignment]
        monkeypatch.setattr(engine, "undervaluation", broken)
    assessed = assess(_batch(), context)
    assert assessed["lane"].to_list() == ["red", "yellow"] and assessed["incomplete"].all()
    assert assessed["reasons"][0].startswith(f"assessment incomplete: {name} failed: boom")
    assert list(context.problems) == [name]
    assert not assess(_batch(), _two_profiles(tmp_path))["incomplete"].any()


def test_a_submission_is_assessed_and_queued_when_a_profile_fails_at_evaluation(world):
    assert _post(world, _profile("BAD-4", "value: {gt: 1}")).status_code == 201
    organisation = next(a for a in __import__("smartborder.service.accounts", fromlist=["x"]).administrations(world.client.app.state.service.engine)
                        if a.code == "customs-de")  # fmt: skip
    _fail(world.client.app.state.service.contexts.get(organisation), "BAD-4")
    sent = world.client.post("/v1/submissions", json={"consignments": [consignment("BZ-1", item=MEDICINES)]}, headers=world.as_("bazaro"))
    assert sent.status_code == 200 and sent.json()["accepted"] == 1, sent.text
    queued = world.client.get("/v1/queue", headers=world.as_("officer.de")).json()["items"]
    assert [(c["reference"], c["lane"]) for c in queued] == [("BZ-1", "red")]
    checked = _assess_medicines(world)
    assert checked.status_code == 200 and checked.json()["lane"] == "red"
    assert checked.json()["reasons"][0].startswith("assessment incomplete: profile BAD-4 failed")
    listed = _listed(world)
    assert "BAD-4" in listed["BAD-4"]["problem"] and listed[RED_PROFILE_ID]["problem"] is None
    assert world.client.post("/signin", data={"username": "analyst.de", "password": PASSWORD}, follow_redirects=False).status_code == 303
    page = world.client.get("/profiles").text
    assert 'id="assessment-problems"' in page and "profile BAD-4 failed" in page


def test_a_broken_profile_file_on_disk_does_not_stop_the_others(world):
    profiles = world.settings.data_dir / "administrations" / "customs-de" / "profiles"
    (profiles / "hand.yaml").write_text(_profile("HAND-1", "value: {gt: [1]}"), encoding="utf-8")
    sent = world.client.post("/v1/submissions", json={"consignments": [consignment("BZ-2", item=MEDICINES)]}, headers=world.as_("bazaro"))
    assert sent.status_code == 200 and sent.json()["accepted"] == 1, sent.text
    assert [c["lane"] for c in world.client.get("/v1/queue", headers=world.as_("officer.de")).json()["items"]] == ["red"]
    checked = _assess_medicines(world).json()
    assert checked["lane"] == "red" and checked["reasons"][0].startswith("assessment incomplete: hand.yaml: line 7: when.value.gt")
    listing = world.client.get("/v1/profiles", headers=world.as_("analyst.de"))
    assert listing.status_code == 422 and "hand.yaml, line 7" in listing.json()["detail"]


def test_a_broken_valuation_reference_or_model_on_disk_does_not_stop_the_others(world, tmp_path):
    from smartborder.learn import registry
    from smartborder.service import accounts

    engine = world.client.app.state.service.engine
    de = accounts.organisation_by_code(engine, "customs-de")
    (world.settings.data_dir / "administrations" / "customs-de" / "valuation.parquet").write_bytes(b"not parquet")
    (tmp_path / "broken-model").mkdir()
    registry.register(engine, tmp_path / "broken-model", {"version": "broken-1"}, de.id)  # its champion, with no model in it
    sent = world.client.post("/v1/submissions", json={"consignments": [consignment("BZ-3", item=MEDICINES)]}, headers=world.as_("bazaro"))
    assert sent.status_code == 200 and sent.json()["accepted"] == 1, sent.text
    assert [c["lane"] for c in world.client.get("/v1/queue", headers=world.as_("officer.de")).json()["items"]] == ["red"]
    reasons = _assess_medicines(world).json()["reasons"]
    assert reasons[0].startswith("assessment incomplete: valuation reference left out"), reasons
    assert "model left out" in " ".join(reasons), reasons


# --- 7: ids unique without regard to case; files that cannot collide ---------------------------------------------------------------------


def test_profile_ids_are_unique_whatever_their_case(world):
    assert _post(world, _profile("case-x", "hs_code: {prefix: ['01']}")).status_code == 201
    clash = _post(world, _profile("CASE-X", "hs_code: {prefix: ['02']}"))
    assert clash.status_code == 409 and "case-x" in clash.json()["detail"]
    assert _post(world, _profile(RED_PROFILE_ID.lower(), "hs_code: {prefix: ['02']}")).status_code == 409
    assert set(_listed(world)) == {RED_PROFILE_ID, "case-x"}


def test_a_new_profile_never_overwrites_another_file(world):
    profiles = world.settings.data_dir / "administrations" / "customs-de" / "profiles"
    arms = _profile("ARM-001", "hs_code: {prefix: ['93']}", "{lane: red}")
    (profiles / "arm-001-arms-and-ammunition.yaml").write_text(arms, encoding="utf-8")
    assert _post(world, _profile("arm-001-arms-and-ammunition", "hs_code: {prefix: ['01']}")).status_code == 201
    assert (profiles / "arm-001-arms-and-ammunition.yaml").read_text(encoding="utf-8") == arms
    assert {"ARM-001", "arm-001-arms-and-ammunition", RED_PROFILE_ID} == set(_listed(world))
    # retired and created again under a name a retired file has: neither file is lost
    analyst = world.as_("analyst.de")
    assert world.client.post("/v1/profiles/ARM-001/retire", headers=analyst).status_code == 204
    assert world.client.post("/v1/profiles/arm-001-arms-and-ammunition/retire", headers=analyst).status_code == 204
    assert {p["id"]: p["status"] for p in _listed(world).values()} == {"ARM-001": "retired", "arm-001-arms-and-ammunition": "retired", RED_PROFILE_ID: "active"}


@pytest.mark.parametrize("length", [65, 255, 300])
def test_an_over_long_profile_id_is_refused(world, length):
    refused = _post(world, _profile("A" * length, "hs_code: {prefix: ['01']}"))
    assert refused.status_code == 422 and "line 1: id" in refused.json()["detail"], refused.text


# --- 15: list files with a field over Python's csv limit ---------------------------------------------------------------------------------


def test_a_watch_list_upload_with_an_over_long_field_is_refused_naming_line_and_field(world):
    content = f"id,name,country\nX-1,Zolotarenko Trading LLC,RU\nX-2,{'A' * BIG},AU\n"
    body = {"kind": "party", "source": "test", "date": "2026-01-01", "content": content, "lane": "hold", "weight": 0.9}
    refused = world.client.put("/v1/watchlists/sanctions", json=body, headers=world.as_("analyst.de"))
    assert refused.status_code == 422, refused.text[:300]
    assert "sanctions.csv, line 3: field 'name'" in refused.json()["detail"]
    assert world.client.get("/v1/watchlists", headers=world.as_("analyst.de")).json() == []


def test_the_web_form_refuses_a_list_with_an_over_long_field(world):
    client = world.client
    assert client.post("/signin", data={"username": "analyst.de", "password": PASSWORD}, follow_redirects=False).status_code == 303
    form = {"name": "brands", "kind": "brand", "source": "test", "date": "2026-01-01", "weight": "0", "threshold": ""}
    page = client.post("/watchlists", data=form, files={"file": ("b.csv", f"brand\nacme\n\"{'b' * BIG}\"\n", "text/csv")})
    assert page.status_code == 422 and "line 3: field &#39;brand&#39;" in page.text


@pytest.mark.parametrize(
    ("kind", "file", "text", "where"),
    [
        ("party", "p.csv", f"id,name\nX-1,{'A' * BIG}\n", "p.csv, line 2: field 'name'"),
        ("country", "c.csv", f"country,note\nCN,\"{'x' * BIG}\"\n", "c.csv, line 2: field 'note'"),
        ("commodity", "h.csv", f"hs_code\n9301\n{'9' * BIG}\n", "h.csv, line 3: field 'hs_code'"),
        ("party", "p.csv", f"id,{'n' * BIG}\nX-1,a\n", "p.csv, line 1: field 2 is longer"),
    ],
)
def test_list_files_with_an_over_long_field_name_line_and_field(tmp_path, kind, file, text, where):
    (tmp_path / file).write_text(text, encoding="utf-8")
    (tmp_path / "watchlists.yaml").write_text(f"lists:\n  - {{name: l, kind: {kind}, file: {file}, source: s, date: 2026-01-01}}\n", encoding="utf-8")
    with pytest.raises(ListError, match=where):
        load_lists(tmp_path)


def test_a_whitelist_with_an_over_long_field_names_line_and_field(tmp_path):
    (tmp_path / "p.csv").write_text("id,name\nX-1,Acme\n", encoding="utf-8")
    (tmp_path / "w.csv").write_text(f"entry_id,name\nX-1,Acme\nX-1,\"{'a' * BIG}\"\n", encoding="utf-8")
    (tmp_path / "watchlists.yaml").write_text("lists:\n  - {name: l, kind: party, file: p.csv, whitelist: w.csv, source: s, date: 2026-01-01}\n", encoding="utf-8")
    with pytest.raises(ListError, match="w.csv, line 3: field 'name'"):
        load_lists(tmp_path)
    assert read_parties(tmp_path / "p.csv")[0].id == "X-1"


def test_profile_checks_apply_to_files_loaded_directly(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(dedent(_profile("F-1", "route: {in: [1, 2]}")), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"p.yaml, line 7: when.route.in.0: route is a list of countries: give ISO 3166 codes"):
        load_profile(path)
    lists = Lists({"risky": NamedList(ListSpec(name="risky", kind="country", file="x.csv", source="s", date=date(2025, 1, 1)), values=("PK",))})
    path.write_text(_profile("F-2", "route: {watchlist: risky}"), encoding="utf-8")
    assert load_profile(path, lists.kinds()).id == "F-2"
