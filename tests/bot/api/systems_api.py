"""SBH's token-protected API and its health monitor, for the tests of what SBH built, deployed
and sees: a client of the app on a test database, the token that opens the API, and one round
of health probes of every deployed system."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.app import create_app
from bot.db.database import Database
from bot.db.systems import SystemsRepository
from bot.deploys.health_monitor import probe_deployed
from bot.deploys.records import DeployRecords
from tests.bot.conftest import make_settings
from tests.fakes.health_prober_port import FakeHealthProberPort

TOKEN = "api-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def api(database: Database, **settings: str) -> TestClient:
    return TestClient(create_app(make_settings(**settings), database=database))


def probe_all(database: Database, prober: FakeHealthProberPort) -> int:
    return probe_deployed(SystemsRepository(database), DeployRecords(database), prober)
