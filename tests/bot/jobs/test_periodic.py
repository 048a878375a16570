"""Periodic work on the queue: enqueued once per interval under an idempotency key however
many schedulers tick, health rounds that make one probe job per (system, environment,
interval), and probes run in batches with bounded concurrency."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from bot.db.database import Database
from bot.db.models import Deployment, EnvironmentHealth, Job
from bot.flows.handlers import default_router
from bot.jobs.context import HandlerContext
from bot.jobs.periodic import (
    PROBE_KIND,
    ROUND_KIND,
    PeriodicTask,
    Scheduler,
    interval_number,
    probe_key,
)
from bot.jobs.queue import JobQueue, Keyed
from bot.jobs.worker import Worker
from bot.ports import ProbeResult
from bot.wiring import job_runners
from tests.bot.flows.fleet_systems import build
from tests.fakes.github_port import FakeGitHubPort

START = datetime(2026, 1, 1, 12, 0, 10, tzinfo=UTC)
INTERVAL = 300.0


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


class CountingProber:
    """Answers healthy after `delay` seconds; counts probes per URL and the most at once."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.urls: list[str] = []
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def probe(self, url: str) -> ProbeResult:
        with self._lock:
            self.urls.append(url)
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        time.sleep(self.delay)
        with self._lock:
            self.running -= 1
        return ProbeResult(True, 200, 1.0, None)


def test_keys_enqueued_by_many_at_once_make_one_job_each(database: Database) -> None:
    queue = JobQueue(database)
    keys = [Keyed(f"k{number}", {"number": number}) for number in range(20)]

    with ThreadPoolExecutor(4) as pool:
        added = list(pool.map(lambda _: queue.enqueue_once("work", keys), range(4)))

    assert sorted(key for batch in added for key in batch) == [
        key.key for key in sorted(keys, key=lambda k: k.key)
    ]
    assert queue.counts().pending == 20
    assert queue.enqueue_once("work", keys) == []


def test_schedulers_of_every_replica_enqueue_one_round_per_interval(database: Database) -> None:
    clock = Clock()
    queue = JobQueue(database, clock=clock)
    replicas = [Scheduler(queue, [PeriodicTask(ROUND_KIND, INTERVAL)], 15) for _ in range(3)]

    first = [replica.tick() for replica in replicas]
    clock.now += timedelta(seconds=100)  # the same interval
    again = [replica.tick() for replica in replicas]
    clock.now += timedelta(seconds=INTERVAL)  # the next one
    later = [replica.tick() for replica in replicas]

    assert sum(len(keys) for keys in first) == 1
    assert again == [[], [], []]
    assert sum(len(keys) for keys in later) == 1
    assert interval_number(START, INTERVAL) + 1 == interval_number(clock.now, INTERVAL)


def deployed(context: HandlerContext, github: FakeGitHubPort, names: list[str]) -> None:
    """Systems with a successful deploy to both their environments."""
    records = [build(github, context.systems, name) for name in names]
    with context.database.session() as session:
        for record in records:
            for environment in ("dev", "prod"):
                session.add(
                    Deployment(system_id=record.id, environment=environment, state="success")
                )


def probe_jobs(database: Database) -> list[Job]:
    with database.session() as session:
        jobs = session.query(Job).filter(Job.kind == PROBE_KIND).all()
        session.expunge_all()
        return jobs


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_round_probes_each_deployed_environment_once_with_bounded_concurrency(
    context: HandlerContext, github: FakeGitHubPort, concurrency: int
) -> None:
    deployed(context, github, [f"system-{number}" for number in range(5)])
    prober = CountingProber(delay=0.02)
    runners = job_runners(default_router(), prober=prober, probe_concurrency=concurrency)
    scheduler = Scheduler(context.queue, [PeriodicTask(ROUND_KIND, INTERVAL)], 15)
    workers = [Worker(context, runners, f"w{number}") for number in range(2)]

    assert scheduler.tick()
    round_job = workers[0].run_once()  # the round: ten probe jobs
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda worker: [worker.run_once() for _ in range(12)], workers))
    scheduler.tick()  # same interval: no second round
    assert not workers[0].run_once()

    assert round_job
    assert len(prober.urls) == 10
    assert len(set(prober.urls)) == 10
    assert prober.most_at_once <= 2 * concurrency  # two workers, each its own batch
    jobs = probe_jobs(context.database)
    number = interval_number(context.queue.now(), INTERVAL)
    assert {job.dedupe_key for job in jobs} == {
        probe_key(system_id, environment, INTERVAL, number)
        for system_id in {job.payload["system_id"] for job in jobs if job.payload}
        for environment in ("dev", "prod")
    }
    assert {(job.status, job.attempts) for job in jobs} == {("done", 1)}
    with context.database.session() as session:
        assert session.query(EnvironmentHealth).filter(EnvironmentHealth.up).count() == 10


def test_a_worker_takes_a_batch_of_due_probes_and_runs_them_at_once(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    deployed(context, github, [f"system-{number}" for number in range(4)])
    prober = CountingProber(delay=0.2)
    runners = job_runners(default_router(), prober=prober, probe_concurrency=8)
    worker = Worker(context, runners, "w")
    Scheduler(context.queue, [PeriodicTask(ROUND_KIND, INTERVAL)], 15).tick()
    worker.run_once()  # the round

    started = time.perf_counter()
    worker.run_once()
    took = time.perf_counter() - started

    assert len(prober.urls) == 8
    assert prober.most_at_once == 8
    assert took < 8 * 0.2 / 2  # at once, not one after the other
    assert not worker.run_once()


def test_finished_rounds_and_probes_are_deleted_after_a_few_intervals(
    database: Database,
) -> None:
    clock = Clock()
    queue = JobQueue(database, clock=clock)
    queue.enqueue_once(PROBE_KIND, [Keyed("old")])
    claimed = queue.claim("w")
    assert claimed is not None
    queue.complete(claimed)

    clock.now += timedelta(seconds=10)
    assert queue.prune(PROBE_KIND, clock.now - timedelta(seconds=60)) == 0
    clock.now += timedelta(seconds=INTERVAL * 3)
    assert queue.prune(PROBE_KIND, clock.now - timedelta(seconds=60)) == 1
