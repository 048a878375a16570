"""Running and operating the service from the command line, as an operator would."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.intake.signature import sign_sha256
from tests.bot.events import WEBHOOK_SECRET
from tests.bot.serving import ready


def sbh(
    *arguments: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "SBH_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sbh.db'}",
        "GITHUB_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post_delivery(port: int, event: str, delivery_id: str, payload: dict[str, object]) -> int:
    body = json.dumps(payload).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/github/webhooks",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery_id,
            "X-Hub-Signature-256": sign_sha256(WEBHOOK_SECRET.encode(), body),
        },
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return int(response.status)


def test_migrate_status_deliveries_and_replay(environment: dict[str, str]) -> None:
    assert sbh("migrate", env=environment).stdout.strip() == "database schema is current"
    assert "queue: 0 pending" in sbh("status", env=environment).stdout

    missing = sbh("replay", "no-such-delivery", env=environment)

    assert missing.returncode == 1
    assert "no delivery no-such-delivery" in missing.stderr


@pytest.mark.slow
def test_sbh_serve_stores_a_delivery_and_its_worker_processes_it(
    environment: dict[str, str],
) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)],
        env={**environment, "SBH_AUTO_MIGRATE": "true"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/readyz", timeout=2
                ) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("sbh serve did not become ready")
                time.sleep(0.2)
        status = post_delivery(
            port,
            "installation",
            "e2e-1",
            {
                "action": "created",
                "installation": {"id": 77, "account": {"login": "acme", "id": 1, "type": "User"}},
            },
        )
        deadline = time.monotonic() + 15
        while "processed" not in (listing := sbh("deliveries", env=environment).stdout):
            assert time.monotonic() < deadline, listing
            time.sleep(0.3)
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)

    assert status == 202
    assert "e2e-1" in listing
    assert "job.done" in errors
    # Uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status shows it.
    assert "worker.stopped" in errors
    assert server.returncode in (0, -15)
    replayed = sbh("replay", "e2e-1", env=environment)
    assert replayed.returncode == 0
    assert "queued again" in replayed.stdout


@pytest.mark.slow
def test_sbh_serve_believes_no_forwarded_address_from_a_client_that_is_no_trusted_proxy(
    environment: dict[str, str],
) -> None:
    # From this machine in local mode, a forged X-Forwarded-For must not make SBH see
    # another client (nor let one client pose as many past the rate limits).
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)],
        env={**environment, "SBH_AUTO_MIGRATE": "true", "SBH_WORKER_IN_PROCESS": "false"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not ready(port):
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail("sbh serve did not become ready")
            time.sleep(0.2)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/session",
            headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            session = json.load(response)
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert session["mode"] == "local"
