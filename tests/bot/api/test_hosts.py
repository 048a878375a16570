"""DNS rebinding: where a request's Host decides what it may do (local mode; production with
SBH_PUBLIC_URL), a name that is not this service's is a 421 with the reason."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.api.hosts import host_name
from bot.app import create_app
from bot.db.database import Database
from tests.bot.conftest import make_settings

THIS_MACHINE = ("127.0.0.1", 50000)
PRODUCTION = {
    "SBH_ENV": "production",
    "SECRET_KEY": "x" * 40,
    "OPENAI_API_KEY": "sk-test",
    "SBH_PUBLIC_URL": "https://sbh.acme.io",
}


@pytest.mark.parametrize(
    ("host", "name"),
    [
        ("localhost:8080", "localhost"),
        ("LocalHost", "localhost"),
        ("127.0.0.1:8080", "127.0.0.1"),
        ("[::1]:8080", "::1"),
        ("sbh.acme.io", "sbh.acme.io"),
        ("", None),
        ("[::1", None),
    ],
)
def test_the_name_in_a_host_header_has_no_port_brackets_or_case(
    host: str, name: str | None
) -> None:
    assert host_name(host) == name


@pytest.mark.parametrize(
    "base_url", ["http://localhost:8080", "http://127.0.0.1", "http://[::1]:3000"]
)
def test_local_mode_answers_this_machine_by_its_loopback_names(
    database: Database, base_url: str
) -> None:
    app = create_app(make_settings(), database=database)
    with TestClient(app, client=THIS_MACHINE, base_url=base_url) as local:
        assert local.get("/api/session").json()["mode"] == "local"


def test_a_page_of_another_site_rebound_to_this_machine_gets_421_never_local_mode(
    database: Database,
) -> None:
    app = create_app(make_settings(), database=database)
    with TestClient(app, client=THIS_MACHINE, base_url="http://rebound.example:8080") as page:
        session = page.get("/api/session", headers={"Origin": "http://rebound.example:8080"})
        systems = page.get("/api/systems")

    assert session.status_code == 421
    assert session.json() == {
        "detail": "'rebound.example:8080' is not a name of this service: in local mode SBH "
        "answers this machine only at localhost, 127.0.0.1 or [::1]"
    }
    assert systems.status_code == 421
    assert session.headers["content-security-policy"].startswith("default-src 'self'")


def test_other_machines_are_not_local_mode_whatever_host_they_name(database: Database) -> None:
    app = create_app(make_settings(), database=database)
    with TestClient(app, client=("203.0.113.9", 5000), base_url="http://dev-box:8080") as remote:
        assert remote.get("/api/session").json()["mode"] == "anonymous"


def test_with_sign_in_configured_development_answers_any_name(database: Database) -> None:
    settings = make_settings(GITHUB_CLIENT_ID="Iv1.x", GITHUB_CLIENT_SECRET="client-secret")
    app = create_app(settings, database=database)
    with TestClient(app, client=THIS_MACHINE, base_url="http://dev-box:8080") as local:
        assert local.get("/api/session").json()["mode"] == "anonymous"


def test_production_answers_only_its_public_name_except_to_health_probes(
    database: Database,
) -> None:
    app = create_app(make_settings(**PRODUCTION), database=database)
    with TestClient(app, base_url="https://sbh.acme.io") as public:
        named = public.get("/api/config")
    with TestClient(app, base_url="http://rebound.example") as page:
        rebound = page.get("/api/config")
    with TestClient(app, base_url="http://10.0.3.7:8000") as load_balancer:
        probes = [
            load_balancer.get(path).status_code
            for path in ("/api/ai-chat/health", "/healthz", "/readyz")
        ]
        by_address = load_balancer.get("/api/config")

    assert named.status_code == 200
    assert rebound.status_code == 421
    assert rebound.json()["detail"] == (
        "'rebound.example' is not a name of this service: open it at https://sbh.acme.io"
    )
    assert probes == [200, 200, 200]
    assert by_address.status_code == 421


def test_production_without_a_public_url_answers_any_name(database: Database) -> None:
    settings = make_settings(**{**PRODUCTION, "SBH_PUBLIC_URL": ""})
    app = create_app(settings, database=database)
    with TestClient(app, base_url="http://10.0.3.7:8000") as client:
        assert client.get("/api/config").status_code == 200
