"""`runtime: node`: web, backend, worker and job services in TypeScript on Node.js.

Fast tests read the rendered files (the directory contract every service keeps, each kind's
code, the npm packages each service gets and a package-lock.json that matches them); slow ones
run what `sbh check` runs on them (`npm ci`, ESLint, `npm test` with its type check, the
service booted or run as its kind allows) and prove each fails on what it guards.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.flows.local_repository import write_repository
from renderers.checks import Tools, check_repository
from renderers.complete import SpecV2, complete_defaults
from renderers.problems import SpecError
from renderers.render import File, render
from renderers.render_v2 import service_context
from renderers.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "specs-v2"
EVERY_KIND = FIXTURES / "node-every-kind.yaml"
MIXED = FIXTURES / "python-and-node.yaml"

ENVIRONMENTS = """
environments:
  dev: {aws_account_id: "111111111111", region: us-west-2, domain: x.dev.acme.io}
"""
# One node service of each npm dependency set: fastify (web, backend), pg (uses the
# database), @aws-sdk/client-sqs (a worker, or a service that uses one), and none.
EVERY_DEPENDENCY_SET = (
    """
apiVersion: sbh/v2
name: sets
owner: acme
services:
  job:           {kind: job, runtime: node, uses: []}
  job-db:        {kind: job, runtime: node, uses: [database]}
  worker:        {kind: worker, runtime: node, uses: []}
  worker-db:     {kind: worker, runtime: node, uses: [database]}
  web:           {kind: web, runtime: node, path: "/a/*", uses: []}
  backend-db:    {kind: backend, runtime: node, uses: [database]}
  web-sender:    {kind: web, runtime: node, path: "/b/*", uses: [worker]}
  web-db-sender: {kind: web, runtime: node, path: "/c/*", uses: [database, worker]}
"""
    + ENVIRONMENTS
)
SETS = {
    "job": "base",
    "job-db": "database",
    "worker": "sqs",
    "worker-db": "database+sqs",
    "web": "http",
    "backend-db": "http+database",
    "web-sender": "http+sqs",
    "web-db-sender": "http+database+sqs",
}


def complete(text: str, name: str = "spec.yaml") -> SpecV2:
    spec = complete_defaults(load_spec(text, name), name)
    assert isinstance(spec, SpecV2)
    return spec


def rendered(path: Path) -> dict[str, File]:
    return render(complete(path.read_text(encoding="utf-8"), path.name))


def text(files: dict[str, File], path: str) -> str:
    return files[path].content.decode("utf-8")


def package(files: dict[str, File], service: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text(files, f"services/{service}/package.json"))
    return data


# --- The spec side.


def test_a_node_service_is_accepted_for_every_container_kind() -> None:
    spec = complete(EVERY_KIND.read_text(encoding="utf-8"))

    assert {(s.kind, s.runtime) for s in spec.container_services} == {
        ("web", "node"),
        ("backend", "node"),
        ("worker", "node"),
        ("job", "node"),
    }


def test_a_node_service_takes_no_dockerfile_sbh_writes_its_own() -> None:
    spec = (
        """
apiVersion: sbh/v2
name: xy
owner: acme
services:
  api: {kind: web, runtime: node, dockerfile: api/Dockerfile}
