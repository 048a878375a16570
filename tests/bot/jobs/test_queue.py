"""The job queue as a specification, with a clock the test moves by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from bot.db.database import Database
from bot.db.models import Delivery, Job
from bot.jobs.queue import JobQueue, QueuePolicy

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def queue(database: Database, clock: Clock) -> JobQueue:
    policy = QueuePolicy(
        lease_seconds=60, max_attempts=3, backoff_base_seconds=10, backoff_max_seconds=100
    )
    return JobQueue(database, policy, clock=clock, jitter=lambda: 0.0)


def add_job(
    queue: JobQueue, kind: str = "work", delay: float = 0.0, with_delivery: str | None = None
) -> int:
    with queue.database.session() as session:
        if with_delivery:
            session.add(Delivery(id=with_delivery, event="issues", body="{}", body_sha256="0" * 64))
            session.flush()
        return queue.enqueue(session, kind, delivery_id=with_delivery, delay_seconds=delay).id


def job_row(queue: JobQueue, job_id: int) -> Job:
    with queue.database.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def test_jobs_are_claimed_oldest_first_and_only_once(queue: JobQueue) -> None:
    first, second = add_job(queue), add_job(queue)

    claims = [queue.claim("w1"), queue.claim("w2"), queue.claim("w3")]

    assert [claim.id if claim else None for claim in claims] == [first, second, None]
    assert claims[0] is not None
    assert claims[0].attempts == 1


def test_a_delayed_job_waits_for_its_time(queue: JobQueue, clock: Clock) -> None:
    add_job(queue, delay=30)

    assert queue.claim("w1") is None
    clock.advance(30)
    assert queue.claim("w1") is not None


def test_a_failure_is_retried_after_an_exponential_backoff(queue: JobQueue, clock: Clock) -> None:
    job_id = add_job(queue)
    first = queue.claim("w1")
    assert first is not None

    assert queue.fail(first, "boom") == "retry"
    row = job_row(queue, job_id)
    assert (row.status, row.last_error, row.run_after) == (
        "pending",
        "boom",
        START + timedelta(seconds=5),
    )
    assert queue.claim("w1") is None
    clock.advance(5)
    second = queue.claim("w1")
    assert second is not None
    assert second.attempts == 2
    assert queue.fail(second, "boom again") == "retry"
    assert job_row(queue, job_id).run_after == clock.now + timedelta(seconds=10)


def test_backoff_has_jitter_and_a_ceiling() -> None:
    policy = QueuePolicy(backoff_base_seconds=10, backoff_max_seconds=100)

    assert policy.backoff(1, 0.0) == timedelta(seconds=5)
    assert policy.backoff(1, 0.999) < timedelta(seconds=10)
    assert policy.backoff(3, 0.0) == timedelta(seconds=20)
    assert policy.backoff(30, 0.999) <= timedelta(seconds=100)


def test_a_job_that_keeps_failing_is_parked_with_its_error(queue: JobQueue, clock: Clock) -> None:
    job_id = add_job(queue, with_delivery="d-1")
    outcomes = []
    for _ in range(3):
        claim = queue.claim("w1")
        assert claim is not None
        outcomes.append(queue.fail(claim, f"attempt {claim.attempts} failed"))
        clock.advance(1000)

    assert outcomes == ["retry", "retry", "parked"]
    row = job_row(queue, job_id)
    assert (row.status, row.last_error) == ("parked", "attempt 3 failed")
    assert queue.claim("w1") is None
    with queue.database.session() as session:
        delivery = session.get(Delivery, "d-1")
        assert delivery is not None
        assert (delivery.status, delivery.error) == ("parked", "attempt 3 failed")
    assert queue.counts().parked == 1


def test_a_dead_workers_job_is_taken_over_when_its_lease_expires(
    queue: JobQueue, clock: Clock
) -> None:
    job_id = add_job(queue)
    dead = queue.claim("dead-worker")
    assert dead is not None

    clock.advance(59)
    assert queue.claim("w2") is None
    clock.advance(2)
    taken = queue.claim("w2")

    assert taken is not None
    assert (taken.id, taken.attempts) == (job_id, 2)
    assert "lease of dead-worker expired" in (job_row(queue, job_id).last_error or "")
    assert queue.complete(dead) is False, "the dead worker no longer owns the job"
    assert queue.complete(taken) is True


def test_a_heartbeat_keeps_the_lease(queue: JobQueue, clock: Clock) -> None:
    add_job(queue)
    working = queue.claim("w1")
    assert working is not None

    clock.advance(50)
    assert queue.extend_lease(working)
    clock.advance(50)

    assert queue.claim("w2") is None


def test_a_job_whose_lease_expired_on_its_last_attempt_is_parked(
    queue: JobQueue, clock: Clock
) -> None:
    job_id = add_job(queue)
    for _ in range(3):
        assert queue.claim("dying") is not None
        clock.advance(61)

    assert queue.claim("w2") is None
    assert job_row(queue, job_id).status == "parked"


def test_a_released_job_is_due_again_without_losing_an_attempt(queue: JobQueue) -> None:
    job_id = add_job(queue)
    claim = queue.claim("w1")
    assert claim is not None

    assert queue.release(claim)
    again = queue.claim("w2")

    assert again is not None
    assert (again.id, again.attempts) == (job_id, 1)


def test_completing_marks_the_delivery_processed(queue: JobQueue) -> None:
    add_job(queue, with_delivery="d-9")
    claim = queue.claim("w1")
    assert claim is not None

    assert queue.complete(claim, "ignored")

    with queue.database.session() as session:
        delivery = session.get(Delivery, "d-9")
        assert delivery is not None
        assert delivery.status == "ignored"
        assert delivery.processed_at == START
    assert queue.counts().done == 1


def test_a_dedupe_key_admits_one_job(queue: JobQueue) -> None:
    with queue.database.session() as session:
        queue.enqueue(session, "build", dedupe_key="build:acme/shop:abc")

    with pytest.raises(IntegrityError), queue.database.session() as session:
        queue.enqueue(session, "build", dedupe_key="build:acme/shop:abc")


def test_a_stored_delivery_can_be_replayed(queue: JobQueue) -> None:
    add_job(queue, with_delivery="d-5")
    claim = queue.claim("w1")
    assert claim is not None
    queue.complete(claim)

    new_job = queue.replay_delivery("d-5")

    replayed = queue.claim("w1")
    assert replayed is not None
    assert (replayed.id, replayed.delivery_id) == (new_job, "d-5")
    with pytest.raises(LookupError):
        queue.replay_delivery("no-such-delivery")
