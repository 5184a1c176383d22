"""Shared fixtures.

``database_url``  -- parametrized: every test using it runs once on SQLite (a file
                     in tmp_path) and once on PostgreSQL (a fresh database on a
                     throwaway server, skipped with the reason when PostgreSQL
                     is not installed).
``settings``      -- smartborder Settings pointing at tmp_path and database_url.
``postgres_server`` -- session-wide throwaway server URL (started lazily, on first use).
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Make tests/postgres_server.py importable whatever pytest's import mode is.
_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

from postgres_server import PostgresUnavailable, throwaway_postgres  # noqa: E402


@dataclass
class _PostgresReport:
    collected: bool = False  # any postgresql-parametrized test collected
    version: str | None = None  # set once a server started
    skip_reason: str | None = None  # PostgreSQL not available here
    error: str | None = None  # installed, but failed to start


_report = _PostgresReport()


def _skip_message(exc: PostgresUnavailable) -> str:
    if exc.binaries_missing:
        return f"PostgreSQL binaries not found: {exc.reason}"
    return f"PostgreSQL unavailable: {exc.reason}"


@pytest.fixture(autouse=True)
def _terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables printed by the CLI fit the terminal; tests see one fixed width, whatever terminal (or none)
    runs them. Messages are never wrapped (the CLI's consoles soft-wrap), so paths of any length stay whole."""
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of a throwaway PostgreSQL server shared by the whole session.

    Started on first request only; skips the requesting test when PostgreSQL is
    not available, errors it when PostgreSQL is installed but fails to start.
    """
    try:
        with throwaway_postgres() as url:
            _report.version = url.version
            yield url
    except PostgresUnavailable as exc:
        _report.skip_reason = _skip_message(exc)
        pytest.skip(_report.skip_reason)
    except Exception as exc:
        if _report.version is None:  # failed to start (not a teardown problem)
            _report.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        raise


@pytest.fixture(scope="session")
def _postgres_admin_engine(postgres_server: str):
    import sqlalchemy as sa

    engine = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"], ids=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLAlchemy URL of an empty database, private to this test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/test.db"
        return

    import sqlalchemy as sa

    admin = request.getfixturevalue("_postgres_admin_engine")  # lazily starts the server
    name = f"t_{uuid.uuid4().hex}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def settings(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch):
    """``smartborder.config.get_settings()`` with data_dir=tmp_path and database_url set."""
    from smartborder.config import get_settings

    monkeypatch.setenv("SMARTBORDER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SMARTBORDER_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def embedded_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Settings on the embedded SQLite store in tmp_path, for tests the choice of store does not touch."""
    from smartborder.config import get_settings

    monkeypatch.setenv("SMARTBORDER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SMARTBORDER_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def pytest_collection_finish(session: pytest.Session) -> None:
    _report.collected = any(
        getattr(item, "callspec", None) is not None and item.callspec.params.get("database_url") == "postgresql"
        for item in session.items
    )


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not _report.collected:
        return
    if _report.version is not None:
        line = f"PostgreSQL: storage tests ran against a throwaway server (version {_report.version})"
        markup = {"green": True}
    elif _report.skip_reason is not None:
        line = f"PostgreSQL: storage tests SKIPPED — {_report.skip_reason}"
        markup = {"yellow": True, "bold": True}
    elif _report.error is not None:
        line = f"PostgreSQL: server FAILED to start — {_report.error}"
        markup = {"red": True, "bold": True}
    else:
        line = "PostgreSQL: storage tests were collected but none ran"
        markup = {"yellow": True}
    terminalreporter.write_sep("-", "PostgreSQL")
    terminalreporter.write_line(line, **markup)
