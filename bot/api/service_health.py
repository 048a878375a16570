"""What `/api/ai-chat/health` and `/readyz` report, computed from the service's parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.db.database import Database
from bot.db.migrate import at_head
from bot.jobs.queue import JobQueue
from bot.settings import Settings
from renderers.version import __version__


@dataclass(frozen=True)
class Report:
    status_code: int
    body: dict[str, Any]


def service_health(settings: Settings, database: Database, queue: JobQueue) -> Report:
    body: dict[str, Any] = {
        "status": "healthy",
        "version": __version__,
        "environment": settings.environment,
        "database": "ok",
        "openai": "configured" if settings.openai_configured else "echo-fallback",
    }
    try:
        counts = queue.counts()
    except SQLAlchemyError:
        body.update(status="unhealthy", database="unreachable")
        return Report(503, body)
    body["queue"] = {"pending": counts.pending, "running": counts.running, "parked": counts.parked}
    return Report(200, body)


def readiness(database: Database) -> Report:
    try:
        current = at_head(database)
    except SQLAlchemyError:
        return Report(503, {"status": "not-ready", "database": "unreachable"})
    if not current:
        return Report(
            503,
            {"status": "not-ready", "database": "ok", "migrations": "pending (run sbh migrate)"},
        )
    return Report(200, {"status": "ready", "database": "ok", "migrations": "current"})
