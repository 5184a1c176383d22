"""The web UI's pages through FastAPI's TestClient (no browser): signing in, who may see what,
and the outcome form's validation, on service_fixtures' world and `submit_sample`'s consignments."""

import re

import pytest
from fastapi.testclient import TestClient

from service_fixtures import (
    GREEN_DE,
    MEDICINES,
    PASSWORD,
    RED_DE,
    RED_PROFILE,
    RED_PROFILE_ID,
    RED_PROFILE_TITLE,
    Sample,
    World,
    make_world,
    submit_sample,
)
from smartborder.api.deps import SESSION_COOKIE


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    made = make_world(tmp_path_factory.mktemp("web"))
    with made.client:
        yield made


@pytest.fixture(scope="module")
def sample(world: World) -> Sample:
    return submit_sample(world)


@pytest.fixture
def client(world: World, sample: Sample) -> TestClient:
    """The module's client, signed out, with the sample submitted; its forms come from the site itself (Origin)."""
    world.client.cookies.clear()
    world.client.headers["Origin"] = str(world.client.base_url)
    return world.client


def sign_in(client: TestClient, username: str, password: str = PASSWORD):
    return client.post("/signin", data={"username": username, "password": password}, follow_redirects=False)


def test_sign_in_sets_an_httponly_strict_session_cookie_and_goes_to_the_queue(client):
    answer = sign_in(client, "officer.de")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/queue"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=sb_")
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    queue = client.get("/queue")
    assert queue.status_code == 200
    assert RED_DE in queue.text and GREEN_DE not in queue.text  # green is not in the queue
    assert "/static/htmx.min.js" in queue.text


def test_wrong_password_shows_the_form_again_with_a_message(client):
    answer = sign_in(client, "officer.de", "not-the-password")
    assert answer.status_code == 401
    assert "Wrong user name or password" in answer.text
    assert 'name="username" value="officer.de"' in answer.text
    assert "set-cookie" not in answer.headers


@pytest.mark.parametrize("path", ["/queue", "/consignments/1", "/profiles", "/watchlists", "/quality", "/dashboard"])
def test_pages_redirect_to_sign_in_when_not_signed_in(client, path):
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/signin")


def test_root_goes_to_the_queue(client):
    sign_in(client, "officer.de")
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/queue"


