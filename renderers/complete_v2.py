"""Completion of an sbh/v2 spec: `complete_v2(raw) -> SpecV2`, every service with its kind's
defaults and every AWS name derived per environment and service.

What only a person decides (name, owner, accounts, domains) is never invented, as in v1.
Defaults per kind: web and backend services get ports from 8000 upwards in the order they are
written (skipping ports written elsewhere), `uses` defaults to everything the spec declares.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from renderers.aws import FARGATE_MEMORY_BY_CPU
from renderers.complete import (
    DEFAULT_CPU,
    Database,
    bounded_name,
    completed_database,
    environment_fields,
    globally_unique_bucket,
    missing_decisions,
)
from renderers.fields import (
    AccountId,
    BucketName,
    Description,
    DomainName,
    EnvironmentName,
    GitHubOwner,
    HostedZoneId,
    Region,
    ServiceName,
    SystemName,
    VariableName,
    VariableValue,
    dockerfile_directory,
    smallest_cpu_for,
)
from renderers.problems import SpecError
from renderers.spec_v2 import (
    DATABASE_USE,
    DEFAULT_ROUTE,
    OWN_DOCKERFILE_RUNTIME,
    RawBackendService,
    RawJobService,
    RawSpecV2,
    RawStaticSite,
    RawWebService,
    RawWorkerService,
    _RawContainerService,
)

FIRST_PORT = 8000
DEFAULT_WEB_DESIRED_COUNT = 2
DEFAULT_BACKEND_DESIRED_COUNT = 1
DEFAULT_WORKER_MIN_COUNT = 0
DEFAULT_WORKER_MAX_COUNT = 4
DEFAULT_VISIBILITY_TIMEOUT = 60
DEFAULT_MAX_RECEIVE_COUNT = 5
DEFAULT_SCHEDULE = "rate(1 day)"
DEFAULT_TIMEOUT_MINUTES = 30
DEFAULT_BACKEND_HEALTH_PATH = "/health"
DEFAULT_SITE_BUILD = "npm ci && npm run build"
DEFAULT_SITE_OUTPUT = "dist"
DEFAULT_RUNTIME = "python"


class _Complete(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _ContainerWorkload(_Complete):
    name: ServiceName
    runtime: str
    cpu: int
    memory: int
    env: dict[VariableName, VariableValue]
    secrets: tuple[VariableName, ...]
    # What the service may reach: "database", bucket names, backend and worker service names.
    uses: tuple[str, ...]
    # runtime: container only: the person's Dockerfile and build context, from the repository
    # root (the context defaults to the Dockerfile's directory; "." is the root).
    dockerfile: str | None = None
    context: str | None = None

    @property
    def directory(self) -> str:
        return f"services/{self.name}"

    def uses_database(self) -> bool:
        return DATABASE_USE in self.uses


class WebWorkload(_ContainerWorkload):
    kind: Literal["web"] = "web"
    port: int
    health_path: str
    path: str
    desired_count: int

    @property
    def max_count(self) -> int:
        return max(2 * self.desired_count, self.desired_count + 2)


class BackendWorkload(_ContainerWorkload):
    kind: Literal["backend"] = "backend"
    port: int
    health_path: str
    desired_count: int

    @property
    def max_count(self) -> int:
        return max(2 * self.desired_count, self.desired_count + 2)


class Queue(_Complete):
    visibility_timeout_seconds: int
    max_receive_count: int


class WorkerWorkload(_ContainerWorkload):
    kind: Literal["worker"] = "worker"
    queue: Queue
    min_count: int
    max_count: int


class JobWorkload(_ContainerWorkload):
    kind: Literal["job"] = "job"
    schedule: str
    timeout_minutes: int


class StaticSiteWorkload(_Complete):
    kind: Literal["static-site"] = "static-site"
    name: ServiceName
    source: str
    build: str
    output: str

    @property
    def directory(self) -> str:
        return self.source


Workload = Annotated[
    WebWorkload | BackendWorkload | WorkerWorkload | JobWorkload | StaticSiteWorkload,
    Field(discriminator="kind"),
]
ContainerWorkload = WebWorkload | BackendWorkload | WorkerWorkload | JobWorkload


class ServiceNames(_Complete):
    """The AWS names of one service in one environment."""

    ecr_repository: str
    service: str  # the ECS service (web, backend, worker) or the schedule (job)
    task_family: str
    container: str
    log_group: str
    execution_role: str
    task_role: str
    target_group: str | None  # web
    discovery_name: str | None  # backend: the name the others call it by
    queue: str | None  # worker
    dead_letter_queue: str | None  # worker
    schedule: str | None  # job
    scheduler_role: str | None  # job
    site_bucket: str | None  # static-site


class SystemNames(_Complete):
    """The AWS names an environment's services share."""

    cluster: str
    namespace: str
    load_balancer: str
    distribution: str
    db_identifier: str
    secrets_prefix: str
    alarm_topic: str
    deploy_role: str
    build_role: str
    plan_role: str
    apply_role: str
    state_bucket: str
    state_key: str
    access_logs_bucket: str
    buckets: dict[str, str]
    services: dict[str, ServiceNames]


