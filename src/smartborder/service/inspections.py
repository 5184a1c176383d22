"""What officers do: work through the queue of consignments selected for control, read one with
the reasons it was selected, and record what the inspection found."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Engine, func, insert, select

from smartborder.risk.lanes import HOLD, RED, YELLOW
from smartborder.service import audit
from smartborder.service.accounts import Principal
from smartborder.service.records import count, in_scope, overview
from smartborder.store.tables import assessments, consignments, goods_items, outcomes, quality_findings, rfis

QUEUE_LANES = (HOLD, RED, YELLOW)


@dataclass(frozen=True)
class QueueFilter:
    lanes: tuple[str, ...] = QUEUE_LANES
    office: str | None = None
    min_risk: float = 0.0
    include_inspected: bool = False


def queue(engine: Engine, who: Principal, chosen: QueueFilter, offset: int = 0, limit: int = 50) -> tuple[int, list[dict]]:
    """Consignments selected for control and not inspected yet, riskiest first: (total, page)."""
    base = overview().where(in_scope(who)).subquery()
    query = select(base).where(base.c.lane.in_(chosen.lanes), func.coalesce(base.c.risk_score, 0) >= chosen.min_risk)
    if chosen.office:
        query = query.where(base.c.office == chosen.office)
    if not chosen.include_inspected:
        query = query.where(base.c.outcome.is_(None))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(base.c.risk_score.desc(), base.c.id).offset(offset).limit(limit))
        return count(engine, query), [r._asdict() for r in rows]


def offices(engine: Engine, who: Principal) -> list[str]:
    with engine.connect() as conn:
        return [o for (o,) in conn.execute(select(consignments.c.office).where(in_scope(who)).distinct().order_by(consignments.c.office)) if o]


def detail(engine: Engine, who: Principal, consignment_id: int) -> dict | None:
    """One consignment, if `who` may read it: its record, goods items, data-quality findings,
    requests for information, assessments (reasons one per line) and outcomes."""
    with engine.connect() as conn:
        row = conn.execute(select(consignments).where(in_scope(who), consignments.c.id == consignment_id)).first()
        if row is None:
            return None
        found = row._asdict()

        def rows(table, order):
            return [r._asdict() for r in conn.execute(select(table).where(table.c.consignment_id == consignment_id).order_by(order))]

        found["items"] = rows(goods_items, goods_items.c.item_no)
        found["findings"] = rows(quality_findings, quality_findings.c.severity.desc())
        found["rfis"] = rows(rfis, rfis.c.id)
        found["assessments"] = rows(assessments, assessments.c.id.desc())
        found["outcomes"] = rows(outcomes, outcomes.c.id.desc())
    for assessed in found["assessments"]:
        assessed["reasons"] = [r for r in (assessed["reasons"] or "").split("; ") if r]
        assessed["profiles"] = (assessed["profiles"] or "").split()
    return found


@dataclass(frozen=True)
class Inspection:
    result: str  # no_finding, non_compliance, seizure
    control_type: str  # physical, document, post_clearance
    finding_kind: str | None = None
    extra_duty: float | None = None
    quantity_seized: float | None = None
    inspected_at: date | None = None
    note: str | None = None


def record_outcome(engine: Engine, who: Principal, consignment_id: int, found: Inspection) -> dict | None:
    """Record an inspection's outcome for a consignment `who` may read (None otherwise), in the audit log too."""
    with engine.begin() as conn:
        reference = conn.execute(select(consignments.c.reference).where(in_scope(who), consignments.c.id == consignment_id)).scalar_one_or_none()
        if reference is None:
            return None
        values = {
            "consignment_id": consignment_id, "inspected_at": found.inspected_at or date.today(), "officer": who.username,
            "control_type": found.control_type, "result": found.result, "finding_kind": found.finding_kind,
            "extra_duty": found.extra_duty, "quantity_seized": found.quantity_seized,
            "source": f"officer {who.username}" + (f": {found.note}" if found.note else ""), "recorded_at": datetime.now(UTC),
        }  # fmt: skip
        values["id"] = conn.execute(insert(outcomes).values(**values).returning(outcomes.c.id)).scalar_one()
        audit.record(conn, who, "outcome.record", f"consignment:{consignment_id}", {"reference": reference, "result": found.result,
                                                                                   "finding_kind": found.finding_kind})  # fmt: skip
    return values
