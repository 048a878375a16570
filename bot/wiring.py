"""How SBH's parts are put together from settings: the one place where adapters are chosen,
so that the API and the workers — inside `sbh serve` or in `sbh worker` — use the same ones,
and tests swap them in one place."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.adapters.github import installation_clients
from bot.adapters.github_limits import GitHubLimits, background_work, tallied_waits
from bot.adapters.github_oauth import github_user_auth
from bot.adapters.http_prober import HttpHealthProber
from bot.adapters.openai_chat import make_chat
from bot.adapters.openai_drafter import make_drafter
from bot.ai.chat import ChatModel
from bot.ai.drafting import Drafter
from bot.db.database import Database
from bot.flows import fleet, web_builds
from bot.flows.handlers import default_router
from bot.intake.router import Router
from bot.intake.webhook_intake import IntakeActivity
from bot.jobs.context import HandlerContext
from bot.jobs.dispatch import delivery_runner
from bot.jobs.periodic import (
    PROBE_KIND,
    ROUND_KIND,
    PeriodicTask,
    Scheduler,
    health_probe_runner,
    run_health_round,
)
from bot.jobs.queue import ClaimedJob, JobQueue, QueuePolicy
from bot.jobs.spec_work import SpecWorkPool
from bot.jobs.worker import JobRunner, WorkerPool
from bot.logs import log_event
from bot.ports import GitHubPort, GitHubUserAuth, HealthProber
from bot.settings import Settings


@dataclass(frozen=True)
class Adapters:
    """The outside world as SBH reaches it: one adapter per port."""

    # installation id -> GitHub as that installation (None: the App is not configured).
    github_for_installation: Callable[[int], GitHubPort] | None
    drafter: Drafter
    chat: ChatModel
    # Sign-in with GitHub (None: GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET are not set).
    user_auth: GitHubUserAuth | None
    prober: HealthProber
    # Not an outside system, but chosen here for the same reason: the API and the workers of
    # one process share its worker processes.
    spec_work: SpecWorkPool
    # GitHub's rate limits as this process honours them: every installation's calls go
    # through it (`report()`: requests, rate-limited answers, time spent waiting).
    github_limits: GitHubLimits | None = None


def adapters_from_settings(
    settings: Settings,
    database: Database,
    *,
    github_for_installation: Callable[[int], GitHubPort] | None = None,
    drafter: Drafter | None = None,
    chat: ChatModel | None = None,
    user_auth: GitHubUserAuth | None = None,
    prober: HealthProber | None = None,
) -> Adapters:
    """The adapters the settings call for, except those given (tests give fakes)."""
    github_limits = None if github_for_installation else GitHubLimits.from_settings(settings)
    return Adapters(
        github_for_installation=github_for_installation
        or installation_clients(settings, github_limits),
        drafter=drafter or make_drafter(settings, database),
        chat=chat or make_chat(settings),
        user_auth=user_auth or github_user_auth(settings),
        prober=prober or HttpHealthProber(timeout=settings.health_probe_timeout_seconds),
        spec_work=SpecWorkPool(settings.spec_timeout_seconds),
        github_limits=github_limits,
    )


log = logging.getLogger("sbh.fleet")


def run_fleet_upgrade(job: ClaimedJob, context: HandlerContext) -> str:
    """A fleet upgrade job as background GitHub work (webhook-driven writes go first), with
    the time GitHub's limits made it wait logged."""
    with background_work(), tallied_waits() as waits:
        outcome = fleet.run_fleet_upgrade(job, context)
    log_event(
        log,
        logging.INFO,
        "fleet.upgraded",
        job_id=job.id,
        system_id=(job.payload or {}).get("system_id"),
        outcome=outcome,
        waited_seconds=round(waits.seconds, 3),
    )
    return outcome


def job_runners(
    router: Router[HandlerContext],
    *,
    prober: HealthProber | None = None,
    probe_concurrency: int = 1,
) -> Mapping[str, JobRunner]:
    """Every kind of job and what runs it. Fleet upgrades are background GitHub work: their
    writes wait behind webhook-driven ones. Probes run only where a prober is given."""
    runners: dict[str, JobRunner] = {
        "delivery": delivery_runner(router),
        web_builds.JOB_KIND: web_builds.run_web_build,
        fleet.JOB_KIND: run_fleet_upgrade,
        ROUND_KIND: run_health_round,
    }
    if prober is not None:
        runners[PROBE_KIND] = health_probe_runner(prober, probe_concurrency)
    return runners


def handler_context(
    settings: Settings, database: Database, queue: JobQueue, adapters: Adapters
) -> HandlerContext:
    """What handlers and job runners get, wherever the workers run."""
    return HandlerContext(
        settings=settings,
        database=database,
        queue=queue,
        spec_work=adapters.spec_work,
        github_for_installation=adapters.github_for_installation,
        drafter=adapters.drafter,
    )


def worker_pool(
    settings: Settings,
    database: Database,
    adapters: Adapters,
    *,
    router: Router[HandlerContext] | None = None,
    threads: int | None = None,
    intake: IntakeActivity | None = None,
    defer_seconds: float = 0.0,
) -> WorkerPool:
    queue = JobQueue(database, QueuePolicy.from_settings(settings))
    return WorkerPool(
        handler_context(settings, database, queue, adapters),
        job_runners(
            router or default_router(),
            prober=adapters.prober,
            probe_concurrency=settings.health_probe_concurrency,
        ),
        threads or settings.worker_threads,
        intake=intake,
        defer_seconds=defer_seconds,
    )


def scheduler(
    settings: Settings, database: Database, pool: WorkerPool | None = None
) -> Scheduler | None:
    """The periodic work of a process that runs workers (None when probing is off): each
    round enqueued once per interval between all replicas."""
    if settings.health_probe_seconds <= 0:
        return None
    return Scheduler(
        JobQueue(database, QueuePolicy.from_settings(settings)),
        [PeriodicTask(ROUND_KIND, settings.health_probe_seconds)],
        min(settings.schedule_tick_seconds, settings.health_probe_seconds),
        on_enqueued=pool.wake if pool is not None else None,
    )
