"""Deterministic completion: `complete_defaults(raw) -> Spec`, and the names derived from a spec.

Completion fills what has a sensible default and derives every AWS resource name. What only a
person can decide — the name, the owner, each environment's account and domain — is never
invented: when it is missing, completion raises `SpecError` saying what to add.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from renderers.aws import FARGATE_MEMORY_BY_CPU, partition_of
from renderers.fields import (
    AccountId,
    BucketName,
    Cpu,
    Description,
    DesiredCount,
    DomainName,
    EnvironmentName,
    GitHubOwner,
    HealthPath,
    HostedZoneId,
    InstanceClass,
    Memory,
    Port,
    PostgresVersion,
    Region,
    StorageGiB,
    SystemName,
    VariableName,
    VariableValue,
    smallest_cpu_for,
)
from renderers.problems import FieldPath, SpecError, SpecProblem
from renderers.spec import API_VERSION, AnyRawSpec, RawEnvironment, RawSpec
from renderers.spec_v2 import RawSpecV2

DEFAULT_PORT = 8000
DEFAULT_HEALTH_PATH = "/api/health"
DEFAULT_CPU = 256
DEFAULT_DESIRED_COUNT = 2
DEFAULT_REGION = "us-east-1"
DEFAULT_POSTGRES_VERSION = "16"
DEFAULT_INSTANCE_CLASS = "db.t4g.micro"
DEFAULT_ALLOCATED_STORAGE = 20
PRODUCTION_NAMES = frozenset({"prod", "production"})


class _Complete(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Service(_Complete):
    port: Port
    health_path: HealthPath
    cpu: Cpu
    memory: Memory
    desired_count: DesiredCount

    @property
    def max_count(self) -> int:
        """The most tasks autoscaling may run: double the service, and always room for two more."""
        return max(2 * self.desired_count, self.desired_count + 2)


class Database(_Complete):
    engine: str
    version: PostgresVersion
    instance_class: InstanceClass
    allocated_storage: StorageGiB
    multi_az: bool


class EnvironmentNames(_Complete):
    """Every AWS name of one environment, derived so that none exceeds its service's limit."""

    ecr_repository: str
    cluster: str
    service: str
    task_family: str
    container: str
    log_group: str
    load_balancer: str
    target_group: str
    db_identifier: str
    secrets_prefix: str
    alarm_topic: str
    execution_role: str
    task_role: str
    deploy_role: str
    build_role: str
    plan_role: str
    apply_role: str
    state_bucket: str
    state_key: str
    access_logs_bucket: str
    buckets: dict[str, str]


class Environment(_Complete):
    name: EnvironmentName
    aws_account_id: AccountId
    region: Region
    domain: DomainName
    hosted_zone_id: HostedZoneId | None
    approval: bool
    production: bool
    partition: str
    names: EnvironmentNames


class Spec(_Complete):
    """A complete, valid spec: what the renderer and everything after it work from."""

    api_version: str
    name: SystemName
    description: Description
    owner: GitHubOwner
    runtime: str
    service: Service
    database: Database | None
    buckets: tuple[BucketName, ...]
    environments: dict[EnvironmentName, Environment]
    env: dict[VariableName, VariableValue]
    secrets: tuple[VariableName, ...]

    @property
    def repository(self) -> str:
        return f"{self.owner}/{self.name}"


def complete_defaults(raw: AnyRawSpec, source: str = "spec.yaml") -> AnySpec:
    """Fill every missing field deterministically, v1 or v2. Same input, same output."""
    if isinstance(raw, RawSpecV2):
        return complete_v2(raw, source)
    return complete_v1(raw, source)


def complete_v1(raw: RawSpec, source: str = "spec.yaml") -> Spec:
    """Fill every missing field of an sbh/v1 spec."""
    missing = missing_decisions(raw, source)
    if missing:
        raise SpecError(missing)
    assert raw.name is not None and raw.owner is not None and raw.environments is not None
    service = raw.service
    written_memory = service.memory if service else None
    cpu = (
        (service.cpu if service else None)
        or (smallest_cpu_for(written_memory) if written_memory else None)
        or DEFAULT_CPU
    )
    memory = written_memory or FARGATE_MEMORY_BY_CPU[cpu][0]
    database = completed_database(raw)
    buckets = tuple(raw.storage.buckets or ()) if raw.storage else ()
    environments = {}
    for env_name, written_env in raw.environments.items():
        fields = environment_fields(env_name, written_env)
        environments[env_name] = Environment(
            **fields,
            names=derive_names(
                raw.name, env_name, fields["aws_account_id"], fields["region"], buckets
            ),
        )
    return Spec(
        api_version=API_VERSION,
        name=raw.name,
        description=raw.description or f"{raw.name} service",
        owner=raw.owner,
        runtime=raw.runtime or "python-fastapi",
        service=Service(
            port=(service.port if service else None) or DEFAULT_PORT,
            health_path=(service.health_path if service else None) or DEFAULT_HEALTH_PATH,
            cpu=cpu,
            memory=memory,
            desired_count=service.desired_count
            if service and service.desired_count is not None
            else DEFAULT_DESIRED_COUNT,
        ),
        database=database,
        buckets=buckets,
        environments=environments,
        env=dict(raw.env or {}),
        secrets=tuple(raw.secrets or ()),
    )


