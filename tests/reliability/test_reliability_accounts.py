"""Accounts that hold (issue 9, items 10, 11, 12, 17, 18): admins scoped to their organisation and
an explicit platform operator, every account and token change audited, sign-ins throttled per
account and per address with bounded hashing, cross-origin form posts refused, secrets masked in
what is printed or logged, and an audit log chained per organisation that `smartborder audit
verify` checks."""

import logging
import logging.config
import sys
import threading
import time

import pytest
from sqlalchemy import delete, func, select, text, update
from typer.testing import CliRunner

from service_fixtures import MEDICINES, PASSWORD, World, consignment, make_world, submit_sample, with_operator
from smartborder.api.app import create_app
from smartborder.cli import app as cli
from smartborder.service import accounts, audit
from smartborder.store.db import open_store
from smartborder.store.tables import audit_log, outcomes

SITE = {"Origin": "http://testserver"}
runner = CliRunner()


@pytest.fixture
def world(tmp_path) -> World:
    made = with_operator(make_world(tmp_path))
    with made.client:
        yield made


def _engine(world: World):
    return world.client.app.state.service.engine


def _actions(world: World, code: str, about_accounts: bool = True) -> list[str]:
    organisation = accounts.organisation_by_code(_engine(world), code)
    return [e["action"] for e in reversed(audit.entries(_engine(world), organisation.id, 0, 500, about_accounts))]


def _sign_in(world: World, username: str, password: str, **headers):
    return world.client.post("/v1/auth/token", json={"username": username, "password": password}, headers=headers)


# item 10: admins scoped to their organisation, an explicit operator, every change audited


def test_an_admin_cannot_touch_another_organisations_accounts(world):
    admin, french = world.as_("admin"), world.user_ids["officer.fr"]
    assert world.client.post("/v1/tokens", json={"name": "x", "user_id": french}, headers=admin).status_code == 404
    assert world.client.patch(f"/v1/users/{french}", json={"password": "taken over at last"}, headers=admin).status_code == 404
    assert world.client.patch(f"/v1/users/{french}", json={"active": False}, headers=admin).status_code == 404
    made = world.client.post("/v1/users", json={"organisation": "customs-fr", "username": "mole", "display_name": "x", "role": "admin",
                                                "password": "a long passphrase"}, headers=admin)  # fmt: skip
    assert made.status_code == 403 and "organisation" in made.json()["detail"]
    assert world.client.post("/v1/organisations", json={"code": "other", "name": "Other", "kind": "submitter"}, headers=admin).status_code == 403
    assert {u["organisation"] for u in world.client.get("/v1/users", headers=admin).json()} == {"customs-de"}
    assert [o["code"] for o in world.client.get("/v1/organisations", headers=admin).json()] == ["customs-de"]
    assert {t["username"] for t in world.client.get("/v1/tokens", headers=admin).json()} == {"officer.de", "analyst.de", "admin"}
    french_token = accounts.list_tokens(_engine(world), None)
    french_token = next(t["id"] for t in french_token if t["username"] == "officer.fr")
    assert world.client.delete(f"/v1/tokens/{french_token}", headers=admin).status_code == 404
    assert world.client.get("/v1/queue", headers=world.as_("officer.fr")).status_code == 200  # still works
    assert _sign_in(world, "officer.fr", PASSWORD).status_code == 201
    assert {e["target"] for e in world.client.get("/v1/users/audit", headers=admin).json()} == {"organisation:customs-de", "user:officer.de", "user:analyst.de", "user:admin"}
    # within its own organisation the admin still manages everything
    assert world.client.post("/v1/tokens", json={"name": "x", "user_id": world.user_ids["officer.de"]}, headers=admin).status_code == 201


