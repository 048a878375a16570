"""The engine and sessions for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000
READ_ONLY = "sbh_read_only"


def normalize_url(url: str) -> str:
    """Accept the URL forms people paste (`postgres://`, `postgresql://`) and pick our driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Database:
    """One engine and its session factory. Sessions are short: one unit of work each."""

    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            self.engine = _sqlite_engine(self.url, parsed.database)
        else:
            self.engine = create_engine(
                self.url,
                pool_pre_ping=True,
                pool_size=10,
                max_overflow=20,
                connect_args={"connect_timeout": 5},
            )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time and its busy handler waits by sleeping (1, 2, 5, 10
        # ms…); threads of this process take turns on a lock instead, which hands over at once.
        self._sqlite_writer = threading.Lock() if self.dialect == "sqlite" else None

    @property
    def is_postgresql(self) -> bool:
        return self.dialect == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back when it raises."""
        if self._sqlite_writer is None:
            with self._sessions() as session, session.begin():
                yield session
            return
        with self._sqlite_writer, self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads only (Core statements): no writer lock, and on SQLite a
        transaction that takes no write lock, so it neither waits for writers nor holds
        them up."""
        with self.engine.connect().execution_options(**{READ_ONLY: True}) as connection:
            yield connection

    @contextmanager
    def dbapi_transaction(self, connection: Any) -> Iterator[Any]:
        """A raw DB-API cursor in one transaction on `connection` (from
        `engine.raw_connection()`, kept by the caller), for the few hot paths where the ORM's
        per-statement overhead matters (webhook intake). Same locking as `session()`."""
        lock = self._sqlite_writer or contextlib.nullcontext()
        with lock:
            cursor = connection.cursor()
            if self._sqlite_writer is not None:
                cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                connection.rollback()
                raise
            connection.commit()

    def timestamp_parameter(self, moment: datetime) -> object:
        """A UTC datetime as `UTCDateTime` columns store it, for raw statements."""
        naive = moment.astimezone(UTC).replace(tzinfo=None)
        # SQLite compares timestamps as text: write exactly SQLAlchemy's storage format.
        return naive.strftime("%Y-%m-%d %H:%M:%S.%f") if self.dialect == "sqlite" else naive

    def reachable(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_engine(url: str, path: str | None) -> Engine:
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" below issue BEGIN itself (pysqlite would defer it).
        connection.isolation_level = None
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: two writers wait for each other (busy
        # timeout) instead of failing with SQLITE_BUSY when a read turns into a write.
        # `Database.read()` only reads: a plain BEGIN, which in WAL mode never waits.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
