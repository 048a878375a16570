"""`render_v2(spec)`: the repository of an sbh/v2 system, pure and deterministic.

Sources, all under `template-system/`:
- shared files, rendered once (a path segment `__environment__` repeats per environment);
- `runtimes/<runtime>/**`, rendered into every service of that runtime's directory;
- `kinds/<kind>/<runtime>/**` (`kinds/static-site/**` for the runtime-less kind), rendered
  into the directory of every service of that kind and runtime, after the runtime's files
  (a kind's file wins over the runtime's at the same path).
A new kind or runtime is a folder here and a row in `KIND_TEMPLATES`/`RUNTIMES`, not `if`s
across the renderer. Files v1 and v2 share byte for byte are borrowed from `template-repo/`
(`BORROWED_FROM_V1`), the Terraform modules from `infra/modules/` (`V2_MODULES`).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from renderers.complete_v2 import EnvironmentV2, SpecV2
from renderers.fields import REPOSITORY_ROOT
from renderers.render import (
    MANIFEST_PATH,
    PLAN_COMMENT_CHARACTERS,
    SCHEMA_PATH,
    SPEC_PATH,
    File,
    RenderError,
    _render_source,
    _Source,
    _spec_file,
    bucket_setting,
    manifest_json,
    modules_named,
    sources_version,
    walk_resource,
)
from renderers.spec import spec_json_schema_v2
from renderers.spec_v2 import DATABASE_USE, OWN_DOCKERFILE_RUNTIME
from renderers.version import __version__

# The kinds a service may be, and the runtimes each accepts; the template directory of a
# (kind, runtime) is kinds/<kind>/<runtime>, or kinds/<kind> for a kind without a runtime.
KIND_TEMPLATES: dict[str, tuple[str, ...]] = {
    "web": ("python", "node", "container"),
    "backend": ("python", "node", "container"),
    "worker": ("python", "node", "container"),
    "job": ("python", "node", "container"),
    "static-site": (),
}
# `container` is the person's own image: its folder holds only the service's README (the
# contract), never code, and no Dockerfile (see template-system/runtimes/container/README.md).
RUNTIMES = ("python", "node", "container")
# The command ECS runs inside a listening container (web, backend) to judge its health, per
# runtime: it must use what the image has. A runtime without a row (the person's own image,
# whose contents SBH does not know) gets no container-level check: its load balancer target
# group (web) and ECS's task state (backend) judge it.
CONTAINER_HEALTH_CHECKS: dict[str, tuple[str, ...]] = {
    "python": (
        "CMD",
        "python",
        "-c",
        "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + "
        "os.environ['PORT'] + os.environ['HEALTH_PATH'], timeout=4)",
    ),
    # The image's own check script (the Dockerfile's HEALTHCHECK runs it too).
    "node": ("CMD", "node", "dist/healthcheck.js"),
}
KINDS_DIRECTORY = "kinds"
RUNTIMES_DIRECTORY = "runtimes"

# Files an sbh/v2 repository has exactly as sbh/v1's: one copy in template-repo/.
BORROWED_FROM_V1 = (
    # The infrastructure workflows are per environment, not per service: v1's as they are.
    ".github/workflows/infra.yml.jinja",
    ".github/workflows/drift.yml.jinja",
    "infra/scripts/plan_summary.py",
    "tests/__init__.py",
    "tests/test_plan_summary.py",
    "tests/fixtures/plans/",
)

# Where EventBridge Scheduler keeps every job's schedule.
SCHEDULE_GROUP = "default"

# The shared Terraform modules an sbh/v2 repository receives.
V2_MODULES = (
    "alarm_topic",
    "cluster",
    "db",
    "ecr",
    "github_roles",
    "load_balancer",
    "network",
    "queue",
    "secrets",
    "service",
    "service_network",
    "static_site",
    "storage",
)


def _borrowed() -> tuple[_Source, ...]:
    return tuple(
        source
        for source in walk_resource("template-repo")
        if any(
            source.relative == path or (path.endswith("/") and source.relative.startswith(path))
            for path in BORROWED_FROM_V1
        )
    )


@lru_cache(maxsize=1)
def template_version_v2() -> str:
    """The version of what an sbh/v2 spec renders from."""
    return sources_version(
        (
            ("template-system", walk_resource("template-system")),
            ("template-repo", _borrowed()),
            ("infra-modules", modules_named(V2_MODULES)),
        )
    )


def template_directory(kind: str, runtime: str | None) -> str:
    return f"{KINDS_DIRECTORY}/{kind}/{runtime}" if runtime else f"{KINDS_DIRECTORY}/{kind}"


def service_setting(name: str, suffix: str) -> str:
    """The variable naming another service to this one: catalog -> CATALOG_URL."""
    return name.upper().replace("-", "_") + suffix


def route_prefix(path: str) -> str:
    """Where a web service's own routes live under its load balancer `path`: /api/* -> /api,
    /* -> "" (the load balancer forwards the path unchanged)."""
    return path.removesuffix("/*")


# The npm packages a node service may need beyond its toolchain, each a package-lock.json
# variant of runtimes/node (`scripts/node_lockfiles.py` regenerates them all).
NPM_DEPENDENCY_GROUPS = ("http", "database", "sqs")


def node_context(service: Any, used: list[Any]) -> dict[str, Any]:
    """What a `runtime: node` service's templates see besides the common service context."""
    # Sends to or receives from SQS: a worker, or a service that uses one.
    uses_sqs = service.kind == "worker" or any(other.kind == "worker" for other in used)
    needs = {
        "http": service.kind in ("web", "backend"),  # fastify
        "database": DATABASE_USE in service.uses,  # pg
        "sqs": uses_sqs,  # @aws-sdk/client-sqs
    }
    return {
        "uses_sqs": uses_sqs,
        # Its package-lock.json variant: the groups it needs joined by "+", or "base".
        "npm_dependency_set": "+".join(g for g in NPM_DEPENDENCY_GROUPS if needs[g]) or "base",
    }


def service_context(spec: SpecV2, service: Any) -> dict[str, Any]:
    """What a service's own templates see besides the system's context."""
    uses = getattr(service, "uses", ())
    used = [spec.services[name] for name in uses if name in spec.services]
    return {
        **(node_context(service, used) if getattr(service, "runtime", None) == "node" else {}),
        "service": service,
        # web and backend answer HTTP on `port` (uvicorn); worker and job do not listen.
        "serves_http": service.kind in ("web", "backend"),
        "uses_database": DATABASE_USE in uses,
        "route_prefix": route_prefix(service.path) if service.kind == "web" else "",
        # What the others call this service by: its URL (a backend) or queue URL (a worker).
        "url_setting": service_setting(service.name, "_URL"),
        "queue_setting": service_setting(service.name, "_QUEUE_URL"),
        # <NAME>_URL -> the backend it names, <NAME>_QUEUE_URL -> the worker it names.
        "backend_settings": {
            service_setting(other.name, "_URL"): other for other in used if other.kind == "backend"
        },
        "queue_settings": {
            service_setting(other.name, "_QUEUE_URL"): other
            for other in used
            if other.kind == "worker"
        },
        # The service's AWS names in each environment.
        "service_names": {
            env.name: env.names.services[service.name] for env in spec.environments.values()
        },
        "bucket_settings": {
            bucket_setting(bucket): bucket
            for bucket in spec.buckets
            if bucket in getattr(service, "uses", ())
        },
    }


def _service_target(env: EnvironmentV2, service: Any) -> dict[str, Any]:
    """What deploying `service` to `env` needs: its kind and its AWS names there."""
    names = env.names.services[service.name]
    if service.kind == "static-site":
        return {
            "kind": service.kind,
            "site_bucket": names.site_bucket,
            "distribution": env.names.distribution,
            "url": f"https://{env.domain}",
        }
    target: dict[str, Any] = {
        "kind": service.kind,
        "ecr_repository": names.ecr_repository,
        "task_family": names.task_family,
        "container": names.container,
        "url": f"https://{env.domain}",
    }
    if service.kind == "job":
        return {**target, "schedule": names.schedule, "schedule_group": SCHEDULE_GROUP}
    return {
        **target,
        "service": names.service,
        # What a service created with 0 tasks (before any image existed) starts with; a
        # worker starts at its minimum and scales on its queue.
        "desired_count": service.min_count if service.kind == "worker" else service.desired_count,
        "health_url": f"https://{env.domain}{service.health_path}" if service.kind == "web" else "",
    }


def image_source(service: Any) -> tuple[str, str]:
    """The Dockerfile and build context of a container service, from the repository root: the
    person's own (`runtime: container`), else the one SBH writes in the service's directory."""
    if service.dockerfile is not None and service.context is not None:
        return service.dockerfile, service.context
    return f"{service.directory}/Dockerfile", service.directory


def _service_source(service: Any) -> dict[str, Any]:
    """Where a service's files are; a static site also how it is built, a container service its
    runtime, Dockerfile and build context, and the paths whose change rebuilds its image
    (`watch`: a directory or a file; "." is the whole repository)."""
    source: dict[str, Any] = {"kind": service.kind, "directory": service.directory}
    if service.kind == "static-site":
        source.update(build=service.build, output=service.output)
        return source
    dockerfile, context = image_source(service)
    source.update(
        runtime=service.runtime,
        dockerfile=dockerfile,
        context=context,
        watch=watched_paths(dockerfile, context),
    )
    return source


def watched_paths(dockerfile: str, context: str) -> list[str]:
    """What an image is built from: its context, and its Dockerfile when that lies outside it."""
    inside = context == REPOSITORY_ROOT or dockerfile.startswith(context + "/")
    return [context] if inside else sorted([context, dockerfile])


def deploy_targets_v2(spec: SpecV2) -> dict[str, Any]:
    """What the workflows need to know, as data (`TARGETS`): per environment its account,
    region, roles, cluster and URL, and per service there its kind and AWS names; per service
    its directory (and a static site's build). Workflows read it with jq or `fromJSON`, so no
    spec value is ever written into a script."""
    environments = list(spec.environments.values())
    production = [env for env in environments if env.production]
    continuous = [env for env in environments if not env.production]
    targets: dict[str, Any] = {}
    for env in environments:
        role_prefix = f"arn:{env.partition}:iam::{env.aws_account_id}:role/"
        targets[env.name] = {
            "account_id": env.aws_account_id,
            "region": env.region,
            "deploy_role_arn": role_prefix + env.names.deploy_role,
            "build_role_arn": role_prefix + env.names.build_role,
            "plan_role_arn": role_prefix + env.names.plan_role,
            "apply_role_arn": role_prefix + env.names.apply_role,
            "cluster": env.names.cluster,
            "url": f"https://{env.domain}",
            "production": env.production,
            "services": {
                service.name: _service_target(env, service) for service in spec.services.values()
            },
        }
    return {
        "environments": targets,
        "services": {service.name: _service_source(service) for service in spec.services.values()},
        # Release tags deploy to production (else the last environment written); a green
        # build on main deploys to the first non-production environment, if there is one.
        "release": (production or environments)[-1].name,
        "continuous": continuous[0].name if continuous else "",
    }


def template_context_v2(spec: SpecV2) -> dict[str, Any]:
    """Everything the shared templates may read. Computed values get a name here."""
    environments = list(spec.environments.values())
    return {
        "spec": spec,
        "environments": environments,
        "services": list(spec.services.values()),
        "container_services": spec.container_services,
        # The container services whose code SBH writes (each has a Makefile in its directory);
        # the others are built from the person's own Dockerfile.
        "own_code_services": [
            service
            for service in spec.container_services
            if service.runtime != OWN_DOCKERFILE_RUNTIME
        ],
        "web_services": spec.of_kind("web"),
        "backend_services": spec.of_kind("backend"),
        "worker_services": spec.of_kind("worker"),
        "job_services": spec.of_kind("job"),
        "static_site": spec.static_site,
        "has_database": spec.database is not None,
        "deploy_targets": deploy_targets_v2(spec),
        # Per container service: its Dockerfile and context, and its container health check.
        "image_sources": {
            service.name: image_source(service) for service in spec.container_services
        },
        # The runtimes the container services run on: the workflows set up only these.
        "runtimes_in_use": sorted({service.runtime for service in spec.container_services}),
        "container_health_checks": {
            service.name: CONTAINER_HEALTH_CHECKS.get(service.runtime)
            for service in spec.container_services
        },
        # Every secret name any service reads (the environment's secrets container holds each once).
        "all_secrets": sorted(
            {secret for service in spec.container_services for secret in service.secrets}
        ),
        "all_bucket_settings": {bucket_setting(bucket): bucket for bucket in spec.buckets},
        "apply_order": {
            env.name: [other.name for other in environments if not other.production]
            if env.production
            else []
            for env in environments
        },
        "plan_summary_characters": PLAN_COMMENT_CHARACTERS // len(environments),
        "sbh_version": __version__,
        "template_version": template_version_v2(),
    }


def _split_sources() -> tuple[list[_Source], dict[str, list[_Source]]]:
    """Shared sources, and the sources under each kinds/… or runtimes/… directory."""
    shared: list[_Source] = []
    layered: dict[str, list[_Source]] = {}
    prefixes = [f"{RUNTIMES_DIRECTORY}/{runtime}" for runtime in RUNTIMES] + [
        template_directory(kind, runtime)
        for kind, runtimes in KIND_TEMPLATES.items()
        for runtime in (runtimes or (None,))
    ]
    for source in walk_resource("template-system"):
        prefix = next((p for p in prefixes if source.relative.startswith(p + "/")), None)
        if prefix is None:
            if source.relative.startswith((KINDS_DIRECTORY + "/", RUNTIMES_DIRECTORY + "/")):
                raise RenderError(
                    f"template-system/{source.relative}: not under a kind or runtime of "
                    "KIND_TEMPLATES/RUNTIMES"
                )
            shared.append(source)
        else:
            layered.setdefault(prefix, []).append(
                _Source(source.relative[len(prefix) + 1 :], source.content, source.mode)
            )
    return shared, layered


def render_v2(spec: SpecV2) -> dict[str, File]:
    """The whole generated repository for an sbh/v2 `spec`."""
    context = template_context_v2(spec)
    shared, layered = _split_sources()
    files: dict[str, File] = {}
    for source in (*_borrowed(), *shared):
        for path, content in _render_source(source, spec, context):
            files[path] = File(content, source.mode)
    for service in spec.services.values():
        runtime = getattr(service, "runtime", None)
        layers = ([f"{RUNTIMES_DIRECTORY}/{runtime}"] if runtime else []) + [
            template_directory(service.kind, runtime)
        ]
        service_scope = {**context, **service_context(spec, service)}
        for layer in layers:
            for source in layered.get(layer, []):
                for path, content in _render_source(
                    source, spec, service_scope, output_prefix=f"{service.directory}/"
                ):
                    files[path] = File(content, source.mode)
    for source in modules_named(V2_MODULES):
        files[f"infra/modules/{source.relative}"] = File(source.content, source.mode)
    files[SPEC_PATH] = File(_spec_file(spec).encode("utf-8"))
    files[SCHEMA_PATH] = File(
        (json.dumps(spec_json_schema_v2(), indent=2, sort_keys=True) + "\n").encode("utf-8")
    )
    files[MANIFEST_PATH] = File(manifest_json(spec, files).encode("utf-8"))
    return dict(sorted(files.items()))
