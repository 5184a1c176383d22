"""End to end in a real browser: Debian's Chromium driven by Playwright, against the service
served by uvicorn on a free local port, on service_fixtures' world and `submit_sample`'s
consignments.

Skipped, saying what to install, when Chromium (`apt-get install chromium`) or the Python
package playwright is missing."""

import re
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
TIMEOUT_MS = 10_000

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium) to run the browser tests", allow_module_level=True)
try:
    from playwright.sync_api import Page, expect, sync_playwright
except ImportError:
    pytest.skip("playwright is not installed: pip install playwright (and apt-get install chromium) for the browser tests", allow_module_level=True)

import uvicorn  # noqa: E402

from service_fixtures import PASSWORD, RED_DE, RED_PROFILE_ID, RED_PROFILE_TITLE, Sample, World, make_world, submit_sample  # noqa: E402
from smartborder.api.app import create_app  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    return make_world(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def sample(world: World) -> Sample:
    with world.client:  # its app is closed after: the server below runs an app of its own on the same data
        return submit_sample(world)


@pytest.fixture(scope="module")
def base_url(world: World, sample: Sample):
    """The service on 127.0.0.1, in a thread of this process, for the module's tests."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(world.settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def errors() -> list[str]:
    """Script errors and failed loads the page reported (a test removes the ones it expects)."""
    return []


@pytest.fixture
def page(browser, base_url, errors):
    context = browser.new_context(base_url=base_url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page
    context.close()
    assert not errors, f"errors in the browser: {errors}"


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/signin")
    expect(page.get_by_label("User name")).to_be_focused()  # autofocus on the first field
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_an_officer_records_a_seizure_and_the_profiles_hit_rate_follows(page: Page, sample):
    sign_in(page, "officer.de")
    expect(page).to_have_url(re.compile(r"/queue$"))
    expect(page.locator("header")).to_contain_text("officer.de")

    page.get_by_role("link", name="Profiles", exact=True).click()
    expect(page.locator(f"#profile-{RED_PROFILE_ID} td.hits")).to_have_text("1")  # it selected the consignment
    expect(page.locator(f"#profile-{RED_PROFILE_ID} td.hit-rate")).to_have_text("–")  # not inspected yet

    page.get_by_role("link", name="Queue", exact=True).click()
    table = page.locator("#queue-table")
    expect(table).to_contain_text(RED_DE)
    page.get_by_role("checkbox", name="red", exact=True).uncheck()  # htmx fetches the table again, without the red lane
    expect(table).not_to_contain_text(RED_DE)
    expect(page).to_have_url(re.compile(r"lane=hold&lane=yellow"))
    page.get_by_role("checkbox", name="red", exact=True).check()
    expect(table).to_contain_text(RED_DE)

    page.get_by_role("link", name=RED_DE).click()
    expect(page).to_have_url(re.compile(rf"/consignments/{sample.red_de}$"))
    expect(page.locator("h1 .lane-red")).to_be_visible()
    expect(page.locator("#reasons li").first).to_contain_text(f"profile {RED_PROFILE_ID} '{RED_PROFILE_TITLE}'")

    page.get_by_label("Result").select_option("seizure")
    page.get_by_label("Kind of finding").select_option("prohibited_restricted")
    page.get_by_label("Quantity seized").fill("2")
    page.get_by_label("Note").fill("capsules without a prescription")
    page.get_by_role("button", name="Record outcome").click()
    recorded = page.locator("#outcome-recorded")
    expect(recorded).to_contain_text("seizure")
    expect(page.locator("#past-outcomes")).to_contain_text("prohibited restricted")
    expect(page).to_have_url(re.compile(rf"/consignments/{sample.red_de}$"))  # swapped in place by htmx

    page.get_by_role("link", name="Profiles", exact=True).click()
    expect(page.locator(f"#profile-{RED_PROFILE_ID} td.hit-rate")).to_have_text(re.compile(r"100\s%"))
    page.get_by_role("link", name="Queue", exact=True).click()
    expect(page.locator("#queue-table")).not_to_contain_text(RED_DE)  # inspected: out of the queue


def test_a_wrong_password_shows_the_error(page: Page, errors):
    sign_in(page, "officer.de", "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("Wrong user name or password")
    expect(page).to_have_url(re.compile(r"/signin$"))
    expect(page.get_by_label("User name")).to_have_value("officer.de")
    expect(page.get_by_label("Password")).to_have_value("")
    errors[:] = [e for e in errors if "status of 401" not in e]  # the form comes back with 401, as it should


def test_the_dashboard_draws_its_charts(page: Page):
    sign_in(page, "analyst.de")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.locator("#figures")).to_contain_text("Consignments")
    expect(page.locator("#chart-lanes .main-svg").first).to_be_visible()  # drawn by the bundled plotly