def test_an_operator_manages_every_organisations_accounts(world):
    operator = world.as_("operator")
    made = world.client.post("/v1/organisations", json={"code": "nordpost", "name": "Nordpost", "kind": "submitter"}, headers=operator)
    assert made.status_code == 201, made.text
    made = world.client.post("/v1/users", json={"organisation": "nordpost", "username": "np", "display_name": "Nordpost API", "role": "submitter",
                                                "password": "a long passphrase"}, headers=operator)  # fmt: skip
    assert made.status_code == 201, made.text
    assert world.client.post("/v1/tokens", json={"name": "x", "user_id": world.user_ids["officer.fr"]}, headers=operator).status_code == 201
    assert world.client.patch(f"/v1/users/{world.user_ids['officer.fr']}", json={"password": "a new passphrase"}, headers=operator).status_code == 200
    assert {u["organisation"] for u in world.client.get("/v1/users", headers=operator).json()} >= {"customs-de", "customs-fr", "nordpost"}
    # an admin cannot make an operator, and an operator belongs to the platform organisation only
    promoted = world.client.post("/v1/users", json={"organisation": "customs-de", "username": "op2", "display_name": "x", "role": "operator"},
                                 headers=world.as_("admin"))  # fmt: skip
    assert promoted.status_code in (403, 422) and "role" in promoted.json()["detail"]
    # the change is audited in France's log, naming the operator who made it
    france = accounts.organisation_by_code(_engine(world), "customs-fr").id
    latest = audit.entries(_engine(world), france, 0, 10, accounts=True)
    assert [(e["username"], e["action"]) for e in latest[:2]] == [("operator", "user.password"), ("operator", "token.issue")]


def test_every_account_and_token_change_is_audited(world):
    admin, before = world.as_("admin"), len(_actions(world, "customs-de"))
    made = world.client.post("/v1/users", json={"organisation": "customs-de", "username": "new.officer", "display_name": "New",
                                                "role": "officer", "password": "a long passphrase"}, headers=admin).json()  # fmt: skip
    world.client.patch(f"/v1/users/{made['id']}", json={"password": "another passphrase"}, headers=admin)
    token = world.client.post("/v1/tokens", json={"name": "batch", "user_id": made["id"]}, headers=admin).json()
    world.client.delete(f"/v1/tokens/{token['id']}", headers=admin)
    world.client.patch(f"/v1/users/{made['id']}", json={"role": "analyst"}, headers=admin)
    world.client.patch(f"/v1/users/{made['id']}", json={"active": False}, headers=admin)
    assert _sign_in(world, "officer.de", "wrong password").status_code == 401
    assert _actions(world, "customs-de")[before:] == ["user.create", "user.password", "token.issue", "token.revoke", "user.change", "user.deactivate",
                                             "signin.failed"]  # fmt: skip
    with _engine(world).connect() as conn:
        assert "another passphrase" not in " ".join(str(d) for d in conn.execute(select(audit_log.c.detail)).scalars())


def test_creating_an_organisation_is_audited_in_its_own_log(world):
    made = world.client.post("/v1/organisations", json={"code": "customs-it", "name": "Customs IT", "kind": "administration", "countries": ["IT"]},
                             headers=world.as_("operator"))  # fmt: skip
    assert made.status_code == 201, made.text
    assert _actions(world, "customs-it") == ["organisation.create"]
    entry = audit.entries(_engine(world), made.json()["id"], 0, 10, True)[0]
    assert entry["username"] == "operator" and '"countries": ["IT"]' in entry["detail"]


def test_a_password_change_revokes_the_users_tokens(world):
    officer = world.as_("officer.de")
    assert world.client.get("/v1/queue", headers=officer).status_code == 200
    changed = world.client.patch(f"/v1/users/{world.user_ids['officer.de']}", json={"password": "a fresh passphrase"}, headers=world.as_("admin"))
    assert changed.status_code == 200
    assert world.client.get("/v1/queue", headers=officer).status_code == 401
    assert _sign_in(world, "officer.de", PASSWORD).status_code == 401
    assert _sign_in(world, "officer.de", "a fresh passphrase").status_code == 201


def test_the_last_active_admin_cannot_be_deactivated_or_demoted(world):
    admin, me = world.as_("admin"), world.user_ids["admin"]
    for change in ({"active": False}, {"role": "officer"}):
        refused = world.client.patch(f"/v1/users/{me}", json=change, headers=admin)
        assert refused.status_code == 409 and "last active admin" in refused.json()["detail"], refused.text
    second = world.client.post("/v1/users", json={"organisation": "customs-de", "username": "admin2", "display_name": "Second",
                                                  "role": "admin", "password": "a long passphrase"}, headers=admin).json()  # fmt: skip
    assert world.client.patch(f"/v1/users/{me}", json={"role": "officer"}, headers=admin).status_code == 200
    last = world.client.patch(f"/v1/users/{second['id']}", json={"active": False}, headers=world.as_("operator"))
    assert last.status_code == 409


