"""Completing an sbh/v2 spec: each kind's defaults, ports that never collide, `uses` that
defaults to everything declared, AWS names within every limit, and a completed spec that
reads back as itself (`sbh.yaml`)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renderers.aws import AWS_REGIONS, FARGATE_MEMORY_BY_CPU
from renderers.complete import complete_defaults, spec_hash, spec_to_yaml
from renderers.complete_v2 import (
    BackendWorkload,
    JobWorkload,
    SpecV2,
    StaticSiteWorkload,
    WebWorkload,
    WorkerWorkload,
)
from renderers.fields import RESERVED_VARIABLE_NAMES, RESERVED_VARIABLE_PREFIXES
from renderers.problems import SpecError
from renderers.spec import load_spec
from tests.conftest import REPO_ROOT

SHOP = REPO_ROOT / "examples" / "shop.yaml"
HEAD = """\
apiVersion: sbh/v2
name: shop
owner: acme
environments:
  dev: {aws_account_id: "111111111111", region: us-west-2, domain: shop.dev.acme.io}
"""


def completed(text: str) -> SpecV2:
    spec = complete_defaults(load_spec(text))
    assert isinstance(spec, SpecV2)
    return spec


def test_each_kind_gets_its_defaults() -> None:
    spec = completed(
        HEAD
        + """\
services:
  api: {kind: web}
  catalog: {kind: backend}
  mailer: {kind: worker}
  nightly: {kind: job}
storage: {buckets: [uploads]}
"""
    )

    assert spec.services["api"] == WebWorkload(
        name="api",
        runtime="python",
        cpu=256,
        memory=512,
        env={},
        secrets=(),
        uses=("database", "uploads", "catalog", "mailer"),
        port=8000,
        health_path="/health",
        path="/*",
        desired_count=2,
    )
    assert spec.services["catalog"] == BackendWorkload(
        name="catalog",
        runtime="python",
        cpu=256,
        memory=512,
        env={},
        secrets=(),
        uses=("database", "uploads", "mailer"),
        port=8001,
        health_path="/health",
        desired_count=1,
    )
    worker = spec.services["mailer"]
    assert isinstance(worker, WorkerWorkload)
    assert (worker.min_count, worker.max_count) == (0, 4)
    assert worker.queue.model_dump() == {"visibility_timeout_seconds": 60, "max_receive_count": 5}
    assert worker.uses == ("database", "uploads", "catalog")
    job = spec.services["nightly"]
    assert isinstance(job, JobWorkload)
    assert (job.schedule, job.timeout_minutes) == ("rate(1 day)", 30)


def test_a_static_site_builds_in_its_own_directory_by_default() -> None:
    spec = completed(HEAD + "services:\n  www: {kind: static-site}\n")

    assert spec.services["www"] == StaticSiteWorkload(
        name="www", source="services/www", build="npm ci && npm run build", output="dist"
    )
    assert spec.static_site == spec.services["www"]


@pytest.mark.parametrize(
    ("path", "health_path"),
    [("/*", "/health"), ("/api/*", "/api/health"), ("/a/b/*", "/a/b/health"), ("/login", "/login")],
)
def test_a_web_service_checks_its_health_under_its_own_path(path: str, health_path: str) -> None:
    spec = completed(HEAD + f"services:\n  api: {{kind: web, path: '{path}'}}\n")

    service = spec.services["api"]
    assert isinstance(service, WebWorkload)
    assert service.health_path == health_path


def test_default_ports_count_from_8000_and_skip_every_written_port() -> None:
    spec = completed(
        HEAD
        + """\