"""
        + ENVIRONMENTS
    )

    with pytest.raises(SpecError) as raised:
        complete(spec)

    assert "dockerfile is only for runtime: container; this service's runtime is node" in str(
        raised.value
    )


# --- What each service gets (fast: the rendered files).


@pytest.mark.parametrize("spec_path", [EVERY_KIND, MIXED], ids=["every-kind", "mixed"])
def test_every_node_service_keeps_the_directory_contract(spec_path: Path) -> None:
    files = rendered(spec_path)
    spec = complete(spec_path.read_text(encoding="utf-8"))

    for service in spec.container_services:
        directory = service.directory
        present = {
            path.removeprefix(directory + "/") for path in files if path.startswith(directory)
        }
        if service.runtime != "node":
            assert "requirements.txt" in present
            assert not any(path.endswith(".ts") for path in present)
            continue
        assert {
            "Dockerfile",
            ".dockerignore",
            ".gitignore",
            ".npmrc",
            "Makefile",
            "README.md",
            "package.json",
            "package-lock.json",
            "tsconfig.json",
            "tsconfig.build.json",
            "eslint.config.js",
            "src/main.ts",
            "src/settings.ts",
            "test/settings.test.ts",
        } <= present, directory
        assert not any(path.endswith(".py") or path.startswith("requirements") for path in present)
        makefile = text(files, f"{directory}/Makefile")
        for target in ("run", "test", "lint", "build", "clean"):
            assert re.search(rf"^{target}: ", makefile, re.M), (directory, target)
        scripts = package(files, service.name)["scripts"]
        assert scripts["typecheck"] == "tsc --noEmit"
        assert scripts["lint"] == "eslint ."
        assert scripts["test"].startswith("tsc && node --test ")
        assert scripts["start"] == "node dist/main.js"


def test_node_services_target_node_22_and_run_on_node_20() -> None:
    files = rendered(EVERY_KIND)

    for service in ("gateway", "accounts", "statements", "month-end"):
        assert package(files, service)["engines"] == {"node": ">=20"}
        # Types of the oldest Node it runs on, so that no newer API type-checks.
        assert package(files, service)["devDependencies"]["@types/node"].startswith("^20.")
        dockerfile = text(files, f"services/{service}/Dockerfile")
        assert dockerfile.count("FROM node:22-slim") == 2  # build stage, runtime stage
        runtime_stage = dockerfile.split("FROM node:22-slim\n", 1)[1]
        assert "RUN npm ci --omit=dev" in runtime_stage
        assert "USER 10001" in runtime_stage
        assert 'CMD ["node", "dist/main.js"]' in runtime_stage


def test_web_and_backend_listen_on_their_port_with_a_healthcheck_workers_and_jobs_do_not() -> None:
    files = rendered(EVERY_KIND)

    for service, port in (("gateway", 8000), ("accounts", 8100)):
        dockerfile = text(files, f"services/{service}/Dockerfile")
        assert f"EXPOSE {port}\n" in dockerfile
        assert f"PORT={port}\n" in dockerfile
        assert 'CMD ["node", "dist/healthcheck.js"]' in dockerfile
    for service in ("statements", "month-end"):
        dockerfile = text(files, f"services/{service}/Dockerfile")
        assert "EXPOSE" not in dockerfile
        assert "HEALTHCHECK" not in dockerfile
        assert f"services/{service}/src/healthcheck.ts" not in files


@pytest.mark.parametrize(
    ("service", "dependencies", "dev_only"),
    [
        ("gateway", {"fastify", "@aws-sdk/client-sqs"}, set()),
        ("accounts", {"fastify", "pg"}, {"@types/pg"}),
        ("statements", {"@aws-sdk/client-sqs"}, set()),
        ("month-end", {"pg"}, {"@types/pg"}),
    ],
)
def test_a_service_gets_the_npm_packages_its_kind_and_uses_need_and_no_others(
    service: str, dependencies: set[str], dev_only: set[str]
) -> None:
    data = package(rendered(EVERY_KIND), service)

    assert set(data["dependencies"]) == dependencies
    assert set(data["devDependencies"]) == {
        "@eslint/js",
        "@types/node",
        "eslint",
        "typescript",
        "typescript-eslint",
        *dev_only,
    }


def test_secrets_arrive_as_environment_variables_not_through_an_aws_sdk() -> None:
    files = rendered(EVERY_KIND)

    settings = text(files, "services/gateway/src/settings.ts")
    assert 'export const SECRET_NAMES: readonly string[] = ["SIGNING_KEY"];' in settings
    every_source = "".join(text(files, path) for path in files if path.endswith(".ts"))
    assert "client-secrets-manager" not in every_source


def test_a_web_service_serves_its_routes_under_its_load_balancer_path() -> None:
    files = rendered(EVERY_KIND)

    assert 'export const ROUTE_PREFIX = "/api";' in text(files, "services/gateway/src/app.ts")
    settings = text(files, "services/gateway/src/settings.ts")
    assert 'export const HEALTH_PATH = "/api/health";' in settings
    assert 'export const HEALTH_PATH = "/internal/health";' in text(
        files, "services/accounts/src/settings.ts"
    )


def test_a_service_is_told_the_urls_of_the_backends_and_workers_it_uses() -> None:
    files = rendered(EVERY_KIND)

    gateway = text(files, "services/gateway/src/settings.ts")
    assert '"accounts": "ACCOUNTS_URL",' in gateway
    assert '"statements": "STATEMENTS_QUEUE_URL",' in gateway
    assert '"uploads": "BUCKET_UPLOADS",' in gateway
    assert "services/gateway/src/backends.ts" in files
    assert "services/gateway/src/queues.ts" in files
    assert "export ACCOUNTS_URL ?= http://127.0.0.1:8100" in text(
        files, "services/gateway/Makefile"
    )
    # The database client only where the database is used.
    assert "services/accounts/src/database.ts" in files
    assert "services/gateway/src/database.ts" not in files
    assert "services/month-end/src/database.ts" in files


def test_a_worker_and_a_sender_test_against_a_local_sqs_server() -> None:
    files = rendered(EVERY_KIND)

    for service in ("statements", "gateway"):
        assert "moto.server" in text(files, f"services/{service}/test/helpers/sqs.ts")
        assert 'MOTO_PYTHON="$(CURDIR)/.venv/bin/python" $(NPM) test' in text(
            files, f"services/{service}/Makefile"
        )
    assert "services/accounts/test/helpers/sqs.ts" not in files
    assert "$(NPM) test" in text(files, "services/accounts/Makefile")
    assert ".venv" not in text(files, "services/accounts/Makefile")


def test_a_job_is_given_its_timeout() -> None:
    files = rendered(EVERY_KIND)

    settings = text(files, "services/month-end/src/settings.ts")
    assert "export const DEFAULT_TIMEOUT_SECONDS = 1200;" in settings
    assert "EXIT_TIMED_OUT = 124" in text(files, "services/month-end/src/job.ts")


def test_python_services_beside_node_ones_keep_their_own_files() -> None:
    files = rendered(MIXED)

    assert "boto3" in text(files, "services/shopfront/requirements.txt")
    assert "'baker': 'BAKER_QUEUE_URL'" in text(files, "services/shopfront/app/settings.py")
    assert set(package(files, "baker")["dependencies"]) == {"@aws-sdk/client-sqs", "pg"}
    makefile = text(files, "Makefile")
    for service in ("shopfront", "pantry", "baker", "stocktake"):
        assert f"$(MAKE) -C services/{service} test" in makefile


# --- package-lock.json: what `npm ci` installs, for every dependency set.


def _resolve(lock: dict[str, Any], where: str, name: str) -> str | None:
    """Where Node finds `name` from the package at `where` (nearest node_modules upwards)."""
    base = where
    while True:
        candidate = f"{base}/node_modules/{name}" if base else f"node_modules/{name}"
        if candidate in lock["packages"]:
            return candidate
        if not base:
            return None
        base = base.rsplit("/node_modules/", 1)[0] if "/node_modules/" in base else ""


def _closure(lock: dict[str, Any], roots: dict[str, str]) -> set[str]:
    """Every package installed for `roots` (required dependencies; optional ones if present)."""
    seen: set[str] = set()
    pending = [("", name) for name in roots]
    while pending:
        where, name = pending.pop()
        found = _resolve(lock, where, name)
        if found is None:
            entry = lock["packages"][where] if where else {}
            assert name in (entry.get("optionalDependencies") or {}), f"{where}: {name} missing"
            continue
        if found in seen:
            continue
        seen.add(found)
        entry = lock["packages"][found]
        for group in ("dependencies", "optionalDependencies"):
            pending += [(found, dependency) for dependency in entry.get(group) or {}]
        peers = entry.get("peerDependencies") or {}
        optional_peers = {
            peer
            for peer, meta in (entry.get("peerDependenciesMeta") or {}).items()
            if meta.get("optional")
        }
        pending += [(found, peer) for peer in peers if peer not in optional_peers]
    return seen


@pytest.fixture(scope="module")
def every_set() -> tuple[SpecV2, dict[str, File]]:
    spec = complete(EVERY_DEPENDENCY_SET)
    return spec, render(spec)


def test_the_dependency_set_spec_covers_every_set(
    every_set: tuple[SpecV2, dict[str, File]],
) -> None:
    spec, _ = every_set

    assert {
        name: service_context(spec, service)["npm_dependency_set"]
        for name, service in spec.services.items()
    } == SETS


@pytest.mark.parametrize("service", list(SETS), ids=list(SETS.values()))
def test_the_lockfile_installs_exactly_what_package_json_asks_for(
    service: str, every_set: tuple[SpecV2, dict[str, File]]
) -> None:
    _, files = every_set
    manifest = package(files, service)
    lock = json.loads(text(files, f"services/{service}/package-lock.json"))
    root = lock["packages"][""]

    assert (lock["name"], root["name"], lock["lockfileVersion"]) == (service, service, 3)
    assert root.get("dependencies", {}) == manifest.get("dependencies", {})
    assert root["devDependencies"] == manifest["devDependencies"]
    production = _closure(lock, root.get("dependencies", {}))
    everything = _closure(lock, {**root.get("dependencies", {}), **root["devDependencies"]})
    # Nothing extraneous; `npm ci --omit=dev` keeps exactly what production needs.
    assert everything == set(lock["packages"]) - {""}
    assert {path for path in everything if not lock["packages"][path].get("dev")} == production
    for path in everything:
        assert lock["packages"][path]["integrity"].startswith("sha512-"), path


def test_every_locked_package_runs_on_node_20(every_set: tuple[SpecV2, dict[str, File]]) -> None:
    _, files = every_set
    lock = json.loads(text(files, "services/web-db-sender/package-lock.json"))

    for path, entry in lock["packages"].items():
        engine = (entry.get("engines") or {}).get("node", "")
        assert not re.search(r"^>=\s*2[1-9]", engine), f"{path} needs Node {engine}"


@pytest.mark.slow
@pytest.mark.parametrize("service", list(SETS), ids=list(SETS.values()))
def test_npm_agrees_that_the_lockfile_matches_package_json(
    service: str, every_set: tuple[SpecV2, dict[str, File]], tmp_path: Path
) -> None:
    if shutil.which("npm") is None:
        pytest.skip("npm is not on PATH")
    _, files = every_set
    for name in ("package.json", "package-lock.json", ".npmrc"):
        (tmp_path / name).write_bytes(files[f"services/{service}/{name}"].content)

    process = subprocess.run(
        ["npm", "ci", "--dry-run", "--ignore-scripts", "--prefer-offline"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert process.returncode == 0, process.stderr


# --- What `sbh check` runs on them (slow): each check fails on what it guards.

SMALL = (
    """
