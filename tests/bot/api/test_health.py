"""Health endpoints: what the load balancer, the orchestrator and a person see."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from bot.app import create_app
from bot.db.database import Database
from bot.db.migrate import upgrade_to_head
from renderers.version import __version__
from tests.bot.conftest import make_settings

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"


def test_health_reports_version_database_openai_and_queue(client: TestClient) -> None:
    response = client.get("/api/ai-chat/health")

    assert response.status_code == 200
    assert response.json() == {
        "status": "healthy",
        "version": __version__,
        "environment": "development",
        "database": "ok",
        "openai": "echo-fallback",
        "queue": {"pending": 0, "running": 0, "parked": 0},
    }


def test_health_says_openai_is_configured_when_a_key_is_set(database: Database) -> None:
    with TestClient(
        create_app(make_settings(OPENAI_API_KEY="sk-test"), database=database)
    ) as client:
        assert client.get("/api/ai-chat/health").json()["openai"] == "configured"


def test_an_unreachable_database_makes_the_service_unhealthy() -> None:
    app = create_app(make_settings(), database=Database(UNREACHABLE))

    with TestClient(app) as client:
        health = client.get("/api/ai-chat/health")
        ready = client.get("/readyz")
        alive = client.get("/healthz")

    assert health.status_code == 503
    assert health.json()["status"] == "unhealthy"
    assert health.json()["database"] == "unreachable"
    assert ready.status_code == 503
    assert alive.status_code == 200


def test_readiness_waits_for_migrations(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'fresh.db'}")

    with TestClient(create_app(make_settings(), database=database)) as client:
        before = client.get("/readyz")
        upgrade_to_head(database)
        after = client.get("/readyz")

    assert before.status_code == 503
    assert "sbh migrate" in before.json()["migrations"]
    assert (after.status_code, after.json()["migrations"]) == (200, "current")


def test_development_applies_migrations_at_start(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'auto.db'}")

    with TestClient(
        create_app(make_settings(SBH_AUTO_MIGRATE="true"), database=database)
    ) as client:
        assert client.get("/readyz").status_code == 200
