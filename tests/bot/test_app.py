"""What `create_app` puts around every route: security headers on every answer (500s too),
API docs only where they are meant to be, and the client's address believed only from the
proxies SBH is told to trust."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import SecurityHeaders, create_app
from bot.db.database import Database
from bot.settings import load_settings
from tests.bot.conftest import as_the_web_app, make_settings

PRODUCTION = {"SBH_ENV": "production", "SECRET_KEY": "x" * 40, "OPENAI_API_KEY": "sk-test"}
DOCS = ("/docs", "/redoc", "/openapi.json")
HELLO = {"messages": [{"role": "user", "content": "hello"}]}


def test_an_unhandled_error_is_a_500_with_the_security_headers(
    database: Database, tmp_path: Path
) -> None:
    # Without the web app mounted at /, which would answer the route added below.
    app = create_app(make_settings(SBH_WEB_DIST=tmp_path / "no-web-app"), database=database)

    @app.get("/api/fails")
    async def fails() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/fails")

    assert response.status_code == 500
    assert "a bug" not in response.text
    for name, value in SecurityHeaders.HEADERS:
        assert response.headers[name.decode()] == value.decode()


@pytest.mark.parametrize(
    ("settings", "served"),
    [
        ({}, True),
        (PRODUCTION, False),
        ({**PRODUCTION, "SBH_API_DOCS": "true"}, True),
        ({"SBH_API_DOCS": "false"}, False),
    ],
    ids=["development", "production", "production asking for them", "development without"],
)
def test_api_docs_are_served_in_development_and_in_production_only_when_asked(
    database: Database, settings: dict[str, str], served: bool
) -> None:
    with TestClient(create_app(make_settings(**settings), database=database)) as client:
        codes = [client.get(path).status_code for path in DOCS]

    assert codes == ([200, 200, 200] if served else [404, 404, 404])


def chat_codes(client: TestClient, forwarded_for: list[str]) -> list[int]:
    return [
        client.post("/api/ai-chat", json=HELLO, headers={"X-Forwarded-For": hops}).status_code
        for hops in forwarded_for
    ]


def test_behind_a_trusted_proxy_the_client_is_the_right_most_untrusted_hop(
    database: Database,
) -> None:
    # Chat requests come in bursts of 10 per client; the load balancer is in 10.0.0.0/16.
    settings = make_settings(SBH_TRUSTED_PROXIES="10.0.0.0/16", SBH_CHAT_REQUESTS_PER_MINUTE="1")
    app = create_app(settings, database=database)
    with as_the_web_app(TestClient(app, client=("10.0.3.7", 5000))) as load_balancer:
        alice = chat_codes(load_balancer, ["198.51.100.1"] * 10)
        # What alice claims herself comes first; the load balancer appends what it saw.
        alice_spoofing = chat_codes(load_balancer, ["203.0.113.50, 198.51.100.1"])
        bob = chat_codes(load_balancer, ["198.51.100.2", "198.51.100.2, 10.0.9.9"])

    assert alice == [200] * 10
    assert alice_spoofing == [429]
    assert bob == [200, 200]


def test_a_client_that_is_not_a_trusted_proxy_cannot_name_another_address(
    database: Database,
) -> None:
    settings = make_settings(SBH_CHAT_REQUESTS_PER_MINUTE="1")
    app = create_app(settings, database=database)
    with as_the_web_app(TestClient(app, client=("203.0.113.9", 5000))) as client:
        codes = chat_codes(client, [f"198.51.100.{n}" for n in range(11)])

    assert codes == [200] * 10 + [429]


def test_an_empty_openai_api_key_starts_the_service_with_the_echo_fallback(
    database: Database,
) -> None:
    # As an env file with `OPENAI_API_KEY=` gives it.
    settings = load_settings({"SBH_ENV": "development", "OPENAI_API_KEY": ""})

    with as_the_web_app(TestClient(create_app(settings, database=database))) as client:
        reply = client.post("/api/ai-chat", json=HELLO).json()

    assert reply == {"reply": "hello", "model": "gpt-4o-mini", "fallback": True}
