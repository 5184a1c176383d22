"""The demo's setting, after its sample data is in and assessed: two customs administrations
(Germany, France) with the example profiles and lists in their workspaces, a submitter, the
platform organisation that runs the service (its operator manages every organisation's accounts;
`admin` only Customs Germany's), demo accounts, and past inspections of the selected consignments (results taken from the sample's
truth), so that hit rates and the dashboard have something to show. The last week's selected
consignments are left in the queue. Running it again changes nothing that exists."""

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import yaml
from sqlalchemy import Engine, insert, select

from smartborder.config import Settings
from smartborder.service.accounts import ADMINISTRATION, PLATFORM, SUBMITTER, create_organisation, create_user, list_users, organisation_by_code
from smartborder.service.inspections import QUEUE_LANES
from smartborder.service.records import overview
from smartborder.service.workspace import workspace
from smartborder.store.tables import consignments, outcomes

PASSWORD = "smartborder-demo"
ORGANISATIONS = (
    ("customs-de", "Customs Germany (demo)", ADMINISTRATION, ("DE",)),
    ("customs-fr", "Customs France (demo)", ADMINISTRATION, ("FR",)),
    ("bazaro", "Bazaro", SUBMITTER, ()),
    ("platform", "smartborder platform (demo)", PLATFORM, ()),
)
ACCOUNTS = (  # username, organisation, role, name
    ("officer.de", "customs-de", "officer", "Targeting officer, Germany"),
    ("analyst.de", "customs-de", "analyst", "Risk analyst, Germany"),
    ("officer.fr", "customs-fr", "officer", "Targeting officer, France"),
    ("admin", "customs-de", "admin", "Administrator"),
    ("bazaro", "bazaro", "submitter", "Bazaro marketplace (API)"),
    ("operator", "platform", "operator", "Platform operator"),
)
# What an inspection finds for each planted problem: (result, kind of finding). Vague descriptions
# and placeholder parties are poor data, not wrong goods: their inspections find nothing.
FOUND = {
    "undervaluation": ("non_compliance", "undervaluation"), "zero_value": ("non_compliance", "undervaluation"),
    "misdeclared_hs": ("non_compliance", "misclassification"), "medicines": ("seizure", "prohibited_restricted"),
    "branded_unusual_origin": ("seizure", "counterfeit"), "listed_party_lookalike": ("seizure", "other"),
}  # fmt: skip
OPEN_DAYS = 7  # the selected consignments of the sample's last week stay in the queue


def set_up(engine: Engine, settings: Settings, examples: Path, sample_list: Path, valuation: Path) -> list[tuple[str, str, str]]:
    """Organisations, workspaces and accounts; returns the accounts as (username, organisation, role)."""
    for code, name, kind, countries in ORGANISATIONS:
        if organisation_by_code(engine, code) is None:
            create_organisation(engine, code, name, kind, countries)
        organisation = organisation_by_code(engine, code)
        if kind == ADMINISTRATION and not workspace(settings, organisation).root.exists():
            _fill_workspace(workspace(settings, organisation).root, examples, sample_list, valuation)
    known = {u["username"] for u in list_users(engine)}
    for username, code, role, name in ACCOUNTS:
        if username not in known:
            create_user(engine, organisation_by_code(engine, code).id, username, name, role, PASSWORD)
    return [(username, code, role) for username, code, role, _ in ACCOUNTS]


def _fill_workspace(root: Path, examples: Path, sample_list: Path, valuation: Path) -> None:
    shutil.copytree(examples / "profiles", root / "profiles", ignore=shutil.ignore_patterns("*.md"))
    shutil.copytree(examples / "watchlists", root / "watchlists", ignore=shutil.ignore_patterns("*.md"))
    shutil.copy(sample_list, root / "watchlists" / "sample-watchlist.csv")
    shutil.copy(valuation, root / "valuation.parquet")
    index = root / "watchlists" / "watchlists.yaml"
    lists = yaml.safe_load(index.read_text(encoding="utf-8"))
    lists["lists"].append({"name": "sample-watchlist", "kind": "party", "file": "sample-watchlist.csv", "source": "sample generator (fictional)",
                           "date": datetime.now(UTC).date(), "lane": "red", "weight": 0.8})  # fmt: skip
    index.write_text(yaml.safe_dump(lists, sort_keys=False), encoding="utf-8")


def record_past_inspections(engine: Engine, truth: Path) -> int:
    """Outcomes for the selected, uninspected consignments declared before the sample's last week."""
    base = overview().where(consignments.c.is_current).subquery()
    with engine.connect() as conn:
        last = conn.execute(select(base.c.declared_date).order_by(base.c.declared_date.desc()).limit(1)).scalar_one_or_none()
    if last is None:
        return 0
    query = select(base.c.id, base.c.reference, base.c.declared_date).where(
        base.c.lane.in_(QUEUE_LANES), base.c.outcome.is_(None), base.c.declared_date <= last - timedelta(days=OPEN_DAYS)
    )
    selected = pl.read_database(query, engine)
    if selected.is_empty():  # every selection is inspected already, or there is none
        return 0
    planted = pl.read_csv(truth, columns=["reference", "problem"]).unique("reference")
    found = pl.DataFrame([(p, r, k) for p, (r, k) in FOUND.items()], schema=["problem", "result", "finding_kind"], orient="row")
    rows = selected.join(planted, on="reference", how="left").join(found, on="problem", how="left").select(
        pl.col("id").alias("consignment_id"), (pl.col("declared_date") + pl.duration(days=2)).alias("inspected_at"),
        pl.lit("demo").alias("officer"), pl.lit("physical").alias("control_type"), pl.col("result").fill_null("no_finding"), "finding_kind",
        pl.lit("demo: the sample's truth").alias("source"), pl.lit(datetime.now(UTC)).alias("recorded_at"),
    )  # fmt: skip
    if rows.height:
        with engine.begin() as conn:
            conn.execute(insert(outcomes), rows.to_dicts())
    return rows.height