class EnvironmentV2(_Complete):
    name: EnvironmentName
    aws_account_id: AccountId
    region: Region
    domain: DomainName
    hosted_zone_id: HostedZoneId | None
    approval: bool
    production: bool
    partition: str
    names: SystemNames


class SpecV2(_Complete):
    """A complete, valid sbh/v2 spec."""

    api_version: Literal["sbh/v2"]
    name: SystemName
    description: Description
    owner: GitHubOwner
    services: dict[ServiceName, Workload]
    database: Database | None
    buckets: tuple[BucketName, ...]
    environments: dict[EnvironmentName, EnvironmentV2]

    @property
    def repository(self) -> str:
        return f"{self.owner}/{self.name}"

    def of_kind(self, *kinds: str) -> list[Any]:
        """The services of these kinds, in the order the spec lists them."""
        return [service for service in self.services.values() if service.kind in kinds]

    @property
    def container_services(self) -> list[ContainerWorkload]:
        return self.of_kind("web", "backend", "worker", "job")

    @property
    def static_site(self) -> StaticSiteWorkload | None:
        sites = self.of_kind("static-site")
        return sites[0] if sites else None


def complete_v2(raw: RawSpecV2, source: str = "spec.yaml") -> SpecV2:
    """Fill every missing field deterministically. Same input, same output."""
    missing = missing_decisions(raw, source)
    if not raw.services:
        missing.append(
            raw.problem(
                ("services",),
                "required: at least one service, e.g. api: {kind: web}",
                source,
            )
        )
    if missing:
        raise SpecError(missing)
    assert raw.name is not None and raw.owner is not None and raw.environments is not None
    assert raw.services is not None
    database = completed_database(raw)
    buckets = tuple(raw.storage.buckets or ()) if raw.storage else ()
    ports = _ports(raw)
    reachable = (
        ((DATABASE_USE,) if database else ())
        + buckets
        + tuple(
            name
            for name, service in raw.services.items()
            if isinstance(service, RawBackendService | RawWorkerService)
        )
    )
    services: dict[str, Any] = {}
    for name, written in raw.services.items():
        services[name] = _service(name, written, ports.get(name), reachable)
    environments = {}
    for env_name, written_env in raw.environments.items():
        fields = environment_fields(env_name, written_env)
        environments[env_name] = EnvironmentV2(
            **fields,
            names=derive_system_names(
                raw.name, env_name, fields["aws_account_id"], fields["region"], buckets, services
            ),
        )
    return SpecV2(
        api_version="sbh/v2",
        name=raw.name,
        description=raw.description or f"{raw.name} system",
        owner=raw.owner,
        services=services,
        database=database,
        buckets=buckets,
        environments=environments,
    )


