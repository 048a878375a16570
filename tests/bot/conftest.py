"""Fixtures for the service: a migrated database on SQLite and, when SBH_TEST_DATABASE_URL
is set (CI sets it), on PostgreSQL — a database created for this test session and dropped
after it, emptied between tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.api.web_session import CSRF_HEADER
from bot.app import create_app
from bot.db.database import Database, normalize_url
from bot.db.migrate import upgrade_to_head
from bot.db.models import Base
from bot.jobs.context import HandlerContext
from bot.jobs.queue import JobQueue
from bot.jobs.spec_work import SpecWorkPool
from bot.settings import Settings
from tests.bot.events import WEBHOOK_SECRET
from tests.fakes.github_port import FakeGitHubPort

POSTGRES_URL = os.environ.get("SBH_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("SBH_TEST_DATABASE_URL is not set: PostgreSQL runs are skipped")
    server = make_url(normalize_url(POSTGRES_URL))
    name = f"sbh_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    upgrade_to_head(Database(url))
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty(database: Database) -> None:
    with database.session() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'sbh.db'}")
        upgrade_to_head(db)
    else:
        db = Database(request.getfixturevalue("postgres_database_url"))
        _empty(db)
    yield db
    db.dispose()


def make_settings(**overrides: Any) -> Settings:
    values = {
        "SBH_ENV": "development",
        "GITHUB_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "SBH_AUTO_MIGRATE": "false",
        "SBH_WORKER_IN_PROCESS": "false",
        "SBH_HEALTH_PROBE_SECONDS": "0",  # no probing of the outside world in tests
        **{key: str(value) for key, value in overrides.items()},
    }
    return Settings.model_validate(values)


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
def client(settings: Settings, database: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings, database=database)) as test_client:
        yield test_client


def as_the_web_app(client: TestClient) -> TestClient:
    """`client` sending what the web app sends with state-changing requests: the CSRF token
    from `GET /api/session` in the X-CSRF-Token header (its cookie stays in the client)."""
    client.headers[CSRF_HEADER] = client.get("/api/session").json()["csrf_token"]
    return client


# --- The GitHub flows: the recording fake of GitHubPort and a handler context around it.


@pytest.fixture
def github() -> FakeGitHubPort:
    return FakeGitHubPort(permissions={"alice": "write", "olivia": "admin", "rita": "read"})


@pytest.fixture(scope="session")
def spec_work() -> Iterator[SpecWorkPool]:
    """One pool of spec worker processes for the test session (they take a moment to start)."""
    with SpecWorkPool(make_settings().spec_timeout_seconds) as pool:
        yield pool


@pytest.fixture
def context(database: Database, github: FakeGitHubPort, spec_work: SpecWorkPool) -> HandlerContext:
    return HandlerContext(
        settings=make_settings(),
        database=database,
        queue=JobQueue(database),
        spec_work=spec_work,
        github_for_installation=lambda installation_id: github,
    )
