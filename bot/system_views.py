"""Systems, builds, deployments, health and deliveries as plain data, for the API and the
CLI (read-only queries; JSON-ready values)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select

from bot.db.database import Database
from bot.db.models import Build, Delivery, Deployment, EnvironmentHealth, System, utcnow
from bot.health_monitor import describe

MAX_PAGE = 100
T = TypeVar("T")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _visible(query: Select[T], repositories: frozenset[str] | None) -> Select[T]:
    """Only systems whose repository (lower-case `owner/name`) is in `repositories`; all of
    them when it is None."""
    if repositories is None:
        return query
    return query.where(func.lower(System.owner + "/" + System.name).in_(sorted(repositories)))


def list_systems(
    database: Database,
    limit: int = 50,
    offset: int = 0,
    repositories: frozenset[str] | None = None,
) -> dict[str, Any]:
    with database.session() as session:
        total = (
            session.scalar(_visible(select(func.count()).select_from(System), repositories)) or 0
        )
        systems = session.scalars(
            _visible(select(System), repositories)
            .order_by(System.owner, System.name)
            .limit(min(limit, MAX_PAGE))
            .offset(offset)
        ).all()
        items = [
            {
                "name": system.name,
                "owner": system.owner,
                "repository": f"{system.owner}/{system.name}",
                "origin": system.origin_repository,
                "issue": system.origin_issue_number,
                "template_version": system.template_version,
                "updated_at": _iso(system.updated_at),
            }
            for system in systems
        ]
    return {"total": total, "limit": min(limit, MAX_PAGE), "offset": offset, "items": items}


def system_detail(
    database: Database,
    name: str,
    owner: str | None = None,
    repositories: frozenset[str] | None = None,
) -> dict[str, Any] | None:
    now = utcnow()
    with database.session() as session:
        query = _visible(select(System), repositories).where(System.name == name)
        if owner:
            query = query.where(System.owner == owner)
        system = session.scalars(query.order_by(System.id).limit(1)).first()
        if system is None:
            return None
        builds = session.scalars(
            select(Build).where(Build.system_id == system.id).order_by(Build.id.desc()).limit(20)
        ).all()
        deployments = session.scalars(
            select(Deployment)
            .where(Deployment.system_id == system.id)
            .order_by(Deployment.id.desc())
            .limit(20)
        ).all()
        health = session.scalars(
            select(EnvironmentHealth).where(EnvironmentHealth.system_id == system.id)
        ).all()
        return {
            "name": system.name,
            "owner": system.owner,
            "repository": f"{system.owner}/{system.name}",
            "repository_id": system.repository_id,
            "origin": {
                "repository": system.origin_repository,
                "issue": system.origin_issue_number,
                "commit": system.origin_commit_sha,
            },
            "spec": system.spec,
            "spec_hash": system.spec_hash,
            "template_version": system.template_version,
            "builds": [
                {
                    "status": build.status,
                    "trigger": build.trigger,
                    "commit": build.commit_sha,
                    "pull_request": build.pull_request_number,
                    "error": build.error,
                    "ai_tokens": build.ai_prompt_tokens + build.ai_completion_tokens,
                    "started_at": _iso(build.started_at),
                    "finished_at": _iso(build.finished_at),
                }
                for build in builds
            ],
            "deployments": [
                {
                    "environment": deployment.environment,
                    "image_tag": deployment.image_tag,
                    "state": deployment.state,
                    "description": deployment.description,
                    "url": deployment.environment_url,
                    "run": deployment.run_url,
                    "by": deployment.actor,
                    "updated_at": _iso(deployment.updated_at),
                }
                for deployment in deployments
            ],
            "health": {
                row.environment: {
                    "up": row.up,
                    "summary": describe(row.up, row.since, now),
                    "url": row.url,
                    "status_code": row.status_code,
                    "latency_ms": row.latency_ms,
                    "checked_at": _iso(row.checked_at),
                }
                for row in health
            },
        }


def list_deliveries(
    database: Database, status: str | None = None, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    with database.session() as session:
        query = select(Delivery)
        counted = select(func.count()).select_from(Delivery)
        if status:
            query = query.where(Delivery.status == status)
            counted = counted.where(Delivery.status == status)
        total = session.scalar(counted) or 0
        deliveries = session.scalars(
            query.order_by(Delivery.received_at.desc()).limit(min(limit, MAX_PAGE)).offset(offset)
        ).all()
        items = [
            {
                "id": delivery.id,
                "event": delivery.event,
                "action": delivery.action,
                "repository": delivery.repository,
                "installation": delivery.installation_id,
                "status": delivery.status,
                "error": delivery.error,
                "received_at": _iso(delivery.received_at),
            }
            for delivery in deliveries
        ]
    return {"total": total, "limit": min(limit, MAX_PAGE), "offset": offset, "items": items}
