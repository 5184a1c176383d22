"""The store's register of models: which one is in use (champion), which are being compared
(challengers), which are retired."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
from sqlalchemy import Engine, insert, select, update

from smartborder.store.tables import models

CHAMPION, CHALLENGER, RETIRED = "champion", "challenger", "retired"


def register(engine: Engine, directory: Path, info: dict) -> str:
    """Record a saved model; the first becomes champion, later ones challengers. Registering the
    same version again changes nothing. Returns its status."""
    with engine.begin() as conn:
        known = conn.execute(select(models.c.status).where(models.c.version == info["version"])).scalar_one_or_none()
        if known is not None:
            return known
        has_champion = conn.execute(select(models.c.id).where(models.c.status == CHAMPION)).first() is not None
        status = CHALLENGER if has_champion else CHAMPION
        window = [date.fromisoformat(d) for d in info.get("training_window", [None, None]) if d] or [None, None]
        conn.execute(insert(models).values(
            version=info["version"], path=str(directory.resolve()), registered_at=datetime.now(UTC), window_from=window[0],
            window_to=window[-1], metrics=json.dumps(info.get("out_of_time_metrics", {})), status=status,
        ))  # fmt: skip
    return status


def promote(engine: Engine, version: str) -> None:
    """Put a challenger in use; the champion it replaces is retired."""
    with engine.begin() as conn:
        status = conn.execute(select(models.c.status).where(models.c.version == version)).scalar_one_or_none()
        if status is None:
            raise LookupError(f"no model {version!r} in the register")
        if status == RETIRED:
            raise LookupError(f"model {version!r} is retired")
        conn.execute(update(models).where(models.c.status == CHAMPION).values(status=RETIRED))
        conn.execute(update(models).where(models.c.version == version).values(status=CHAMPION))


def registered(engine: Engine) -> pl.DataFrame:
    query = select(models.c.version, models.c.status, models.c.registered_at, models.c.window_from, models.c.window_to, models.c.metrics, models.c.path)
    return pl.read_database(query.order_by(models.c.registered_at), engine)


def champion(engine: Engine) -> Path | None:
    with engine.connect() as conn:
        path = conn.execute(select(models.c.path).where(models.c.status == CHAMPION)).scalar_one_or_none()
    return Path(path) if path else None
