"""`sbh check` on services built from the person's own Dockerfile (`runtime: container`):
hadolint lints that Dockerfile where sbh.yaml says it is; where a container engine answers,
the image is built with its Dockerfile and context and booted (web, backend: its health path
answers 200) or run once (job); a missing Dockerfile or no engine is reported as not run, with
the reason, never as passed. The engine here is a stand-in `docker` that records its calls."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bot.flows.local_repository import write_repository
from renderers.checks import CheckResult, Tools, check_repository
from renderers.complete import complete_defaults
from renderers.render import render
from renderers.spec import load_spec

pytestmark = pytest.mark.slow

SPEC = """
apiVersion: sbh/v2
name: legacy
owner: acme
services:
  shop:
    kind: web
    runtime: container
    dockerfile: shop/Dockerfile
    port: 8080
    health_path: /status
  sweep:
    kind: job
    runtime: container
    dockerfile: docker/sweep.Dockerfile
    context: .
database: null
environments:
  prod: {aws_account_id: "222222222222", region: us-east-1, domain: legacy.acme.io}
"""

CLEAN_DOCKERFILE = 'FROM busybox:1.36\nUSER 10001\nCMD ["httpd", "-f"]\n'

# A stand-in for the docker client: `info` answers as FAKE_DOCKER_INFO says, every call is
# recorded in FAKE_DOCKER_LOG, `run` of a published port serves 200 on HEALTH_PATH until
# stopped, and `run` without one (a job) exits FAKE_DOCKER_EXIT.
FAKE_DOCKER = """#!{python}
import http.server, json, os, sys
arguments = sys.argv[1:]
with open(os.environ["FAKE_DOCKER_LOG"], "a") as log:
    log.write(json.dumps(arguments) + "\\n")
if arguments[0] == "info":
    if os.environ.get("FAKE_DOCKER_INFO") == "down":
        sys.exit("Cannot connect to the Docker daemon at unix:///var/run/docker.sock.")
    print("27.0.0")
elif arguments[0] == "build":
    sys.exit(os.environ.get("FAKE_DOCKER_BUILD") == "fails" and "COPY failed: no such file")
elif arguments[0] == "run":
    env = dict(a.split("=", 2)[1:] for a in arguments if a.startswith("--env="))
    published = [a for a in arguments if a.startswith("--publish=")]
    if not published:
        sys.exit(int(os.environ.get("FAKE_DOCKER_EXIT", "0")))
    port = int(published[0].split(":")[1])

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == env["HEALTH_PATH"] else 404)
            self.end_headers()

    http.server.HTTPServer(("127.0.0.1", port), Health).serve_forever()
"""


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    spec = complete_defaults(load_spec(SPEC, "spec.yaml"), "spec.yaml")
    write_repository(render(spec), tmp_path / "repo", force=False, message="test")
    return tmp_path / "repo"


@pytest.fixture
def docker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tools directory with the stand-in docker (and the real linters after it)."""
    bin_directory = tmp_path / "bin"
    bin_directory.mkdir()
    fake = bin_directory / "docker"
    fake.write_text(FAKE_DOCKER.replace("{python}", sys.executable))
    fake.chmod(0o755)
    monkeypatch.setenv("FAKE_DOCKER_LOG", str(tmp_path / "docker.log"))
    (tmp_path / "docker.log").write_text("")
    return bin_directory


def tools_with(bin_directory: Path) -> Tools:
    return Tools((bin_directory, *Tools.from_environment().directories))


def calls(docker: Path) -> list[list[str]]:
    log = docker.parent / "docker.log"
    return [json.loads(line) for line in log.read_text().splitlines()]


def add_dockerfiles(repository: Path, shop: str = CLEAN_DOCKERFILE) -> None:
    (repository / "shop").mkdir()
    (repository / "shop" / "Dockerfile").write_text(shop)
    (repository / "docker").mkdir()
    (repository / "docker" / "sweep.Dockerfile").write_text(
        'FROM busybox:1.36\nUSER 10001\nCMD ["true"]\n'
    )


