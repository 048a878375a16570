"""The job queue on the database: enqueue in the caller's transaction, claim under a lease,
retry with backoff and jitter, park what keeps failing.

Claims use `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so replicas share the queue
without blocking each other; on SQLite every write transaction is `BEGIN IMMEDIATE`
(see `bot.db.database`), which serializes claims across threads and processes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.db.database import Database
from bot.db.models import Delivery, Job, utcnow

if TYPE_CHECKING:
    from bot.settings import Settings

Clock = Callable[[], datetime]
MAX_ERROR_CHARS = 4000

# Every job runs these: Core statements built once (compiled once, cached), no ORM
# unit of work. The rare paths (fail, release, park, replay) use the ORM.
_jobs = cast(Table, Job.__table__)
_deliveries = cast(Table, Delivery.__table__)
_NEXT_DUE = (
    select(_jobs)
    .where(
        or_(
            and_(_jobs.c.status == "pending", _jobs.c.run_after <= bindparam("now")),
            and_(_jobs.c.status == "running", _jobs.c.lease_expires_at < bindparam("now")),
        )
    )
    .order_by(_jobs.c.run_after, _jobs.c.id)
    .limit(1)
    .with_for_update(skip_locked=True)
)
_TAKE = (
    update(_jobs)
    .where(_jobs.c.id == bindparam("job_id"))
    .values(
        status="running",
        attempts=_jobs.c.attempts + 1,
        locked_by=bindparam("worker"),
        lease_expires_at=bindparam("lease"),
        updated_at=bindparam("now"),
        last_error=bindparam("last_error"),
    )
)
_COMPLETE = (
    update(_jobs)
    .where(
        _jobs.c.id == bindparam("job_id"),
        _jobs.c.status == "running",
        _jobs.c.locked_by == bindparam("worker"),
    )
    .values(
        status="done",
        finished_at=bindparam("now"),
        updated_at=bindparam("now"),
        lease_expires_at=None,
    )
)
_DELIVERY_DONE = (
    update(_deliveries)
    .where(_deliveries.c.id == bindparam("delivery_id"))
    .values(status=bindparam("status"), error=bindparam("error"), processed_at=bindparam("now"))
)


@dataclass(frozen=True)
class QueuePolicy:
    lease_seconds: float = 60.0
    max_attempts: int = 8
    backoff_base_seconds: float = 5.0
    backoff_max_seconds: float = 900.0

    @classmethod
    def from_settings(cls, settings: Settings) -> QueuePolicy:
        return cls(
            lease_seconds=settings.job_lease_seconds,
            max_attempts=settings.job_max_attempts,
            backoff_base_seconds=settings.job_backoff_base_seconds,
            backoff_max_seconds=settings.job_backoff_max_seconds,
        )

    def backoff(self, attempts: int, jitter: float) -> timedelta:
        """Exponential backoff with "equal jitter": half fixed, half random (jitter in [0, 1))."""
        ceiling = min(
            self.backoff_base_seconds * 2 ** max(attempts - 1, 0), self.backoff_max_seconds
        )
        return timedelta(seconds=ceiling / 2 + ceiling / 2 * jitter)


@dataclass(frozen=True)
class Keyed:
    """A job to enqueue at most once: `key` is its idempotency key (`jobs.dedupe_key`)."""

    key: str
    payload: dict[str, Any] | None = None


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    delivery_id: str | None
    payload: dict[str, Any] | None
    attempts: int
    max_attempts: int
    worker_id: str
    lease_expires_at: datetime


@dataclass(frozen=True)
class QueueCounts:
    pending: int
    running: int
    parked: int
    done: int


class JobQueue:
    def __init__(
        self,
        database: Database,
        policy: QueuePolicy | None = None,
        *,
        clock: Clock = utcnow,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.database = database
        self.policy = policy or QueuePolicy()
        self._clock = clock
        self._jitter = jitter

    def enqueue(
        self,
        session: Session,
        kind: str,
        *,
        delivery_id: str | None = None,
        payload: dict[str, Any] | None = None,
        dedupe_key: str | None = None,
        delay_seconds: float = 0.0,
    ) -> Job:
        """Add a job inside the caller's transaction (so it exists iff the caller commits)."""
        now = self._clock()
        job = Job(
            kind=kind,
            delivery_id=delivery_id,
            payload=payload,
            dedupe_key=dedupe_key,
            status="pending",
            attempts=0,
            max_attempts=self.policy.max_attempts,
            run_after=now + timedelta(seconds=delay_seconds),
            created_at=now,
            updated_at=now,
        )
        session.add(job)
        session.flush()
        return job

    def submit(
        self,
        kind: str,
        *,
        payload: dict[str, Any] | None = None,
        dedupe_key: str | None = None,
    ) -> int:
        """Add a job in a transaction of its own; returns its id."""
        with self.database.session() as session:
            return self.enqueue(session, kind, payload=payload, dedupe_key=dedupe_key).id

    def enqueue_once(
        self, kind: str, jobs: list[Keyed], *, delay_seconds: float = 0.0
    ) -> list[str]:
        """Add a job of `kind` for each key no job holds yet, in one statement and one
        transaction; returns the keys that were new. The unique index on `dedupe_key` decides:
        processes that enqueue the same key at the same moment (replicas on a schedule) get
        exactly one job between them, whoever commits first, and no error."""
        if not jobs:
            return []
        now = self._clock()
        rows = [
            {
                "kind": kind,
                "payload": job.payload,
                "dedupe_key": job.key,
                "status": "pending",
                "attempts": 0,
                "max_attempts": self.policy.max_attempts,
                "run_after": now + timedelta(seconds=delay_seconds),
                "created_at": now,
                "updated_at": now,
            }
            for job in jobs
        ]
        insert = postgresql.insert if self.database.is_postgresql else sqlite.insert
        statement = (
            insert(_jobs)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(_jobs.c.dedupe_key)
        )
        with self.database.session() as session:
            # One INSERT … VALUES of every row (not one per row): a scheduler tick stays cheap.
            return [str(key) for key in session.execute(statement.values(rows)).scalars()]

    def statuses(self, keys: list[str]) -> dict[str, str]:
        """key -> status of the jobs holding these idempotency keys (absent: no such job)."""
        if not keys:
            return {}
        with self.database.read() as connection:
            return {
                str(key): str(status)
                for key, status in connection.execute(
                    select(_jobs.c.dedupe_key, _jobs.c.status).where(_jobs.c.dedupe_key.in_(keys))
                )
            }

    def retry_parked(self, keys: list[str]) -> int:
        """Give the parked jobs holding these keys a new set of attempts; returns how many."""
        if not keys:
            return 0
        now = self._clock()
        with self.database.session() as session:
            result = session.execute(
                update(Job)
                .where(Job.dedupe_key.in_(keys), Job.status == "parked")
                .values(status="pending", attempts=0, run_after=now, updated_at=now)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def prune(self, kind: str, finished_before: datetime) -> int:
        """Delete finished (done) jobs of `kind` that finished before then: periodic work leaves
        one row per run, and its keys are never asked for again once their interval passed."""
        with self.database.session() as session:
            result = session.execute(
                delete(Job).where(
                    Job.kind == kind, Job.status == "done", Job.finished_at < finished_before
                )
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def claim_more(self, job: ClaimedJob, limit: int) -> list[ClaimedJob]:
        """Up to `limit` more due pending jobs of `job`'s kind, for the same worker, claimed in
        one statement (work that is run in batches, like health probes). Expired leases are
        left to `claim`, which knows how to take them over."""
        if limit <= 0:
            return []
        now = self._clock()
        lease = now + timedelta(seconds=self.policy.lease_seconds)
        with self.database.session() as session:
            connection = session.connection()
            due = connection.execute(
                select(_jobs.c.id)
                .where(
                    _jobs.c.kind == job.kind,
                    _jobs.c.status == "pending",
                    _jobs.c.run_after <= now,
                )
                .order_by(_jobs.c.run_after, _jobs.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).scalars()
            ids = list(due)
            if not ids:
                return []
            taken = connection.execute(
                update(_jobs)
                .where(_jobs.c.id.in_(ids), _jobs.c.status == "pending")
                .values(
                    status="running",
                    attempts=_jobs.c.attempts + 1,
                    locked_by=job.worker_id,
                    lease_expires_at=lease,
                    updated_at=now,
                )
                .returning(
                    _jobs.c.id,
                    _jobs.c.kind,
                    _jobs.c.delivery_id,
                    _jobs.c.payload,
                    _jobs.c.attempts,
                    _jobs.c.max_attempts,
                )
            ).all()
        return [
            ClaimedJob(
                id=row.id,
                kind=row.kind,
                delivery_id=row.delivery_id,
                payload=row.payload,
                attempts=row.attempts,
                max_attempts=row.max_attempts,
                worker_id=job.worker_id,
                lease_expires_at=lease,
            )
            for row in taken
        ]

    def now(self) -> datetime:
        """The time on the queue's clock, the one leases are measured by."""
        return self._clock()

    def claim(self, worker_id: str) -> ClaimedJob | None:
        """Take the next due job (or one whose lease expired) for `worker_id`, or None."""
        now = self._clock()
        with self.database.session() as session:
            connection = session.connection()
            job = connection.execute(_NEXT_DUE, {"now": now}).first()
            if job is None:
                return None
            if job.attempts >= job.max_attempts:
                # Its last worker died holding it: there is no attempt left to give it.
                owned = session.get(Job, job.id)  # locked by the SELECT above
                if owned is not None:
                    self._park(
                        session,
                        owned,
                        job.last_error or "the worker's lease expired on every attempt",
                        now,
                    )
                return None
            taken_over = (
                f"lease of {job.locked_by} expired; taken over by {worker_id}"
                if job.status == "running"
                else job.last_error
            )
            lease = now + timedelta(seconds=self.policy.lease_seconds)
            connection.execute(
                _TAKE,
                {
                    "job_id": job.id,
                    "worker": worker_id,
                    "lease": lease,
                    "now": now,
                    "last_error": taken_over,
                },
            )
            return ClaimedJob(
                id=job.id,
                kind=job.kind,
                delivery_id=job.delivery_id,
                payload=job.payload,
                attempts=job.attempts + 1,
                max_attempts=job.max_attempts,
                worker_id=worker_id,
                lease_expires_at=lease,
            )

    def extend_lease(self, job: ClaimedJob) -> datetime | None:
        """Keep the lease while working: its new expiry, or None when the job is no longer
        ours (another worker took it over, or it was given back). One indexed UPDATE."""
        now = self._clock()
        lease = now + timedelta(seconds=self.policy.lease_seconds)
        with self.database.session() as session:
            result = session.execute(
                update(Job)
                .where(Job.id == job.id, Job.status == "running", Job.locked_by == job.worker_id)
                .values(lease_expires_at=lease, updated_at=now)
            )
            return lease if result.rowcount else None  # type: ignore[attr-defined]

    def complete(
        self, job: ClaimedJob, delivery_status: str = "processed", note: str | None = None
    ) -> bool:
        """Mark done, and its delivery `delivery_status` with `note` saying why (shown by
        `sbh deliveries`). False when another worker took the job over."""
        now = self._clock()
        with self.database.session() as session:
            connection = session.connection()
            # No SELECT: "still ours" is the WHERE of the UPDATE.
            done = connection.execute(
                _COMPLETE, {"job_id": job.id, "worker": job.worker_id, "now": now}
            )
            if not done.rowcount:
                return False
            if job.delivery_id is not None:
                connection.execute(
                    _DELIVERY_DONE,
                    {
                        "delivery_id": job.delivery_id,
                        "status": delivery_status,
                        "error": note,
                        "now": now,
                    },
                )
            return True

    def fail(self, job: ClaimedJob, error: str) -> str:
        """Record a failure: retry after a backoff, or park after the last attempt.
        Returns "retry", "parked" or "lost" (no longer ours)."""
        now = self._clock()
        error = error[:MAX_ERROR_CHARS]
        with self.database.session() as session:
            owned = self._owned(session, job)
            if owned is None:
                return "lost"
            if owned.attempts >= owned.max_attempts:
                self._park(session, owned, error, now)
                return "parked"
            owned.status = "pending"
            owned.last_error = error
            owned.locked_by = None
            owned.lease_expires_at = None
            owned.run_after = now + self.policy.backoff(owned.attempts, self._jitter())
            owned.updated_at = now
            return "retry"

    def release(self, job: ClaimedJob) -> bool:
        """Give a job back unfinished (graceful shutdown): due now, the attempt not counted."""
        now = self._clock()
        with self.database.session() as session:
            owned = self._owned(session, job)
            if owned is None:
                return False
            owned.status = "pending"
            owned.attempts = max(owned.attempts - 1, 0)
            owned.locked_by = None
            owned.lease_expires_at = None
            owned.run_after = now
            owned.updated_at = now
            return True

    def replay_delivery(self, delivery_id: str) -> int:
        """Enqueue a stored delivery again (`sbh replay`). Returns the new job id."""
        now = self._clock()
        with self.database.session() as session:
            delivery = session.get(Delivery, delivery_id)
            if delivery is None:
                raise LookupError(f"no delivery {delivery_id}")
            delivery.status = "queued"
            delivery.error = None
            job = self.enqueue(
                session,
                "delivery",
                delivery_id=delivery_id,
                dedupe_key=f"replay:{delivery_id}:{now.isoformat()}",
            )
            return job.id

    def counts(self) -> QueueCounts:
        with self.database.session() as session:
            rows: dict[str, int] = {
                status: count
                for status, count in session.execute(
                    select(Job.status, func.count()).group_by(Job.status)
                ).all()
            }
        return QueueCounts(
            pending=rows.get("pending", 0),
            running=rows.get("running", 0),
            parked=rows.get("parked", 0),
            done=rows.get("done", 0),
        )

    def _owned(self, session: Session, job: ClaimedJob) -> Job | None:
        owned = session.scalars(select(Job).where(Job.id == job.id).with_for_update()).first()
        if owned is None or owned.status != "running" or owned.locked_by != job.worker_id:
            return None
        return owned

    def _park(self, session: Session, job: Job, error: str, now: datetime) -> None:
        job.status = "parked"
        job.last_error = error
        job.locked_by = None
        job.lease_expires_at = None
        job.finished_at = now
        job.updated_at = now
        self._mark_delivery(session, job, "parked", error, now)

    @staticmethod
    def _mark_delivery(
        session: Session, job: Job, status: str, error: str | None, now: datetime
    ) -> None:
        if job.delivery_id is None:
            return
        delivery = session.get(Delivery, job.delivery_id)
        if delivery is not None:
            delivery.status = status
            delivery.error = error
            delivery.processed_at = now
