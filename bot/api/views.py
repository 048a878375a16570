"""Systems, builds, deployments, health, infrastructure and deliveries as typed, JSON-ready
views: the response models of the API (and so of the OpenAPI description the web app's types
are generated from), and what the CLI prints with `--json`. Read-only."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select

from bot.db.database import Database
from bot.db.models import Delivery, utcnow
from bot.db.systems import MAX_PAGE, BuildRecord, SystemRecord, SystemsRepository
from bot.deploys.infra_records import InfraRow, InfraStatus
from bot.deploys.records import DeployRecords, DeployRow, HealthRow
from bot.deploys.services import service_facts


class BuildSummary(BaseModel):
    status: str
    trigger: str
    started_at: datetime | None


class EnvironmentState(BaseModel):
    """One environment of a system on the dashboard: its latest deploy and health."""

    name: str
    deploy: str | None  # "success: 1a2b3c4"; None when never deployed
    up: bool | None  # None when never probed
    health: str | None  # "healthy for 3 h", "down since ..."


class SystemSummary(BaseModel):
    name: str
    owner: str
    repository: str
    origin: str | None
    issue: int | None
    template_version: str
    updated_at: datetime | None
    last_build: BuildSummary | None
    environments: list[EnvironmentState]


class SystemsPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[SystemSummary]


class SystemOrigin(BaseModel):
    """Where the system was asked for: a hub repository's issue, or a pushed commit."""

    repository: str | None
    issue: int | None
    commit: str | None


class EnvironmentInfo(BaseModel):
    name: str
    production: bool
    region: str


class ServiceView(BaseModel):
    """One service of an sbh/v2 system with its kind's key facts (null where the kind has no
    such thing)."""

    name: str
    kind: str  # web, backend, worker, job, static-site
    path: str | None  # web
    port: int | None  # web, backend
    health_path: str | None  # web, backend
    reached_by: str | None  # backend: http://<name>:<port> inside the system
    queue: str | None  # worker: its queue's redrive and visibility
    schedule: str | None  # job
    source: str | None  # static-site
    summary: str  # the facts above in a few words
    urls: dict[str, str]  # environment → where the public reaches it (web, static-site)


class BuildView(BaseModel):
    status: str
    trigger: str
    commit: str | None
    pull_request: int | None
    error: str | None
    ai_tokens: int
    started_at: datetime | None
    finished_at: datetime | None


class DeploymentView(BaseModel):
    environment: str
    image_tag: str | None
    state: str
    description: str | None
    url: str | None
    run: str | None
    by: str | None
    updated_at: datetime | None


class HealthView(BaseModel):
    up: bool
    summary: str
    url: str
    status_code: int | None
    latency_ms: float | None
    checked_at: datetime | None


class PlanChangesView(BaseModel):
    """Terraform's counts line of a plan."""

    add: int
    change: int
    destroy: int


class InfraRunView(BaseModel):
    """The last plan, apply or drift check of one environment."""

    # plan, apply: pending, succeeded, failed, cancelled, skipped; drift: drifted, clean
    state: str
    summary: str  # "plan succeeded on PR #12 (+3 ~1 -0)", "no drift (checked ...)"
    commit: str | None
    url: str | None  # a plan: its plan comment (else the pull request); else the job's run
    pull_request: int | None  # a plan's
    changes: PlanChangesView | None  # a plan's, when the plan comment gave them
    since: datetime | None  # when `state` last changed ("drift detected since")
    updated_at: datetime | None


class InfrastructureView(BaseModel):
    """An environment's infrastructure as its `infra.yml` and `drift.yml` runs reported it
    (None: not reported yet)."""

    plan: InfraRunView | None
    apply: InfraRunView | None
    drift: InfraRunView | None


class SystemDetail(BaseModel):
    name: str
    owner: str
    repository: str
    repository_id: int | None
    origin: SystemOrigin
    spec: str
    spec_hash: str
    api_version: str | None  # sbh/v1 or sbh/v2; None when SBH cannot read the recorded spec
    environments: list[EnvironmentInfo]
    services: list[ServiceView]  # an sbh/v2 system's, in its spec's order; none for sbh/v1
    template_version: str
    builds: list[BuildView]
    deployments: list[DeploymentView]
    health: dict[str, HealthView]
    infrastructure: dict[str, InfrastructureView]


class DeliveryView(BaseModel):
    id: str
    event: str
    action: str | None
    repository: str | None
    installation: int | None
    status: str
    error: str | None
    received_at: datetime | None


class DeliveriesPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[DeliveryView]


def _environments(system: SystemRecord) -> list[EnvironmentInfo]:
    """The environments of the recorded spec, in its order, with what the buttons need."""
    if system.spec is None:
        return []
    return [
        EnvironmentInfo(name=name, production=environment.production, region=environment.region)
        for name, environment in system.spec.environments.items()
    ]


def _services(system: SystemRecord) -> list[ServiceView]:
    spec = system.spec
    if spec is None:
        return []
    domains = {name: environment.domain for name, environment in spec.environments.items()}
    return [
        ServiceView(
            name=facts.name,
            kind=facts.kind,
            path=facts.path,
            port=facts.port,
            health_path=facts.health_path,
            reached_by=facts.reached_by,
            queue=facts.queue,
            schedule=facts.schedule,
            source=facts.source,
            summary=facts.summary(),
            urls={
                environment: url
                for environment, domain in domains.items()
                if (url := facts.url(domain)) is not None
            },
        )
        for facts in service_facts(spec)
    ]


