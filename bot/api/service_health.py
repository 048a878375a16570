"""What `/api/ai-chat/health` and `/readyz` report, computed from the service's parts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from bot.db.database import Database
from bot.db.migrate import at_head
from bot.jobs.queue import JobQueue
from bot.settings import Settings
from renderers.version import __version__


class QueueDepth(BaseModel):
    pending: int
    running: int
    parked: int


class ServiceHealth(BaseModel):
    """The load balancer's probe: 200 when healthy, 503 when the database is unreachable."""

    status: Literal["healthy", "unhealthy"]
    version: str
    environment: str
    database: Literal["ok", "unreachable"]
    openai: Literal["configured", "echo-fallback"]
    queue: QueueDepth | None


class Readiness(BaseModel):
    status: Literal["ready", "not-ready"]
    database: Literal["ok", "unreachable"]
    migrations: str | None = None  # "current", or what to run


def service_health(settings: Settings, queue: JobQueue) -> ServiceHealth:
    try:
        counts = queue.counts()
    except SQLAlchemyError:
        counts = None
    return ServiceHealth(
        status="healthy" if counts is not None else "unhealthy",
        version=__version__,
        environment=settings.environment,
        database="ok" if counts is not None else "unreachable",
        openai="configured" if settings.openai_configured else "echo-fallback",
        queue=(
            QueueDepth(pending=counts.pending, running=counts.running, parked=counts.parked)
            if counts is not None
            else None
        ),
    )


def readiness(database: Database) -> Readiness:
    try:
        current = at_head(database)
    except SQLAlchemyError:
        return Readiness(status="not-ready", database="unreachable")
    if not current:
        return Readiness(status="not-ready", database="ok", migrations="pending (run sbh migrate)")
    return Readiness(status="ready", database="ok", migrations="current")