apiVersion: sbh/v2
name: tiny
owner: acme
services:
  www: {kind: web, runtime: node, path: "/app/*", health_path: /app/health}
  chores: {kind: worker, runtime: node, queue: {visibility_timeout_seconds: 10, max_receive_count: 2}}
  sweep: {kind: job, runtime: node, timeout_minutes: 5}
database: null
"""
    + ENVIRONMENTS
)


def _tools() -> Tools:
    tools = Tools.from_environment()
    missing = [name for name in ("node", "npm") if tools.find(name) is None]
    if missing:
        pytest.skip(f"missing: {', '.join(missing)}")
    return tools


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("node") / "repo"
    write_repository(render(complete(SMALL)), directory, force=False, message="test")
    return directory


def edit(path: Path, old: str, new: str) -> None:
    content = path.read_text()
    assert old in content, f"{old!r} not in {path}"
    path.write_text(content.replace(old, new, 1))


def copy_of(pristine: Path, tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(pristine, repo, ignore=shutil.ignore_patterns(".git"))
    return repo


# Node services of every kind passing hadolint, app-tests and boot (with every other
# validator) is proven by test_v2_checks.py on the fixtures node-every-kind and
# python-and-node; the tests below break this small system's services one way each.


@pytest.mark.slow
def test_app_tests_fail_on_a_type_error_a_lint_error_and_a_failing_test(
    pristine: Path, tmp_path: Path
) -> None:
    repo = copy_of(pristine, tmp_path)
    edit(
        repo / "services/www/src/app.ts",
        "export const ROUTE_PREFIX",
        "export const ROUTE_PREFIX: number",
    )
    edit(
        repo / "services/chores/src/consumer.ts",
        "let failed = 0;",
        "let failed = 0;\n    debugger;",
    )
    edit(repo / "services/sweep/test/job.test.ts", "[EXIT_OK, 1]", "[EXIT_OK, 2]")

    result = check_repository(repo, tools=_tools(), only=["app-tests"]).result("app-tests")

    assert result.status == "failed"
    findings = "\n".join(result.findings)
    assert "services/www: `npm test` failed" in findings
    assert "TS2322" in findings  # tsc: the string is not a number
    assert "services/chores: `npm run lint` failed" in findings
    assert "no-debugger" in findings
    assert "services/sweep: `npm test` failed" in findings


@pytest.mark.slow
def test_boot_fails_on_an_unhealthy_web_service_a_worker_that_cannot_handle_and_a_failing_job(
    pristine: Path, tmp_path: Path
) -> None:
    repo = copy_of(pristine, tmp_path)
    edit(repo / "services/www/src/health.ts", 'status: "healthy",', 'status: "starting",')
    edit(
        repo / "services/chores/src/handler.ts",
        "  const payload = parse(message);\n",
        '  const payload = parse(message);\n  throw new Error("cannot handle anything");\n',
    )
    edit(
        repo / "services/sweep/src/job.ts",
        "  signal.throwIfAborted();\n",
        '  signal.throwIfAborted();\n  throw new Error("the job broke");\n',
    )

    result = check_repository(repo, tools=_tools(), only=["boot"]).result("boot")

    assert result.status == "failed"
    findings = "\n".join(result.findings)
    assert "services/www: GET /app/health answered 200" in findings
    assert "services/chores: the message on its queue was not handled" in findings
    assert "services/sweep: the job exited 1" in findings


@pytest.mark.slow
def test_without_node_the_node_services_are_skipped_saying_why(
    pristine: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no node, no npm

    report = check_repository(pristine, tools=Tools(()), only=["app-tests", "boot"])

    for validator in ("app-tests", "boot"):
        result = report.result(validator)
        assert result.status == "skipped", (validator, result.findings)
        for service in ("www", "chores", "sweep"):
            assert f"services/{service} (node): node and npm are not on PATH" in result.note


def test_spec_values_in_typescript_are_string_literals_never_comment_text() -> None:
    spec = (
        """
apiVersion: sbh/v2
name: xy
owner: acme
services:
  tick: {kind: job, runtime: node, schedule: "cron(*/5 * * * ? *)"}
  www: {kind: web, runtime: node, path: "/a/*"}
"""
        + ENVIRONMENTS
    )
    files = render(complete(spec))

    job = text(files, "services/tick/src/job.ts")
    assert 'export const SCHEDULE = "cron(*/5 * * * ? *)";' in job
    # `*/` in the schedule would end a block comment early: the doc comment ends where written.
    assert job.split("*/", 1)[1].startswith("\nimport ")
    app = text(files, "services/www/src/app.ts")
    assert 'export const LOAD_BALANCER_PATH = "/a/*";' in app
    assert app.split("*/", 1)[1].startswith("\nimport ")