def _environment_state(
    deployment: DeployRow | None, health: HealthRow | None, name: str, now: datetime
) -> EnvironmentState:
    return EnvironmentState(
        name=name,
        deploy=(
            f"{deployment.state}: {deployment.image_tag or 'newest image'}" if deployment else None
        ),
        up=health.up if health else None,
        health=health.summary(now) if health else None,
    )


def _build_view(build: BuildRecord) -> BuildView:
    return BuildView(
        status=build.status,
        trigger=build.trigger,
        commit=build.commit_sha,
        pull_request=build.pull_request_number,
        error=build.error,
        ai_tokens=build.ai_tokens,
        started_at=build.started_at,
        finished_at=build.finished_at,
    )


def _deployment_view(row: DeployRow) -> DeploymentView:
    return DeploymentView(
        environment=row.environment,
        image_tag=row.image_tag,
        state=row.state,
        description=row.description,
        url=row.url,
        run=row.run_url,
        by=row.actor,
        updated_at=row.updated_at,
    )


def _infra_run_view(row: InfraRow | None) -> InfraRunView | None:
    if row is None:
        return None
    changes = row.changes
    return InfraRunView(
        state=row.state,
        summary=row.summary(),
        commit=row.commit_sha,
        url=row.url,
        pull_request=row.pull_request,
        changes=(
            PlanChangesView(add=changes.add, change=changes.change, destroy=changes.destroy)
            if changes
            else None
        ),
        since=row.since,
        updated_at=row.updated_at,
    )


def _infrastructure_view(status: InfraStatus) -> InfrastructureView:
    return InfrastructureView(
        plan=_infra_run_view(status.plan),
        apply=_infra_run_view(status.apply),
        drift=_infra_run_view(status.drift),
    )


def list_systems(
    database: Database,
    limit: int = 50,
    offset: int = 0,
    repositories: frozenset[str] | None = None,
) -> SystemsPage:
    """A page of the systems in `repositories` (all when None), with each one's last build
    and each environment's latest deploy and health (four queries for the page)."""
    systems, records = SystemsRepository(database), DeployRecords(database)
    total, page = systems.page(limit, offset, repositories)
    ids = [system.id for system in page]
    builds, deploys = systems.last_builds(ids), records.latest_deployments(ids)
    health = records.health(ids)
    now = utcnow()
    items = []
    for system in page:
        build = builds.get(system.id)
        items.append(
            SystemSummary(
                name=system.name,
                owner=system.owner,
                repository=system.full_name,
                origin=system.origin_repository,
                issue=system.origin_issue_number,
                template_version=system.template_version,
                updated_at=system.updated_at,
                last_build=(
                    BuildSummary(
                        status=build.status, trigger=build.trigger, started_at=build.started_at
                    )
                    if build
                    else None
                ),
                environments=[
                    _environment_state(
                        deploys.get((system.id, name)), health.get((system.id, name)), name, now
                    )
                    for name in system.environment_names
                ],
            )
        )
    return SystemsPage(total=total, limit=min(limit, MAX_PAGE), offset=offset, items=items)


def system_detail(
    database: Database,
    name: str,
    owner: str | None = None,
    repositories: frozenset[str] | None = None,
) -> SystemDetail | None:
    """The system named `name` (of `owner`) among `repositories` (all when None)."""
    systems, records = SystemsRepository(database), DeployRecords(database)
    system = systems.find(name, owner, repositories)
    if system is None:
        return None
    now = utcnow()
    return SystemDetail(
        name=system.name,
        owner=system.owner,
        repository=system.full_name,
        repository_id=system.repository_id,
        origin=SystemOrigin(
            repository=system.origin_repository,
            issue=system.origin_issue_number,
            commit=system.origin_commit_sha,
        ),
        spec=system.spec_text,
        spec_hash=system.spec_hash,
        api_version=system.spec.api_version if system.spec else None,
        environments=_environments(system),
        services=_services(system),
        template_version=system.template_version,
        builds=[_build_view(build) for build in systems.builds(system.id)],
        deployments=[_deployment_view(row) for row in records.deployments(system.id)],
        health={
            environment: HealthView(
                up=row.up,
                summary=row.summary(now),
                url=row.url,
                status_code=row.status_code,
                latency_ms=row.latency_ms,
                checked_at=row.checked_at,
            )
            for (_, environment), row in records.health([system.id]).items()
        },
        infrastructure={
            environment: _infrastructure_view(status)
            for environment, status in records.infrastructure.statuses(system.id).items()
        },
    )


def list_deliveries(
    database: Database, status: str | None = None, limit: int = 50, offset: int = 0
) -> DeliveriesPage:
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
            DeliveryView(
                id=delivery.id,
                event=delivery.event,
                action=delivery.action,
                repository=delivery.repository,
                installation=delivery.installation_id,
                status=delivery.status,
                error=delivery.error,
                received_at=delivery.received_at,
            )
            for delivery in deliveries
        ]
    return DeliveriesPage(total=total, limit=min(limit, MAX_PAGE), offset=offset, items=items)
