"""What SBH built, deployed and sees: the token-protected API and the health monitor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.db.database import Database
from bot.db.models import Deployment, EnvironmentHealth, System
from bot.deploys.records import describe
from bot.jobs.context import HandlerContext
from bot.ports import ProbeResult, RefusedTarget, WorkflowJob
from tests.bot.api.systems_api import AUTH, TOKEN, api, probe_all
from tests.bot.conftest import make_settings
from tests.bot.events import built, comment_event, handle, infra_run_event
from tests.fakes.github_port import FakeGitHubPort
from tests.fakes.health_prober_port import FakeHealthProberPort


def test_without_a_way_to_sign_in_the_api_says_so_and_it_refuses_a_wrong_token(
    database: Database,
) -> None:
    with api(database) as client:
        refused = client.get("/api/systems")
        assert refused.status_code == 401
        assert "set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET" in refused.json()["detail"]
    with api(database, SBH_API_TOKEN=TOKEN) as client:
        assert client.get("/api/systems").status_code == 401
        assert (
            client.get("/api/systems", headers={"Authorization": "Bearer nope"}).status_code == 401
        )
        assert client.get("/api/systems", headers=AUTH).status_code == 200


def test_systems_builds_deployments_and_health_as_json(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    handle(comment_event("/sbh build"), context)
    with database.session() as session:
        system = session.query(System).one()
        session.add(
            Deployment(
                system_id=system.id, environment="prod", image_tag="1a2b3c4", state="success"
            )
        )

    prober = FakeHealthProberPort(ProbeResult(True, 200, 12.5, None))

    assert probe_all(database, prober) == 1
    assert prober.urls == ["https://orders.acme.io/api/health"]
    with api(database, SBH_API_TOKEN=TOKEN) as client:
        listing = client.get("/api/systems", headers=AUTH).json()
        detail = client.get("/api/systems/orders-api", headers=AUTH).json()
        missing = client.get("/api/systems/nope", headers=AUTH)
        deliveries = client.get("/api/deliveries?limit=5", headers=AUTH).json()

    assert listing["total"] == 1
    assert listing["items"][0]["repository"] == "acme/orders-api"
    assert detail["builds"][0]["status"] == "created"
    assert detail["deployments"][0]["image_tag"] == "1a2b3c4"
    assert detail["health"]["prod"]["up"] is True
    assert detail["health"]["prod"]["summary"].startswith("healthy for")
    assert missing.status_code == 404
    assert deliveries == {"total": 0, "limit": 5, "offset": 0, "items": []}


def test_each_environments_last_plan_apply_and_drift_check_as_json(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    repository_id = built(context, github)
    plan = github.add_comment(
        "acme/orders-api", 12, "<!-- sbh:plan:dev -->\nPlan: 3 to add, 1 to change, 0 to destroy."
    )
    runs = "https://github.test/acme/orders-api/actions/runs"
    finished = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    github.workflow_runs[("acme/orders-api", 30)] = [
        WorkflowJob("plan (dev)", "success", f"{runs}/30/job/1", finished)
    ]
    github.workflow_runs[("acme/orders-api", 31)] = [
        WorkflowJob("drift (dev)", "failure", f"{runs}/31/job/2", finished),
        WorkflowJob("drift (prod)", "success", f"{runs}/31/job/3", finished),
    ]
    handle(infra_run_event(repository_id), context)
    drift = infra_run_event(
        repository_id,
        workflow="drift.yml",
        event="schedule",
        conclusion="failure",
        run_id=31,
        pull_request=None,
    )
    handle(drift, context)

    with api(database, SBH_API_TOKEN=TOKEN) as client:
        detail = client.get("/api/systems/orders-api", headers=AUTH).json()

    dev, prod = detail["infrastructure"]["dev"], detail["infrastructure"]["prod"]
    assert dev["plan"] == {
        "state": "succeeded",
        "summary": "plan succeeded on PR #12 (+3 ~1 \N{MINUS SIGN}0)",
        "commit": "1a2b3c4d5e6f77889900aabbccddeeff00112233",
        "url": plan,
        "pull_request": 12,
        "changes": {"add": 3, "change": 1, "destroy": 0},
        "since": "2026-12-05T12:00:00Z",
        "updated_at": "2026-12-05T12:00:00Z",
    }
    assert dev["apply"] is None
    assert (dev["drift"]["state"], dev["drift"]["url"]) == ("drifted", f"{runs}/31/job/2")
    assert dev["drift"]["summary"] == "drift detected since 2026-12-05 12:00 UTC"
    # No job of prod's in the plan run: the run's conclusion; no section, so no counts.
    assert (prod["plan"]["state"], prod["plan"]["changes"]) == ("succeeded", None)
    assert prod["plan"]["url"] == "https://github.test/acme/orders-api/pull/12"
    assert prod["drift"]["state"] == "clean"


def test_a_refused_target_is_recorded_as_down_with_the_reason(
    context: HandlerContext, database: Database
) -> None:
    handle(comment_event("/sbh build"), context)
    with database.session() as session:
        system = session.query(System).one()
        session.add(
            Deployment(system_id=system.id, environment="dev", image_tag="a", state="success")
        )

    refusing = FakeHealthProberPort(
        RefusedTarget("orders.dev.acme.io resolves to 10.0.0.5, which is not a public address")
    )

    probe_all(database, refusing)

    with database.session() as session:
        row = session.query(EnvironmentHealth).one()
        assert (row.environment, row.up) == ("dev", False)
        assert "not a public address" in (row.error or "")


def test_health_reads_as_a_duration_or_a_time() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

    assert describe(True, now - timedelta(hours=3), now) == "healthy for 3 h"
    assert describe(True, now - timedelta(minutes=7), now) == "healthy for 7 min"
    assert describe(False, now - timedelta(minutes=20), now) == "down since 2026-11-25 11:40 UTC"


def test_status_shows_each_environments_health(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    handle(comment_event("/sbh build"), context)
    with database.session() as session:
        system = session.query(System).one()
        session.add(
            Deployment(
                system_id=system.id, environment="prod", image_tag="1a2b3c4", state="success"
            )
        )
    probe_all(database, FakeHealthProberPort(ProbeResult(False, 503, 20.0, "answered 503")))

    handle(comment_event("/sbh status"), context)

    reply = github.comment_bodies("acme/platform-requests", 7)[-1]
    assert "| prod | `1a2b3c4` | success |" in reply
    assert "down since" in reply


def test_in_development_without_a_token_this_machine_is_the_one_local_user(
    database: Database,
) -> None:
    app = create_app(make_settings(), database=database)
    with TestClient(app, client=("127.0.0.1", 50000), base_url="http://localhost:8080") as local:
        assert local.get("/api/session").json()["mode"] == "local"
        assert local.get("/api/systems").status_code == 200
    with TestClient(app, client=("203.0.113.9", 50000)) as remote:
        assert remote.get("/api/session").json()["mode"] == "anonymous"
        assert remote.get("/api/systems").status_code == 401
    production = create_app(
        make_settings(SBH_ENV="production", SECRET_KEY="x" * 40, OPENAI_API_KEY="sk-test"),
        database=database,
    )
    with TestClient(production, client=("127.0.0.1", 50000)) as local_in_production:
        assert local_in_production.get("/api/systems").status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/api/systems?offset=100000000000000000000",
        "/api/deliveries?offset=9223372036854775808",
        "/api/systems/orders%00api",
        "/api/systems/orders-api?owner=ac%00me",
        "/api/deliveries?status=%00",
    ],
)
def test_names_and_offsets_no_system_can_have_are_422_never_500(
    database: Database, path: str
) -> None:
    app = create_app(make_settings(), database=database)
    with TestClient(app, client=("127.0.0.1", 50000), base_url="http://localhost:8080") as local:
        response = local.get(path)

    assert response.status_code == 422
