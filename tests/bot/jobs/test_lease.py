"""A job's GitHub writes are fenced by its lease: a worker stopped (SIGSTOP) for longer than
its lease, whose job another worker took over and did, makes not one more write when it
resumes (SIGCONT), and records nothing. The queue's clock is moved by hand: no test sleeps."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.db.database import Database
from bot.db.models import Delivery, Job
from bot.flows.command_parser import HELP
from bot.flows.handlers import default_router
from bot.jobs.context import HandlerContext
from bot.jobs.lease import FencedGitHub, JobLease, LeaseLost
from bot.jobs.queue import ClaimedJob, JobQueue, QueuePolicy
from bot.jobs.spec_work import SpecWorkPool
from bot.jobs.worker import Worker
from bot.ports import Annotation
from bot.wiring import job_runners
from tests.bot.conftest import make_settings
from tests.bot.events import HUB, comment_event, store
from tests.fakes.github_port import FakeGitHubPort

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


class StoppedAfterReacting(FakeGitHubPort):
    """GitHub, where the worker that reacts first is stopped right after its 👀 is posted, and
    resumed once `while_stopped` has run."""

    def __init__(self, while_stopped: Callable[[], None]) -> None:
        super().__init__()
        self.while_stopped: Callable[[], None] | None = while_stopped

    def react(self, full_name: str, comment_id: int, reaction: str) -> None:
        super().react(full_name, comment_id, reaction)
        while_stopped, self.while_stopped = self.while_stopped, None
        if while_stopped is not None:
            while_stopped()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def queue(database: Database, clock: Clock) -> JobQueue:
    return JobQueue(database, QueuePolicy(lease_seconds=LEASE.total_seconds()), clock=clock)


def workers(
    database: Database,
    queue: JobQueue,
    github: FakeGitHubPort,
    spec_work: SpecWorkPool,
    *names: str,
) -> list[Worker]:
    context = HandlerContext(
        settings=make_settings(),
        database=database,
        queue=queue,
        spec_work=spec_work,
        github_for_installation=lambda _installation_id: github,
    )
    return [Worker(context, job_runners(default_router()), name) for name in names]


def the_job(database: Database) -> tuple[str, str | None, str | None]:
    with database.session() as session:
        job = session.query(Job).one()
        delivery = session.get(Delivery, job.delivery_id)
        assert delivery is not None
        return job.status, job.locked_by, delivery.status


def test_a_worker_stopped_past_its_lease_makes_no_write_after_another_did_the_job(
    database: Database,
    queue: JobQueue,
    clock: Clock,
    spec_work: SpecWorkPool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def stopped_for_longer_than_the_lease() -> None:
        clock.now += LEASE + timedelta(seconds=1)
        assert other.run_once()  # takes the job over and does it

    github = StoppedAfterReacting(stopped_for_longer_than_the_lease)
    stopped, other = workers(database, queue, github, spec_work, "stopped", "other")
    store(database, queue, comment_event("/sbh help"))

    with caplog.at_level(logging.WARNING, logger="sbh.worker"):
        assert stopped.run_once()

    assert github.comment_bodies(HUB, 7) == [HELP]
    assert github.calls == ["react", "react", "comment"]  # 👀 by each, the reply by `other`
    assert the_job(database) == ("done", "other", "processed")
    assert [record.getMessage() for record in caplog.records] == ["job.lease_lost"]


def test_a_worker_stopped_past_its_lease_that_nobody_took_over_carries_on(
    database: Database, queue: JobQueue, clock: Clock, spec_work: SpecWorkPool
) -> None:
    def stopped_for_longer_than_the_lease() -> None:
        clock.now += LEASE + timedelta(seconds=1)

    github = StoppedAfterReacting(stopped_for_longer_than_the_lease)
    (stopped,) = workers(database, queue, github, spec_work, "stopped")
    store(database, queue, comment_event("/sbh help"))

    assert stopped.run_once()

    assert github.comment_bodies(HUB, 7) == [HELP]
    assert the_job(database) == ("done", "stopped", "processed")


def claimed(database: Database, queue: JobQueue, worker_id: str) -> ClaimedJob:
    with database.session() as session:
        queue.enqueue(session, "work")
    job = queue.claim(worker_id)
    assert job is not None
    return job


def lease_expiry(database: Database) -> datetime | None:
    with database.session() as session:
        return session.query(Job).one().lease_expires_at


def test_a_write_renews_the_lease_only_once_a_third_of_it_has_passed(
    database: Database, queue: JobQueue, clock: Clock
) -> None:
    github = FencedGitHub(FakeGitHubPort(), JobLease(queue, claimed(database, queue, "w1")))

    clock.now = START + timedelta(seconds=19)
    github.react(HUB, 555, "eyes")
    assert lease_expiry(database) == START + LEASE  # the claim's: no database round trip

    clock.now = START + timedelta(seconds=21)
    github.react(HUB, 555, "eyes")
    assert lease_expiry(database) == clock.now + LEASE


WRITES: list[tuple[str, Callable[[Any], object]]] = [
    ("create_repository", lambda g: g.create_repository("acme", "orders-api", "Orders")),
    ("set_topics", lambda g: g.set_topics("acme/orders-api", ["sbh-generated"])),
    (
        "push_tree",
        lambda g: g.push_tree("acme/orders-api", "main", {}, "Generate", replace_tree=True),
    ),
    ("open_pull_request", lambda g: g.open_pull_request("acme/orders-api", "b", "main", "t", "")),
    ("upsert_status_comment", lambda g: g.upsert_status_comment(HUB, 7, "<!-- m -->", "x")),
    ("comment", lambda g: g.comment(HUB, 7, "hello", key="reply-555")),
    ("open_issue", lambda g: g.open_issue(HUB, "Build", "body", ["sbh"])),
    ("set_labels", lambda g: g.set_labels(HUB, 7, ["sbh:built"], [])),
    ("react", lambda g: g.react(HUB, 555, "eyes")),
    (
        "create_environment",
        lambda g: g.create_environment("acme/orders-api", "dev", wait_minutes=0),
    ),
    ("set_variables", lambda g: g.set_variables("acme/orders-api", "dev", {"A": "b"})),
    (
        "dispatch_workflow",
        lambda g: g.dispatch_workflow("acme/orders-api", "deploy.yml", "main", {}),
    ),
    (
        "report_check",
        lambda g: g.report_check(
            HUB, "a" * 40, "sbh/spec", "success", "ok", "ok", [Annotation("spec.yaml", 1, "x")]
        ),
    ),
]


@pytest.mark.parametrize(("name", "write"), WRITES, ids=[name for name, _ in WRITES])
def test_once_another_worker_holds_the_job_no_write_reaches_github(
    name: str,
    write: Callable[[Any], object],
    database: Database,
    queue: JobQueue,
    clock: Clock,
) -> None:
    github = FakeGitHubPort()
    github.add_repository("acme/orders-api")
    fenced = FencedGitHub(github, JobLease(queue, claimed(database, queue, "stopped")))
    clock.now += LEASE + timedelta(seconds=1)
    assert queue.claim("other") is not None

    with pytest.raises(LeaseLost):
        write(fenced)

    assert github.calls == []
    assert fenced.get_repository("acme/orders-api") is not None  # reading changes nothing