def _ports(raw: RawSpecV2) -> dict[str, int]:
    """Each web and backend service's port: as written, else the next free one from 8000."""
    assert raw.services is not None
    listening = {
        name: service
        for name, service in raw.services.items()
        if isinstance(service, RawWebService | RawBackendService)
    }
    taken = {service.port for service in listening.values() if service.port is not None}
    ports: dict[str, int] = {}
    candidate = FIRST_PORT
    for name, service in listening.items():
        if service.port is not None:
            ports[name] = service.port
            continue
        while candidate in taken:
            candidate += 1
        ports[name] = candidate
        taken.add(candidate)
    return ports


def _sizes(service: _RawContainerService) -> tuple[int, int]:
    cpu = (
        service.cpu or (smallest_cpu_for(service.memory) if service.memory else None) or DEFAULT_CPU
    )
    return cpu, service.memory or FARGATE_MEMORY_BY_CPU[cpu][0]


def _service(name: str, written: Any, port: int | None, reachable: tuple[str, ...]) -> Any:
    if isinstance(written, RawStaticSite):
        return StaticSiteWorkload(
            name=name,
            source=written.source or f"services/{name}",
            build=written.build or DEFAULT_SITE_BUILD,
            output=written.output or DEFAULT_SITE_OUTPUT,
        )
    cpu, memory = _sizes(written)
    common: dict[str, Any] = {
        "name": name,
        "runtime": written.runtime or DEFAULT_RUNTIME,
        "cpu": cpu,
        "memory": memory,
        "env": dict(written.env or {}),
        "secrets": tuple(written.secrets or ()),
        "uses": tuple(written.uses)
        if written.uses is not None
        else tuple(use for use in reachable if use != name),
        **_own_dockerfile(written),
    }
    if isinstance(written, RawWebService):
        path = written.path or DEFAULT_ROUTE
        assert port is not None
        return WebWorkload(
            **common,
            port=port,
            path=path,
            health_path=written.health_path or default_health_path(path),
            desired_count=written.desired_count
            if written.desired_count is not None
            else DEFAULT_WEB_DESIRED_COUNT,
        )
    if isinstance(written, RawBackendService):
        assert port is not None
        return BackendWorkload(
            **common,
            port=port,
            health_path=written.health_path or DEFAULT_BACKEND_HEALTH_PATH,
            desired_count=written.desired_count
            if written.desired_count is not None
            else DEFAULT_BACKEND_DESIRED_COUNT,
        )
    if isinstance(written, RawWorkerService):
        queue = written.queue
        min_count = written.min_count if written.min_count is not None else DEFAULT_WORKER_MIN_COUNT
        return WorkerWorkload(
            **common,
            queue=Queue(
                visibility_timeout_seconds=queue.visibility_timeout_seconds
                if queue and queue.visibility_timeout_seconds is not None
                else DEFAULT_VISIBILITY_TIMEOUT,
                max_receive_count=queue.max_receive_count
                if queue and queue.max_receive_count is not None
                else DEFAULT_MAX_RECEIVE_COUNT,
            ),
            min_count=min_count,
            max_count=written.max_count
            if written.max_count is not None
            else max(DEFAULT_WORKER_MAX_COUNT, min_count),
        )
    assert isinstance(written, RawJobService)
    return JobWorkload(
        **common,
        schedule=written.schedule or DEFAULT_SCHEDULE,
        timeout_minutes=written.timeout_minutes or DEFAULT_TIMEOUT_MINUTES,
    )


def default_health_path(path: str) -> str:
    """A health path the service's own route reaches: `/api/*` -> `/api/health`, `/*` ->
    `/health`, an exact path is its own health path."""
    if path.endswith("/*"):
        return f"{path.removesuffix('/*')}/health"
    return path


def _own_dockerfile(written: _RawContainerService) -> dict[str, str]:
    """`dockerfile` and `context` of a `runtime: container` service; nothing for the others."""
    if written.runtime != OWN_DOCKERFILE_RUNTIME or written.dockerfile is None:
        return {}
    return {
        "dockerfile": written.dockerfile,
        "context": written.context or dockerfile_directory(written.dockerfile),
    }


