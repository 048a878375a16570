"""What a person writes for `apiVersion: sbh/v2`: a system of several services, each of a kind.

Kinds follow AWS Copilot's workload patterns: `web` (public, behind the environment's load
balancer, routed by `path`), `backend` (reached only by the other services, by name),
`worker` (consumes its own SQS queue, with a dead-letter queue), `job` (a task run on a
schedule) and `static-site` (files in a private bucket behind CloudFront). The rules between
fields live in `relational_problems_v2`; loading and error reporting are shared with v1 in
`renderers.spec`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeGuard

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from renderers.fields import (
    BuildCommand,
    BuildContext,
    Cpu,
    Description,
    DesiredCount,
    DockerfilePath,
    EnvironmentName,
    GitHubOwner,
    HealthPath,
    MaxReceiveCount,
    Memory,
    Port,
    RoutePath,
    Schedule,
    ServiceName,
    SiteDirectory,
    SystemName,
    TaskCount,
    TimeoutMinutes,
    VariableName,
    VariableValue,
    VisibilityTimeout,
    did_you_mean,
    fargate_pair_problem,
    route_matches,
)
from renderers.problems import FieldPath, SpecProblem
from renderers.spec import (
    MAX_ENVIRONMENTS,
    RawDatabase,
    RawEnvironment,
    RawStorage,
)
from renderers.yaml_source import LocatedDocument

API_VERSION_V2 = "sbh/v2"
MAX_SERVICES = 20
MAX_SECRETS = 50
MAX_VARIABLES = 100
MAX_USES = 40
# What `uses` may name besides buckets and services.
DATABASE_USE = "database"
# The path of a web service that does not write one.
DEFAULT_ROUTE = "/*"
# Container runtimes a service may run on: SBH's Python or Node.js (TypeScript) skeleton, or
# the person's own Dockerfile (`container`: SBH writes no application code, only what
# surrounds the image).
ContainerRuntime = Literal["python", "node", "container"]
OWN_DOCKERFILE_RUNTIME = "container"


class _Raw(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


class _RawContainerService(_Raw):
    """What every service that runs a container has."""

    runtime: ContainerRuntime | None = Field(
        default=None,
        description="The app skeleton (python or node), or container to build your own Dockerfile.",
    )
    dockerfile: DockerfilePath | None = Field(
        default=None,
        description="runtime: container only: the Dockerfile, relative to the repository root.",
    )
    context: BuildContext | None = Field(
        default=None,
        description="runtime: container only: the build context (default: the Dockerfile's "
        "directory; '.' is the repository root).",
    )
    cpu: Cpu | None = Field(default=None, description="Fargate CPU units (256 = 0.25 vCPU).")
    memory: Memory | None = Field(default=None, description="MiB; must fit the cpu on Fargate.")
    env: dict[VariableName, VariableValue] | None = Field(
        default=None, max_length=MAX_VARIABLES, description="Plain settings of this service."
    )
    secrets: list[VariableName] | None = Field(
        default=None,
        max_length=MAX_SECRETS,
        description="Names only; values live in Secrets Manager.",
    )
    uses: list[str] | None = Field(
        default=None,
        max_length=MAX_USES,
        description=(
            "What this service may reach: database, bucket names, backend services (network) "
            "and worker services (send to their queue). Default: everything the spec declares."
        ),
    )


class RawWebService(_RawContainerService):
    """Public, on the environment's load balancer, routed by `path`."""

    kind: Literal["web"]
    port: Port | None = None
    health_path: HealthPath | None = Field(default=None, description="Answers 200 when healthy.")
    path: RoutePath | None = Field(
        default=None, description="Requests this service answers: /* (default), /api/* ..."
    )
    desired_count: DesiredCount | None = None


class RawBackendService(_RawContainerService):
    """No public entry: the other services reach it by name."""

    kind: Literal["backend"]
    port: Port | None = None
    health_path: HealthPath | None = Field(default=None, description="Answers 200 when healthy.")
    desired_count: DesiredCount | None = None


