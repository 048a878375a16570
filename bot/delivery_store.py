"""Durable, fast storage of webhook deliveries: group commit on one writer thread.

Each request hands its delivery to the writer and waits; the writer takes everything that
is waiting (up to a batch), inserts deliveries and their jobs in one transaction, commits,
and only then answers each request. A delivery is never acknowledged before it is committed,
and the database pays one commit per batch instead of one per request.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
    ) -> None:
        self.database = database
        self.max_attempts = max_attempts
        self.on_queued = on_queued
        self._inbox: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
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
        now = self.database.timestamp_parameter(utcnow())
        mark = self.database.placeholder
        delivery_row = "(" + ", ".join([mark] * len(_DELIVERY_COLUMNS)) + ")"
        parameters: list[object] = []
        for record in first_seen.values():
            parameters += [
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
                "queued" if record.queued else "ignored",
                now,
            ]
        with self.database.dbapi_transaction() as cursor:
            # Raw SQL on purpose: this runs for every webhook, and the ORM costs 2-3x more.
            # Only column names and placeholders are formatted in; every value is a parameter.
            cursor.execute(
                f"INSERT INTO deliveries ({', '.join(_DELIVERY_COLUMNS)}) "  # noqa: S608
                f"VALUES {', '.join([delivery_row] * len(first_seen))} "
                "ON CONFLICT (id) DO NOTHING RETURNING id",
                parameters,
            )
            inserted = {row[0] for row in cursor.fetchall()}
            jobs = [
                (
                    "delivery",
                    delivery_id,
                    f"delivery:{delivery_id}",
                    "pending",
                    0,
                    self.max_attempts,
                    now,
                    now,
                    now,
                )
                for delivery_id, record in first_seen.items()
                if record.queued and delivery_id in inserted
            ]
            if jobs:
                job_row = ", ".join([mark] * len(_JOB_COLUMNS))
                cursor.executemany(
                    f"INSERT INTO jobs ({', '.join(_JOB_COLUMNS)}) VALUES ({job_row})",  # noqa: S608
                    jobs,
                )
        if jobs and self.on_queued is not None:
            self.on_queued()
        # A second copy in the same batch is a redelivery of the first.
        return [record.id in inserted and first_seen[record.id] is record for record in records]

    def stop(self) -> None:
        with self._lock:
            if self._thread is not None:
                self._inbox.put(None)
                self._thread.join(timeout=30)
                self._thread = None

    def _ensure_started(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="delivery-writer", daemon=True
                    )
                    self._thread.start()

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
        try:
            outcomes: list[bool | None] = list(self.write([pending.record for pending in batch]))
            error: BaseException | None = None
        except Exception as failure:  # storage is down: every waiting request gets the error
            error = StorageUnavailable(repr(failure))
            error.__cause__ = failure
            outcomes = [None] * len(batch)
            log_event(
                log, logging.ERROR, "delivery.store_failed", batch=len(batch), error=repr(failure)
            )
        else:
            # One line per committed batch: the request path stays free of log I/O.
            log_event(
                log,
                logging.INFO,
                "deliveries.stored",
                count=sum(1 for stored in outcomes if stored),
                duplicates=sum(1 for stored in outcomes if not stored),
                deliveries=[
                    [
                        pending.record.id,
                        pending.record.event,
                        pending.record.action,
                        pending.record.installation_id,
                    ]
                    for pending, stored in zip(batch, outcomes, strict=True)
                    if stored
                ],
            )
        # Wake each event loop once per batch, not once per request.
        by_loop: dict[
            asyncio.AbstractEventLoop, list[tuple[asyncio.Future[bool], bool | None]]
        ] = {}
        for pending, stored in zip(batch, outcomes, strict=True):
            by_loop.setdefault(pending.loop, []).append((pending.future, stored))
        for loop, settled in by_loop.items():
            loop.call_soon_threadsafe(_settle_all, settled, error)


def _settle_all(
    settled: list[tuple[asyncio.Future[bool], bool | None]], error: BaseException | None
) -> None:
    for future, stored in settled:
        if future.done():
            continue  # the request went away (client disconnected); its delivery is stored anyway
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(bool(stored))