def derive_system_names(
    name: str,
    env_name: str,
    account_id: str,
    region: str,
    buckets: tuple[str, ...],
    services: dict[str, Any],
) -> SystemNames:
    stem = f"{name}-{env_name}"
    return SystemNames(
        cluster=bounded_name(f"{name}-cluster-{env_name}", 255),
        namespace=bounded_name(f"{stem}.internal", 253),
        load_balancer=bounded_name(stem, 32),
        distribution=bounded_name(f"{stem}-site", 128),
        db_identifier=bounded_name(stem, 63),
        secrets_prefix=f"{name}/{env_name}/",
        alarm_topic=bounded_name(f"{stem}-alarms", 256),
        deploy_role=bounded_name(f"{stem}-github-deploy", 64),
        build_role=bounded_name(f"{stem}-github-build", 64),
        plan_role=bounded_name(f"{stem}-github-plan", 64),
        apply_role=bounded_name(f"{stem}-github-apply", 64),
        state_bucket=globally_unique_bucket(f"{stem}-tfstate", account_id, region),
        state_key=f"{name}/{env_name}/terraform.tfstate",
        access_logs_bucket=globally_unique_bucket(f"{stem}-alb-logs", account_id, region),
        buckets={
            bucket: globally_unique_bucket(f"{stem}-{bucket}", account_id, region)
            for bucket in buckets
        },
        services={
            service_name: _service_names(name, env_name, service, account_id, region)
            for service_name, service in services.items()
        },
    )


def _service_names(
    system: str, env_name: str, service: Any, account_id: str, region: str
) -> ServiceNames:
    stem = f"{system}-{service.name}-{env_name}"
    kind = service.kind
    return ServiceNames(
        ecr_repository=bounded_name(f"{system}-{service.name}-repo-{env_name}", 256),
        service=bounded_name(f"{system}-{service.name}-service-{env_name}", 255),
        task_family=bounded_name(f"{system}-{service.name}-task-{env_name}", 255),
        container=service.name,
        log_group=f"/ecs/{stem}",
        execution_role=bounded_name(f"{stem}-execution", 64),
        task_role=bounded_name(f"{stem}-task", 64),
        target_group=bounded_name(stem, 32) if kind == "web" else None,
        discovery_name=service.name if kind == "backend" else None,
        queue=bounded_name(stem, 80) if kind == "worker" else None,
        dead_letter_queue=bounded_name(f"{stem}-dlq", 80) if kind == "worker" else None,
        schedule=bounded_name(stem, 64) if kind == "job" else None,
        scheduler_role=bounded_name(f"{stem}-scheduler", 64) if kind == "job" else None,
        site_bucket=globally_unique_bucket(f"{stem}-site", account_id, region)
        if kind == "static-site"
        else None,
    )


def spec_v2_as_raw_data(spec: SpecV2) -> dict[str, Any]:
    """The spec in the form a person writes (no derived names): what `sbh.yaml` holds."""
    services: dict[str, Any] = {}
    for name, service in spec.services.items():
        data = service.model_dump(exclude={"name"})
        data = {"kind": data.pop("kind"), **data}
        for key in ("secrets", "uses"):
            if key in data:
                data[key] = list(data[key])
        for key in ("dockerfile", "context"):
            if key in data and data[key] is None:
                del data[key]
        services[name] = data
    return {
        "apiVersion": spec.api_version,
        "name": spec.name,
        "description": spec.description,
        "owner": spec.owner,
        "services": services,
        "database": spec.database.model_dump() if spec.database else None,
        "storage": {"buckets": list(spec.buckets)},
        "environments": {
            env.name: {
                "aws_account_id": env.aws_account_id,
                "region": env.region,
                "domain": env.domain,
                **({"hosted_zone_id": env.hosted_zone_id} if env.hosted_zone_id else {}),
                "approval": env.approval,
                "production": env.production,
            }
            for env in spec.environments.values()
        },
    }
