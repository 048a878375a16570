"""The real thing over HTTP: `sbh serve` (service and worker) with GITHUB_API_URL pointing at
a stateful fake GitHub; a signed `issues.opened` webhook with a spec ends in a repository
holding the rendered tree and a sticky comment on the issue. `make e2e` runs this file."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.adapters.github import GitHubAdapter, make_client
from bot.db.database import Database
from bot.db.migrate import upgrade_to_head
from bot.db.systems import SystemsRepository
from bot.flows.build import Origin, build_system
from bot.settings import Settings
from renderers.complete import complete_defaults
from renderers.render import render
from renderers.spec import load_spec
from tests.bot.events import HUB, example, signed_headers
from tests.bot.serving import app_settings, ready
from tests.conftest import EXAMPLE_SPEC, REPO_ROOT
from tests.fakes.github_http import FakeGitHubHttp, serving
from tests.fakes.http_server import free_port

pytestmark = pytest.mark.slow
MANY_FILES_SPEC = REPO_ROOT / "tests" / "fixtures" / "specs" / "three-environments.yaml"


@pytest.fixture
def fake_github() -> Iterator[tuple[FakeGitHubHttp, str]]:
    github = FakeGitHubHttp()
    with serving(github) as url:
        yield github, url


def first_build_requests(
    api_url: str, github: FakeGitHubHttp, spec_path: Path, tmp_path: Path
) -> list[str]:
    settings = Settings.model_validate(app_settings(api_url))
    client = make_client(settings)
    adapter = GitHubAdapter(client.with_auth(client.auth.as_installation(1)), transient_delays=())
    database = Database(f"sqlite:///{tmp_path / (spec_path.stem + '.db')}")
    upgrade_to_head(database)
    spec = complete_defaults(load_spec(spec_path.read_text(), spec_path.name))
    before = len(github.requests)
    origin = Origin(repository=HUB, trigger="command", issue_number=1)
    build_system(adapter, SystemsRepository(database), spec, origin)
    database.dispose()
    return [request for request in github.requests[before:] if "/access_tokens" not in request]


def test_a_first_build_takes_a_constant_number_of_requests(
    fake_github: tuple[FakeGitHubHttp, str], tmp_path: Path
) -> None:
    github, url = fake_github

    small = first_build_requests(url, github, EXAMPLE_SPEC, tmp_path)
    large = first_build_requests(url, github, MANY_FILES_SPEC, tmp_path)

    def repository_and_commit(requests: list[str]) -> list[str]:
        return [r for r in requests if "/environments/" not in r]

    # Repository + one commit: the same requests whatever the number of files.
    assert len(repository_and_commit(small)) == len(repository_and_commit(large)) <= 12
    assert len(render(complete_defaults(load_spec(MANY_FILES_SPEC.read_text())))) > len(
        render(complete_defaults(load_spec(EXAMPLE_SPEC.read_text())))
    )
    # Environments and their variables: one PUT and seven POSTs per environment.
    assert len(small) - len(repository_and_commit(small)) == 2 * (1 + 7)
    assert len(large) - len(repository_and_commit(large)) == 3 * (1 + 7)
    assert "POST /repos/acme/orders-api/git/trees" in small
    assert small.count("POST /repos/acme/orders-api/git/commits") == 1


def test_a_signed_spec_issue_ends_in_a_repository_and_a_sticky_comment(
    fake_github: tuple[FakeGitHubHttp, str], tmp_path: Path
) -> None:
    github, api_url = fake_github
    github.add_repository(HUB, {".github/sbh.yml": b"auto_build:\n  issues: true\n"})
    port = free_port()
    environment = {
        "PATH": os.environ["PATH"],
        **app_settings(api_url),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sbh.db'}",
        "SBH_AUTO_MIGRATE": "true",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: ready(port), "sbh serve did not become ready", server)
        payload: dict[str, Any] = copy.deepcopy(example("issues", "opened"))
        payload["repository"].update(full_name=HUB, name="platform-requests")
        payload["installation"] = {"id": 4242}
        payload["issue"].update(
            number=12, labels=[], body=f"Please build:\n\n```yaml\n{EXAMPLE_SPEC.read_text()}```\n"
        )
        body = json.dumps(payload).encode()
        response = httpx.post(
            f"http://127.0.0.1:{port}/api/github/webhooks",
            content=body,
            headers=signed_headers(body, "issues", "e2e-issue-1"),
        )
        assert response.status_code == 202

        def built() -> bool:
            state = httpx.get(f"{api_url}/_state").json()
            comments = state["comments"].get(f"{HUB}#12", [])
            return any("SBH built" in comment["body"] for comment in comments)

        wait_for(built, "no repository was built", server, seconds=60)
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)

    state = httpx.get(f"{api_url}/_state").json()
    repository = state["repositories"]["acme/orders-api"]
    expected = render(complete_defaults(load_spec(EXAMPLE_SPEC.read_text())))
    assert set(repository["files"]) == set(expected)
    assert repository["files"]["sbh.yaml"]["content"] == expected["sbh.yaml"].content.decode()
    assert repository["modes"]["infra/scripts/setup-oidc.sh"] == "100755"
    assert repository["commits"] == 2  # GitHub's auto_init commit, then SBH's one commit
    assert set(repository["environments"]) == {"dev", "prod"}
    (comment,) = state["comments"][f"{HUB}#12"]
    assert comment["body"].startswith("<!-- sbh:status -->")
    assert state["labels"][f"{HUB}#12"] == ["sbh:built"]
    assert "ghs_fake" not in errors
    assert "PRIVATE KEY" not in errors


def wait_for(
    condition: Any, message: str, server: subprocess.Popen[str], seconds: float = 30
) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if server.poll() is not None:
            pytest.fail(
                f"{message}: sbh serve exited\n{server.stderr.read() if server.stderr else ''}"
            )
        if time.monotonic() > deadline:
            pytest.fail(message)
        time.sleep(0.2)


def test_app_manifest_serve_registers_the_app_and_stores_its_credentials(
    fake_github: tuple[FakeGitHubHttp, str], tmp_path: Path
) -> None:
    _, api_url = fake_github
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "app-manifest",
            "--org",
            "acme",
            "--url",
            "https://sbh.acme.io",
            "--serve",
            "--port",
            str(port),
            "--out-dir",
            str(tmp_path / "creds"),
        ],
        env={
            "PATH": os.environ["PATH"],
            "GITHUB_API_URL": api_url,
            "GITHUB_WEB_URL": "https://github.test",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=2).text
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the registration page did not come up"
                time.sleep(0.1)
        action = page.split('action="')[1].split('"')[0].replace("&amp;", "&")
        assert action.startswith("https://github.test/organizations/acme/settings/apps/new?state=")
        state = action.split("state=")[1]
        manifest = json.loads(
            page.split('name="manifest" value="')[1].split('"')[0].replace("&quot;", '"')
        )
        assert manifest["hook_attributes"]["url"] == "https://sbh.acme.io/api/github/webhooks"
        assert manifest["callback_urls"] == ["https://sbh.acme.io/api/auth/callback"]
        assert manifest["default_permissions"]["workflows"] == "write"
        wrong = httpx.get(
            f"http://127.0.0.1:{port}/callback", params={"code": "good-code", "state": "forged"}
        )
        assert wrong.status_code == 404
        # GitHub redirects the browser back with the one-time code.
        httpx.get(f"http://127.0.0.1:{port}/callback", params={"code": "good-code", "state": state})
        output, errors = process.communicate(timeout=30)
    finally:
        process.kill()

    assert process.returncode == 0, errors
    assert "Created GitHub App system-builder-hub-acme (id 4321)" in output
    settings = (tmp_path / "creds" / "github-app.env").read_text()
    assert "GITHUB_APP_ID=4321" in settings
    assert "GITHUB_WEBHOOK_SECRET=fake-webhook-secret" in settings
    assert "GITHUB_CLIENT_ID=Iv1.fakeclientid" in settings
    assert "GITHUB_CLIENT_SECRET=fake-client-secret" in settings
    for written in (tmp_path / "creds").iterdir():
        assert written.stat().st_mode & 0o777 == 0o600
    for secret in ("fake-webhook-secret", "fake-client-secret"):
        assert secret not in output  # secrets go to the file, not the terminal