def test_users_create_and_reset_password_from_the_command_line(settings):
    engine = open_store(settings)
    organisation = accounts.create_organisation(engine, "customs-de", "Customs DE", "administration", ("DE",))
    assert runner.invoke(cli, ["users", "create", "boss", "--organisation", "customs-de", "--role", "admin", "--password", "x"]).exit_code != 0
    made = runner.invoke(cli, ["users", "create", "boss", "--organisation", "customs-de", "--role", "admin", "--name", "The boss"],
                         input="a long passphrase\n")  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "a long passphrase" not in made.output
    assert accounts.sign_in(engine, "boss", "a long passphrase") is not None
    token = accounts.issue_token(engine, accounts.sign_in(engine, "boss", "a long passphrase").user_id, "t")[1]
    short = runner.invoke(cli, ["users", "reset-password", "boss"], input="short\n")
    assert short.exit_code != 0 and "password" in short.output
    reset = runner.invoke(cli, ["users", "reset-password", "boss"], input="a brand new passphrase\n")
    assert reset.exit_code == 0, reset.output
    assert accounts.principal_for_token(engine, token) is None
    assert accounts.sign_in(engine, "boss", "a brand new passphrase") is not None
    assert runner.invoke(cli, ["users", "reset-password", "nobody"], input="a brand new passphrase\n").exit_code != 0
    log = list(reversed(audit.entries(engine, organisation.id, 0, 50, accounts=True)))
    assert [(e["username"], e["action"]) for e in log if e["action"].startswith("user.")] == [
        (audit.COMMAND_LINE, "user.create"), (audit.COMMAND_LINE, "user.password")]  # fmt: skip


# item 11: sign-in throttling, bounded hashing


def test_wrong_passwords_lock_the_account_and_the_right_one_is_refused_meanwhile(world):
    for _ in range(accounts.FAILURES_BEFORE_LOCK):
        assert _sign_in(world, "officer.de", "guess").status_code == 401
    locked = _sign_in(world, "officer.de", PASSWORD)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    # the lock is in the store: another server process refuses too, and the web form as well
    other = create_app(world.settings)
    from fastapi.testclient import TestClient

    with TestClient(other) as client:
        assert client.post("/v1/auth/token", json={"username": "officer.de", "password": PASSWORD}).status_code == 429
        form = client.post("/signin", data={"username": "officer.de", "password": PASSWORD}, headers=SITE, follow_redirects=False)
        assert form.status_code == 429 and "Retry-After" in form.headers and "Too many" in form.text
    assert "signin.locked" in _actions(world, "customs-de")


def test_the_lock_ends_and_a_good_sign_in_clears_the_count(world):
    engine = _engine(world)
    for _ in range(accounts.FAILURES_BEFORE_LOCK):
        _sign_in(world, "officer.de", "guess")
    with engine.begin() as conn:  # the lock's time has passed
        conn.execute(text("update users set locked_until = :past where username = 'officer.de'"), {"past": "2000-01-01 00:00:00"})
    assert _sign_in(world, "officer.de", PASSWORD).status_code == 201
    assert _sign_in(world, "officer.de", "guess").status_code == 401  # one failure after a success does not lock
    assert _sign_in(world, "officer.de", PASSWORD).status_code == 201


def test_sign_ins_from_one_address_are_throttled_whatever_the_user_name(world):
    answers = [_sign_in(world, f"nobody{i}", "guess").status_code for i in range(accounts.ADDRESS_FAILURES + 1)]
    assert answers[:-1] == [401] * accounts.ADDRESS_FAILURES and answers[-1] == 429
    assert _sign_in(world, "officer.de", PASSWORD).status_code == 429  # from that address, until the window passes
    form = world.client.post("/signin", data={"username": "officer.de", "password": PASSWORD}, headers=SITE, follow_redirects=False)
    assert form.status_code == 429


