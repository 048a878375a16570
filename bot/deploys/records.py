"""What SBH knows about the deploys and health of the systems it built: recording GitHub's
deployment statuses, deploys SBH dispatched and health probes, and reading them back as
plain values for the status comment, the API and the CLI (database in, values out). Their
infrastructure's plans, applies and drift are `infrastructure` (bot.deploys.infra_records)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from bot.db.database import Database
from bot.db.models import Deployment, EnvironmentHealth, utcnow
from bot.deploys.infra_records import InfraRecords
from bot.ports import ProbeResult

TERMINAL = frozenset({"success", "failure", "error", "inactive"})
_IMAGE = re.compile(r"\bimage (\S+?)(?:;|$)")
# An sbh/v2 deploy job's status description: "<service>: image <tag>[; rolled back to ...]".
_SERVICE = re.compile(r"^([a-z][a-z0-9-]{0,30}): image ")


@dataclass(frozen=True)
class StatusUpdate:
    """One `deployment_status` event, reduced to what SBH keeps."""

    repository_id: int
    deployment_id: int
    environment: str
    sha: str
    state: str
    description: str | None
    environment_url: str | None
    log_url: str | None
    actor: str | None


@dataclass(frozen=True)
class DeployRow:
    environment: str
    image_tag: str | None
    state: str
    url: str | None
    updated_at: datetime
    actor: str | None
    run_url: str | None
    description: str | None
    service: str | None = None


@dataclass(frozen=True)
class HealthRow:
    """The last probe of one environment."""

    environment: str
    url: str
    up: bool
    status_code: int | None
    latency_ms: float | None
    checked_at: datetime
    since: datetime  # when `up` last changed

    def summary(self, now: datetime) -> str:
        return describe(self.up, self.since, now)


def describe(up: bool, since: datetime, now: datetime) -> str:
    """ "healthy for 3 h", "down since 2026-11-25 05:40 UTC"."""
    minutes = int((now - since).total_seconds() // 60)
    span = f"{minutes // 60} h" if minutes >= 120 else f"{minutes} min"
    return f"healthy for {span}" if up else f"down since {since:%Y-%m-%d %H:%M} UTC"


def _deploy_row(deployment: Deployment) -> DeployRow:
    return DeployRow(
        environment=deployment.environment,
        image_tag=deployment.image_tag,
        state=deployment.state,
        url=deployment.environment_url,
        updated_at=deployment.updated_at,
        actor=deployment.actor,
        run_url=deployment.run_url,
        description=deployment.description,
        service=deployment.service,
    )


def _health_row(row: EnvironmentHealth) -> HealthRow:
    return HealthRow(
        environment=row.environment,
        url=row.url,
        up=row.up,
        status_code=row.status_code,
        latency_ms=row.latency_ms,
        checked_at=row.checked_at,
        since=row.since,
    )


class DeployRecords:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.infrastructure = InfraRecords(database)

    # -- Recording

    def record_status(self, system_id: int, update: StatusUpdate) -> None:
        """Upsert the deployment; a late non-final status never overwrites a final one."""
        tag_from_description = _IMAGE.search(update.description or "")
        service_from_description = _SERVICE.match(update.description or "")
        service = service_from_description.group(1) if service_from_description else None
        with self.database.session() as session:
            row = session.scalars(
                select(Deployment).where(Deployment.github_deployment_id == update.deployment_id)
            ).first()
            if row is None:
                # A deploy SBH dispatched is waiting for its first status: this is it.
                row = session.scalars(
                    select(Deployment)
                    .where(
                        Deployment.system_id == system_id,
                        Deployment.environment == update.environment,
                        Deployment.github_deployment_id.is_(None),
                        Deployment.state == "requested",
                        # One service's request, or a request for all of them.
                        Deployment.service.is_(None)
                        if service is None
                        else (Deployment.service == service) | Deployment.service.is_(None),
                    )
                    .order_by(Deployment.id.desc())
                    .limit(1)
                ).first()
            if row is None:
                row = Deployment(
                    system_id=system_id, environment=update.environment, state="pending"
                )
                session.add(row)
            row.github_deployment_id = update.deployment_id
            row.commit_sha = update.sha
            row.service = service or row.service
            if row.state in TERMINAL and update.state not in TERMINAL:
                return  # out of order: the final state already arrived
            row.state = update.state
            if tag_from_description:
                row.image_tag = tag_from_description.group(1)
            elif row.image_tag is None:
                row.image_tag = update.sha[:7]  # builds tag images with the short commit SHA
            row.description = (update.description or row.description or "")[:200] or None
            row.environment_url = update.environment_url or row.environment_url
            row.run_url = update.log_url or row.run_url
            row.actor = update.actor or row.actor

    def record_requested(
        self,
        system_id: int,
        environment: str,
        tag: str | None,
        actor: str,
        request_key: str,
        service: str | None = None,
    ) -> None:
        """A deploy SBH dispatched, until GitHub's statuses arrive; `request_key` names what
        asked for it (see `requested`). `service`: one service of an sbh/v2 system (None for
        v1, and for all services: each service's own status names it)."""
        with self.database.session() as session:
            session.add(
                Deployment(
                    system_id=system_id,
                    environment=environment,
                    service=service,
                    image_tag=tag,
                    state="requested",
                    actor=actor,
                    request_key=request_key,
                )
            )

    def record_health(
        self, system_id: int, environment: str, url: str, result: ProbeResult
    ) -> None:
        now = utcnow()
        with self.database.session() as session:
            row = session.get(EnvironmentHealth, (system_id, environment))
            if row is None:
                row = EnvironmentHealth(system_id=system_id, environment=environment, since=now)
                session.add(row)
            elif row.up != result.up:
                row.since = now
            row.url, row.up, row.checked_at = url, result.up, now
            row.status_code, row.latency_ms, row.error = (
                result.status_code,
                result.latency_ms,
                result.error,
            )

    # -- Reading

    def requested(self, request_key: str) -> DeployRow | None:
        """The deploy SBH dispatched for `request_key`, if it did already."""
        with self.database.session() as session:
            found = session.scalars(
                select(Deployment).where(Deployment.request_key == request_key)
            ).first()
            return _deploy_row(found) if found else None

    def deployments(self, system_id: int, limit: int = 20) -> list[DeployRow]:
        """The system's latest deploys, newest first."""
        with self.database.session() as session:
            recent = session.scalars(
                select(Deployment)
                .where(Deployment.system_id == system_id)
                .order_by(Deployment.id.desc())
                .limit(limit)
            ).all()
            return [_deploy_row(deployment) for deployment in recent]

    def deploy_rows(self, system_id: int) -> tuple[list[DeployRow], list[DeployRow]]:
        """(latest per environment, the last ten deploys)."""
        rows = self.deployments(system_id, limit=50)
        latest: dict[str, DeployRow] = {}
        for row in rows:
            latest.setdefault(row.environment, row)
        return list(latest.values()), rows[:10]

    def latest_deployments(self, system_ids: Sequence[int]) -> dict[tuple[int, str], DeployRow]:
        """(system id, environment) -> its latest deploy, for a page of systems in one query."""
        if not system_ids:
            return {}
        latest = (
            select(func.max(Deployment.id))
            .where(Deployment.system_id.in_(system_ids))
            .group_by(Deployment.system_id, Deployment.environment)
        )
        with self.database.session() as session:
            return {
                (deployment.system_id, deployment.environment): _deploy_row(deployment)
                for deployment in session.scalars(
                    select(Deployment).where(Deployment.id.in_(latest))
                )
            }

    def previous_successful_tag(
        self, system_id: int, environment: str, service: str | None = None
    ) -> str | None:
        """The image of the last successful deploy before the current one (of `service`, for
        one service of an sbh/v2 system: each service has its own images)."""
        with self.database.session() as session:
            tags = session.scalars(
                select(Deployment.image_tag)
                .where(
                    Deployment.system_id == system_id,
                    Deployment.environment == environment,
                    Deployment.state == "success",
                    Deployment.image_tag.is_not(None),
                    *([Deployment.service == service] if service is not None else []),
                )
                .order_by(Deployment.id.desc())
                .limit(2)
            ).all()
        return tags[1] if len(tags) == 2 else None

    def health(self, system_ids: Sequence[int]) -> dict[tuple[int, str], HealthRow]:
        """(system id, environment) -> its last probe."""
        if not system_ids:
            return {}
        with self.database.session() as session:
            return {
                (row.system_id, row.environment): _health_row(row)
                for row in session.scalars(
                    select(EnvironmentHealth).where(EnvironmentHealth.system_id.in_(system_ids))
                )
            }

    def health_summaries(self, system_id: int) -> dict[str, str]:
        """environment -> "healthy for 3 h" / "down since ..." from the last probes."""
        now = utcnow()
        return {
            environment: row.summary(now)
            for (_, environment), row in self.health([system_id]).items()
        }
