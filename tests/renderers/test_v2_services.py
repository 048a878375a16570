"""The services of an sbh/v2 repository: each kind's code, tests, image and local commands.

Fast tests read the rendered files; slow ones run what `sbh check` runs on them (each
service's tests, each service booted or run as its kind allows, hadolint on each Dockerfile)
and prove each of those fails on what it guards.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from bot.flows.local_repository import write_repository
from renderers.checks import CheckReport, Tools, check_repository, system_services
from renderers.complete import complete_defaults
from renderers.render import File, render
from renderers.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
SERVICE_VALIDATORS = ["hadolint", "app-tests", "boot"]

ENVIRONMENTS = """
environments:
  dev: {aws_account_id: "111111111111", region: us-west-2, domain: x.dev.acme.io}
"""


def with_environments(services: str) -> str:
    return services + ENVIRONMENTS


SPECS: dict[str, str] = {
    "shop": (ROOT / "examples" / "shop.yaml").read_text(encoding="utf-8"),
    "web-alone": with_environments("""
apiVersion: sbh/v2
name: site
owner: acme
services:
  www: {kind: web}
database: null
"""),
    "backend-alone": with_environments("""
apiVersion: sbh/v2
name: inventory
owner: acme
services:
  stock: {kind: backend, port: 9100, health_path: /internal/ping}
"""),
    "worker-alone": with_environments("""
apiVersion: sbh/v2
name: mail
owner: acme
services:
  sender: {kind: worker, queue: {visibility_timeout_seconds: 10, max_receive_count: 2}}
database: null
"""),
    "job-alone": with_environments("""
apiVersion: sbh/v2
name: reports
owner: acme
services:
  nightly-export: {kind: job, schedule: "rate(1 hour)", timeout_minutes: 5}
storage: {buckets: [exports]}
"""),
    "site-alone": with_environments("""
apiVersion: sbh/v2
name: brochure
owner: acme
services:
  www: {kind: static-site, output: public}
database: null
"""),
    # A worker that calls a backend; hyphenated names; an exact web path; nothing uses the
    # database but the backend.
    "mixed": with_environments("""
apiVersion: sbh/v2
name: orders
owner: acme
services:
  front: {kind: web, path: "/app/*", health_path: /app/healthz, uses: [price-api, fulfil]}
  price-api: {kind: backend, uses: [database]}
  fulfil: {kind: worker, uses: [price-api, receipts]}
  cleanup: {kind: job, uses: []}
  hook: {kind: web, path: /hook, health_path: /hook, uses: []}
  docs: {kind: static-site, source: site/docs, output: build/html}
