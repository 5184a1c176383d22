"""What submitters do: send consignments (one or a batch; a changed resubmission amends),
follow what happens to them, and answer requests for information.

Consignments sent through the API are prepared as a file's rows are, stored through the same
writer, and assessed at once, each by the one administration of its destination. A consignment
bound for a country no administration on this service covers is rejected (`destination_country`,
`not_covered`): nobody would ever assess it. Files ingested from the command line have no
tenancy and are stored whatever their destination.
"""

import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import polars as pl
from sqlalchemy import Engine, select, update

from smartborder.config import Settings
from smartborder.intake import errors as E
from smartborder.intake.errors import by_row
from smartborder.intake.pipeline import check_balance, rows_by_result
from smartborder.intake.prepare import Prepared
from smartborder.intake.readers import no_spans
from smartborder.intake.records import prepare_records
from smartborder.intake.writer import Stored, Writer, WriterLost
from smartborder.risk.engine import assess
from smartborder.schema import KEY, ROW
from smartborder.service.accounts import Organisation, Principal, administrations
from smartborder.service.records import count, in_scope, overview, submitter_status
from smartborder.service.workspace import Contexts
from smartborder.store import consignments as repo
from smartborder.store.assessments import record as record_assessments
from smartborder.store.tables import consignments, rfis

NOT_COVERED = "not_covered"  # the code of a rejection: bound for a country no administration on this service covers


@dataclass
class Outcome:
    row: int  # position in the submission, from 1
    reference: str | None
    result: str  # accepted, amended, unchanged, rejected
    status: str | None = None  # what happens to the goods (records.SUBMITTER_STATUSES)
    errors: list[dict] = field(default_factory=list)  # field, code, message


RETRY_AFTER_SECONDS = 10  # how long a submitter waits before trying again while the writer cannot start


class StoreUnavailable(RuntimeError):
    """Submissions cannot be stored for now: the writer process cannot be started. Try again later."""

    retry_after = RETRY_AFTER_SECONDS


class Inbox:
    """Stores submissions one at a time through a writer process of its own, started on first use
    and started again when it is lost."""

    def __init__(self, engine: Engine, settings: Settings, contexts: Contexts):
        self._engine, self._settings, self._contexts = engine, settings, contexts
        self._writer: Writer | None = None
        self._lock = threading.Lock()

    def submit(self, who: Principal, records: list[dict]) -> list[Outcome]:
        """Store and assess `records`; one outcome per record, in order."""
        owners = _owners(self._engine)
        prepared = _refuse_uncovered(prepare_records(records, who.organisation.name, self._settings.rfi_severity), set(owners))
        with self._lock:
            run_id, stored = self._store(who, prepared, len(records))
        fresh = self._assess_fresh(prepared.goods_items(), run_id, owners)
        return self._outcomes(who, records, stored.rejects, fresh)

    def _store(self, who: Principal, prepared: Prepared, rows: int) -> tuple[int, Stored]:
        """Store a submission; when the writer process is lost, start a new one and send the batch once more."""
        try:
            return self._store_run(who, prepared, rows)
        except WriterLost:
            self.close()
        try:
            return self._store_run(who, prepared, rows)
        except WriterLost as lost:
            self.close()
            raise StoreUnavailable(f"submissions cannot be stored for now ({lost}); try again in {RETRY_AFTER_SECONDS} seconds") from lost

    def _store_run(self, who: Principal, prepared: Prepared, rows: int) -> tuple[int, Stored]:
        """Store a submission as an intake run of its own, marked failed when storing fails."""
        run_id = repo.start_run(self._engine, f"api:{who.username}", "json", who.organisation.name)
        counts = {"rows_read": rows}
        try:
            stored = self._write(run_id, prepared)
            counts |= {"rows_in_file": rows, **rows_by_result(stored.rows, no_spans()),
                       **{k: v for k, v in stored.counts.items() if k in ("accepted", "amended", "unchanged")}}  # fmt: skip
            check_balance(counts)
        except BaseException as failure:
            repo.finish_run(self._engine, run_id, counts, failure)
            raise
        repo.finish_run(self._engine, run_id, counts)
        return run_id, stored

    def _write(self, run_id: int, prepared: Prepared) -> Stored:
        """Store a prepared batch through the writer process, starting it when there is none."""
        if self._writer is None:
            self._writer = Writer(self._engine.url.render_as_string(hide_password=False))
        self._writer.submit(run_id, "api", prepared, pl.DataFrame(schema=prepared.rejects.schema))
        return self._writer.result()

    def _assess_fresh(self, items: pl.DataFrame, run_id: int, owners: dict[str, Organisation]) -> set[str]:
        """Assess the consignments this run stored (new or amended), each once, by the administration
        that owns its destination; returns their references."""
        with self._engine.connect() as conn:
            fresh = {r for (r,) in conn.execute(select(consignments.c.reference).where(consignments.c.intake_run_id == run_id))}
        items = items.filter(pl.col("reference").is_in(list(fresh)))
        for administration in set(owners.values()):
            mine = items.filter(pl.col("destination_country").is_in([c for c, owner in owners.items() if owner == administration]))
            if mine.height:
                record_assessments(self._engine, assess(mine, self._contexts.get(administration)))
        return fresh

    def _outcomes(self, who: Principal, records: list[dict], rejects: pl.DataFrame, fresh: set[str]) -> list[Outcome]:
        errors = by_row(rejects)
        # only the references of records not rejected: a rejected one may be text no query can carry (a NUL)
        stored = [str(r.get("reference")) for number, r in enumerate(records, start=1) if number not in errors]
        statuses = {row.reference: row for row in status_rows(self._engine, who, stored)}
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


def _owners(engine: Engine) -> dict[str, Organisation]:
    """The administration that assesses the consignments bound for each covered country. Overlaps
    are refused when an administration is created; should a store made before that have two for
    one country, the one created first decides."""
    owned: dict[str, Organisation] = {}
    for administration in sorted(administrations(engine), key=lambda o: o.id):
        owned |= {country: administration for country in administration.countries if country not in owned}
    return owned


def _refuse_uncovered(prepared: Prepared, covered: set[str]) -> Prepared:
    """`prepared` with the consignments bound for a country outside `covered` moved to its rejections."""
    refused = prepared.consignments.filter(~pl.col("destination_country").is_in(list(covered)))
    if refused.is_empty():
        return prepared
    message = pl.format("no administration on this service covers '{}': nobody would assess this consignment", pl.col("destination_country"))
    rejects = refused.select(E.rejects(pl.col(KEY), "destination_country", NOT_COVERED, message, pl.col("reference")))
    kept = lambda frame: frame.filter(~pl.col(KEY).is_in(refused[KEY].implode())) if KEY in frame.columns else frame  # noqa: E731
    return replace(prepared, consignments=kept(prepared.consignments), items=kept(prepared.items), findings=kept(prepared.findings),
                   outcomes=kept(prepared.outcomes), rejects=pl.concat([prepared.rejects, rejects]).sort(ROW))  # fmt: skip


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
