"""SBH as several replicas: two `sbh serve` and two `sbh worker` processes against one
PostgreSQL and a fake GitHub over HTTP. Every interval each deployed environment is probed
once between them all; a fleet upgrade opens each pull request once; and when one process is
killed in the middle of an upgrade, its job is taken over, not lost.

Needs SBH_TEST_DATABASE_URL (PostgreSQL; CI sets it); skipped without it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.database import Database
from bot.db.models import Base, Deployment, Job
from bot.db.systems import SystemsRepository
from bot.flows.fleet import JOB_KIND, UPGRADE_BRANCH, enqueue_upgrades, progress
from bot.jobs.queue import JobQueue
from tests.bot.flows.fleet_systems import seed
from tests.bot.serving import app_settings, ready
from tests.conftest import REPO_ROOT
from tests.fakes.github_http import FakeGitHubHttp, serving
from tests.fakes.http_server import free_port

pytestmark = pytest.mark.slow
SYSTEMS = 8
ENVIRONMENTS = 2 * SYSTEMS
INTERVAL_SECONDS = 3.0


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def events(log: Path, name: str) -> list[dict[str, Any]]:
    found = []
    for line in log.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("event") == name:
            found.append(entry)
    return found


class Replicas:
    """The processes, each logging (JSON lines) to a file of its own."""

    def __init__(self, environment: dict[str, str], logs: Path) -> None:
        self.environment = environment
        self.logs = logs
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *arguments: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", *arguments],
            env=self.environment,
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        self.processes[name] = process
        return process

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    def events(self, name: str) -> list[dict[str, Any]]:
        return [entry for log in self.logs.glob("*.log") for entry in events(log, name)]


@pytest.fixture
def database(postgres_database_url: str) -> Iterator[Database]:
    database = Database(postgres_database_url)
    with database.session() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())
    yield database
    database.dispose()


def test_replicas_probe_once_per_interval_and_upgrade_once_even_when_one_is_killed(
    database: Database, postgres_database_url: str, tmp_path: Path
) -> None:
    github = FakeGitHubHttp()
    with serving(github) as api_url:
        systems = SystemsRepository(database)
        for number in range(SYSTEMS):
            seed(github, systems, f"system-{number:02}")
        with database.session() as session:
            session.add_all(
                Deployment(system_id=record.id, environment=environment, state="success")
                for record in systems.every()
                for environment in ("dev", "prod")
            )
        environment = {
            "PATH": os.environ["PATH"],
            **app_settings(api_url),
            "DATABASE_URL": postgres_database_url,
            "SBH_AUTO_MIGRATE": "false",
            "SBH_HEALTH_PROBE_SECONDS": str(INTERVAL_SECONDS),
            "SBH_SCHEDULE_TICK_SECONDS": "0.3",
            "SBH_JOB_LEASE_SECONDS": "3",
            "SBH_WORKER_THREADS": "2",
            "LOG_LEVEL": "debug",
        }
        replicas = Replicas(environment, tmp_path)
        ports = [free_port(), free_port()]
        try:
            for index, port in enumerate(ports):
                replicas.start(f"serve-{index}", "serve", "--port", str(port))
            workers = [replicas.start(f"worker-{index}", "worker") for index in range(2)]
            wait_for(lambda: all(ready(port) for port in ports), 60, "sbh serve to be ready")
            started = time.time()
            # Three whole intervals of probes, all four replicas running.
            time.sleep(INTERVAL_SECONDS * 3.5)

            queue = JobQueue(database)
            queued = enqueue_upgrades(queue, systems.every())
            victim = workers[0]

            def holds_an_upgrade() -> bool:
                with database.read() as connection:
                    return bool(
                        connection.scalar(
                            select(Job.id).where(
                                Job.kind == JOB_KIND,
                                Job.status == "running",
                                Job.locked_by.like(f"%:{victim.pid}:%"),
                            )
                        )
                    )

            wait_for(holds_an_upgrade, 60, "a worker to take an upgrade")
            killed_at = time.time()
            victim.send_signal(signal.SIGKILL)
            wait_for(
                lambda: progress(queue, queued.keys)["done"] == SYSTEMS,
                120,
                "every upgrade to be done",
            )
        finally:
            replicas.stop()

    # Probes: each environment exactly once in every interval that passed before the kill.
    probed = Counter(
        (entry["system_id"], entry["environment"], entry["interval"])
        for entry in replicas.events("health.probed")
    )
    whole = [
        number
        for number in range(
            int(started // INTERVAL_SECONDS) + 1, int(killed_at // INTERVAL_SECONDS)
        )
    ]
    assert len(whole) >= 2
    for number in whole:
        this_interval = {key: count for key, count in probed.items() if key[2] == number}
        assert len(this_interval) == ENVIRONMENTS, number
        assert set(this_interval.values()) == {1}, number
    rounds = Counter(entry["key"] for entry in replicas.events("schedule.enqueued"))
    assert rounds
    assert set(rounds.values()) == {1}  # one replica's insert won each round

    # Upgrades: all done, each pull request opened once, the killed worker's job taken over.
    assert progress(JobQueue(database), queued.keys) == {"done": SYSTEMS}
    for number in range(SYSTEMS):
        pulls = github.repositories[f"acme/system-{number:02}"].pulls
        assert [pull["head"] for pull in pulls] == [UPGRADE_BRANCH]
    with database.read() as connection:
        taken_over = connection.scalars(
            select(Job.last_error).where(Job.kind == JOB_KIND, Job.attempts > 1)
        ).all()
    assert any(f":{victim.pid}:" in (error or "") for error in taken_over), taken_over
