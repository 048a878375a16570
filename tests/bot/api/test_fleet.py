"""The dashboard's fleet (`GET /api/fleet`) and its Upgrade action (`POST
/api/fleet/upgrades`): everyone sees the systems they can see; only the hub's admins (admin
permission on SBH_HUB_REPOSITORY, asked of GitHub), operators with the API token and the
local user may queue upgrades."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.db.database import Database
from bot.db.models import Installation
from bot.jobs.context import HandlerContext
from bot.jobs.queue import JobQueue
from renderers.render import template_version
from tests.bot.api.signed_in import SETTINGS, signed_in
from tests.bot.conftest import make_settings
from tests.bot.events import HUB
from tests.bot.flows.fleet_systems import OLD_VERSION, build
from tests.fakes.github_port import FakeGitHubPort

TOKEN = {"Authorization": f"Bearer {SETTINGS['SBH_API_TOKEN']}"}


@pytest.fixture
def web(
    database: Database, github: FakeGitHubPort, context: HandlerContext
) -> Iterator[TestClient]:
    with database.session() as session:
        session.add(Installation(id=42, account_login="acme", account_type="Organization"))
    behind = build(github, context.systems, "billing")
    context.systems.record_template_version(behind.id, OLD_VERSION)
    build(github, context.systems, "orders-api")
    settings = make_settings(**SETTINGS, SBH_HUB_REPOSITORY=HUB)
    app = create_app(
        settings, database=database, run_worker=False, github_for_installation=lambda _: github
    )
    with TestClient(app) as client:
        yield client


def test_the_fleet_shows_template_versions_standing_and_counts(web: TestClient) -> None:
    answer = web.get("/api/fleet", headers=TOKEN)

    assert answer.status_code == 200
    page = answer.json()
    assert page["counts"] == {"current": 1, "behind": 1, "upgrading": 0, "unknown": 0}
    assert page["can_upgrade"] is True  # the operator's token
    systems = {system["repository"]: system for system in page["systems"]}
    assert systems["acme/billing"]["template_version"] == OLD_VERSION
    assert systems["acme/billing"]["target_version"] == template_version()
    assert systems["acme/billing"]["standing"] == "behind"
    assert systems["acme/orders-api"]["standing"] == "current"
    behind = web.get("/api/fleet", params={"behind": "true"}, headers=TOKEN).json()
    assert [system["repository"] for system in behind["systems"]] == ["acme/billing"]
    other = web.get("/api/fleet", params={"owner": "globex"}, headers=TOKEN).json()
    assert other["systems"] == []
    assert sum(other["counts"].values()) == 0


def test_a_person_sees_only_their_systems_and_upgrades_only_as_an_admin_of_the_hub(
    web: TestClient, database: Database
) -> None:
    signed_in(web, database, "alice", {"acme/billing"})  # write on the hub, not admin

    page = web.get("/api/fleet").json()
    refused = web.post("/api/fleet/upgrades", json={"all_behind": True})

    assert [system["repository"] for system in page["systems"]] == ["acme/billing"]
    assert page["counts"]["current"] == 0
    assert page["can_upgrade"] is False
    assert refused.status_code == 403
    assert "admin permission on acme/platform-requests" in refused.json()["detail"]


def test_an_admin_of_the_hub_queues_one_upgrade_per_system_once(
    web: TestClient, database: Database, github: FakeGitHubPort
) -> None:
    signed_in(web, database, "olivia", {"acme/billing", "acme/orders-api"})

    page = web.get("/api/fleet").json()
    first = web.post("/api/fleet/upgrades", json={"systems": ["acme/billing", "nope"]})
    again = web.post("/api/fleet/upgrades", json={"all_behind": True})

    assert page["can_upgrade"] is True
    assert first.status_code == 202
    assert (first.json()["queued"], first.json()["unknown"]) == (1, ["nope"])
    assert (again.json()["queued"], again.json()["already"]) == (0, 1)
    billing = next(
        system for system in web.get("/api/fleet").json()["systems"] if system["name"] == "billing"
    )
    assert billing["standing"] == "upgrading"
    assert billing["upgrade"]["status"] == "queued"
    assert JobQueue(database).counts().pending == 1


def test_upgrading_needs_the_csrf_token_and_something_to_upgrade(
    web: TestClient, database: Database
) -> None:
    missing = web.post("/api/fleet/upgrades", json={}, headers=TOKEN)
    signed_in(web, database, "olivia", {"acme/billing"})
    web.headers.pop("X-CSRF-Token")

    forged = web.post("/api/fleet/upgrades", json={"all_behind": True})

    assert missing.status_code == 422
    assert forged.status_code == 403
    assert "CSRF" in forged.json()["detail"]
