"""What submitters do: send consignments (one or a batch; a changed resubmission amends),
follow what happens to them, and answer requests for information.

Consignments sent through the API are prepared as a file's rows are, stored through the same
writer, and assessed at once with the context of the administration of their destination.
"""

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

import polars as pl
from sqlalchemy import Engine, select, update

from smartborder.config import Settings
from smartborder.intake.errors import by_row
from smartborder.intake.pipeline import check_balance, rows_by_result
from smartborder.intake.readers import no_spans
from smartborder.intake.records import prepare_records
from smartborder.intake.writer import Writer
from smartborder.risk.engine import assess
from smartborder.service.accounts import Principal, administrations
from smartborder.service.records import count, in_scope, overview, submitter_status
from smartborder.service.workspace import Contexts
from smartborder.store import consignments as repo
from smartborder.store.assessments import record as record_assessments
from smartborder.store.tables import consignments, rfis


@dataclass
class Outcome:
    row: int  # position in the submission, from 1
    reference: str | None
    result: str  # accepted, amended, unchanged, rejected
    status: str | None = None  # what happens to the goods (records.SUBMITTER_STATUSES)
    errors: list[dict] = field(default_factory=list)  # field, code, message


class Inbox:
    """Stores submissions one at a time through a writer process of its own, started on first use."""

    def __init__(self, engine: Engine, settings: Settings, contexts: Contexts):
        self._engine, self._settings, self._contexts = engine, settings, contexts
        self._writer: Writer | None = None
        self._lock = threading.Lock()

    def submit(self, who: Principal, records: list[dict]) -> list[Outcome]:
        """Store and assess `records`; one outcome per record, in order."""
        prepared = prepare_records(records, who.organisation.name, self._settings.rfi_severity)
        with self._lock:
            if self._writer is None:
                self._writer = Writer(self._engine.url.render_as_string(hide_password=False))
            run_id = repo.start_run(self._engine, f"api:{who.username}", "json", who.organisation.name)
            self._writer.submit(run_id, "api", prepared, pl.DataFrame(schema=prepared.rejects.schema))
            stored = self._writer.result()
            counts = {"rows_read": len(records), "rows_in_file": len(records), **rows_by_result(stored.rows, no_spans()),
                      **{k: v for k, v in stored.counts.items() if k in ("accepted", "amended", "unchanged")}}  # fmt: skip
            repo.finish_run(self._engine, run_id, counts)
        check_balance(counts)
        fresh = self._assess_fresh(prepared.goods_items(), run_id)
        return self._outcomes(who, records, stored.rejects, fresh)

    def _assess_fresh(self, items: pl.DataFrame, run_id: int) -> set[str]:
        """Assess the consignments this run stored (new or amended), each with its destination's
        administration; returns their references."""
        with self._engine.connect() as conn:
            fresh = {r for (r,) in conn.execute(select(consignments.c.reference).where(consignments.c.intake_run_id == run_id))}
        items = items.filter(pl.col("reference").is_in(list(fresh)))
        for administration in administrations(self._engine):
            mine = items.filter(pl.col("destination_country").is_in(list(administration.countries)))
            if mine.height:
                record_assessments(self._engine, assess(mine, self._contexts.get(administration)))
        return fresh

    def _outcomes(self, who: Principal, records: list[dict], rejects: pl.DataFrame, fresh: set[str]) -> list[Outcome]:
        statuses = {row.reference: row for row in status_rows(self._engine, who, [str(r.get("reference")) for r in records])}
        errors = by_row(rejects)
        outcomes = []
        for number, record in enumerate(records, start=1):
            reference = record.get("reference")
            if number in errors:
                outcomes.append(Outcome(number, reference, "rejected", errors=errors[number]))
                continue
            row = statuses.get(reference)
            result = "unchanged" if reference not in fresh else ("amended" if row.version > 1 else "accepted")
            outcomes.append(Outcome(number, reference, result, submitter_status(row.lane, row.open_rfis, row.outcome)))
        return outcomes

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _statuses(who: Principal, references: list[str] | None):
    query = overview().where(in_scope(who))
    if references is not None:
        query = query.where(consignments.c.reference.in_(references))
    return query


def status_rows(engine: Engine, who: Principal, references: list[str] | None = None, offset: int = 0, limit: int | None = 50) -> list:
    """The submitter's current consignments (those named, or a page of all, newest first)."""
    query = _statuses(who, references).order_by(consignments.c.id.desc()).offset(offset).limit(limit if references is None else None)
    with engine.connect() as conn:
        return list(conn.execute(query))


def status_count(engine: Engine, who: Principal) -> int:
    return count(engine, _statuses(who, None))


def _requests(who: Principal, only_open: bool, rfi_id: int | None):
    query = (
        select(rfis.c.id, consignments.c.reference, rfis.c.status, rfis.c.created_at, rfis.c.request, rfis.c.answer, rfis.c.answered_at)
        .join(consignments, consignments.c.id == rfis.c.consignment_id)
        .where(in_scope(who))
    )
    if only_open:
        query = query.where(rfis.c.status == "open")
    if rfi_id is not None:
        query = query.where(rfis.c.id == rfi_id)
    return query


def requests_for_information(engine: Engine, who: Principal, only_open: bool = True, offset: int = 0, limit: int | None = 50,
                             rfi_id: int | None = None) -> list[dict]:
    with engine.connect() as conn:
        return [r._asdict() for r in conn.execute(_requests(who, only_open, rfi_id).order_by(rfis.c.id).offset(offset).limit(limit))]


def request_count(engine: Engine, who: Principal, only_open: bool = True) -> int:
    return count(engine, _requests(who, only_open, None))


class AlreadyAnswered(ValueError):
    """The request for information was answered before."""


def answer_rfi(engine: Engine, who: Principal, rfi_id: int, answer: str) -> dict | None:
    """Answer an open request for information of one's own; None when there is no such request."""
    with engine.begin() as conn:
        status = conn.execute(
            select(rfis.c.status).join(consignments, consignments.c.id == rfis.c.consignment_id).where(in_scope(who), rfis.c.id == rfi_id)
        ).scalar_one_or_none()  # fmt: skip
        if status is None:
            return None
        if status != "open":
            raise AlreadyAnswered(f"request for information {rfi_id} is {status}; amend the consignment to send more")
        conn.execute(update(rfis).where(rfis.c.id == rfi_id).values(status="answered", answer=answer, answered_at=datetime.now(UTC), answered_by=who.username))
    return requests_for_information(engine, who, only_open=False, rfi_id=rfi_id)[0]
