"""`sbh fleet` and `sbh fleet upgrade` as an operator runs them: the listing from the database
alone; upgrades against a fake GitHub over HTTP, worked off by the command itself
(`--drain`), resumable, and a dry run that writes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.adapters.github import GitHubAdapter, as_installation, make_client
from bot.db.database import Database
from bot.db.migrate import upgrade_to_head
from bot.db.systems import SystemRecord, SystemsRepository
from bot.settings import Settings
from renderers.render import template_version
from tests.bot.flows.fleet_systems import INSTALLATION, OLD_VERSION, age_on, build
from tests.bot.serving import app_settings
from tests.conftest import REPO_ROOT
from tests.fakes.github_http import FakeGitHubHttp, serving

WRITES = ("POST", "PATCH", "PUT", "DELETE")


def sbh(*arguments: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={"PATH": os.environ["PATH"], **environment},
        timeout=120,
    )


@pytest.fixture
def fake_github() -> Iterator[tuple[FakeGitHubHttp, str]]:
    github = FakeGitHubHttp()
    with serving(github) as url:
        yield github, url


def adapter(settings: Settings) -> GitHubAdapter:
    return GitHubAdapter(as_installation(make_client(settings), INSTALLATION), transient_delays=())


def fleet_of(
    github: FakeGitHubHttp, settings: Settings, database: Database, behind: int, current: int
) -> list[SystemRecord]:
    """`behind` systems built by an older template and `current` ones built now."""
    systems, port = SystemsRepository(database), adapter(settings)
    records = []
    for number in range(behind + current):
        record = build(port, systems, f"system-{number:02}")
        if number < behind:
            age_on(github, systems, record)
        records.append(record)
    return records


def writes_to(github: FakeGitHubHttp, since: int) -> list[str]:
    return [
        request
        for request in github.requests[since:]
        if request.startswith(WRITES) and "/access_tokens" not in request
    ]


@pytest.mark.slow
def test_upgrading_the_fleet_opens_one_pull_request_per_system_behind_and_resumes(
    fake_github: tuple[FakeGitHubHttp, str], tmp_path: Path
) -> None:
    github, url = fake_github
    environment = {
        **app_settings(url),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sbh.db'}",
        "SBH_HEALTH_PROBE_SECONDS": "0",
    }
    settings = Settings.model_validate(environment)
    database = Database(environment["DATABASE_URL"])
    assert sbh("migrate", environment=environment).returncode == 0
    fleet_of(github, settings, database, behind=3, current=1)
    github.repositories["acme/system-02"].archived = True

    listed = sbh("fleet", "--json", "--behind", environment=environment)
    before = len(github.requests)
    dry = sbh("fleet", "upgrade", "--all", "--dry-run", environment=environment)
    written_by_the_dry_run = writes_to(github, before)
    first = sbh("fleet", "upgrade", "--all", "--drain", "--json", environment=environment)
    second = sbh("fleet", "upgrade", "--all", "--drain", environment=environment)

    page = json.loads(listed.stdout)
    assert page["counts"] == {"current": 1, "behind": 3, "upgrading": 0, "unknown": 0}
    assert [system["repository"] for system in page["systems"]] == [
        "acme/system-00",
        "acme/system-01",
        "acme/system-02",
    ]
    assert {system["template_version"] for system in page["systems"]} == {OLD_VERSION}
    # The dry run: what each would get, and no write.
    assert dry.returncode == 0, dry.stderr
    assert f"acme/system-00: {OLD_VERSION} -> {template_version()}" in dry.stdout
    assert "acme/system-02: skipped: acme/system-02 is archived" in dry.stdout
    assert written_by_the_dry_run == []
    assert first.returncode == 0, first.stderr
    report = {row["repository"]: row for row in json.loads(first.stdout)}
    assert {name: row["status"] for name, row in report.items()} == {
        "acme/system-00": "updated",
        "acme/system-01": "updated",
        "acme/system-02": "skipped",
    }
    assert "archived" in report["acme/system-02"]["note"]
    for name in ("acme/system-00", "acme/system-01"):
        (pull,) = github.repositories[name].pulls
        assert pull["head"] == "sbh/upgrade"
        assert template_version() in pull["title"]
    assert github.repositories["acme/system-02"].pulls == []
    # A second run: nothing queued twice, nothing opened twice.
    assert second.returncode == 0, second.stderr
    assert "0 upgrade(s) queued, 3 queued or done before" in second.stderr
    assert [len(github.repositories[f"acme/system-0{n}"].pulls) for n in range(4)] == [1, 1, 0, 0]
    database.dispose()


def test_a_dry_run_writes_nothing_to_github(
    fake_github: tuple[FakeGitHubHttp, str], tmp_path: Path
) -> None:
    github, url = fake_github
    environment = {**app_settings(url), "DATABASE_URL": f"sqlite:///{tmp_path / 'sbh.db'}"}
    settings = Settings.model_validate(environment)
    database = Database(environment["DATABASE_URL"])
    upgrade_to_head(database)
    fleet_of(github, settings, database, behind=1, current=0)
    before = len(github.requests)

    dry = sbh("fleet", "upgrade", "system-00", "--dry-run", "--json", environment=environment)

    assert dry.returncode == 0, dry.stderr
    (plan,) = json.loads(dry.stdout)
    assert plan["outcome"] == "upgrade"
    assert "RUNBOOK.md" in plan["files"]
    assert writes_to(github, before) == []
    database.dispose()


def test_naming_neither_systems_nor_all_is_a_usage_error(tmp_path: Path) -> None:
    done = sbh("fleet", "upgrade", environment={"DATABASE_URL": f"sqlite:///{tmp_path / 'sbh.db'}"})

    assert done.returncode == 1
    assert "name the systems to upgrade, or pass --all" in done.stderr
