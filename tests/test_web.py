"""The web app: its component tests (Vitest) pass, it builds, its API types are the ones the
server's OpenAPI description generates, and `sbh serve` serves it at / with a strict
Content-Security-Policy, beside the API."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.db.database import Database
from bot.db.migrate import upgrade_to_head
from bot.settings import Settings
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow
WEB = REPO_ROOT / "web"


@pytest.fixture(scope="module")
def built() -> Path:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: the web app cannot be built here")
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=WEB, check=True, timeout=600
    )
    subprocess.run([npm, "run", "build", "--silent"], cwd=WEB, check=True, timeout=600)
    return WEB / "dist"


def test_the_component_tests_pass(built: Path) -> None:
    npm = shutil.which("npm")
    assert npm is not None
    result = subprocess.run(
        [npm, "test", "--silent"], cwd=WEB, capture_output=True, text=True, timeout=600
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "failed" not in result.stdout.lower()


def test_the_api_types_are_generated_from_the_committed_openapi_description(built: Path) -> None:
    # The committed description is the service's own (tests/bot/api/test_openapi.py); here
    # the TypeScript generated from it must be what is committed.
    npm = shutil.which("npm")
    assert npm is not None
    result = subprocess.run(
        [npm, "run", "--silent", "api-types:check"],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, (
        "web/src/lib/api-types.ts is stale: run `make api-types`\n" + result.stdout + result.stderr
    )


def test_sbh_serves_the_web_app_at_the_root_with_a_strict_policy(
    built: Path, tmp_path: Path
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'sbh.db'}")
    upgrade_to_head(database)
    settings = Settings.model_validate(
        {"SBH_ENV": "development", "SBH_WEB_DIST": str(built), "SBH_HEALTH_PROBE_SECONDS": "0"}
    )

    with TestClient(create_app(settings, database=database, run_worker=False)) as client:
        page = client.get("/")
        health = client.get("/api/ai-chat/health")
        missing = client.get("/no-such-page")

    assert page.status_code == 200
    assert '<div id="root"></div>' in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert health.json()["status"] == "healthy"
    assert health.headers["x-content-type-options"] == "nosniff"
    assert missing.status_code == 404
    database.dispose()