class RawQueue(_Raw):
    visibility_timeout_seconds: VisibilityTimeout | None = None
    max_receive_count: MaxReceiveCount | None = Field(
        default=None, description="Receives before a message goes to the dead-letter queue."
    )


class RawWorkerService(_RawContainerService):
    """Consumes its own SQS queue; scaled on the queue's depth."""

    kind: Literal["worker"]
    queue: RawQueue | None = None
    min_count: TaskCount | None = None
    max_count: TaskCount | None = None


class RawJobService(_RawContainerService):
    """A task EventBridge Scheduler runs on `schedule`; it exits when done."""

    kind: Literal["job"]
    schedule: Schedule | None = Field(
        default=None, description="cron(0 3 * * ? *) or rate(1 hour), in UTC."
    )
    timeout_minutes: TimeoutMinutes | None = None


class RawStaticSite(_Raw):
    """Files built from `source`, served from a private bucket behind CloudFront."""

    kind: Literal["static-site"]
    source: SiteDirectory | None = Field(default=None, description="Directory of the site.")
    build: BuildCommand | None = Field(default=None, description="Run in `source`.")
    output: SiteDirectory | None = Field(
        default=None, description="What `build` writes, relative to `source`."
    )


RawWorkload = Annotated[
    RawWebService | RawBackendService | RawWorkerService | RawJobService | RawStaticSite,
    Field(discriminator="kind"),
]
KIND_NAMES = ("web", "backend", "worker", "job", "static-site")


class RawSpecV2(_Raw):
    """An sbh/v2 spec as a person wrote it. Every field is optional here but `services`."""

    model_config = ConfigDict(title="SBH spec (sbh/v2)")

    api_version: Literal["sbh/v2"] = Field(alias="apiVersion")
    name: SystemName | None = None
    description: Description | None = None
    owner: GitHubOwner | None = None
    services: dict[ServiceName, RawWorkload] | None = Field(
        default=None, min_length=1, max_length=MAX_SERVICES
    )
    # The shared parts keep v1's shape and rules.
    database: RawDatabase | None = Field(default=None, description="null for no database.")
    storage: RawStorage | None = None
    environments: dict[EnvironmentName, RawEnvironment] | None = Field(
        default=None, min_length=1, max_length=MAX_ENVIRONMENTS
    )

    _document: LocatedDocument | None = PrivateAttr(default=None)

    def problem(self, path: FieldPath, message: str, source: str = "spec.yaml") -> SpecProblem:
        if self._document is not None:
            return self._document.problem(path, message)
        return SpecProblem(source, 1, 1, path, message)

    def says_no_database(self) -> bool:
        return "database" in self.model_fields_set and self.database is None


# Top-level directories of a generated system a static site's `source` may not take.
RESERVED_DIRECTORIES = ("infra", "tests", "services")
# sbh/v1's top-level keys that sbh/v2 keeps per service, and where each went.
V1_KEYS_IN_V2 = {
    "service": "sbh/v2 has no top-level service: each service is an entry of services, with its "
    "kind and the same settings, e.g. services: {api: {kind: web, port: 8000, "
    "health_path: /api/health}}",
    "runtime": "in sbh/v2 the runtime is per service: services.<name>.runtime: python",
    "env": "in sbh/v2 settings are per service: move them to services.<name>.env",
    "secrets": "in sbh/v2 secrets are per service: move them to services.<name>.secrets",
}
# What another service can `use`: a backend is reached over the network, a worker is sent to.
USABLE_KINDS = ("backend", "worker")


