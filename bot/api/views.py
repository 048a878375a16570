"""Systems, builds, deployments, health and deliveries as plain data, for the API and the
CLI (read-only queries; JSON-ready values)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bot.db.database import Database
from bot.db.models import Build, Delivery, Deployment, EnvironmentHealth, System, utcnow
from bot.deploys.health_monitor import describe
from renderers.complete import complete_defaults
from renderers.problems import SpecError
from renderers.spec import load_spec

MAX_PAGE = 100
T = TypeVar("T")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def environments(spec_text: str) -> list[dict[str, Any]]:
    """The environments of a recorded spec, in its order, with what the buttons need."""
    try:
        spec = complete_defaults(load_spec(spec_text, "system spec"))
    except SpecError:
        return []
    return [
        {"name": name, "production": environment.production, "region": environment.region}
        for name, environment in spec.environments.items()
    ]


def _visible(query: Select[T], repositories: frozenset[str] | None) -> Select[T]:
    """Only systems whose repository (lower-case `owner/name`) is in `repositories`; all of
    them when it is None."""
    if repositories is None:
        return query
    return query.where(func.lower(System.owner + "/" + System.name).in_(sorted(repositories)))


@dataclass
class _Overview:
    """A page of systems' last builds, latest deploys and health, in three queries."""

    builds: dict[int, dict[str, Any]] = field(default_factory=dict)
    deploys: dict[tuple[int, str], Deployment] = field(default_factory=dict)
    health: dict[tuple[int, str], EnvironmentHealth] = field(default_factory=dict)
    now: datetime = field(default_factory=utcnow)


def _overview(session: Session, ids: list[int]) -> _Overview:
    overview = _Overview()
    if not ids:
        return overview
    last_builds = (
        select(func.max(Build.id)).where(Build.system_id.in_(ids)).group_by(Build.system_id)
    )
    for build in session.scalars(select(Build).where(Build.id.in_(last_builds))):
        overview.builds[build.system_id] = {
            "status": build.status,
            "trigger": build.trigger,
            "started_at": _iso(build.started_at),
        }
    latest = (
        select(func.max(Deployment.id))
        .where(Deployment.system_id.in_(ids))
        .group_by(Deployment.system_id, Deployment.environment)
    )
    for deployment in session.scalars(select(Deployment).where(Deployment.id.in_(latest))):
        overview.deploys[(deployment.system_id, deployment.environment)] = deployment
    for row in session.scalars(
        select(EnvironmentHealth).where(EnvironmentHealth.system_id.in_(ids))
    ):
        overview.health[(row.system_id, row.environment)] = row
    return overview


def _environment_state(system_id: int, name: str, overview: _Overview) -> dict[str, Any]:
    deployment = overview.deploys.get((system_id, name))
    health = overview.health.get((system_id, name))
    return {
        "name": name,
        "deploy": (
            f"{deployment.state}: {deployment.image_tag or 'newest image'}" if deployment else None
        ),
        "up": health.up if health else None,
        "health": describe(health.up, health.since, overview.now) if health else None,
    }


def _find(
    session: Session, name: str, owner: str | None, repositories: frozenset[str] | None
) -> System | None:
    query = _visible(select(System), repositories).where(System.name == name)
    if owner:
        query = query.where(System.owner == owner)
    return session.scalars(query.order_by(System.id).limit(1)).first()


def find_system(
    database: Database,
    name: str,
    owner: str | None = None,
    repositories: frozenset[str] | None = None,
) -> System | None:
    """The system named `name` (of `owner`, when given) among those in `repositories`
    (all when None), detached from its session."""
    with database.session() as session:
        system = _find(session, name, owner, repositories)
        if system is not None:
            session.expunge(system)
        return system


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
        overview = _overview(session, [system.id for system in systems])
        items = [
            {
                "name": system.name,
                "owner": system.owner,
                "repository": f"{system.owner}/{system.name}",
                "origin": system.origin_repository,
                "issue": system.origin_issue_number,
                "template_version": system.template_version,
                "updated_at": _iso(system.updated_at),
                "last_build": overview.builds.get(system.id),
                "environments": [
                    _environment_state(system.id, environment["name"], overview)
                    for environment in environments(system.spec)
                ],
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
        system = _find(session, name, owner, repositories)
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
            "environments": environments(system.spec),
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
