"""Reading consignments as their organisation may: customs administrations see the consignments
bound for their countries, submitters the ones they sent. Each consignment's current version
comes with its latest assessment, latest inspection outcome and open requests for information."""

from sqlalchemy import Engine, Select, and_, func, select
from sqlalchemy.sql import ColumnElement

from smartborder.intake.validate import POSITIVE
from smartborder.risk.lanes import BLUE, GREEN, HOLD, RED, YELLOW
from smartborder.service.accounts import Principal
from smartborder.store.tables import assessments, consignments, outcomes, rfis

# What a submitter is told: never the score or the reasons, only what happens to the goods.
RECEIVED, RELEASED, HELD, INFORMATION_REQUESTED, DETAINED = "received", "released", "held", "information_requested", "detained"
SUBMITTER_STATUSES = (RECEIVED, RELEASED, HELD, INFORMATION_REQUESTED, DETAINED)


def in_scope(who: Principal) -> ColumnElement[bool]:
    """The current consignments `who`'s organisation may read."""
    if who.is_customs:
        return and_(consignments.c.is_current, consignments.c.destination_country.in_(who.organisation.countries))
    return and_(consignments.c.is_current, consignments.c.submitter == who.organisation.name)


def _latest(table) -> ColumnElement[bool]:
    """The join condition picking each consignment's newest row of `table` (through its index on consignment_id)."""
    newer = table.alias()
    return table.c.id == select(func.max(newer.c.id)).where(newer.c.consignment_id == consignments.c.id).scalar_subquery()


def overview() -> Select:
    """Current consignments (unfiltered) with lane, score, profiles, outcome and open RFIs."""
    open_rfis = select(func.count()).where(rfis.c.consignment_id == consignments.c.id, rfis.c.status == "open").scalar_subquery()
    return (
        select(
            consignments.c.id, consignments.c.submitter, consignments.c.reference, consignments.c.version, consignments.c.received_at,
            consignments.c.office, consignments.c.declared_date, consignments.c.destination_country, consignments.c.transport_mode,
            consignments.c.consignor_name, consignments.c.consignee_name, consignments.c.quality_score,
            assessments.c.lane, assessments.c.risk_score, assessments.c.profiles, assessments.c.assessed_at,
            outcomes.c.result.label("outcome"), open_rfis.label("open_rfis"),
        )
        .select_from(consignments)
        .outerjoin(assessments, _latest(assessments))
        .outerjoin(outcomes, _latest(outcomes))
    )  # fmt: skip


def submitter_status(lane: str | None, open_rfis: int, outcome: str | None) -> str:
    """What happens to the goods, in the words a submitter is told."""
    if outcome is not None:
        return DETAINED if outcome in POSITIVE else RELEASED
    if open_rfis:
        return INFORMATION_REQUESTED
    if lane in (GREEN, BLUE):
        return RELEASED
    if lane in (YELLOW, RED, HOLD):
        return HELD
    return RECEIVED  # not assessed yet, or an answered request for information under review


def count(engine: Engine, query: Select) -> int:
    """How many rows `query` gives."""
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