def relational_problems_v2(document: LocatedDocument) -> list[SpecProblem]:
    """Rules between services: unique routes and ports, what `uses` may name, sizes, names a
    container receives from SBH. Read defensively from the raw data, so that they report
    alongside every type error."""
    data = document.data
    services = data.get("services")
    if not isinstance(services, dict):
        return []
    buckets = _declared_buckets(data)
    has_database = "database" not in data or data.get("database") is not None
    written = {
        name: service
        for name, service in services.items()
        if isinstance(name, str) and isinstance(service, dict)
    }
    kinds = {name: service.get("kind") for name, service in written.items()}
    problems: list[SpecProblem] = []
    problems += _route_problems(document, written)
    problems += _container_runtime_problems(document, written)
    problems += _port_problems(document, written)
    problems += _static_site_problems(document, written)
    for name, service in written.items():
        here: FieldPath = ("services", name)
        if name == DATABASE_USE or name in buckets:
            what = "the database" if name == DATABASE_USE else f"bucket {name}"
            problems.append(
                document.problem(
                    here, f"{name} is already {what}: `uses` could not tell them apart", at_key=True
                )
            )
        cpu, memory = service.get("cpu"), service.get("memory")
        if (cpu is None or _is_int(cpu)) and _is_int(memory):
            reason = fargate_pair_problem(cpu, memory)
            if reason:
                problems.append(document.problem((*here, "memory"), reason))
        problems += _secret_and_setting_problems(document, here, service, kinds, buckets)
        problems += _use_problems(document, here, service, kinds, buckets, has_database)
        problems += _count_problems(document, here, service)
    return problems


def _route_problems(document: LocatedDocument, services: dict[str, Any]) -> list[SpecProblem]:
    """Web services: one pattern each; the health path under the service's own pattern and
    not taken by a more specific one; no `/*` when a static site serves the domain."""
    problems: list[SpecProblem] = []
    webs = {name: service for name, service in services.items() if service.get("kind") == "web"}
    site = next((name for name, s in services.items() if s.get("kind") == "static-site"), None)
    routes: dict[str, str] = {}
    for name, service in webs.items():
        here: FieldPath = ("services", name)
        written = "path" in service
        path = service.get("path", DEFAULT_ROUTE)
        if not isinstance(path, str):
            continue
        where = (*here, "path") if written else here
        if path in routes:
            problems.append(
                document.problem(
                    where,
                    f"{path} is already routed to {routes[path]}; give each web service its own "
                    "path, e.g. path: /api/*"
                    if written
                    else f"{routes[path]} already answers {path}, which is also the default of "
                    "this service: set its path, e.g. path: /api/*",
                    at_key=not written,
                )
            )
        routes.setdefault(path, name)
        if site is not None and path == DEFAULT_ROUTE:
            problems.append(
                document.problem(
                    where,
                    f"static site {site} serves the domain's /*, so a web service answers "
                    f"only its own path: set path{' ' if written else ' (default /*) '}to a "
                    "prefix such as /api/*",
                    at_key=not written,
                )
            )
    for name, service in webs.items():
        path, health = service.get("path", DEFAULT_ROUTE), service.get("health_path")
        if not isinstance(path, str) or not isinstance(health, str):
            continue
        where = ("services", name, "health_path")
        if not route_matches(path, health):
            problems.append(
                document.problem(
                    where,
                    f"{health} is not under this service's path {path}: the load balancer "
                    "would send the health check elsewhere",
                )
            )
            continue
        closer = [
            (other, pattern)
            for pattern, other in routes.items()
            if other != name and _more_specific(pattern, path) and route_matches(pattern, health)
        ]
        if closer:
            other, pattern = closer[0]
            problems.append(
                document.problem(
                    where,
                    f"{health} is routed to {other} ({pattern} is more specific than {path}): "
                    "the deploy's health check through the domain would reach the wrong "
                    "service; choose a health path only this service answers",
                )
            )
    return problems


