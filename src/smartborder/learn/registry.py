"""The store's registers of models: which one is in use (champion), which are being compared
(challengers), which are retired. Each administration has its own register (`organisation_id`);
models registered from the command line without an administration (`None`) form the command
line's own. One register's promotions never touch another's."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.sql import ColumnElement

from smartborder.store.tables import models

CHAMPION, CHALLENGER, RETIRED = "champion", "challenger", "retired"


def _in_register(organisation_id: int | None) -> ColumnElement[bool]:
    """The models of one register."""
    return models.c.organisation_id.is_(None) if organisation_id is None else models.c.organisation_id == organisation_id


def register(engine: Engine, directory: Path, info: dict, organisation_id: int | None = None) -> str:
    """Record a saved model in a register; the first becomes its champion, later ones challengers.
    Registering the same version again changes nothing. Returns its status."""
    mine = _in_register(organisation_id)
    with engine.begin() as conn:
        known = conn.execute(select(models.c.status).where(mine, models.c.version == info["version"])).scalar_one_or_none()
        if known is not None:
            return known
        has_champion = conn.execute(select(models.c.id).where(mine, models.c.status == CHAMPION)).first() is not None
        status = CHALLENGER if has_champion else CHAMPION
        window = [date.fromisoformat(d) for d in info.get("training_window", [None, None]) if d] or [None, None]
        conn.execute(insert(models).values(
            organisation_id=organisation_id, version=info["version"], path=str(directory.resolve()), registered_at=datetime.now(UTC),
            window_from=window[0], window_to=window[-1], metrics=json.dumps(info.get("out_of_time_metrics", {})), status=status,
        ))  # fmt: skip
    return status


def promote(conn: Connection, version: str, organisation_id: int | None = None) -> None:
    """Put a challenger of the register in use; the champion it replaces is retired. Runs in the
    caller's transaction, so that an audit entry commits with the change."""
    mine = _in_register(organisation_id)
    status = conn.execute(select(models.c.status).where(mine, models.c.version == version)).scalar_one_or_none()
    if status is None:
        raise LookupError(f"no model {version!r} in the register")
    if status == RETIRED:
        raise LookupError(f"model {version!r} is retired")
    conn.execute(update(models).where(mine, models.c.status == CHAMPION).values(status=RETIRED))
    conn.execute(update(models).where(mine, models.c.version == version).values(status=CHAMPION))


def registered(engine: Engine, organisation_id: int | None = None) -> pl.DataFrame:
    """The register's models, oldest first."""
    query = select(models.c.version, models.c.status, models.c.registered_at, models.c.window_from, models.c.window_to, models.c.metrics, models.c.path)
    return pl.read_database(query.where(_in_register(organisation_id)).order_by(models.c.registered_at), engine)


def champion(engine: Engine, organisation_id: int | None = None) -> Path | None:
    """The directory of the register's model in use, if it has one."""
    with engine.connect() as conn:
        path = conn.execute(select(models.c.path).where(_in_register(organisation_id), models.c.status == CHAMPION)).scalar_one_or_none()
    return Path(path) if path else None
