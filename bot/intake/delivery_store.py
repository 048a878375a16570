"""Durable, fast storage of webhook deliveries: group commit on one writer thread.

Each request hands its delivery to the writer and waits; the writer takes everything that
is waiting (up to a batch), inserts deliveries and their jobs in one transaction, commits,
and only then answers each request. A delivery is never acknowledged before it is committed,
and the database pays one commit per batch instead of one per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.db.database import Database
from bot.db.models import utcnow
from bot.logs import log_event

log = logging.getLogger("sbh.delivery_store")
MAX_BATCH = 256

_DELIVERY_COLUMNS = (
    "id",
    "event",
    "action",
    "hook_id",
    "installation_id",
    "repository",
    "repository_id",
    "sender",
    "body",
    "body_sha256",
    "status",
    "received_at",
)
_JOB_COLUMNS = (
    "kind",
    "delivery_id",
    "dedupe_key",
    "status",
    "attempts",
    "max_attempts",
    "run_after",
    "created_at",
    "updated_at",
)


class StorageUnavailable(Exception):
    """Nothing in the batch could be stored (the database is down, locked or full)."""


# One statement for a whole batch (PostgreSQL): the deliveries, and a job for each new one a
# handler wants; answers the ids that were new. Parameters: the time, one array per
# delivery column (status included), then the jobs' max_attempts and the time three times.
_POSTGRESQL_INSERT = """
WITH new_deliveries AS (
    INSERT INTO deliveries (id, event, action, hook_id, installation_id, repository,
                            repository_id, sender, body, body_sha256, status, received_at)
    SELECT batch.*, %b::timestamp
    FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], %b::bigint[], %b::text[],
                %b::bigint[], %b::text[], %b::text[], %b::text[], %b::text[]) AS batch
    ON CONFLICT (id) DO NOTHING
    RETURNING id, status
), new_jobs AS (
    INSERT INTO jobs (kind, delivery_id, dedupe_key, status, attempts, max_attempts,
                      run_after, created_at, updated_at)
    SELECT 'delivery', id, 'delivery:' || id, 'pending', 0, %b, %b, %b, %b
    FROM new_deliveries
    WHERE status = 'queued'
)
SELECT id FROM new_deliveries
"""


@dataclass(frozen=True)
class DeliveryRecord:
    id: str
    event: str
    action: str | None
    hook_id: str | None
    installation_id: int | None
    repository: str | None
    repository_id: int | None
    sender: str | None
    body: str
    body_sha256: str
    queued: bool  # a handler wants it: enqueue a `delivery` job with it


@dataclass
class _Pending:
    record: DeliveryRecord
    future: asyncio.Future[bool]
    loop: asyncio.AbstractEventLoop


class DeliveryStore:
    def __init__(
        self,
        database: Database,
        *,
        max_attempts: int,
        on_queued: Callable[[], None] | None = None,
        writers: int | None = None,
    ) -> None:
        self.database = database
        self.max_attempts = max_attempts
        self.on_queued = on_queued
        self._inbox: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        # Connections the store keeps (see `_connect`), one per writer at most.
        self._kept: list[Any] = []
        self._kept_lock = threading.Lock()
        self.writers = writers or (2 if database.is_postgresql else 1)
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    async def store(self, record: DeliveryRecord) -> bool:
        """Persist one delivery (and its job). True when stored, False when it was already
        there (a redelivery). Raises StorageUnavailable (the database's error as its cause) when
        nothing could be stored."""
        self._ensure_started()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        self._inbox.put(_Pending(record, future, loop))
        return await future

    def write(self, records: Sequence[DeliveryRecord]) -> list[bool]:
        """One transaction for `records`; returns, per record, whether it was new."""
        first_seen: dict[str, DeliveryRecord] = {}
        for record in records:
            first_seen.setdefault(record.id, record)
        inserted = self._insert(list(first_seen.values()))
        if self.on_queued is not None and any(
            record.queued and delivery_id in inserted for delivery_id, record in first_seen.items()
        ):
            self.on_queued()
        # A second copy in the same batch is a redelivery of the first.
        return [record.id in inserted and first_seen[record.id] is record for record in records]

    def _insert(self, records: list[DeliveryRecord]) -> set[str]:
        """On a connection the store keeps (no pool checkout, ping or reset per batch). When a
        kept connection fails (say it went stale when the database restarted), the batch is
        tried once more on a new one."""
        now = self.database.timestamp_parameter(utcnow())
        while True:
            with self._kept_lock:
                connection = self._kept.pop() if self._kept else None
            kept = connection is not None
            if connection is None:
                connection = self._connect()
            try:
                if self.database.is_postgresql:
                    # One statement in autocommit is its own transaction: PostgreSQL answers
                    # only once it is committed and flushed, in one round trip per batch.
                    with contextlib.closing(connection.cursor()) as cursor:
                        inserted = self._insert_postgresql(cursor, records, now)
                else:
                    with self.database.dbapi_transaction(connection) as cursor:
                        inserted = self._insert_sqlite(cursor, records, now)
            except Exception:
                with contextlib.suppress(Exception):
                    connection.invalidate()
                if kept:  # perhaps only stale: once more, on a new connection
                    continue
                raise
            with self._kept_lock:
                self._kept.append(connection)
            return inserted

    def _connect(self) -> Any:
        connection: Any = self.database.engine.raw_connection()
        # The store's own, outside the engine's pool: its settings never reach a session,
        # and closing it really closes it.
        connection.detach()
        if self.database.is_postgresql:
            connection.dbapi_connection.autocommit = True
        else:
            # The engine's NORMAL lets a power loss take back the last commits; an
            # acknowledged delivery must survive it, so each batch's commit syncs the WAL.
            connection.dbapi_connection.execute("PRAGMA synchronous=FULL")
        return connection

    def _insert_sqlite(self, cursor: Any, records: list[DeliveryRecord], now: object) -> set[str]:
        # Raw SQL on purpose: this runs for every webhook, and the ORM costs 2-3x more.
        # Only column names and placeholders are formatted in; every value is a parameter.
        row = "(" + ", ".join(["?"] * len(_DELIVERY_COLUMNS)) + ")"
        cursor.execute(
            f"INSERT INTO deliveries ({', '.join(_DELIVERY_COLUMNS)}) "  # noqa: S608
            f"VALUES {', '.join([row] * len(records))} "
            "ON CONFLICT (id) DO NOTHING RETURNING id",
            [value for record in records for value in _delivery_values(record, now)],
        )
        inserted = {row[0] for row in cursor.fetchall()}
        jobs = [
            _job_values(record.id, self.max_attempts, now)
            for record in records
            if record.queued and record.id in inserted
        ]
        if jobs:
            marks = ", ".join(["?"] * len(_JOB_COLUMNS))
            cursor.executemany(
                f"INSERT INTO jobs ({', '.join(_JOB_COLUMNS)}) VALUES ({marks})",  # noqa: S608
                jobs,
            )
        return inserted

    def _insert_postgresql(
        self, cursor: Any, records: list[DeliveryRecord], now: object
    ) -> set[str]:
        # One statement of constant text, whatever the batch size: one round trip, and
        # psycopg prepares it once. Columns travel as binary arrays (no text escaping).
        columns = zip(*(_delivery_values(record, now)[:-1] for record in records), strict=True)
        cursor.execute(
            _POSTGRESQL_INSERT, [now, *map(list, columns), self.max_attempts, now, now, now]
        )
        return {row[0] for row in cursor.fetchall()}

    def _is_connection_trouble(self, error: Exception) -> bool:
        driver = self.database.engine.dialect.dbapi
        troubles: tuple[type[BaseException], ...] = (SQLAlchemyError,)
        if driver is not None:
            troubles += (driver.OperationalError, driver.InterfaceError)
        return isinstance(error, troubles)

    def stop(self) -> None:
        with self._lock:
            for _ in self._threads:
                self._inbox.put(None)
            for thread in self._threads:
                thread.join(timeout=30)
            self._threads = []
        with self._kept_lock:
            kept, self._kept = self._kept, []
        for connection in kept:
            with contextlib.suppress(Exception):
                connection.close()

    def _ensure_started(self) -> None:
        if not self._threads:
            with self._lock:
                if not self._threads:
                    self._threads = [
                        threading.Thread(target=self._run, name=f"delivery-writer-{n}", daemon=True)
                        for n in range(self.writers)
                    ]
                    for thread in self._threads:
                        thread.start()

    def _run(self) -> None:
        while True:
            first = self._inbox.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    item = self._inbox.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._inbox.put(None)
                    break
                batch.append(item)
            self._write_batch(batch)

    def _write_batch(self, batch: list[_Pending]) -> None:
        records = [pending.record for pending in batch]
        outcomes: list[bool | StorageUnavailable]
        try:
            outcomes = list(self.write(records))
        except Exception as failure:
            if len(records) > 1 and not self._is_connection_trouble(failure):
                # The database refused something in this batch: one delivery it cannot take
                # must not cost the others theirs.
                outcomes = [self._write_alone(record) for record in records]
            else:
                outcomes = [_unavailable(failure) for _ in records]
        failures = [outcome for outcome in outcomes if isinstance(outcome, StorageUnavailable)]
        if failures:
            log_event(
                log,
                logging.ERROR,
                "delivery.store_failed",
                batch=len(records),
                failed=len(failures),
                error=str(failures[0]),
            )
        # One line per committed batch: the request path stays free of log I/O.
        stored = [
            record for record, outcome in zip(records, outcomes, strict=True) if outcome is True
        ]
        duplicates = sum(1 for outcome in outcomes if outcome is False)
        if stored or duplicates:
            log_event(
                log,
                logging.INFO,
                "deliveries.stored",
                count=len(stored),
                duplicates=duplicates,
                deliveries=[
                    [record.id, record.event, record.action, record.installation_id]
                    for record in stored
                ],
            )
        # Wake each event loop once per batch, not once per request.
        by_loop: dict[
            asyncio.AbstractEventLoop,
            list[tuple[asyncio.Future[bool], bool | StorageUnavailable]],
        ] = {}
        for pending, outcome in zip(batch, outcomes, strict=True):
            by_loop.setdefault(pending.loop, []).append((pending.future, outcome))
        for loop, settled in by_loop.items():
            loop.call_soon_threadsafe(_settle_all, settled)

    def _write_alone(self, record: DeliveryRecord) -> bool | StorageUnavailable:
        try:
            return self.write([record])[0]
        except Exception as failure:
            return _unavailable(failure)


def _unavailable(failure: Exception) -> StorageUnavailable:
    error = StorageUnavailable(repr(failure))
    error.__cause__ = failure
    return error


def _status(record: DeliveryRecord) -> str:
    return "queued" if record.queued else "ignored"


def _delivery_values(record: DeliveryRecord, now: object) -> tuple[object, ...]:
    """In `_DELIVERY_COLUMNS` order."""
    return (
        record.id,
        record.event,
        record.action,
        record.hook_id,
        record.installation_id,
        record.repository,
        record.repository_id,
        record.sender,
        record.body,
        record.body_sha256,
        _status(record),
        now,
    )


def _job_values(delivery_id: str, max_attempts: int, now: object) -> tuple[object, ...]:
    """In `_JOB_COLUMNS` order."""
    return (
        "delivery",
        delivery_id,
        f"delivery:{delivery_id}",
        "pending",
        0,
        max_attempts,
        now,
        now,
        now,
    )


def _settle_all(settled: list[tuple[asyncio.Future[bool], bool | StorageUnavailable]]) -> None:
    for future, outcome in settled:
        if future.done():
            continue  # the request went away (client disconnected); its delivery is stored anyway
        if isinstance(outcome, StorageUnavailable):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
