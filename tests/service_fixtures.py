"""A small service world for API and web tests: two customs administrations (DE, FR), two
submitters, a user of every role, and a profile that sends retail medicines to red; and
`submit_sample`, three consignments the web tests look at."""

from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from smartborder.api.app import create_app
from smartborder.config import Settings
from smartborder.service import accounts

PASSWORD = "correct horse battery"
RED_PROFILE_ID = "MED-T1"
RED_PROFILE_TITLE = "Retail medicines from India"
RED_PROFILE = f"""\
id: {RED_PROFILE_ID}
title: {RED_PROFILE_TITLE}
rationale: test profile
owner: test desk
expected_selection_rate: 0.01
when:
  hs_code: {{prefix: ["3004"]}}
  origin_country: {{in: [IN]}}
effect: {{lane: red, weight: 0.5}}
"""
USERS = {  # username: (organisation code, role)
    "officer.de": ("customs-de", "officer"),
    "analyst.de": ("customs-de", "analyst"),
    "officer.fr": ("customs-fr", "officer"),
    "admin": ("customs-de", "admin"),
    "bazaro": ("bazaro", "submitter"),
    "parcelwave": ("parcelwave", "submitter"),
}


def consignment(reference: str, destination: str = "DE", **changes) -> dict:
    """One clean consignment as a submitter sends it; medicines from India when hs_code 300490."""
    item = {"description": "LED desk lamp with USB charger", "hs_code": "940521", "quantity": 2, "quantity_unit": "PCE",
            "gross_mass": 1.4, "net_mass": 1.2, "value": 38.5, "currency": "EUR", "origin_country": "CN"}  # fmt: skip
    item |= changes.pop("item", {})
    return {
        "reference": reference, "transport_mode": "air", "carrier": "Skyline Express", "office": f"{destination}004700",
        "declared_date": "2025-03-01", "expected_arrival": "2025-03-04", "departure_country": "CN", "destination_country": destination,
        "consignor_name": "Shenzhen Bright Lamp Co., Ltd.", "consignor_address": "88 Nanshan Road, Shenzhen", "consignor_country": "CN",
        "consignee_name": "Anna Schmidt", "consignee_address": "Hauptstrasse 5, 10115 Berlin", "consignee_country": destination,
        "items": [item],
    } | changes  # fmt: skip


MEDICINES = {"description": "Amoxicillin 500 mg capsules", "hs_code": "300490", "value": 12.0, "currency": "USD", "origin_country": "IN"}


@dataclass
class World:
    client: TestClient
    settings: Settings
    tokens: dict[str, str]  # username -> API token
    user_ids: dict[str, int]

    def as_(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}


def make_world(data_dir: Path, database_url: str | None = None) -> World:
    settings = Settings(data_dir=data_dir, database_url=database_url)
    app = create_app(settings)
    engine = app.state.service.engine
    for code, name, kind, countries in (
        ("customs-de", "Customs DE", "administration", ("DE",)),
        ("customs-fr", "Customs FR", "administration", ("FR",)),
        ("bazaro", "Bazaro", "submitter", ()),
        ("parcelwave", "Parcelwave", "submitter", ()),
    ):
        accounts.create_organisation(engine, code, name, kind, countries)
        if kind == "administration":
            profiles = data_dir / "administrations" / code / "profiles"
            profiles.mkdir(parents=True)
            (profiles / "med-t1.yaml").write_text(RED_PROFILE)
    tokens, ids = {}, {}
    for username, (code, role) in USERS.items():
        ids[username] = accounts.create_user(engine, accounts.organisation_by_code(engine, code).id, username, username, role, PASSWORD)
        tokens[username] = accounts.issue_token(engine, ids[username], "test")[1]
    return World(TestClient(app), settings, tokens, ids)


def with_operator(world: World) -> World:
    """The world with a platform organisation and its operator (`operator`, who alone creates
    organisations), signed in with a token."""
    engine = world.client.app.state.service.engine
    platform = accounts.create_organisation(engine, "platform", "Platform", accounts.PLATFORM)
    world.user_ids["operator"] = accounts.create_user(engine, platform.id, "operator", "Operator", accounts.OPERATOR, PASSWORD)
    world.tokens["operator"] = accounts.issue_token(engine, world.user_ids["operator"], "test")[1]
    return world


RED_DE, GREEN_DE, TO_FR = "BZ-RED-DE", "BZ-GREEN-DE", "BZ-FR"  # the references `submit_sample` sends


@dataclass
class Sample:
    red_de: int  # id of RED_DE: medicines from India for Germany, sent to red by MED-T1
    fr: int  # id of TO_FR: the same medicines for France


def submit_sample(world: World) -> Sample:
    """Bazaro submits RED_DE, GREEN_DE (a lamp for Germany: green, so never queued) and TO_FR;
    returns the ids the officers of each administration see. Call inside `with world.client:`."""
    records = [consignment(RED_DE, item=MEDICINES), consignment(GREEN_DE), consignment(TO_FR, "FR", item=MEDICINES)]
    sent = world.client.post("/v1/submissions", json={"consignments": records}, headers=world.as_("bazaro"))
    assert sent.status_code == 200 and sent.json()["accepted"] == 3, sent.text
    queue = lambda officer: {c["reference"]: c for c in world.client.get("/v1/queue", headers=world.as_(officer)).json()["items"]}  # noqa: E731
    de, fr = queue("officer.de"), queue("officer.fr")
    assert de[RED_DE]["lane"] == "red" and RED_PROFILE_ID in de[RED_DE]["profiles"].split() and GREEN_DE not in de, de
    return Sample(de[RED_DE]["id"], fr[TO_FR]["id"])
