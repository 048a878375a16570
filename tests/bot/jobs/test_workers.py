"""Workers: every job runs exactly once across several workers, failures are retried (but not
GitHub's refusals), handlers receive the stored delivery, and stopping gives unfinished work
back."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from starlette.types import Message

from bot.app import create_app
from bot.db.database import Database
from bot.db.models import Delivery, Installation, Job
from bot.flows.handlers import default_router
from bot.intake.router import Router, WebhookEvent
from bot.intake.webhook_intake import IntakeActivity
from bot.jobs.context import HandlerContext
from bot.jobs.queue import ClaimedJob, JobQueue, QueuePolicy
from bot.jobs.spec_work import SpecWorkPool
from bot.jobs.worker import DeferBudget, Worker, WorkerPool
from bot.wiring import job_runners
from tests.bot.conftest import make_settings
from tests.bot.events import comment_event, signed_headers, store
from tests.fakes.github_port import FakeGitHubPort


def context_for(database: Database, policy: QueuePolicy | None = None) -> HandlerContext:
    settings = make_settings()
    return HandlerContext(
        settings=settings,
        database=database,
        queue=JobQueue(database, policy),
        spec_work=SpecWorkPool(settings.spec_timeout_seconds),
    )


def enqueue_many(database: Database, count: int) -> None:
    queue = JobQueue(database)
    with database.session() as session:
        for index in range(count):
            queue.enqueue(session, "count", payload={"n": index})


def drain(workers: list[Worker]) -> None:
    def run(worker: Worker) -> None:
        while worker.run_once():
            pass

    threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)


@pytest.mark.slow
def test_two_workers_on_separate_connections_run_each_job_exactly_once(database: Database) -> None:
    jobs = 1000 if database.is_postgresql else 300
    enqueue_many(database, jobs)
    seen: Counter[int] = Counter()
    by_worker: Counter[str] = Counter()
    lock = threading.Lock()

    def count(job: ClaimedJob, _context: HandlerContext) -> str:
        with lock:
            seen[job.id] += 1
            by_worker[job.worker_id] += 1
        return "processed"

    # Each worker gets its own engine and pool, as two replicas would.
    replicas = [Database(database.url), Database(database.url)]
    workers = [
        Worker(context_for(replica), {"count": count}, f"replica-{index}")
        for index, replica in enumerate(replicas)
    ]
    try:
        drain(workers)
    finally:
        for replica in replicas:
            replica.dispose()

    assert len(seen) == jobs
    assert set(seen.values()) == {1}
    assert all(by_worker[f"replica-{index}"] > 0 for index in range(2)), by_worker
    assert JobQueue(database).counts().done == jobs


def test_a_failing_runner_is_retried_then_succeeds(database: Database) -> None:
    context = context_for(
        database, QueuePolicy(backoff_base_seconds=0.001, backoff_max_seconds=0.001)
    )
    calls: list[int] = []

    def flaky(job: ClaimedJob, _context: HandlerContext) -> str:
        calls.append(job.attempts)
        if job.attempts < 3:
            raise RuntimeError("GitHub answered 502")
        return "processed"

    enqueue_many(database, 1)
    worker = Worker(context, {"count": flaky}, "w")
    deadline = time.monotonic() + 10
    while calls[-1:] != [3] and time.monotonic() < deadline:
        worker.run_once()

    assert calls == [1, 2, 3]
    assert context.queue.counts().done == 1


def test_a_refusal_no_flow_can_report_completes_the_job_at_once(database: Database) -> None:
    github = FakeGitHubPort()
    github.refuse("comment", 403, "Unable to create comment because issue is locked.")
    context = replace(context_for(database), github_for_installation=lambda _id: github)
    command = comment_event("/sbh help")
    store(database, context.queue, command)

    assert Worker(context, job_runners(default_router()), "w").run_once()

    with database.session() as session:
        job = session.query(Job).one()
        delivery = session.get(Delivery, command.delivery_id)
        assert delivery is not None
        assert (job.status, job.attempts) == ("done", 1)
        assert (delivery.status, delivery.error) == (
            "refused",
            "403 Forbidden: Unable to create comment because issue is locked.",
        )


def test_a_job_of_unknown_kind_fails_with_a_clear_error(database: Database) -> None:
    context = context_for(database)
    with database.session() as session:
        job_id = context.queue.enqueue(session, "mystery").id

    Worker(context, {}, "w").run_once()

    with database.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert "no runner for job kind 'mystery'" in (job.last_error or "")


def test_a_delivery_reaches_its_handler_with_the_stored_payload(database: Database) -> None:
    received: list[WebhookEvent] = []
    router = Router()
    router.on("issues", "opened")(lambda event, _context: received.append(event))
    context = context_for(database)
    body = json.dumps(
        {"action": "opened", "issue": {"number": 7}, "installation": {"id": 9}}
    ).encode()

    with TestClient(create_app(make_settings(), database=database, router=router)) as client:
        client.post(
            "/api/github/webhooks", content=body, headers=signed_headers(body, "issues", "d-7")
        )

    assert Worker(context, job_runners(router), "w").run_once()
    [event] = received
    assert (event.delivery_id, event.name, event.action, event.installation_id) == (
        "d-7",
        "issues",
        "opened",
        9,
    )
    assert event.payload["issue"] == {"number": 7}


def test_installations_are_remembered(database: Database) -> None:
    context = context_for(database)
    worker = Worker(context, job_runners(default_router()), "w")

    with TestClient(create_app(make_settings(), database=database)) as client:
        for action, delivery in (("created", "i-1"), ("suspend", "i-2")):
            body = json.dumps(
                {
                    "action": action,
                    "installation": {
                        "id": 5,
                        "account": {"login": "acme", "id": 3, "type": "Organization"},
                    },
                }
            ).encode()
            client.post(
                "/api/github/webhooks",
                content=body,
                headers=signed_headers(body, "installation", delivery),
            )
            worker.run_once()

    with database.session() as session:
        installation = session.get(Installation, 5)
        assert installation is not None
        assert (installation.account_login, installation.account_type, installation.account_id) == (
            "acme",
            "Organization",
            3,
        )
        assert installation.suspended_at is not None


def test_stopping_the_pool_gives_a_stuck_job_back(database: Database) -> None:
    context = context_for(database)
    started, release = threading.Event(), threading.Event()

    def stuck(_job: ClaimedJob, _context: HandlerContext) -> str:
        started.set()
        release.wait(10)
        return "processed"

    enqueue_many(database, 1)
    pool = WorkerPool(context, {"count": stuck}, threads=1, poll_seconds=0.01)
    pool.start()
    assert started.wait(10)
    pool.stop(grace_seconds=0.2)
    release.set()

    with database.session() as session:
        [job] = session.query(Job).all()
        assert (job.status, job.attempts, job.locked_by) == ("pending", 0, None)


def test_a_job_given_back_at_shutdown_writes_nothing_more(database: Database) -> None:
    github = FakeGitHubPort()
    context = replace(context_for(database), github_for_installation=lambda _id: github)
    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def stuck_then_replying(_job: ClaimedJob, context: HandlerContext) -> str:
        started.set()
        release.wait(10)
        try:
            context.github(42).comment("acme/hub", 7, "done", key="reply-555")
        finally:
            finished.set()
        return "processed"

    enqueue_many(database, 1)
    pool = WorkerPool(context, {"count": stuck_then_replying}, threads=1, poll_seconds=0.01)
    pool.start()
    assert started.wait(10)
    pool.stop(grace_seconds=0.2)  # gives the job back: another worker may take it now
    release.set()

    assert finished.wait(10)
    assert github.calls == []


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def recording_pool(
    database: Database, intake: IntakeActivity, *, threads: int, defer_seconds: float
) -> tuple[WorkerPool, list[int]]:
    """A started pool whose `count` jobs only record that they ran."""
    ran: list[int] = []
    pool = WorkerPool(
        context_for(database),
        {"count": lambda job, _context: ran.append(job.id) or "processed"},
        threads=threads,
        poll_seconds=0.01,
        intake=intake,
        defer_seconds=defer_seconds,
    )
    pool.start()
    return pool, ran


def test_in_process_workers_leave_a_burst_of_webhooks_to_intake_first(
    database: Database,
) -> None:
    intake = IntakeActivity()
    intake.started()  # a webhook is being taken in, and stays so until finished() below
    enqueue_many(database, 3)
    pool, ran = recording_pool(database, intake, threads=2, defer_seconds=30)
    try:
        time.sleep(0.3)
        assert ran == []  # deferred while intake is busy
        intake.finished()
        assert wait_for(lambda: len(ran) == 3)
    finally:
        pool.stop()


def test_a_job_waits_for_intake_no_longer_than_the_defer_limit(database: Database) -> None:
    intake = IntakeActivity()
    intake.started()  # never finished: intake looks busy for the whole test
    enqueue_many(database, 2)
    pool, ran = recording_pool(database, intake, threads=1, defer_seconds=0.05)
    try:
        assert wait_for(lambda: len(ran) == 2)
    finally:
        pool.stop()


def test_a_lull_is_a_moment_without_webhooks_not_just_none_in_flight() -> None:
    intake = IntakeActivity()
    intake.started()
    intake.finished()  # none in flight, but one finished just now

    assert intake.wait_for_lull(lull_seconds=60, timeout=0.05) is False

    now = [100.0]
    later = IntakeActivity(clock=lambda: now[0])
    later.started()
    later.finished()
    now[0] += 0.6
    assert later.wait_for_lull(lull_seconds=0.5, timeout=1) is True
    later.started()
    assert later.wait_for_lull(lull_seconds=0.5, timeout=0.05) is False


def test_a_worker_waits_for_intake_at_most_its_limit_plus_a_share_of_the_time_that_passes() -> None:
    now = [0.0]
    budget = DeferBudget(limit=1.0, share=0.5, clock=lambda: now[0])

    assert budget.left() == 1.0
    budget.spend(1.0)
    assert budget.left() == 0.0
    now[0] += 0.2  # a job ran
    assert budget.left() == 0.1
    now[0] += 60  # no intake for a minute: it fills up to the limit, no further
    assert budget.left() == 1.0


def test_deliveries_that_never_let_up_slow_the_jobs_down_but_cannot_stop_them(
    database: Database,
) -> None:
    intake = IntakeActivity()
    intake.started()  # never finished: intake looks busy for the whole test
    jobs, defer_seconds = 30, 0.5
    enqueue_many(database, jobs)
    pool, ran = recording_pool(database, intake, threads=1, defer_seconds=defer_seconds)
    try:
        # Waiting the whole limit before every job would take jobs * defer_seconds (15 s);
        # the budget lets the worker wait about 2 * defer_seconds, then as long as it works.
        assert wait_for(lambda: len(ran) == jobs, seconds=jobs * defer_seconds / 2)
    finally:
        pool.stop()


def test_a_client_trickling_a_body_does_not_hold_up_the_in_process_workers(
    database: Database,
) -> None:
    handled: list[str] = []
    router: Router[HandlerContext] = Router()
    router.on("installation", "created")(lambda event, _context: handled.append(event.delivery_id))
    settings = make_settings(SBH_WORKER_IN_PROCESS="true", SBH_WORKER_DEFER_SECONDS="60")
    app = create_app(settings, database=database, router=router)
    trickling, enough = threading.Event(), threading.Event()

    async def receive() -> Message:
        # A byte every 50 ms, unsigned, for as long as the test lets it.
        trickling.set()
        await asyncio.sleep(0.05)
        return {"type": "http.request", "body": b" ", "more_body": not enough.is_set()}

    async def send(_message: Message) -> None:
        pass

    scope = {"type": "http", "method": "POST", "path": "/api/github/webhooks", "headers": []}
    body = json.dumps({"action": "created", "installation": {"id": 5}}).encode()
    with TestClient(app) as client:
        trickle = threading.Thread(target=asyncio.run, args=(app(scope, receive, send),))
        trickle.start()
        try:
            assert trickling.wait(10)
            for index in range(40):
                client.post(
                    "/api/github/webhooks",
                    content=body,
                    headers=signed_headers(body, "installation", f"d-{index}"),
                )
            all_handled = wait_for(lambda: len(handled) == 40)
            still_trickling = trickle.is_alive()
        finally:
            enough.set()
            trickle.join(10)

    assert all_handled
    assert still_trickling