def completed_database(raw: AnyRawSpec) -> Database | None:
    """The spec's database with its defaults; None when the spec says `database: null`."""
    if raw.says_no_database():
        return None
    written = raw.database
    return Database(
        engine="postgres",
        version=(written.version if written else None) or DEFAULT_POSTGRES_VERSION,
        instance_class=(written.instance_class if written else None) or DEFAULT_INSTANCE_CLASS,
        allocated_storage=(written.allocated_storage if written else None)
        or DEFAULT_ALLOCATED_STORAGE,
        multi_az=bool(written.multi_az) if written and written.multi_az is not None else False,
    )


def environment_fields(env_name: str, written_env: RawEnvironment) -> dict[str, Any]:
    """An environment's completed fields, but its names (which depend on the spec version)."""
    assert written_env.aws_account_id is not None and written_env.domain is not None
    region = written_env.region or DEFAULT_REGION
    production = (
        written_env.production
        if written_env.production is not None
        else env_name in PRODUCTION_NAMES
    )
    return {
        "name": env_name,
        "aws_account_id": written_env.aws_account_id,
        "region": region,
        "domain": written_env.domain,
        "hosted_zone_id": written_env.hosted_zone_id,
        "approval": written_env.approval if written_env.approval is not None else production,
        "production": production,
        "partition": partition_of(region),
    }


def missing_decisions(raw: AnyRawSpec, source: str = "spec.yaml") -> list[SpecProblem]:
    """What a person must add before the spec can be completed (never guessed)."""
    found: list[tuple[FieldPath, str]] = []
    if raw.name is None:
        found.append((("name",), "required: the system's name, e.g. orders-api"))
    if raw.owner is None:
        found.append(
            (("owner",), "required: the GitHub organization or user that will own the repository")
        )
    if not raw.environments:
        found.append(
            (
                ("environments",),
                'required: at least one environment, e.g. dev: {aws_account_id: "111111111111", '
                "region: us-east-1, domain: app.dev.example.com}",
            )
        )
    for env_name, environment in (raw.environments or {}).items():
        if environment.aws_account_id is None:
            found.append(
                (
                    ("environments", env_name, "aws_account_id"),
                    f"required: the 12-digit AWS account that {env_name} deploys to (quoted)",
                )
            )
        if environment.domain is None:
            found.append(
                (
                    ("environments", env_name, "domain"),
                    f"required: the public HTTPS name of {env_name}, "
                    f"e.g. app.{env_name}.example.com",
                )
            )
    return [raw.problem(path, message, source) for path, message in found]


def bounded_name(base: str, limit: int) -> str:
    """`base` if it fits in `limit` characters, else a prefix plus a short hash of all of it,
    so that two long names that share a prefix still differ."""
    if len(base) <= limit:
        return base
    digest = hashlib.sha256(base.encode()).hexdigest()[:6]
    return f"{base[: limit - 7].rstrip('-')}-{digest}"


def globally_unique_bucket(prefix: str, account_id: str, region: str) -> str:
    """An S3 name (at most 63 characters) unique by construction: account id and region."""
    suffix = f"-{account_id}-{region}"
    return bounded_name(prefix, 63 - len(suffix)) + suffix


def derive_names(
    name: str, env_name: str, account_id: str, region: str, buckets: tuple[str, ...]
) -> EnvironmentNames:
    stem = f"{name}-{env_name}"
    # <name>-<kind>-<env>, as SBH names its own resources: one ECR repository per
    # environment, so two environments in one account never share image tags.
    return EnvironmentNames(
        ecr_repository=bounded_name(f"{name}-repo-{env_name}", 256),
        cluster=bounded_name(f"{name}-cluster-{env_name}", 255),
        service=bounded_name(f"{name}-service-{env_name}", 255),
        task_family=bounded_name(f"{name}-task-{env_name}", 255),
        container="app",
        log_group=f"/ecs/{stem}",
        load_balancer=bounded_name(stem, 32),
        target_group=bounded_name(stem, 32),
        db_identifier=bounded_name(stem, 63),
        secrets_prefix=f"{name}/{env_name}/",
        alarm_topic=bounded_name(f"{stem}-alarms", 256),
        execution_role=bounded_name(f"{stem}-task-execution", 64),
        task_role=bounded_name(f"{stem}-task", 64),
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
    )


def spec_as_raw_data(spec: AnySpec) -> dict[str, Any]:
    """The spec in the form a person writes (no derived names): what `sbh.yaml` holds."""
    if isinstance(spec, SpecV2):
        return spec_v2_as_raw_data(spec)
    return {
        "apiVersion": spec.api_version,
        "name": spec.name,
        "description": spec.description,
        "owner": spec.owner,
        "runtime": spec.runtime,
        "service": spec.service.model_dump(),
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
        "env": dict(spec.env),
        "secrets": list(spec.secrets),
    }


def spec_to_yaml(spec: AnySpec) -> str:
    """The completed spec as YAML that `load_spec` reads back to the same `Spec`."""
    text: str = yaml.safe_dump(
        spec_as_raw_data(spec), sort_keys=False, allow_unicode=True, width=100
    )
    return text


def spec_hash(spec: AnySpec) -> str:
    """sha256 of the spec's canonical JSON: equal specs, equal hashes."""
    canonical = json.dumps(spec.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# sbh/v2 builds on the parts defined above (database, names).
from renderers.complete_v2 import SpecV2 as SpecV2  # noqa: E402
from renderers.complete_v2 import complete_v2, spec_v2_as_raw_data  # noqa: E402

AnySpec = Spec | SpecV2
