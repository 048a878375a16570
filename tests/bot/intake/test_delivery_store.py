"""The delivery store's batch write: new or redelivered, jobs only for new queued deliveries,
and rows the ORM side (queue, handlers) reads exactly as if it had written them."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.db.database import Database
from bot.db.migrate import upgrade_to_head
from bot.db.models import Delivery, Job
from bot.intake.delivery_store import DeliveryRecord, DeliveryStore, StorageUnavailable
from bot.jobs.queue import JobQueue


def record(delivery_id: str | None = None, queued: bool = True) -> DeliveryRecord:
    return DeliveryRecord(
        id=delivery_id or str(uuid.uuid4()),
        event="issues",
        action="opened",
        hook_id="1",
        installation_id=5,
        repository="acme/hub",
        repository_id=10,
        sender="octocat",
        body='{"action": "opened", "text": "\\u0000 and ünïcødé"}',
        body_sha256="0" * 64,
        queued=queued,
    )


def test_new_deliveries_are_stored_and_redeliveries_are_not(database: Database) -> None:
    store = DeliveryStore(database, max_attempts=4)
    first, again, other = record("a"), record("a"), record("b", queued=False)

    assert store.write([first, again, other]) == [True, False, True]
    assert store.write([record("a")]) == [False]

    with database.session() as session:
        assert {d.id: d.status for d in session.scalars(select(Delivery))} == {
            "a": "queued",
            "b": "ignored",
        }
        [job] = session.scalars(select(Job)).all()
        assert (job.delivery_id, job.max_attempts, job.dedupe_key) == ("a", 4, "delivery:a")


def test_rows_written_raw_are_what_the_orm_reads(database: Database) -> None:
    written = record("raw-1")
    DeliveryStore(database, max_attempts=8).write([written])

    claim = JobQueue(database).claim("w")

    assert claim is not None
    assert claim.delivery_id == "raw-1"
    with database.session() as session:
        delivery = session.get(Delivery, "raw-1")
        assert delivery is not None
        assert delivery.body == written.body
        assert delivery.received_at.tzinfo is not None


def test_the_async_path_answers_after_the_commit(database: Database) -> None:
    store = DeliveryStore(database, max_attempts=8)

    async def store_many() -> list[bool]:
        return await asyncio.gather(*(store.store(record(f"d-{i % 50}")) for i in range(100)))

    try:
        outcomes = asyncio.run(store_many())
    finally:
        store.stop()

    assert outcomes.count(True) == 50
    with database.session() as session:
        assert len(session.scalars(select(Delivery.id)).all()) == 50


def test_a_storage_failure_reaches_every_waiting_request(tmp_path: pytest.TempPathFactory) -> None:
    broken = Database("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    store = DeliveryStore(broken, max_attempts=8)

    async def attempt() -> None:
        await store.store(record())

    try:
        with pytest.raises(Exception, match="connection"):
            asyncio.run(attempt())
    finally:
        store.stop()


def test_a_delivery_the_database_refuses_does_not_cost_the_others_in_its_batch(
    database: Database,
) -> None:
    store = DeliveryStore(database, max_attempts=8)
    refused = replace(record("refused"), body="\ud800 is no text either database can store")

    async def store_batch() -> list[bool | BaseException]:
        return await asyncio.gather(
            store.store(record("a")),
            store.store(refused),
            store.store(record("b")),
            return_exceptions=True,
        )

    try:
        first, failed, second = asyncio.run(store_batch())
    finally:
        store.stop()

    assert (first, second) == (True, True)
    assert isinstance(failed, StorageUnavailable)
    with database.session() as session:
        assert sorted(session.scalars(select(Delivery.id))) == ["a", "b"]


def test_a_connection_that_went_stale_is_replaced_without_losing_the_batch(
    database: Database,
) -> None:
    store = DeliveryStore(database, max_attempts=8)
    assert store.write([record("before")]) == [True]
    [kept] = store._kept
    if database.is_postgresql:
        # What a database restart does to the connection the store keeps.
        with database.engine.connect() as admin:
            backend = kept.dbapi_connection.info.backend_pid
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    else:
        kept.dbapi_connection.close()

    assert store.write([record("after")]) == [True]
    store.stop()
    with database.session() as session:
        assert sorted(session.scalars(select(Delivery.id))) == ["after", "before"]


def test_on_sqlite_every_batch_is_synced_to_disk_before_it_is_acknowledged(tmp_path: Path) -> None:
    # synchronous=FULL syncs the WAL at each commit: an acknowledged delivery survives a
    # power loss. (The engine's NORMAL syncs only at checkpoints.)
    database = Database(f"sqlite:///{tmp_path / 'sbh.db'}")
    upgrade_to_head(database)
    store = DeliveryStore(database, max_attempts=8)

    store.write([record()])

    [kept] = store._kept
    assert kept.dbapi_connection.execute("PRAGMA synchronous").fetchone() == (2,)
    store.stop()
    database.dispose()
