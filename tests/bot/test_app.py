"""What `create_app` puts around every route: API docs only where they are meant to be, and
a service that starts from what an env file gives."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.db.database import Database
from bot.settings import load_settings
from tests.bot.conftest import as_the_web_app, make_settings

PRODUCTION = {"SBH_ENV": "production", "SECRET_KEY": "x" * 40, "OPENAI_API_KEY": "sk-test"}
DOCS = ("/docs", "/redoc", "/openapi.json")
HELLO = {"messages": [{"role": "user", "content": "hello"}]}


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


def test_an_empty_openai_api_key_starts_the_service_with_the_echo_fallback(
    database: Database,
) -> None:
    # As an env file with `OPENAI_API_KEY=` gives it.
    settings = load_settings({"SBH_ENV": "development", "OPENAI_API_KEY": ""})

    with as_the_web_app(TestClient(create_app(settings, database=database))) as client:
        reply = client.post("/api/ai-chat", json=HELLO).json()

    assert reply == {"reply": "hello", "model": "gpt-4o-mini", "fallback": True}