def _container_runtime_problems(
    document: LocatedDocument, services: dict[Any, Any]
) -> list[SpecProblem]:
    """`runtime: container` needs a `dockerfile`; `dockerfile` and `context` mean nothing to
    any other runtime (SBH writes that Dockerfile itself)."""
    problems: list[SpecProblem] = []
    for name, service in services.items():
        if not isinstance(service, dict) or service.get("kind") == "static-site":
            continue
        here: FieldPath = ("services", name)
        runtime = service.get("runtime")
        if runtime == OWN_DOCKERFILE_RUNTIME:
            if service.get("dockerfile") is None:
                problems.append(
                    document.problem(
                        (*here, "runtime"),
                        "runtime: container builds your own image: add dockerfile: "
                        "path/to/Dockerfile (relative to the repository root)",
                    )
                )
            continue
        for key in ("dockerfile", "context"):
            if service.get(key) is not None:
                shown = runtime if isinstance(runtime, str) else "python (the default)"
                problems.append(
                    document.problem(
                        (*here, key),
                        f"{key} is only for runtime: container; this service's runtime is "
                        f"{shown}, whose Dockerfile SBH writes (add runtime: container to "
                        "build your own)",
                        at_key=True,
                    )
                )
    return problems


def _more_specific(pattern: str, than: str) -> bool:
    """Whether the load balancer tries `pattern` before `than` (an exact path before any
    prefix, a longer prefix before a shorter one)."""
    if not pattern.endswith("*"):
        return than.endswith("*")
    return than.endswith("*") and len(pattern) > len(than)


def _port_problems(document: LocatedDocument, services: dict[str, Any]) -> list[SpecProblem]:
    """Written ports of web and backend services are unique. (Completion gives the others
    ports from 8000 up, skipping every written one, so a default never collides.)"""
    problems: list[SpecProblem] = []
    ports: dict[int, str] = {}
    for name, service in services.items():
        port = service.get("port")
        if service.get("kind") not in ("web", "backend") or not _is_int(port):
            continue
        if port in ports:
            problems.append(
                document.problem(
                    ("services", name, "port"),
                    f"port {port} is already {ports[port]}'s; `make run` starts every service "
                    "on its own port",
                )
            )
        ports.setdefault(port, name)
    return problems


def _static_site_problems(document: LocatedDocument, services: dict[str, Any]) -> list[SpecProblem]:
    """One static site; its `source` is its own directory, not another service's or SBH's."""
    problems: list[SpecProblem] = []
    sites = [name for name, service in services.items() if service.get("kind") == "static-site"]
    for name in sites[1:]:
        problems.append(
            document.problem(
                ("services", name, "kind"),
                f"one static site per system: {sites[0]} already serves the environment's domain",
            )
        )
    for name in sites:
        source = services[name].get("source")
        if not isinstance(source, str):
            continue
        top, _, rest = source.partition("/")
        owner = rest.split("/")[0] if top == "services" else None
        if top in RESERVED_DIRECTORIES and not (owner == name or (owner and owner not in services)):
            taken = (
                f"services/{owner} is the directory of service {owner}"
                if owner
                else f"{top}/ is where SBH puts {_DIRECTORY_USES[top]}"
            )
            problems.append(
                document.problem(
                    ("services", name, "source"),
                    f"{taken}; use a directory of the site's own, e.g. source: {name}",
                )
            )
    return problems


_DIRECTORY_USES = {
    "infra": "the Terraform",
    "tests": "the repository's own tests",
    "services": "one directory per service",
}


def _count_problems(
    document: LocatedDocument, here: FieldPath, service: dict[str, Any]
) -> list[SpecProblem]:
    if service.get("kind") != "worker":
        return []
    min_count, max_count = service.get("min_count"), service.get("max_count")
    if _is_int(max_count) and max_count == 0:
        return [
            document.problem(
                (*here, "max_count"),
                "max_count 0 would never run a task to read the queue; use at least 1",
            )
        ]
    if _is_int(min_count) and _is_int(max_count) and min_count > max_count:
        return [
            document.problem(
                (*here, "max_count"), f"max_count {max_count} is below min_count {min_count}"
            )
        ]
    return []


def _declared_buckets(data: dict[str, Any]) -> set[str]:
    storage = data.get("storage")
    buckets = storage.get("buckets") if isinstance(storage, dict) else None
    return (
        {bucket for bucket in buckets or () if isinstance(bucket, str)}
        if isinstance(buckets, list)
        else set()
    )