services:
  first: {kind: web, path: /first/*}
  second: {kind: backend, port: 8000}
  third: {kind: backend}
  fourth: {kind: web, path: /fourth/*, port: 8002}
  fifth: {kind: backend}
"""
    )

    ports = {service.name: service.port for service in spec.of_kind("web", "backend")}
    assert ports == {"first": 8001, "second": 8000, "third": 8003, "fourth": 8002, "fifth": 8004}


def test_a_worker_with_only_a_minimum_above_the_default_maximum_scales_from_it() -> None:
    spec = completed(HEAD + "services:\n  mailer: {kind: worker, min_count: 6}\n")

    worker = spec.services["mailer"]
    assert isinstance(worker, WorkerWorkload)
    assert (worker.min_count, worker.max_count) == (6, 6)


def test_written_uses_are_kept_and_nothing_is_added() -> None:
    spec = completed(HEAD + "services:\n  api: {kind: web, uses: []}\n  catalog: {kind: backend}\n")

    assert spec.services["api"].uses == ()  # type: ignore[union-attr]


def test_without_a_database_nothing_uses_one() -> None:
    spec = completed(HEAD + "database: null\nservices:\n  api: {kind: web}\n")

    assert spec.database is None
    assert spec.services["api"].uses == ()  # type: ignore[union-attr]


def test_a_spec_without_services_says_what_to_add() -> None:
    with pytest.raises(SpecError) as raised:
        complete_defaults(load_spec(HEAD))

    [problem] = raised.value.problems
    assert problem.field == "services"
    assert "at least one service" in problem.message


def test_decisions_only_a_person_makes_are_never_invented() -> None:
    with pytest.raises(SpecError) as raised:
        complete_defaults(load_spec("apiVersion: sbh/v2\nservices: {api: {kind: web}}\n"))

    assert {problem.field for problem in raised.value.problems} == {
        "name",
        "owner",
        "environments",
    }


# --- AWS names --------------------------------------------------------------------------------

# Each AWS name's limit (and the form its service requires).
LIMITS: dict[str, int] = {
    "ecr_repository": 256,
    "service": 255,
    "task_family": 255,
    "container": 255,
    "log_group": 512,
    "execution_role": 64,
    "task_role": 64,
    "target_group": 32,
    "discovery_name": 63,
    "queue": 80,
    "dead_letter_queue": 80,
    "schedule": 64,
    "scheduler_role": 64,
    "site_bucket": 63,
}
SYSTEM_LIMITS: dict[str, int] = {
    "cluster": 255,
    "load_balancer": 32,
    "distribution": 128,
    "db_identifier": 63,
    "alarm_topic": 256,
    "deploy_role": 64,
    "build_role": 64,
    "plan_role": 64,
    "apply_role": 64,
    "state_bucket": 63,
    "access_logs_bucket": 63,
}
S3_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
# ALB and target group names: letters, digits and hyphens, not starting or ending with one.
ELB_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")

LONGEST_SYSTEM = "s" * 30 + "-" + "y" * 8  # 39, the most a system name may have
LONGEST_SERVICES = ["a" * 31, "a" * 30 + "b", "a" * 29 + "-c"]  # 31 each, sharing a prefix


def longest_spec() -> SpecV2:
    kinds = ["web", "backend", "worker", "job", "static-site"]
    services = {}
    for kind in kinds:
        for index, stem in enumerate(LONGEST_SERVICES):
            name = stem[: 31 - len(kind)] + kind[0] * len(kind)
            name = name[:30] + str(index)
            services[name] = {"kind": kind}
            if kind == "web":
                services[name]["path"] = f"/{name}/*"
            if kind == "static-site":
                break
    data = {
        "apiVersion": "sbh/v2",
        "name": LONGEST_SYSTEM,
        "owner": "acme",
        "services": services,
        "storage": {"buckets": ["b" * 20, "b" * 19 + "c"]},
        "environments": {
            "e" * 10: {
                "aws_account_id": "111111111111",
                "region": max(AWS_REGIONS, key=len),
                "domain": "shop.example.com",
            },
            "f" * 10: {
                "aws_account_id": "111111111111",
                "region": max(AWS_REGIONS, key=len),
                "domain": "shop2.example.com",
            },
        },
    }
    return completed(yaml.safe_dump(data))


def test_the_longest_names_keep_every_aws_name_within_its_limit() -> None:
    spec = longest_spec()

    assert len(spec.services) == 13
    for environment in spec.environments.values():
        names = environment.names
        for field, limit in SYSTEM_LIMITS.items():
            assert len(getattr(names, field)) <= limit, (field, getattr(names, field))
        for bucket in [*names.buckets.values(), names.state_bucket, names.access_logs_bucket]:
            assert S3_NAME.fullmatch(bucket), bucket
        assert ELB_NAME.fullmatch(names.load_balancer)
        assert all(len(label) <= 63 for label in names.namespace.split("."))
        for service, service_names in names.services.items():
            for field, limit in LIMITS.items():
                value = getattr(service_names, field)
                assert value is None or len(value) <= limit, (service, field, value)
            if service_names.target_group:
                assert ELB_NAME.fullmatch(service_names.target_group)
            if service_names.site_bucket:
                assert S3_NAME.fullmatch(service_names.site_bucket)


def test_names_cut_to_their_limit_still_differ_between_services_and_environments() -> None:
    spec = longest_spec()

    for field in LIMITS:
        values = [
            getattr(service_names, field)
            for environment in spec.environments.values()
            for service_names in environment.names.services.values()
            if getattr(service_names, field) is not None
            and field != "container"
            and field != "discovery_name"
        ]
        assert len(values) == len(set(values)), field


# --- completion reads back as itself ----------------------------------------------------------

slug = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
variable = st.from_regex(r"[C-Z][A-Z0-9]{0,6}(_[A-Z0-9]{1,4})?", fullmatch=True).filter(
    lambda name: (
        name not in RESERVED_VARIABLE_NAMES
        and not name.startswith(RESERVED_VARIABLE_PREFIXES)
        and not name.endswith("_URL")
        and name not in ("QUEUE_URL", "JOB_TIMEOUT_SECONDS")
    )
)
sizes = st.sampled_from(
    [(cpu, memory) for cpu, memories in FARGATE_MEMORY_BY_CPU.items() for memory in memories]
)
schedules = st.sampled_from(
    ["cron(0 3 * * ? *)", "cron(*/10 8-18 ? * MON-FRI *)", "rate(1 hour)", "rate(15 minutes)"]
)


