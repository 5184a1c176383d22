"""The audit log: who changed a profile, a list, a model, an account or a token, or recorded an
outcome, and when.

Each organisation's entries form a chain: an entry stores the hash of the organisation's entry
before it and the SHA-256 of its own content with that previous hash (`entry_hash`), and
`audit_heads` holds the newest entry's id and hash. An append locks the organisation's head row
(a row lock on PostgreSQL; SQLite serialises writers), so two appends never fork the chain, and
`verify` names the first entry that was changed or removed behind the service's back.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from smartborder.store.tables import audit_heads, audit_log, organisations

if TYPE_CHECKING:
    from smartborder.service.accounts import Principal

COMMAND_LINE = "command line"  # the user name of changes made with the `smartborder` command (`who` None)
ACCOUNT_ACTIONS = ("organisation.", "user.", "token.", "signin.")  # how the actions on organisations, accounts, tokens and sign-ins begin
CHAINED = ("at", "user_id", "username", "organisation_id", "action", "target", "detail")  # the content an entry's hash covers


def record(conn: Connection, who: "Principal | None", action: str, target: str, detail: dict | None = None,
           organisation_id: int | None = None) -> None:  # fmt: skip
    """Log a change, in the transaction that makes it, at the end of `organisation_id`'s chain
    (default: the organisation of `who`; `who` None is the command line)."""
    organisation_id = who.organisation.id if organisation_id is None else organisation_id
    entry = {"at": datetime.now(UTC), "user_id": who.user_id if who else None, "username": who.username if who else COMMAND_LINE,
             "organisation_id": organisation_id, "action": action, "target": target,
             "detail": json.dumps(detail, default=str) if detail else None}  # fmt: skip
    previous = _locked_head(conn, organisation_id)
    digest = entry_hash(entry, previous)
    entry_id = conn.execute(insert(audit_log).values(**entry, previous_hash=previous, hash=digest).returning(audit_log.c.id)).scalar_one()
    conn.execute(update(audit_heads).where(audit_heads.c.organisation_id == organisation_id).values(last_id=entry_id, hash=digest))


def _locked_head(conn: Connection, organisation_id: int) -> str | None:
    """The hash of the organisation's newest entry (None before its first), its head row locked until the transaction ends."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(audit_heads).values(organisation_id=organisation_id, last_id=0, hash="").on_conflict_do_nothing())
    head = conn.execute(select(audit_heads.c.hash).where(audit_heads.c.organisation_id == organisation_id).with_for_update()).scalar_one()
    return head or None


def entry_hash(entry: dict, previous: str | None) -> str:
    """SHA-256 of the canonical JSON of an entry's content (CHAINED) and the previous entry's hash."""
    content = {name: entry[name] for name in CHAINED} | {"at": _moment(entry["at"]), "previous_hash": previous}
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def _moment(at: datetime) -> str:
    """A moment as the same text whatever the store gives back (SQLite: naive, PostgreSQL: in the session's zone)."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat(timespec="microseconds")


def entries(engine: Engine, organisation_id: int | None, offset: int = 0, limit: int = 50, accounts: bool = False) -> list[dict]:
    """The newest entries first; one organisation's, or all (`None`): of its risk setup and outcomes, or (`accounts`) of
    its accounts, tokens and sign-ins."""
    about_accounts = or_(*(audit_log.c.action.startswith(prefix) for prefix in ACCOUNT_ACTIONS))
    query = select(audit_log.c.id, audit_log.c.at, audit_log.c.username, audit_log.c.action, audit_log.c.target, audit_log.c.detail)
    query = query.where(about_accounts if accounts else ~about_accounts)
    if organisation_id is not None:
        query = query.where(audit_log.c.organisation_id == organisation_id)
    with engine.connect() as conn:
        return [row._asdict() for row in conn.execute(query.order_by(audit_log.c.id.desc()).offset(offset).limit(limit))]


@dataclass(frozen=True)
class ChainReport:
    """One organisation's chain: how many entries were checked, and its first broken link (None: intact)."""

    organisation: str
    entries: int
    problem: str | None


def verify(engine: Engine, organisation_code: str | None = None) -> list[ChainReport]:
    """Walk each organisation's chain (or one's) from its first entry to its head."""
    query = select(organisations.c.id, organisations.c.code).order_by(organisations.c.code)
    if organisation_code is not None:
        query = query.where(organisations.c.code == organisation_code)
    with engine.connect() as conn:
        return [_verify_chain(conn, organisation_id, code) for organisation_id, code in conn.execute(query).all()]


def _verify_chain(conn: Connection, organisation_id: int, code: str) -> ChainReport:
    previous_id, previous, count = None, None, 0
    for row in _chain(conn, organisation_id):
        count += 1
        if row.previous_hash != previous:
            before = f"entry {previous_id}" if previous_id else "no entry (it is the first)"
            return ChainReport(code, count, f"entry {row.id}: its previous_hash does not match {before}: an entry between them was removed, "
                                            "or the one before it was changed")  # fmt: skip
        if row.hash != entry_hash(row._asdict(), previous):
            return ChainReport(code, count, f"entry {row.id}: its content (at, user, action, target or detail) does not match its hash: "
                                            "it was changed")  # fmt: skip
        previous_id, previous = row.id, row.hash
    head = conn.execute(select(audit_heads.c.last_id, audit_heads.c.hash).where(audit_heads.c.organisation_id == organisation_id)).first()
    if head is not None and head.last_id and (head.last_id, head.hash) != (previous_id, previous):
        return ChainReport(code, count, f"entry {head.last_id}, the newest the chain recorded, is missing or changed "
                                        f"(the chain ends at {f'entry {previous_id}' if previous_id else 'no entry'})")  # fmt: skip
    return ChainReport(code, count, None)


def _chain(conn: Connection, organisation_id: int) -> Iterator:
    query = select(audit_log.c.id, audit_log.c.previous_hash, audit_log.c.hash, *(audit_log.c[name] for name in CHAINED))
    return conn.execution_options(yield_per=1000).execute(query.where(audit_log.c.organisation_id == organisation_id).order_by(audit_log.c.id))