def _secret_and_setting_problems(
    document: LocatedDocument,
    here: FieldPath,
    service: dict[str, Any],
    kinds: dict[str, object],
    buckets: set[str],
) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    secrets, env = service.get("secrets"), service.get("env")
    given = _names_sbh_gives(str(here[1]), service, kinds, buckets)
    if isinstance(env, dict):
        for key in env:
            if isinstance(key, str) and key in given:
                problems.append(
                    document.problem(
                        (*here, "env", key),
                        f"{key} is reserved: SBH sets it ({given[key]}); choose another name",
                        at_key=True,
                    )
                )
    if not isinstance(secrets, list):
        return problems
    seen: dict[str, int] = {}
    for index, secret in enumerate(secrets):
        if not isinstance(secret, str):
            continue
        where = (*here, "secrets", index)
        if secret in seen:
            line = document.position_of_value((*here, "secrets", seen[secret])).line
            problems.append(
                document.problem(where, f"{secret} is listed twice (first on line {line})")
            )
            continue
        seen[secret] = index
        if secret in given:
            problems.append(
                document.problem(
                    where,
                    f"{secret} is reserved: SBH sets it ({given[secret]}); choose another name",
                )
            )
        elif isinstance(env, dict) and secret in env:
            problems.append(
                document.problem(
                    where,
                    f"{secret} is both a secret and a plain env setting; keep it in one place "
                    "(secrets for anything sensitive)",
                )
            )
    return problems


def variable_stem(name: str) -> str:
    """A service's name as the stem of a variable: `mail-out` -> `MAIL_OUT`."""
    return name.upper().replace("-", "_")


def _names_sbh_gives(
    name: str, service: dict[str, Any], kinds: dict[str, object], buckets: set[str]
) -> dict[str, str]:
    """The variables SBH sets in this service's container beyond v1's reserved ones, each
    with what it carries."""
    given = {"QUEUE_URL": "a worker's own queue", "JOB_TIMEOUT_SECONDS": "a job's time limit"}
    uses = service.get("uses")
    used = (
        [used for used in uses if isinstance(used, str)]
        if isinstance(uses, list)
        else [other for other in kinds if other != name]
    )
    for other in used:
        if kinds.get(other) == "backend":
            given[f"{variable_stem(other)}_URL"] = f"the address of backend {other}, which it uses"
        elif kinds.get(other) == "worker":
            given[f"{variable_stem(other)}_QUEUE_URL"] = (
                f"the queue of worker {other}, which it uses"
            )
    return given


def _use_problems(
    document: LocatedDocument,
    here: FieldPath,
    service: dict[str, Any],
    kinds: dict[str, object],
    buckets: set[str],
    has_database: bool,
) -> list[SpecProblem]:
    uses = service.get("uses")
    if not isinstance(uses, list):
        return []
    problems: list[SpecProblem] = []
    seen: set[str] = set()
    reachable = sorted(
        ({DATABASE_USE} if has_database else set())
        | buckets
        | {name for name, kind in kinds.items() if kind in USABLE_KINDS and name != here[1]}
    )
    for index, used in enumerate(uses):
        if not isinstance(used, str):
            problems.append(document.problem((*here, "uses", index), "expected a name (a string)"))
            continue
        where = (*here, "uses", index)
        if used in seen:
            problems.append(document.problem(where, f"{used} is listed twice"))
        seen.add(used)
        if used == here[1]:
            problems.append(document.problem(where, "a service does not need to use itself"))
        elif used == DATABASE_USE and not has_database:
            problems.append(document.problem(where, "this spec has no database (database: null)"))
        elif used in kinds and kinds[used] not in USABLE_KINDS:
            problems.append(
                document.problem(
                    where,
                    f"{used} is a {kinds[used]} service; only backend services (reached by "
                    "name) and workers (sent messages) can be used",
                )
            )
        elif used != DATABASE_USE and used not in buckets and used not in kinds:
            problems.append(
                document.problem(
                    where,
                    f"{used} is not declared{did_you_mean(used, reachable)}; "
                    f"this service may use: {', '.join(reachable) or 'nothing yet'}",
                )
            )
    return problems


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
