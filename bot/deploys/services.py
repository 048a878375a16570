"""What a system's services are, in the words SBH shows people: the plan comment, the
dashboard, `sbh system` and `/sbh deploy <env> [<service>]` all read them from here (pure).

An sbh/v1 spec is one web service without a name of its own: it lists no services and
deploys as a whole, as it always did. An sbh/v2 spec lists its services in the order the
spec writes them, each with the key facts of its kind.
"""

from __future__ import annotations

from dataclasses import dataclass

from renderers.complete import AnySpec, Spec
from renderers.complete_v2 import (
    BackendWorkload,
    JobWorkload,
    SpecV2,
    StaticSiteWorkload,
    WebWorkload,
    Workload,
)

ALL_SERVICES = "all"  # what deploy.yml's `service` input takes for every service


@dataclass(frozen=True)
class ServiceFacts:
    """One service of a v2 system: its kind and that kind's key facts (None where the kind
    has no such thing)."""

    name: str
    kind: str
    path: str | None = None  # web: the requests it answers on the environment's domain
    port: int | None = None  # web, backend
    health_path: str | None = None  # web, backend
    reached_by: str | None = None  # backend: the URL the other services call
    queue: str | None = None  # worker: its queue's redrive and visibility, in words
    schedule: str | None = None  # job
    source: str | None = None  # static-site: the directory its build runs in

    def url(self, domain: str) -> str | None:
        """Where the public reaches it on an environment's domain (web and static-site)."""
        if self.kind == "static-site":
            return f"https://{domain}/"
        if self.path is None:
            return None
        prefix = self.path.removesuffix("*")
        return f"https://{domain}{prefix if prefix.startswith('/') else '/' + prefix}"

    def health_url(self, domain: str) -> str | None:
        """The URL SBH probes: a web service's health path on the environment's domain."""
        if self.kind != "web" or self.health_path is None:
            return None
        return f"https://{domain}{self.health_path}"

    def summary(self) -> str:
        """The kind's key facts in a few words of plain text (escape it for Markdown), e.g.
        `/api/* on port 8000, health /api/health`."""
        if self.kind == "web":
            return f"{self.path} on port {self.port}, health {self.health_path}"
        if self.kind == "backend":
            return f"port {self.port}, reached by the other services at {self.reached_by}"
        if self.kind == "worker":
            return f"its own SQS queue ({self.queue})"
        if self.kind == "job":
            return f"runs on {self.schedule} (UTC)"
        return f"built from {self.source}/, serves the environment's domain"


def _facts(service: Workload) -> ServiceFacts:
    name, kind = service.name, service.kind
    if isinstance(service, WebWorkload):
        return ServiceFacts(
            name, kind, path=service.path, port=service.port, health_path=service.health_path
        )
    if isinstance(service, BackendWorkload):
        return ServiceFacts(
            name,
            kind,
            port=service.port,
            health_path=service.health_path,
            reached_by=f"http://{service.name}:{service.port}",
        )
    if isinstance(service, JobWorkload):
        return ServiceFacts(name, kind, schedule=service.schedule)
    if isinstance(service, StaticSiteWorkload):
        return ServiceFacts(name, kind, source=service.source)
    queue = service.queue
    return ServiceFacts(
        name,
        kind,
        queue=(
            f"dead-letter after {queue.max_receive_count} receives, "
            f"visibility {queue.visibility_timeout_seconds} s"
        ),
    )


def service_facts(spec: AnySpec) -> list[ServiceFacts]:
    """The services of a v2 spec in its order; none for a v1 spec."""
    if isinstance(spec, Spec):
        return []
    return [_facts(service) for service in spec.services.values()]


def deployable_services(spec: AnySpec) -> list[str]:
    """The names `/sbh deploy <env> <service>` and deploy.yml's `service` input take (every
    service of a v2 spec: each kind has a deploy); none for a v1 spec."""
    return list(spec.services) if isinstance(spec, SpecV2) else []


def health_urls(spec: AnySpec, environment: str) -> list[str]:
    """The public health URLs of an environment: v1's `https://<domain><health_path>`, a v2
    spec's one per web service (none when it has no web service)."""
    found = spec.environments.get(environment)
    if found is None:
        return []
    if isinstance(spec, Spec):
        return [f"https://{found.domain}{spec.service.health_path}"]
    return [
        url for facts in service_facts(spec) if (url := facts.health_url(found.domain)) is not None
    ]


@dataclass(frozen=True)
class DeployTarget:
    """What a deploy or rollback is of: `service` None for an sbh/v1 system (it deploys as
    a whole), else one service or `all`; `image_tag` None for the newest (or previous)."""

    service: str | None
    image_tag: str | None


def deploy_target(spec: AnySpec, verb: str, words: tuple[str, ...]) -> DeployTarget | str:
    """The words after `/sbh deploy|rollback <env>` read for this system — an sbh/v1
    system's `[<tag>]`, an sbh/v2 system's `[<service>] [<tag>]` (default: `all`) — or
    what to tell the person when they do not fit."""
    if isinstance(spec, Spec):
        if len(words) > 1:
            return (
                f"{spec.repository} is an sbh/v1 system: it deploys as a whole. "
                f"Usage: `/sbh {verb} <env> [<tag>]`."
            )
        return DeployTarget(None, words[0] if words else None)
    service = words[0] if words else ALL_SERVICES
    return DeployTarget(service, words[1] if len(words) > 1 else None)


def unknown_service(spec: AnySpec, service: str) -> str | None:
    """Why `service` cannot be deployed in this system, or None when it can."""
    if isinstance(spec, Spec):
        return (
            f"{spec.repository} is an sbh/v1 system without services: it deploys as a whole "
            "(leave the service out)."
        )
    names = deployable_services(spec)
    if service == ALL_SERVICES or service in names:
        return None
    return (
        f"`{service}` is not a service of {spec.repository}. Its services: "
        + ", ".join(f"`{name}`" for name in names)
        + f", or `{ALL_SERVICES}`."
    )
