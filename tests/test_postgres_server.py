"""The test infrastructure itself: throwaway PostgreSQL server and shared fixtures."""

from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa

from postgres_server import PostgresUnavailable, find_postgres, throwaway_postgres


def _require_postgres() -> None:
    try:
        find_postgres()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL binaries not found: {exc.reason}")


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _select_version(url: str) -> str:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("select version()")).scalar_one()
    finally:
        engine.dispose()


def test_throwaway_server_starts_answers_and_cleans_up() -> None:
    _require_postgres()
    with throwaway_postgres() as url:
        assert url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
        assert url.endswith("/postgres")
        assert url.base_dir.is_dir()
        assert _port_open(url.port)
        version = _select_version(url)
        assert version.startswith("PostgreSQL "), version
        assert url.version.split(".")[0] in version
    assert not url.base_dir.exists(), f"data directory {url.base_dir} left behind"
    assert not _port_open(url.port), f"port {url.port} still open after stop"


def test_throwaway_server_cleans_up_when_body_raises_and_can_start_again() -> None:
    _require_postgres()
    with pytest.raises(RuntimeError, match="boom"), throwaway_postgres() as first:
        raise RuntimeError("boom")
    assert not first.base_dir.exists()
    assert not _port_open(first.port)

    with throwaway_postgres() as second:
        assert second.base_dir != first.base_dir
        assert _select_version(second).startswith("PostgreSQL ")
    assert not second.base_dir.exists()
    assert not _port_open(second.port)


def test_database_url_is_an_empty_writable_database(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as conn:
            assert sa.inspect(conn).get_table_names() == []
            conn.execute(sa.text("create table t (x integer)"))
            conn.execute(sa.text("insert into t values (42)"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("select x from t")).scalar_one() == 42
    finally:
        engine.dispose()


def test_settings_fixture_points_at_tmp_path(settings, tmp_path, database_url) -> None:
    from smartborder.config import get_settings

    assert settings.data_dir == tmp_path
    assert settings.resolved_database_url == database_url
    assert get_settings() is settings
