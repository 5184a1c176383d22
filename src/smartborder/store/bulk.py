"""Bulk writes of Arrow data through ADBC: whole columns go to SQLite or PostgreSQL (COPY)
without a Python object per value. Queries and small writes stay with SQLAlchemy."""

from collections.abc import Iterator
from contextlib import contextmanager

import polars as pl
from sqlalchemy import BigInteger, Boolean, Date, DateTime, Float, Integer, Table
from sqlalchemy.engine import make_url


def _polars_type(column) -> pl.DataType:
    """The Arrow type a table column takes on ingest, which must match it exactly on PostgreSQL."""
    kind = column.type
    if isinstance(kind, BigInteger):
        return pl.Int64
    if isinstance(kind, Integer):
        return pl.Int32
    if isinstance(kind, Float):
        return pl.Float64
    if isinstance(kind, Boolean):
        return pl.Boolean
    if isinstance(kind, DateTime):
        return pl.Datetime("us", "UTC")
    if isinstance(kind, Date):
        return pl.Date
    return pl.String


def _sqlite_storage(frame: pl.DataFrame) -> pl.DataFrame:
    """What SQLAlchemy itself stores in SQLite: ISO text for dates and times, 0/1 for booleans."""
    converted = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            converted.append(pl.col(name).dt.strftime("%Y-%m-%d"))
        elif isinstance(dtype, pl.Datetime):
            converted.append(pl.col(name).dt.replace_time_zone(None).dt.strftime("%Y-%m-%d %H:%M:%S.%6f"))
        elif dtype == pl.Boolean:
            converted.append(pl.col(name).cast(pl.Int8))
    return frame.with_columns(converted)


class BulkWriter:
    """One ADBC connection; its writes happen inside `transaction()`."""

    def __init__(self, database_url: str):
        url = make_url(database_url)
        self.dialect = url.get_backend_name()
        # autocommit: transactions are begun and ended explicitly below, the same on both stores
        if self.dialect == "sqlite":
            import adbc_driver_sqlite.dbapi as driver

            self._conn = driver.connect(url.database, autocommit=True)
            self._begin = "BEGIN IMMEDIATE"  # take the write lock first: no failed lock upgrade later
        elif self.dialect == "postgresql":
            import adbc_driver_postgresql.dbapi as driver

            self._conn = driver.connect(url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True)
            self._begin = "BEGIN"
        else:
            raise ValueError(f"bulk writes support SQLite and PostgreSQL, not {self.dialect}")
        self._cursor = self._conn.cursor()
        if self.dialect == "sqlite":  # as the SQLAlchemy engine's connections (store/db.py)
            self._cursor.execute("PRAGMA synchronous=NORMAL")
            self._cursor.execute("PRAGMA busy_timeout=30000")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: commit when the block ends, roll back when it raises."""
        self._cursor.execute(self._begin)
        try:
            yield
        except BaseException:
            self._cursor.execute("ROLLBACK")
            raise
        self._cursor.execute("COMMIT")

    def insert(self, table: Table, frame: pl.DataFrame) -> None:
        """Append the rows of `frame` to `table`, taking the columns the table has."""
        if frame.is_empty():
            return
        columns = [c for c in table.columns if c.name in frame.columns]
        frame = frame.select(pl.col(c.name).cast(_polars_type(c)) for c in columns)
        self._ingest(table.name, frame, mode="append", temporary=False)

    def temporary(self, name: str, frame: pl.DataFrame) -> None:
        """(Re)create a temporary table holding `frame`, for joins on the server."""
        self._ingest(name, frame, mode="replace", temporary=True)

    def _ingest(self, name: str, frame: pl.DataFrame, mode: str, temporary: bool) -> None:
        if self.dialect == "sqlite":
            frame = _sqlite_storage(frame)
        self._cursor.adbc_ingest(name, frame.to_arrow(), mode=mode, temporary=temporary)

    def execute(self, sql: str) -> None:
        self._cursor.execute(sql)

    def query(self, sql: str) -> pl.DataFrame:
        self._cursor.execute(sql)
        return pl.from_arrow(self._cursor.fetch_arrow_table())

    def close(self) -> None:
        self._cursor.close()
        self._conn.close()
