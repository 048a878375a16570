"""Periodic work as jobs on the queue, done once per interval however many replicas run.

Every process that runs workers (`sbh serve`, `sbh worker`) runs a `Scheduler`: each tick it
enqueues the round of each periodic task that is due, under an idempotency key naming the
task, its interval and the interval's number (seconds since the epoch // interval). The
unique index on the key lets exactly one insert win, so N replicas make one round.

The health round (`ROUND_KIND`) enqueues one probe job per deployed environment, keyed by
(system, environment, interval): a round run twice (its worker lost the lease) adds nothing.
A worker that takes a probe job takes up to `health_probe_concurrency` due probes with it and
runs them at once through the `HealthProber` port, each within its own timeout (the prober's,
`SBH_HEALTH_PROBE_TIMEOUT_SECONDS`), so a slow or dead endpoint costs one slot for a moment,
not a whole round. Finished rounds and probes are deleted after a few intervals.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.deploys.health_monitor import environment_health_urls, probe_target
from bot.jobs.context import HandlerContext
from bot.jobs.queue import ClaimedJob, JobQueue, Keyed
from bot.jobs.worker import JobRunner
from bot.logs import log_event
from bot.ports import HealthProber

log = logging.getLogger("sbh.periodic")
ROUND_KIND = "health_round"
PROBE_KIND = "health_probe"
KEPT_INTERVALS = 3  # finished rounds and probes are kept this many intervals, then deleted


def interval_number(moment: datetime, interval_seconds: float) -> int:
    """Which interval `moment` falls in: the same number in every replica."""
    return int(moment.timestamp() // interval_seconds)


def round_key(kind: str, interval_seconds: float, number: int) -> str:
    return f"{kind}:{interval_seconds:g}s:{number}"


def probe_key(system_id: int, environment: str, interval_seconds: float, number: int) -> str:
    return f"{PROBE_KIND}:{system_id}:{environment}:{interval_seconds:g}s:{number}"


@dataclass(frozen=True)
class PeriodicTask:
    kind: str  # the job kind of one round
    interval_seconds: float


class Scheduler:
    """Enqueues each task's round once per interval (between all replicas), every tick."""

    def __init__(
        self,
        queue: JobQueue,
        tasks: list[PeriodicTask],
        tick_seconds: float,
        *,
        on_enqueued: Callable[[], None] | None = None,
    ) -> None:
        self.queue = queue
        self.tasks = tasks
        self.tick_seconds = tick_seconds
        self.on_enqueued = on_enqueued
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> list[str]:
        """Enqueue the rounds due now; the keys this process added (none when another
        replica was first)."""
        now = self.queue.now()
        added = []
        for task in self.tasks:
            number = interval_number(now, task.interval_seconds)
            key = round_key(task.kind, task.interval_seconds, number)
            payload = {"interval_seconds": task.interval_seconds, "number": number}
            added += self.queue.enqueue_once(task.kind, [Keyed(key, payload)])
        if added and self.on_enqueued is not None:
            self.on_enqueued()
        return added

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for key in self.tick():
                    log_event(log, logging.INFO, "schedule.enqueued", key=key)
            except Exception as error:  # the database went away: try again next tick
                log_event(log, logging.ERROR, "schedule.tick_failed", error=repr(error))
            self._stop.wait(self.tick_seconds)


def run_health_round(job: ClaimedJob, context: HandlerContext) -> str:
    """One probe job per deployed environment for this interval; old rounds are deleted."""
    payload = job.payload or {}
    seconds, number = float(payload["interval_seconds"]), int(payload["number"])
    probes = [
        Keyed(
            probe_key(system.id, environment, seconds, number),
            {"system_id": system.id, "environment": environment, "urls": urls, "number": number},
        )
        for system, environment in context.systems.deployed_environments()
        if (urls := environment_health_urls(system, environment))
    ]
    added = context.queue.enqueue_once(PROBE_KIND, probes)
    kept_since = context.queue.now() - timedelta(seconds=seconds * KEPT_INTERVALS)
    pruned = sum(context.queue.prune(kind, kept_since) for kind in (PROBE_KIND, ROUND_KIND))
    log_event(
        log,
        logging.INFO,
        "health.round",
        interval=number,
        environments=len(probes),
        enqueued=len(added),
        pruned=pruned,
    )
    return "enqueued"


def health_probe_runner(prober: HealthProber, concurrency: int) -> JobRunner:
    """The `health_probe` job runner: this probe and up to `concurrency - 1` more due ones,
    at once."""

    def run_probes(job: ClaimedJob, context: HandlerContext) -> str:
        batch = [job, *context.queue.claim_more(job, concurrency - 1)]

        def probe(claimed: ClaimedJob) -> BaseException | None:
            payload = claimed.payload or {}
            try:
                result = probe_target(
                    context.deploys,
                    prober,
                    int(payload["system_id"]),
                    str(payload["environment"]),
                    [str(url) for url in payload["urls"]],
                )
            except Exception as error:  # recorded on its own job, not on the batch's
                return error
            log_event(
                log,
                logging.DEBUG,
                "health.probed",
                job_id=claimed.id,
                system_id=payload["system_id"],
                environment=payload["environment"],
                interval=payload.get("number"),
                up=result.up,
            )
            return None

        with ThreadPoolExecutor(max_workers=min(concurrency, len(batch))) as pool:
            outcomes = list(pool.map(probe, batch))
        for claimed, failure in zip(batch[1:], outcomes[1:], strict=True):
            if failure is None:
                context.queue.complete(claimed, "probed")
            else:
                context.queue.fail(claimed, repr(failure))
        if outcomes[0] is not None:
            raise outcomes[0]
        return "probed"

    return run_probes