def test_concurrent_password_hashing_is_bounded(world, monkeypatch):
    running, most, lock = [0], [0], threading.Lock()
    real = accounts._hasher

    class Counting:
        def _counted(self, work, *args):
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            try:
                time.sleep(0.05)
                return work(*args)
            finally:
                with lock:
                    running[0] -= 1

        def hash(self, password):
            return self._counted(real.hash, password)

        def verify(self, hashed, password):
            return self._counted(real.verify, hashed, password)

    monkeypatch.setattr(accounts, "_hasher", Counting())
    engine = _engine(world)
    threads = [threading.Thread(target=accounts.sign_in, args=(engine, "analyst.de", f"guess {i}", f"10.0.0.{i}")) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 1 <= most[0] <= accounts.HASHING_SLOTS < 12


# item 12: cross-origin form posts


@pytest.fixture
def signed_in(world):
    sample = submit_sample(world)
    world.client.post("/signin", data={"username": "officer.de", "password": PASSWORD}, headers=SITE)
    yield world, sample
    world.client.cookies.clear()


def _outcomes(world: World) -> int:
    with _engine(world).connect() as conn:
        return conn.execute(select(func.count()).select_from(outcomes)).scalar_one()


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Referer": "https://evil.example/form"}, {}, {"Origin": "null"}],
                         ids=["origin", "referer", "neither", "null"])  # fmt: skip
def test_a_cross_origin_post_with_a_valid_cookie_is_refused_and_records_nothing(signed_in, headers):
    world, sample = signed_in
    answer = world.client.post(f"/consignments/{sample.red_de}/outcomes", data={"result": "seizure", "control_type": "physical"}, headers=headers)
    assert answer.status_code == 403 and "another site" in answer.text
    assert "Content-Security-Policy" in answer.headers
    assert _outcomes(world) == 0
    # the same cookie on the API, without a token, is refused as well
    api = world.client.post(f"/v1/consignments/{sample.red_de}/outcomes", json={"result": "seizure", "control_type": "physical"}, headers=headers)
    assert api.status_code == 403 and _outcomes(world) == 0
    assert world.client.post("/signout", headers=headers).status_code == 403
    assert world.client.get("/queue").status_code == 200  # still signed in


def test_a_same_site_post_is_accepted_by_origin_or_referer(signed_in):
    world, sample = signed_in
    form = {"result": "seizure", "control_type": "physical"}
    assert world.client.post(f"/consignments/{sample.red_de}/outcomes", data=form, headers={"Referer": "http://testserver/queue"}).status_code == 200
    assert _outcomes(world) == 1
    # an API call with a Bearer token needs no Origin
    other_site = world.as_("officer.de") | {"Origin": "https://x.example"}
    api = world.client.post(f"/v1/consignments/{sample.red_de}/outcomes", json=form, headers=other_site)
    assert api.status_code in (200, 201), api.text


# item 17: secrets masked


def test_serve_and_errors_never_print_the_database_password(monkeypatch, tmp_path):
    import uvicorn

    from smartborder.config import get_settings

    captured = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: captured.update(kwargs))
    monkeypatch.setenv("SMARTBORDER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SMARTBORDER_DATABASE_URL", "postgresql+psycopg://smart:s3cr3t-pw@db.example:5432/smartborder")
    get_settings.cache_clear()
    try:
        served = runner.invoke(cli, ["serve", "--port", "8123"])
    finally:
        get_settings.cache_clear()
    assert served.exit_code == 0, served.output
    assert "s3cr3t-pw" not in served.output and "smart:***@db.example" in served.output
    # every log line the server writes goes through the mask
    handler = logging.StreamHandler()
    for name, spec in captured["log_config"]["filters"].items():
        handler.addFilter(logging.config.DictConfigurator({}).configure_filter(spec))
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "cannot reach %s", ("postgresql://smart:s3cr3t-pw@db/x",), None)
    assert all(f.filter(record) for f in handler.filters) and "s3cr3t-pw" not in record.getMessage()