def test_sign_out_revokes_the_session(client):
    sign_in(client, "officer.de")
    token = client.cookies[SESSION_COOKIE]
    answer = client.post("/signout", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/signin"
    client.cookies.set(SESSION_COOKIE, token)  # the old cookie no longer signs anyone in
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_the_queue_filters_answer_htmx_with_the_table_only(client, sample):
    sign_in(client, "officer.de")
    fragment = client.get("/queue", params={"lane": "yellow"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section id="queue-table"')
    assert "<html" not in fragment.text and RED_DE not in fragment.text
    assert RED_DE in client.get("/queue", params={"lane": "red", "min_risk": "0.1"}).text
    assert RED_DE not in client.get("/queue", params={"lane": "red", "office": "DE999999"}).text


def test_a_consignment_shows_its_reasons_one_per_item(client, sample):
    sign_in(client, "officer.de")
    page = client.get(f"/consignments/{sample.red_de}")
    assert page.status_code == 200
    reasons = re.search(r'<ul id="reasons"[^>]*>(.*?)</ul>', page.text, re.S).group(1)
    assert f"profile {RED_PROFILE_ID} &#39;{RED_PROFILE_TITLE}&#39;" in reasons  # escaped, as everything
    assert MEDICINES["description"] in page.text
    assert 'hx-post="/consignments/' in page.text


def test_another_administrations_consignment_is_not_found(client, sample):
    sign_in(client, "officer.de")
    answer = client.get(f"/consignments/{sample.fr}")
    assert answer.status_code == 404
    assert "no consignment" in answer.text.lower()
    assert client.get("/consignments/not-a-number").status_code == 404
    outcome = client.post(f"/consignments/{sample.fr}/outcomes", data={"result": "seizure", "control_type": "physical"})
    assert outcome.status_code == 404


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"result": "no_finding", "control_type": "physical", "finding_kind": "counterfeit"}, "finding_kind", "found nothing has no kind"),
    ({"result": "seizure", "control_type": "physical", "extra_duty": "-5"}, "extra_duty", "must be 0 or more"),
    ({"result": "seizure", "control_type": "physical", "quantity_seized": "lots"}, "quantity_seized", "is not a number"),
    ({"result": "confiscated", "control_type": "physical"}, "result", "choose one of the options"),
    ({"result": "seizure", "control_type": "physical", "inspected_at": "02/01/2025"}, "inspected_at", "not a date"),
])  # fmt: skip
def test_outcome_form_errors_are_shown_next_to_the_field(client, sample, form, field, message):
    sign_in(client, "officer.de")
    answer = client.post(f"/consignments/{sample.red_de}/outcomes", data=form, headers={"HX-Request": "true"})
    assert answer.status_code == 422
    assert answer.text.lstrip().startswith('<section id="outcomes"')  # the section again, for htmx to swap
    assert re.search(rf'<p class="field-error" id="error-{field}">[^<]*{re.escape(message)}', answer.text), answer.text
    assert f'aria-describedby="error-{field}"' in answer.text
    plain = client.post(f"/consignments/{sample.red_de}/outcomes", data=form)  # without htmx: the whole page
    assert plain.status_code == 422 and "<html" in plain.text and f'id="error-{field}"' in plain.text
    assert "No outcome recorded yet" in client.get(f"/consignments/{sample.red_de}").text  # nothing was recorded


def test_a_submitter_is_refused_and_an_admin_pointed_to_the_api(client):
    sign_in(client, "bazaro")
    for path in ("/queue", "/profiles", "/dashboard"):
        answer = client.get(path)
        assert answer.status_code == 403
        assert "submitter" in answer.text
    client.post("/signout")
    sign_in(client, "admin")
    answer = client.get("/queue")
    assert answer.status_code == 403
    assert 'href="/docs"' in answer.text


def test_officers_read_profiles_and_analysts_may_change_them(client):
    sign_in(client, "officer.de")
    profiles = client.get("/profiles")
    assert profiles.status_code == 200 and RED_PROFILE_ID in profiles.text
    assert "New profile" not in profiles.text and "/retire" not in profiles.text
    assert client.get("/profiles/new").status_code == 403
    assert "<textarea" not in client.get(f"/profiles/{RED_PROFILE_ID}").text
    client.post("/signout")
    sign_in(client, "analyst.de")
    page = client.get(f"/profiles/{RED_PROFILE_ID}")
    assert "<textarea" in page.text and "/retire" in page.text
    broken = client.post(f"/profiles/{RED_PROFILE_ID}", data={"yaml": RED_PROFILE.replace("{lane: red, weight: 0.5}", "{lane: purple}")})
    assert broken.status_code == 422
    assert re.search(r'id="profile-error">.*line \d+: effect', broken.text, re.S), broken.text
    assert "lane: purple" in broken.text  # the text as typed, to correct it


def test_pages_of_figures_and_lists_render(client):
    sign_in(client, "analyst.de")
    for path in ("/dashboard", "/quality", "/watchlists"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert "Content-Security-Policy" in answer.headers
    dashboard = client.get("/dashboard").text
    assert '<script type="application/json" id="dashboard-data">' in dashboard and "/static/plotly-basic.min.js" in dashboard
    assert "Bazaro" in client.get("/quality").text
    upload = client.post("/watchlists", data={"name": "Bad Name", "kind": "party", "source": "", "date": "2025-01-01"})
    assert upload.status_code == 422
    assert 'id="error-name"' in upload.text and 'id="error-file"' in upload.text and 'id="error-source"' in upload.text