def result(repository: Path, validator: str, tools: Tools) -> CheckResult:
    return check_repository(repository, tools=tools, only=[validator]).result(validator)


def test_a_fresh_repository_is_not_failed_for_the_dockerfile_only_the_person_can_add(
    repository: Path, docker: Path
) -> None:
    for validator in ("hadolint", "boot"):
        checked = result(repository, validator, tools_with(docker))
        assert (checked.status, checked.findings) == ("skipped", ()), validator
        assert "not run: services/shop (runtime: container): shop/Dockerfile is not in the" in (
            checked.note
        )
        assert "docker/sweep.Dockerfile is not in the repository yet" in checked.note
    assert calls(docker) == []  # nothing to build: the engine was not even asked


def test_hadolint_lints_the_persons_dockerfile_where_the_spec_says_it_is(
    repository: Path,
) -> None:
    tools = Tools.from_environment()
    if tools.find("hadolint") is None:
        pytest.skip("hadolint is not installed (make tools)")
    add_dockerfiles(repository, shop="FROM busybox\nRUN cd /tmp && echo hi\n")
    checked = result(repository, "hadolint", tools)
    assert checked.status == "failed"
    assert any(line.startswith("shop/Dockerfile:1 DL3006") for line in checked.findings)
    assert any("DL3003" in line for line in checked.findings)  # cd: use WORKDIR
    (repository / "shop" / "Dockerfile").write_text(CLEAN_DOCKERFILE)
    assert result(repository, "hadolint", tools).status == "passed"


def test_without_a_container_engine_the_image_is_skipped_with_the_reason(
    repository: Path, docker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_dockerfiles(repository)
    monkeypatch.setenv("FAKE_DOCKER_INFO", "down")
    checked = result(repository, "boot", tools_with(docker))
    assert (checked.status, checked.findings) == ("skipped", ())
    assert "no container engine answers `docker info` (Cannot connect to the Docker" in (
        checked.note
    )
    assert "services/shop (runtime: container)" in checked.note
    assert [call[0] for call in calls(docker)] == ["info"]  # asked once, built nothing


def test_with_an_engine_the_image_is_built_from_its_dockerfile_and_context_and_booted(
    repository: Path, docker: Path
) -> None:
    add_dockerfiles(repository)
    checked = result(repository, "boot", tools_with(docker))
    assert (checked.status, checked.findings, checked.note) == ("passed", (), "")
    builds = [call for call in calls(docker) if call[0] == "build"]
    assert [(call[1:3], call[-1]) for call in builds] == [
        (["--file", "shop/Dockerfile"], "shop"),
        (["--file", "docker/sweep.Dockerfile"], "."),
    ]
    runs = [call for call in calls(docker) if call[0] == "run"]
    shop = next(call for call in runs if "--env=APP_NAME=shop" in call)
    assert {"--env=PORT=8080", "--env=HEALTH_PATH=/status", "--env=APP_ENV=check"} <= set(shop)
    assert any(argument.endswith(":8080") for argument in shop if "--publish=" in argument)
    sweep = next(call for call in runs if "--env=APP_NAME=sweep" in call)
    assert any(argument.startswith("--env=JOB_TIMEOUT_SECONDS=") for argument in sweep)
    assert not any(argument.startswith("--publish") for argument in sweep)
    removed = [call for call in calls(docker) if call[:2] == ["image", "rm"]]
    assert len(removed) == 2  # the check leaves no image behind


def test_an_image_that_does_not_build_or_a_job_that_fails_fails_the_boot(
    repository: Path, docker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_dockerfiles(repository)
    monkeypatch.setenv("FAKE_DOCKER_EXIT", "3")
    checked = result(repository, "boot", tools_with(docker))
    assert checked.status == "failed"
    assert "services/sweep: the job exited 3" in checked.findings
    monkeypatch.setenv("FAKE_DOCKER_BUILD", "fails")
    checked = result(repository, "boot", tools_with(docker))
    assert "services/shop: `docker build --file shop/Dockerfile shop` failed" in checked.findings
    assert any("COPY failed" in line for line in checked.findings)