storage: {buckets: [receipts]}
"""),
}


def rendered(name: str) -> dict[str, File]:
    spec = complete_defaults(load_spec(SPECS[name], f"{name}.yaml"), f"{name}.yaml")
    return render(spec)


def text(files: dict[str, File], path: str) -> str:
    return files[path].content.decode("utf-8")


# --- What each kind gets (fast: the rendered files).


@pytest.mark.parametrize("name", list(SPECS))
def test_every_container_service_has_code_tests_image_and_commands(name: str) -> None:
    files = rendered(name)
    spec = complete_defaults(load_spec(SPECS[name], "s.yaml"), "s.yaml")

    for service in spec.container_services:
        directory = service.directory
        for path in (
            "Dockerfile",
            "Makefile",
            "requirements.txt",
            "requirements-dev.txt",
            "pytest.ini",
            ".dockerignore",
            "README.md",
            "app/settings.py",
            "tests/test_settings.py",
        ):
            assert f"{directory}/{path}" in files, f"{directory}/{path}"
        dockerfile = text(files, f"{directory}/Dockerfile")
        assert "USER 10001" in dockerfile
        assert dockerfile.count("FROM ") == 2  # multi-stage
        makefile = text(files, f"{directory}/Makefile")
        assert re.search(r"^test: ", makefile, re.M)
        assert re.search(r"^lint: ", makefile, re.M)


def test_web_and_backend_listen_on_their_port_with_a_healthcheck() -> None:
    files = rendered("shop")

    for service, port in (("api", 8000), ("catalog", 8001)):
        dockerfile = text(files, f"services/{service}/Dockerfile")
        assert f"EXPOSE {port}\n" in dockerfile
        assert "HEALTHCHECK" in dockerfile
        assert "uvicorn app.main:app" in dockerfile


def test_workers_and_jobs_open_no_port_and_run_their_module() -> None:
    files = rendered("shop")

    for service in ("mailer", "nightly"):
        dockerfile = text(files, f"services/{service}/Dockerfile")
        assert "EXPOSE" not in dockerfile
        assert "HEALTHCHECK" not in dockerfile
        assert 'CMD ["python", "-m", "app"]' in dockerfile


def test_a_web_service_serves_its_routes_under_its_load_balancer_path() -> None:
    files = rendered("mixed")

    assert "ROUTE_PREFIX = '/app'" in text(files, "services/front/app/main.py")
    assert "ROUTE_PREFIX = ''" in text(rendered("web-alone"), "services/www/app/main.py")
    assert "HEALTH_PATH = '/app/healthz'" in text(files, "services/front/app/settings.py")


def test_a_service_is_told_the_urls_of_the_backends_and_workers_it_uses() -> None:
    files = rendered("mixed")

    front = text(files, "services/front/app/settings.py")
    assert "'price-api': 'PRICE_API_URL'" in front
    assert "'fulfil': 'FULFIL_QUEUE_URL'" in front
    worker = text(files, "services/fulfil/app/settings.py")
    assert "'price-api': 'PRICE_API_URL'" in worker
    assert "'receipts': 'BUCKET_RECEIPTS'" in worker
    assert "services/fulfil/app/backends.py" in files


def test_a_service_that_uses_nothing_gets_no_clients_and_no_drivers() -> None:
    files = rendered("mixed")

    for path in ("app/backends.py", "app/queues.py", "app/database.py", "tests/conftest.py"):
        assert f"services/cleanup/{path}" not in files
    requirements = text(files, "services/cleanup/requirements.txt")
    assert "boto3" not in requirements
    assert "psycopg" not in requirements
    assert "psycopg[binary]" in text(files, "services/price-api/requirements.txt")
    assert "def database_url_from" in text(files, "services/price-api/app/settings.py")


def test_a_worker_tests_against_a_local_sqs_server() -> None:
    files = rendered("worker-alone")

    assert "moto[server]" in text(files, "services/sender/requirements-dev.txt")
    assert "boto3" in text(files, "services/sender/requirements.txt")
    assert "ThreadedMotoServer" in text(files, "services/sender/tests/conftest.py")


def test_a_job_enforces_its_timeout() -> None:
    files = rendered("job-alone")

    assert "DEFAULT_TIMEOUT_SECONDS = 300" in text(files, "services/nightly-export/app/settings.py")
    assert "signal.alarm" in text(files, "services/nightly-export/app/job.py")


def test_a_static_site_builds_into_its_spec_output_from_its_spec_source() -> None:
    files = rendered("mixed")

    assert 'path.join(ROOT, "build/html")' in text(files, "site/docs/build.mjs")
    assert "/build/html/" in text(files, "site/docs/.gitignore")
    assert {
        "site/docs/package.json",
        "site/docs/package-lock.json",
        "site/docs/pages/index.html",
        "site/docs/test/build.test.mjs",
    } <= set(files)
    assert not [path for path in files if path.startswith("services/docs")]


def test_make_run_starts_every_web_and_backend_service_and_nothing_else() -> None:
    makefile = text(rendered("shop"), "Makefile")

    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "$(MAKE) -C services/api run &" in run
    assert "$(MAKE) -C services/catalog run &" in run
    assert "mailer" not in run
    assert "nightly" not in run
    assert "trap 'kill 0' INT TERM" in run
    # A backend's users reach it on this machine where make run starts it.
    assert "export CATALOG_URL ?= http://127.0.0.1:8001" in text(
        rendered("shop"), "services/api/Makefile"
    )


def test_make_test_runs_every_service_and_the_repositorys_own_tests() -> None:
    makefile = text(rendered("shop"), "Makefile")

    test = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    for service in ("api", "catalog", "mailer", "nightly"):
        assert f"$(MAKE) -C services/{service} test" in test
    assert "cd storefront && npm ci && npm test" in test
    assert "$(BIN)/pytest -q tests" in test


def test_the_checks_read_the_services_from_sbh_yaml(tmp_path: Path) -> None:
    write_repository(rendered("mixed"), tmp_path / "repo", force=False, message="test")

    services = system_services(tmp_path / "repo")

    assert services is not None
    assert {(s.name, s.kind, s.directory) for s in services} == {
        ("front", "web", "services/front"),
        ("price-api", "backend", "services/price-api"),
        ("fulfil", "worker", "services/fulfil"),
        ("cleanup", "job", "services/cleanup"),
        ("hook", "web", "services/hook"),
        ("docs", "static-site", "site/docs"),
    }


# --- What `sbh check` runs on them (slow).


def _tools() -> Tools:
    tools = Tools.from_environment()
    missing = [name for name in ("hadolint", "node", "npm") if tools.find(name) is None]
    if missing:
        if os.environ.get("CI") or os.environ.get("SBH_TOOLS_BIN"):
            pytest.fail(f"missing: {', '.join(missing)} (make tools)")
        pytest.skip(f"missing: {', '.join(missing)}")
    return tools


def render_into(name: str, directory: Path) -> Path:
    write_repository(rendered(name), directory, force=False, message="test")
    return directory


def render_and_check(name: str, root: Path, tools: Tools) -> tuple[str, CheckReport]:
    directory = render_into(name, root / name)
    return name, check_repository(directory, tools=tools, only=SERVICE_VALIDATORS)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CheckReport]:
    tools = _tools()
    root = tmp_path_factory.mktemp("services")
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(render_and_check, name, root, tools) for name in NOT_IN_THE_FIXTURES]
        return dict(future.result() for future in futures)


# test_v2_checks.py runs every validator on the v2 fixture specs (each kind alone, mixes);
# these two have shapes no fixture has.
NOT_IN_THE_FIXTURES = ("backend-alone", "mixed")


@pytest.mark.slow
@pytest.mark.parametrize("name", NOT_IN_THE_FIXTURES)
def test_every_service_passes_its_tests_boots_and_lints(
    name: str, reports: dict[str, CheckReport]
) -> None:
    report = reports[name]

    assert {r.validator: (r.status, r.findings, r.note) for r in report.results} == {
        validator: ("passed", (), "") for validator in SERVICE_VALIDATORS
    }


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_into("mixed", tmp_path_factory.mktemp("pristine") / "repo")


def edit(path: Path, old: str, new: str) -> None:
    content = path.read_text()
    assert old in content, f"{old!r} not in {path}"
    path.write_text(content.replace(old, new, 1))


def break_backend_health(repo: Path) -> None:
    edit(repo / "services/price-api/app/health.py", '"status": "healthy",', '"status": "starting",')


def break_worker_handler(repo: Path) -> None:
    edit(
        repo / "services/fulfil/app/handler.py",
        "    payload = parse(message)\n",
        "    payload = parse(message)\n    raise RuntimeError('cannot handle anything')\n",
    )


def break_job(repo: Path) -> None:
    edit(
        repo / "services/cleanup/app/job.py",
        '    logger.info("%s ran in %s", settings.app_name, settings.app_env)',
        '    raise RuntimeError("the job broke")',
    )


def break_worker_shutdown(repo: Path) -> None:
    edit(repo / "services/fulfil/app/worker.py", "    return EXIT_OK\n", "    return 3\n")


def break_service_test(repo: Path) -> None:
    edit(
        repo / "services/hook/tests/test_health.py",
        'assert response.json()["status"] == "healthy"',
        'assert response.json()["status"] == "sick"',
    )


def break_site_build(repo: Path) -> None:
    (repo / "site/docs/pages/index.html").unlink()


def break_service_dockerfile(repo: Path) -> None:
    edit(repo / "services/fulfil/Dockerfile", "USER 10001", "USER root")


BREAKAGES = [
    (break_backend_health, "boot", "services/price-api: GET /health answered 200"),
    (break_worker_handler, "boot", "services/fulfil: the message on its queue was not handled"),
    (break_worker_shutdown, "boot", "services/fulfil: the worker exited 3 on SIGTERM"),
    (break_job, "boot", "services/cleanup: the job exited 1"),
    (break_service_test, "app-tests", "services/hook: "),
    (break_site_build, "app-tests", "site/docs: `npm test` failed"),
    (break_service_dockerfile, "hadolint", "services/fulfil/Dockerfile"),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("breakage", "validator", "expected"),
    BREAKAGES,
    ids=[f"{validator}:{breakage.__name__}" for breakage, validator, _ in BREAKAGES],
)
def test_each_service_check_fails_on_what_it_guards(
    breakage: Callable[[Path], None],
    validator: str,
    expected: str,
    pristine: Path,
    tmp_path: Path,
) -> None:
    tools = _tools()
    repo = tmp_path / "repo"
    shutil.copytree(pristine, repo, ignore=shutil.ignore_patterns(".git"))

    breakage(repo)
    result = check_repository(repo, tools=tools, only=[validator]).result(validator)

    assert result.status == "failed"
    assert any(expected in finding for finding in result.findings), result.findings


@pytest.mark.slow
def test_a_static_site_without_node_is_skipped_saying_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = render_into("site-alone", tmp_path / "repo")
    monkeypatch.setenv("PATH", str(tmp_path))  # no node, no npm

    result = check_repository(repo, tools=Tools(()), only=["app-tests"]).result("app-tests")

    assert result.status == "skipped"
    assert "services/www (static site): node and npm are not on PATH" in result.note


@pytest.mark.slow
def test_the_rendered_services_pass_their_own_linter(pristine: Path) -> None:
    for service in ("front", "price-api", "fulfil", "cleanup", "hook"):
        process = subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "app", "tests"],
            cwd=pristine / "services" / service,
            capture_output=True,
            text=True,
            check=False,
        )
        assert process.returncode == 0, process.stdout