def _maybe(draw: st.DrawFn, key: str, strategy: st.SearchStrategy[Any]) -> dict[str, Any]:
    return {key: draw(strategy)} if draw(st.booleans()) else {}


@st.composite
def container(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    service: dict[str, Any] = {"kind": kind}
    if draw(st.booleans()):
        service["cpu"], service["memory"] = draw(sizes)
    env = draw(st.dictionaries(variable, st.text(alphabet="abc xyz:/", max_size=12), max_size=3))
    if env:
        service["env"] = env
    secrets = draw(st.lists(variable.filter(lambda name: name not in env), max_size=2, unique=True))
    if secrets:
        service["secrets"] = secrets
    return service


@st.composite
def v2_specs(draw: st.DrawFn) -> str:
    names = draw(st.lists(slug, min_size=1, max_size=6, unique=True))
    kinds = draw(
        st.lists(
            st.sampled_from(["web", "backend", "worker", "job", "static-site"]),
            min_size=len(names),
            max_size=len(names),
        )
    )
    has_site = "static-site" in kinds
    services: dict[str, Any] = {}
    written_ports = iter(draw(st.lists(st.integers(8000, 8010), unique=True, max_size=6)))
    for index, (name, kind) in enumerate(zip(names, kinds, strict=True)):
        if kind == "static-site":
            if any(s["kind"] == "static-site" for s in services.values()):
                continue
            services[name] = {
                "kind": kind,
                **_maybe(draw, "source", st.just(f"site{index}")),
                **_maybe(draw, "output", st.sampled_from(["dist", "build/out"])),
            }
            continue
        service = draw(container(kind))
        if kind in ("web", "backend"):
            port = next(written_ports, None)
            if port is not None and draw(st.booleans()):
                service["port"] = port
            service.update(_maybe(draw, "desired_count", st.integers(0, 10)))
        if kind == "web":
            first_web = not any(s["kind"] == "web" for s in services.values())
            if has_site or not first_web or draw(st.booleans()):
                service["path"] = f"/{name}/*"
                service.update(_maybe(draw, "health_path", st.just(f"/{name}/ready")))
        if kind == "backend":
            service.update(_maybe(draw, "health_path", st.just("/ready")))
        if kind == "worker":
            low = draw(st.integers(0, 5))
            service.update(_maybe(draw, "min_count", st.just(low)))
            service.update(_maybe(draw, "max_count", st.integers(max(low, 1), 20)))
            service.update(
                _maybe(
                    draw,
                    "queue",
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "visibility_timeout_seconds": st.integers(10, 43200),
                            "max_receive_count": st.integers(1, 1000),
                        },
                    ),
                )
            )
        if kind == "job":
            service.update(_maybe(draw, "schedule", schedules))
            service.update(_maybe(draw, "timeout_minutes", st.integers(1, 1440)))
        services[name] = service
    buckets = draw(st.lists(st.sampled_from(["uploads", "exports", "media"]), unique=True))
    database = draw(st.sampled_from([None, {"engine": "postgres"}, "absent"]))
    usable = [n for n, s in services.items() if s["kind"] in ("backend", "worker")]
    for name, service in services.items():
        if service["kind"] != "static-site" and draw(st.booleans()):
            choices = [*buckets, *(u for u in usable if u != name)]
            choices += ["database"] if database is not None else []
            service["uses"] = (
                draw(st.lists(st.sampled_from(choices), unique=True)) if choices else []
            )
    data: dict[str, Any] = {
        "apiVersion": "sbh/v2",
        "name": draw(slug.filter(lambda s: len(s) >= 2)),
        "owner": "acme",
        "services": services,
        **({"database": database} if database != "absent" else {}),
        **({"storage": {"buckets": buckets}} if buckets else {}),
        "environments": {
            "dev": {"aws_account_id": "111111111111", "domain": "dev.example.com"},
            **_maybe(
                draw,
                "prod",
                st.just(
                    {"aws_account_id": "222222222222", "domain": "example.com", "approval": True}
                ),
            ),
        },
    }
    return yaml.safe_dump(data, sort_keys=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v2_specs())
def test_a_completed_spec_reads_back_as_the_same_spec(text: str) -> None:
    spec = completed(text)

    again = completed(spec_to_yaml(spec))

    assert again == spec
    assert spec_hash(again) == spec_hash(spec)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v2_specs())
def test_listening_services_never_share_a_port(text: str) -> None:
    spec = completed(text)

    ports = [service.port for service in spec.of_kind("web", "backend")]
    assert len(ports) == len(set(ports))


def test_the_example_completes_to_what_it_says() -> None:
    spec = completed(SHOP.read_text())

    api = spec.services["api"]
    assert isinstance(api, WebWorkload)
    assert (api.port, api.path, api.health_path, api.desired_count) == (
        8000,
        "/api/*",
        "/api/health",
        2,
    )
    assert api.secrets == ("STRIPE_KEY",)
    assert spec.environments["prod"].approval is True
    assert spec_hash(spec) == spec_hash(completed(SHOP.read_text()))
    assert spec_hash(spec) != spec_hash(
        completed(SHOP.read_text().replace("port: 8001", "port: 8005"))
    )
