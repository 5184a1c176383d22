"""The audit log: who changed a profile, a list or a model, or recorded an outcome, and when."""

import json
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert, select

from smartborder.service.accounts import Principal
from smartborder.store.tables import audit_log


def record(conn: Connection, who: Principal, action: str, target: str, detail: dict | None = None) -> None:
    """Log a change, in the transaction that makes it."""
    conn.execute(insert(audit_log).values(
        at=datetime.now(UTC), user_id=who.user_id, username=who.username, organisation_id=who.organisation.id,
        action=action, target=target, detail=json.dumps(detail, default=str) if detail else None,
    ))  # fmt: skip


def entries(engine: Engine, organisation_id: int | None, offset: int = 0, limit: int = 50) -> list[dict]:
    """The newest entries first; one organisation's, or all (`None`)."""
    query = select(audit_log.c.id, audit_log.c.at, audit_log.c.username, audit_log.c.action, audit_log.c.target, audit_log.c.detail)
    if organisation_id is not None:
        query = query.where(audit_log.c.organisation_id == organisation_id)
    with engine.connect() as conn:
        return [row._asdict() for row in conn.execute(query.order_by(audit_log.c.id.desc()).offset(offset).limit(limit))]
