"""The operator commands as a person or a script runs them: in production with nothing but
DATABASE_URL, the service's secrets absent; tables on a terminal, plain lines when piped,
JSON with --json. Runs on SQLite and, with SBH_TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db.database import Database
from bot.db.models import Delivery, InfraState, Job, System
from tests.bot.cli.running_sbh import sbh_in_production
from tests.conftest import EXAMPLE_SPEC, REPO_ROOT

FIRST = "5b9adb91-faca-4c1e-9d4f-0a1b2c3d4e5f"
PARKED = "8c0d3e42-1b2a-4f5e-a6b7-c8d9e0f1a2b3"


def sbh_on_a_terminal(*arguments: str, database_url: str, columns: int) -> str:
    """What `sbh ARGUMENTS` shows on a terminal `columns` wide."""
    terminal, its_end = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *arguments],
        stdout=its_end,
        stderr=subprocess.DEVNULL,
        cwd=REPO_ROOT,
        env={
            "PATH": os.environ["PATH"],
            "SBH_ENV": "production",
            "DATABASE_URL": database_url,
            "COLUMNS": str(columns),
            "TERM": "dumb",
        },
    )
    os.close(its_end)
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the command exited and closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(terminal)
    assert process.wait(timeout=60) == 0
    return shown.decode()


def store_delivery(
    database: Database,
    delivery_id: str,
    *,
    status: str = "processed",
    error: str | None = None,
    job_error: str | None = None,
) -> None:
    with database.session() as session:
        session.add(
            Delivery(
                id=delivery_id,
                event="issues",
                action="opened",
                repository="acme/hub",
                installation_id=77,
                body="{}",
                body_sha256="0" * 64,
                status=status,
                error=error,
            )
        )
        session.flush()
        session.add(
            Job(
                kind="delivery",
                delivery_id=delivery_id,
                status="parked" if job_error else "done",
                attempts=8 if job_error else 1,
                max_attempts=8,
                last_error=job_error,
            )
        )


@pytest.fixture
def two_deliveries(database: Database) -> Database:
    store_delivery(database, FIRST)
    store_delivery(
        database,
        PARKED,
        status="parked",
        error="GitHub answered 502\n\ttry again [later]",
        job_error="Traceback (most recent call last):\nRuntimeError: GitHub answered 502",
    )
    return database


def test_operator_commands_need_only_the_database_in_production(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'sbh.db'}"

    migrated = sbh_in_production("migrate", database_url=database_url)
    results = [
        sbh_in_production(*command, database_url=database_url)
        for command in (["deliveries"], ["status"], ["systems"])
    ]

    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout == "database schema is current\n"
    for result in results:
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_the_service_still_refuses_production_without_its_secrets(
    command: str, tmp_path: Path
) -> None:
    result = sbh_in_production(command, database_url=f"sqlite:///{tmp_path / 'sbh.db'}")

    assert result.returncode == 1
    assert result.stderr.startswith("configuration error: refusing to start in production")
    assert "SECRET_KEY" in result.stderr
    assert "GITHUB_WEBHOOK_SECRET" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_piped_deliveries_are_one_tab_separated_line_each_with_the_full_id(
    two_deliveries: Database,
) -> None:
    result = sbh_in_production("deliveries", database_url=two_deliveries.url)

    assert result.returncode == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert [row[1:5] for row in rows] == [
        [PARKED, "issues.opened", "acme/hub", "parked"],
        [FIRST, "issues.opened", "acme/hub", "processed"],
    ]
    assert rows[0][5] == "GitHub answered 502 try again [later]"
    assert all(len(row) == 6 for row in rows)


def test_a_piped_id_can_be_replayed(two_deliveries: Database) -> None:
    listed = sbh_in_production("deliveries", "--status", "parked", database_url=two_deliveries.url)
    delivery_id = listed.stdout.split("\t")[1]

    replayed = sbh_in_production(
        "replay", delivery_id, database_url=two_deliveries.url, SBH_JOB_MAX_ATTEMPTS="3"
    )

    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout.startswith(f"delivery {PARKED} queued again as job ")
    with two_deliveries.session() as session:
        job = session.query(Job).filter_by(delivery_id=PARKED, status="pending").one()
        assert job.max_attempts == 3


def test_deliveries_on_a_narrow_terminal_are_a_table_that_never_cuts_an_id(
    two_deliveries: Database,
) -> None:
    shown = sbh_on_a_terminal("deliveries", database_url=two_deliveries.url, columns=80)

    assert FIRST in shown
    assert PARKED in shown
    assert "2 of 2 deliveries" in shown
    assert "\t" not in shown


def test_deliveries_as_json_are_the_apis_page(two_deliveries: Database) -> None:
    result = sbh_in_production(
        "deliveries", "--json", "--limit", "1", database_url=two_deliveries.url
    )

    page = json.loads(result.stdout)
    assert {key: page[key] for key in ("total", "limit", "offset")} == {
        "total": 2,
        "limit": 1,
        "offset": 0,
    }
    assert page["items"][0]["id"] == PARKED
    assert page["items"][0]["error"] == "GitHub answered 502\n\ttry again [later]"


def test_one_delivery_shows_its_fields_and_its_jobs(two_deliveries: Database) -> None:
    shown = sbh_in_production("deliveries", "--id", PARKED, database_url=two_deliveries.url)
    as_json = json.loads(
        sbh_in_production(
            "deliveries", "--id", PARKED, "--json", database_url=two_deliveries.url
        ).stdout
    )

    assert shown.returncode == 0, shown.stderr
    assert f"id            {PARKED}" in shown.stdout
    assert "status        parked" in shown.stdout
    assert "parked after 8 attempt(s): RuntimeError: GitHub answered 502" in shown.stdout
    assert as_json["id"] == PARKED
    assert as_json["installation"] == 77
    assert [(job["status"], job["attempts"]) for job in as_json["jobs"]] == [("parked", 8)]
    assert as_json["jobs"][0]["last_error"].endswith("RuntimeError: GitHub answered 502")


def test_an_unknown_delivery_is_one_line_and_exit_1(database: Database) -> None:
    result = sbh_in_production("deliveries", "--id", "no-such-delivery", database_url=database.url)

    assert result.returncode == 1
    assert result.stderr == "no delivery no-such-delivery\n"
    assert result.stdout == ""


def test_status_as_json_gives_the_queue_and_the_failing_jobs(two_deliveries: Database) -> None:
    status = json.loads(
        sbh_in_production("status", "--json", database_url=two_deliveries.url).stdout
    )

    assert status["queue"] == {"pending": 0, "running": 0, "parked": 1, "done": 1}
    assert [job["delivery_id"] for job in status["failing"]] == [PARKED]
    assert status["failing"][0]["attempts"] == 8


def test_systems_and_a_system_as_json(database: Database) -> None:
    with database.session() as session:
        session.add(
            System(
                name="orders-api",
                owner="acme",
                origin_repository="acme/hub",
                origin_issue_number=7,
                spec=EXAMPLE_SPEC.read_text(),
                spec_hash="0" * 64,
                template_version="test",
            )
        )

    systems = json.loads(sbh_in_production("systems", "--json", database_url=database.url).stdout)
    system = json.loads(
        sbh_in_production("system", "orders-api", "--json", database_url=database.url).stdout
    )

    assert systems["total"] == 1
    assert systems["items"][0]["repository"] == "acme/orders-api"
    assert [environment["name"] for environment in systems["items"][0]["environments"]] == [
        "dev",
        "prod",
    ]
    assert system["origin"] == {"repository": "acme/hub", "issue": 7, "commit": None}


def test_a_system_shows_each_environments_last_plan_apply_and_drift_check(
    database: Database,
) -> None:
    noon = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    with database.session() as session:
        system = System(
            name="orders-api",
            owner="acme",
            spec=EXAMPLE_SPEC.read_text(),
            spec_hash="0" * 64,
            template_version="test",
        )
        session.add(system)
        session.flush()
        run = {"system_id": system.id, "run_attempt": 1, "since": noon, "updated_at": noon}
        session.add_all(
            [
                InfraState(
                    environment="prod",
                    kind="plan",
                    state="succeeded",
                    run_id=30,
                    pull_request_number=12,
                    to_add=3,
                    to_change=1,
                    to_destroy=0,
                    **run,
                ),
                InfraState(
                    environment="prod",
                    kind="apply",
                    state="failed",
                    run_id=31,
                    commit_sha="1a2b3c4d5e",
                    url="https://github.test/acme/orders-api/actions/runs/31",
                    **run,
                ),
                InfraState(environment="prod", kind="drift", state="clean", run_id=32, **run),
            ]
        )

    shown = sbh_in_production("system", "orders-api", database_url=database.url).stdout
    detail = json.loads(
        sbh_in_production("system", "orders-api", "--json", database_url=database.url).stdout
    )

    assert (
        "  prod       infrastructure: plan succeeded on PR #12 (+3 ~1 \N{MINUS SIGN}0); "
        "apply of 1a2b3c4 failed at 2026-12-05 12:00 UTC; "
        "no drift (checked 2026-12-05 12:00 UTC)\n"
    ) in shown
    assert "dev        infrastructure" not in shown
    assert detail["infrastructure"]["prod"]["apply"]["url"] == (
        "https://github.test/acme/orders-api/actions/runs/31"
    )


def test_a_database_without_the_schema_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = sbh_in_production("status", database_url=f"sqlite:///{tmp_path / 'empty.db'}")

    assert result.returncode == 1
    assert result.stderr.startswith("database error: no such table: jobs")
    assert "Traceback" not in result.stderr
