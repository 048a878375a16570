"""SBH deploys itself with the pipeline it gives every system: its infra/envs, setup-oidc.sh
and build, deploy, infra and drift workflows are rendered from deploy/sbh.yaml by the same templates, call the
same shared modules, and pass the same validators."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from renderers.checks import Tools, check_repository
from renderers.render import V1_MODULES
from renderers.render_v2 import V2_MODULES
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow
REPOSITORY_VALIDATORS = [
    "terraform-references",
    "security-policy",
    "terraform-fmt",
    "actionlint",
    "workflow-schema",
    "zizmor",
    "hadolint",
    "shellcheck",
    "checkov",
]


def test_sbhs_own_deployment_is_what_its_spec_renders() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/self_render.py", "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout


def test_the_envs_use_the_shared_modules_and_no_module_is_copied() -> None:
    # SBH is one web service: it deploys itself with exactly the modules an sbh/v1 system
    # receives; the modules sbh/v2 adds (per kind) are the generated systems' only.
    sources = set()
    for main in (REPO_ROOT / "infra" / "envs").glob("*/main.tf"):
        sources |= set(re.findall(r'source\s*=\s*"([^"]+)"', main.read_text()))
    modules = {path.name for path in (REPO_ROOT / "infra" / "modules").iterdir() if path.is_dir()}

    assert sources == {f"../../modules/{name}" for name in V1_MODULES}
    assert set(V1_MODULES) | set(V2_MODULES) == modules
    tracked = subprocess.run(
        ["git", "ls-files", "*.tf"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    resource_files = [path for path in tracked if 'resource "' in (REPO_ROOT / path).read_text()]
    assert all(path.startswith("infra/modules/") for path in resource_files), resource_files


def test_sbhs_own_terraform_workflows_dockerfile_and_scripts_pass_the_validators() -> None:
    tools = Tools.from_environment()
    if tools.find("checkov") is None and not (
        os.environ.get("CI") or os.environ.get("SBH_TOOLS_BIN")
    ):
        pytest.skip("validators missing; run `make tools` (make test does)")

    report = check_repository(REPO_ROOT, tools=tools, only=REPOSITORY_VALIDATORS)

    failures = {r.validator: r.findings for r in report.results if r.status == "failed"}
    assert failures == {}
    assert {r.validator for r in report.results if r.status == "skipped"} <= {"terraform-fmt"}


def test_the_image_builds_and_answers_healthy_where_docker_runs(tmp_path: Path) -> None:
    docker = shutil.which("docker")
    usable = (
        docker is not None
        and subprocess.run(
            [docker, "info"], capture_output=True, check=False, timeout=30
        ).returncode
        == 0
    )
    if not usable:
        message = (
            "no usable Docker daemon on this machine: the image build and boot are not tested here"
        )
        print(message)  # shown with -rs in the summary too
        pytest.skip(message)
    assert docker is not None
    subprocess.run([docker, "build", "-t", "sbh:test", "."], cwd=REPO_ROOT, check=True, timeout=900)
    container = subprocess.run(
        [
            docker,
            "run",
            "-d",
            "-p",
            "18000:8000",
            "-e",
            "SBH_ENV=development",
            "-e",
            "GITHUB_WEBHOOK_SECRET=x",
            "-e",
            "DATABASE_URL=sqlite:////tmp/sbh.db",
            "sbh:test",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    "http://127.0.0.1:18000/api/ai-chat/health", timeout=3
                ) as response:
                    assert b'"status":"healthy"' in response.read().replace(b" ", b"")
                    break
            except OSError:
                assert time.monotonic() < deadline, "the container did not answer its health check"
                time.sleep(1)
    finally:
        subprocess.run([docker, "rm", "-f", container], check=False)
