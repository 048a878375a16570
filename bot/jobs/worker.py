"""Workers: claim a job, run it under a heartbeat-extended lease, record the outcome.

The job's GitHub writes are fenced by its lease (`bot.jobs.lease`): a worker that lost the
job to another stops before its next write and records nothing. A refusal by GitHub that no
flow reported (the issue is locked, so not even the report can be posted) completes the job:
asking again would get the same answer.

`WorkerPool` runs N worker threads in the service process (`sbh serve`) or in a process of
its own (`sbh worker`). Stopping lets running jobs finish within a grace period and gives
back (releases) whatever is still running after it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable, Mapping

from bot.intake.webhook_intake import IntakeActivity
from bot.jobs.context import HandlerContext
from bot.jobs.lease import JobLease, LeaseLost
from bot.jobs.queue import ClaimedJob
from bot.logs import log_event
from bot.ports import GitHubRefused

log = logging.getLogger("sbh.worker")
# No webhook for this long counts as a lull in intake (see `Worker`): longer than the gaps
# within a burst, far shorter than the gaps between deliveries at hundreds per second.
LULL_SECONDS = 0.001
# The share of its time a worker may spend giving way to intake once its first
# `defer_seconds` are spent (see `DeferBudget`).
DEFER_SHARE = 0.5

# A runner does the job's work; it returns the status its delivery should get
# ("processed", "ignored"), and raises to have the job retried (except `GitHubRefused`).
JobRunner = Callable[[ClaimedJob, HandlerContext], str]


def worker_name(index: int) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{index}"


class DeferBudget:
    """How long a worker may still wait for intake: it fills at `share` seconds per second
    that passes, up to `limit`, and each wait spends what it took. So over any T seconds a
    worker waits at most `limit + share * T`: a burst of deliveries is acknowledged first,
    and deliveries that never let up slow the jobs down (to `1 - share` of their pace at
    worst) but cannot stop them."""

    def __init__(
        self, limit: float, share: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.share = share
        self._clock = clock
        self._left = limit
        self._as_of = clock()

    def left(self) -> float:
        now = self._clock()
        self._left = min(self.limit, self._left + (now - self._as_of) * self.share)
        self._as_of = now
        return self._left

    def spend(self, seconds: float) -> None:
        self._left = max(0.0, self._left - seconds)


class Worker:
    def __init__(
        self,
        context: HandlerContext,
        runners: Mapping[str, JobRunner],
        worker_id: str,
        *,
        poll_seconds: float = 0.5,
        wakeup: threading.Event | None = None,
        intake: IntakeActivity | None = None,
        defer_seconds: float = 0.0,
    ) -> None:
        self.context = context
        self.runners = runners
        self.worker_id = worker_id
        self.poll_seconds = poll_seconds
        self.wakeup = wakeup or threading.Event()
        # In `sbh serve` the workers share the process (and its GIL) with webhook intake:
        # before each job they wait for a lull in intake, at most `defer_seconds` and within
        # their `DeferBudget`, so a burst of deliveries is acknowledged first and worked off
        # after. The deliveries are stored already; only their work waits.
        self.intake = intake
        self.defer = (
            DeferBudget(defer_seconds, DEFER_SHARE)
            if intake is not None and defer_seconds > 0
            else None
        )
        self.current: JobLease | None = None  # the job being worked on

    def run_once(self) -> bool:
        """Claim and run one job. False when there was nothing to do."""
        queue = self.context.queue
        job = queue.claim(self.worker_id)
        if job is None:
            return False
        fields = {
            "job_id": job.id,
            "kind": job.kind,
            "delivery_id": job.delivery_id,
            "attempt": job.attempts,
        }
        lease = self.current = JobLease(queue, job)
        finished = threading.Event()
        heartbeat = threading.Thread(target=self._heartbeat, args=(lease, finished), daemon=True)
        heartbeat.start()
        try:
            runner = self.runners.get(job.kind)
            if runner is None:
                raise LookupError(f"no runner for job kind {job.kind!r}")
            delivery_status = runner(job, self.context.fenced_by(lease))
        except LeaseLost:
            finished.set()
            # Another worker holds the job now: its outcome is that worker's to record.
            log_event(log, logging.WARNING, "job.lease_lost", stopped="before a write", **fields)
        except GitHubRefused as refusal:
            finished.set()
            self._complete(job, "refused", fields, note=str(refusal))
        except Exception as error:
            finished.set()
            summary = "".join(traceback.format_exception_only(error)).strip()
            outcome = queue.fail(job, summary)
            log_event(log, logging.ERROR, "job.failed", outcome=outcome, error=summary, **fields)
        else:
            finished.set()
            self._complete(job, delivery_status, fields)
        finally:
            finished.set()
            heartbeat.join()
            self.current = None
        return True

    def _complete(
        self,
        job: ClaimedJob,
        delivery_status: str,
        fields: dict[str, object],
        note: str | None = None,
    ) -> None:
        if not self.context.queue.complete(job, delivery_status, note):
            log_event(log, logging.WARNING, "job.lost", **fields)
        elif note is None:
            log_event(log, logging.INFO, "job.done", delivery_status=delivery_status, **fields)
        else:
            log_event(log, logging.WARNING, "job.refused", error=note, **fields)

    def _heartbeat(self, lease: JobLease, finished: threading.Event) -> None:
        interval = lease.queue.policy.lease_seconds / 3
        while not finished.wait(interval):
            if not lease.renew():
                log_event(log, logging.WARNING, "job.lease_lost", job_id=lease.job.id)
                return

    def _give_way_to_intake(self) -> None:
        if self.intake is None or self.defer is None:
            return
        allowed = self.defer.left()
        if allowed > 0:
            started = time.monotonic()
            self.intake.wait_for_lull(LULL_SECONDS, allowed)
            self.defer.spend(time.monotonic() - started)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self._give_way_to_intake()
            try:
                worked = self.run_once()
            except Exception as error:  # the database went away: wait and try again
                log_event(
                    log, logging.ERROR, "worker.error", worker=self.worker_id, error=repr(error)
                )
                worked = False
            if not worked and not stop.is_set():
                # Sleep until new work is announced (`WorkerPool.wake`) or the poll interval.
                self.wakeup.wait(self.poll_seconds)
                self.wakeup.clear()


class WorkerPool:
    def __init__(
        self,
        context: HandlerContext,
        runners: Mapping[str, JobRunner],
        threads: int,
        *,
        poll_seconds: float = 0.5,
        intake: IntakeActivity | None = None,
        defer_seconds: float = 0.0,
    ) -> None:
        self._stop = threading.Event()
        self._wakeup = threading.Event()
        self.workers = [
            Worker(
                context,
                runners,
                worker_name(index),
                poll_seconds=poll_seconds,
                wakeup=self._wakeup,
                intake=intake,
                defer_seconds=defer_seconds,
            )
            for index in range(threads)
        ]
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for worker in self.workers:
            thread = threading.Thread(
                target=worker.run, args=(self._stop,), name=worker.worker_id, daemon=True
            )
            thread.start()
            self._threads.append(thread)
        log_event(log, logging.INFO, "worker.started", threads=len(self.workers))

    def wake(self) -> None:
        """New jobs were queued: idle workers look now instead of at their next poll."""
        self._wakeup.set()

    def stop(self, grace_seconds: float = 20.0) -> None:
        self._stop.set()
        self._wakeup.set()
        for thread in self._threads:
            thread.join(grace_seconds / max(len(self._threads), 1))
        for worker, thread in zip(self.workers, self._threads, strict=True):
            lease = worker.current
            if thread.is_alive() and lease is not None:
                released = lease.give_back()
                log_event(
                    log, logging.WARNING, "job.released", job_id=lease.job.id, released=released
                )
        log_event(log, logging.INFO, "worker.stopped")