def test_a_logged_traceback_is_masked_too():
    from smartborder.redact import MaskSecrets

    try:
        raise ConnectionError("cannot reach postgresql+psycopg://smart:s3cr3t-pw@db.example/x")
    except ConnectionError:
        record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI application", (), sys.exc_info())
    assert MaskSecrets().filter(record)
    shown = logging.Formatter().format(record)
    assert "s3cr3t-pw" not in shown and "smart:***@db.example" in shown and "ConnectionError" in shown


# item 18: the audit log chained per organisation


def _entries_for(settings, count: int = 4):
    engine = open_store(settings)
    made = {code: accounts.create_organisation(engine, code, code.upper(), "administration", (country,))
            for code, country in (("customs-de", "DE"), ("customs-fr", "FR"))}  # fmt: skip
    for code, organisation in made.items():
        user = accounts.create_user(engine, organisation.id, f"admin.{code}", "Admin", "admin", None)
        for i in range(count):
            accounts.issue_token(engine, user, f"token {i}")
    return engine, made


def _verify(*args: str):
    return runner.invoke(cli, ["audit", "verify", *args])


def test_audit_verify_names_a_tampered_entry(settings):
    engine, made = _entries_for(settings)
    ok = _verify()
    assert ok.exit_code == 0 and "ok, 12 entries" in ok.output, ok.output  # per organisation: itself, the user, then 4 tokens
    with engine.begin() as conn:
        victim = conn.execute(select(audit_log.c.id).where(audit_log.c.organisation_id == made["customs-fr"].id).order_by(audit_log.c.id)
                              .offset(2).limit(1)).scalar_one()  # fmt: skip
        conn.execute(update(audit_log).where(audit_log.c.id == victim).values(detail='{"name": "forged"}'))
    broken = _verify()
    assert broken.exit_code == 1 and f"entry {victim}" in broken.output and "content" in broken.output, broken.output
    assert "customs-fr" in broken.output
    assert _verify("--organisation", "customs-de").exit_code == 0


def test_audit_verify_names_a_deleted_entry(settings):
    engine, made = _entries_for(settings)
    with engine.connect() as conn:
        first = list(conn.execute(select(audit_log.c.id).where(audit_log.c.organisation_id == made["customs-de"].id).order_by(audit_log.c.id)).scalars())
    with engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.id == first[1]))
    broken = _verify("--organisation", "customs-de")
    assert broken.exit_code == 1 and f"entry {first[2]}" in broken.output and "previous" in broken.output, broken.output
    with engine.begin() as conn:  # the newest one gone: the head still names it
        conn.execute(delete(audit_log).where(audit_log.c.id == first[-1]))
        conn.execute(delete(audit_log).where(audit_log.c.organisation_id == made["customs-fr"].id))
    missing = _verify("--organisation", "customs-fr")
    assert missing.exit_code == 1 and "missing" in missing.output, missing.output


def test_concurrent_appends_do_not_fork_the_chain(settings):
    engine, made = _entries_for(settings, 0)
    user = accounts.list_users(engine, made["customs-de"].id)[0]["id"]
    failures = []

    def issue(i: int) -> None:
        try:
            for j in range(5):
                accounts.issue_token(engine, user, f"thread {i}.{j}")
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(e)

    threads = [threading.Thread(target=issue, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    ok = _verify("--organisation", "customs-de")
    assert ok.exit_code == 0 and "ok, 32 entries" in ok.output, ok.output


def test_an_outcome_from_the_api_is_chained_too(tmp_path):
    world = make_world(tmp_path)
    with world.client:
        world.client.post("/v1/submissions", json={"consignments": [consignment("C-1", item=MEDICINES)]}, headers=world.as_("bazaro"))
        queue = world.client.get("/v1/queue", headers=world.as_("officer.de")).json()["items"]
        world.client.post(f"/v1/consignments/{queue[0]['id']}/outcomes", json={"result": "seizure", "control_type": "physical"},
                          headers=world.as_("officer.de"))  # fmt: skip
        report = audit.verify(_engine(world))
    assert report and all(r.problem is None for r in report), report
    assert _actions(world, "customs-de", about_accounts=False) == ["outcome.record"]
