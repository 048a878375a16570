"""`POST /api/specs/complete` (the System Builder's "complete with AI") with OpenAI faked at
the HTTP transport or absent (the deterministic fallback), and `GET /api/config`."""

from __future__ import annotations

import pytest
import yaml
from fastapi.testclient import TestClient

from bot.adapters.openai_drafter import OpenAIProposalModel
from bot.ai.drafting import AIDrafter
from bot.app import create_app
from bot.db.database import Database
from tests.bot.conftest import as_the_web_app, make_settings
from tests.fakes.openai_transport import FakeOpenAITransport, proposal, status

PARTIAL = """\
apiVersion: sbh/v1
name: orders-api
owner: acme
service: {port: 9000}
environments:
  dev: {aws_account_id: "111111111111", domain: orders.dev.acme.io}
"""
CONTEXT = "An order intake API that stores uploaded invoices and talks to Stripe."


def ai_app(database: Database, fake: FakeOpenAITransport) -> TestClient:
    drafter = AIDrafter(OpenAIProposalModel(fake.client(), "gpt-4o-mini"), database)
    settings = make_settings(OPENAI_API_KEY="sk-test")
    return as_the_web_app(TestClient(create_app(settings, database=database, drafter=drafter)))


@pytest.fixture
def without_ai(database: Database) -> TestClient:
    return as_the_web_app(TestClient(create_app(make_settings(), database=database)))


def by_field(body: dict[str, object]) -> dict[str, dict[str, object]]:
    proposal = body["proposal"]
    assert isinstance(proposal, list)
    return {entry["field"]: entry for entry in proposal}


def test_the_ai_proposal_is_listed_per_field_and_merged_into_the_completed_spec(
    database: Database,
) -> None:
    fake = FakeOpenAITransport(
        [
            proposal(
                description="Order intake with invoice uploads",
                buckets=["invoices"],
                secret_names=["STRIPE_KEY"],
                regions=[{"environment": "dev", "region": "eu-west-1"}],
                service={
                    "port": 8000,
                    "health_path": None,
                    "cpu": 512,
                    "memory": 1024,
                    "desired_count": None,
                },
            )
        ]
    )

    with ai_app(database, fake) as client:
        response = client.post("/api/specs/complete", json={"spec": PARTIAL, "context": CONTEXT})

    assert response.status_code == 200
    body = response.json()
    fields = by_field(body)
    assert fields["storage.buckets"] == {
        "field": "storage.buckets",
        "value": ["invoices"],
        "source": "ai",
        "reason": "proposed by gpt-4o-mini",
    }
    assert fields["environments.dev.region"]["value"] == "eu-west-1"
    assert fields["secrets"]["value"] == ["STRIPE_KEY"]
    assert fields["service.cpu"]["source"] == "ai"
    assert fields["service.health_path"]["source"] == "default"
    assert "service.port" not in fields  # the person wrote 9000
    completed = yaml.safe_load(body["completed_spec"])
    assert completed["service"]["port"] == 9000
    assert completed["storage"]["buckets"] == ["invoices"]
    assert (body["valid"], body["fallback"], body["model"], body["note"]) == (
        True,
        False,
        "gpt-4o-mini",
        None,
    )
    assert body["usage"] == {"prompt_tokens": 120, "completion_tokens": 40}
    assert CONTEXT in fake.requests[0]["messages"][1]["content"]
    assert "sk-test" not in response.text


def test_without_a_key_the_deterministic_fallback_answers_and_says_so(
    without_ai: TestClient,
) -> None:
    response = without_ai.post("/api/specs/complete", json={"spec": PARTIAL})

    body = response.json()
    assert response.status_code == 200
    assert (body["fallback"], body["model"]) == (True, None)
    assert body["note"] == "completed without AI: no OPENAI_API_KEY is configured"
    assert {entry["source"] for entry in body["proposal"]} == {"default"}
    assert by_field(body)["environments.dev.region"]["value"] == "us-east-1"
    assert body["usage"] == {"prompt_tokens": 0, "completion_tokens": 0}


def test_when_openai_fails_the_fallback_answers_with_the_reason(database: Database) -> None:
    with ai_app(database, FakeOpenAITransport([status(500)])) as client:
        body = client.post("/api/specs/complete", json={"spec": PARTIAL}).json()

    assert body["fallback"] is True
    assert body["note"] == "completed without AI: OpenAI answered 500"


@pytest.mark.parametrize(
    ("spec", "line", "field"),
    [
        ("apiVersion: sbh/v1\nname: orders-api\nservice: {port: [\n", 4, "(spec)"),
        (PARTIAL.replace("port: 9000", "port: 80"), 4, "service.port"),
        (PARTIAL.replace("owner: acme\n", ""), 1, "owner"),
    ],
    ids=["broken-yaml", "invalid-value", "missing-decision"],
)
def test_an_unusable_spec_gives_its_problems_with_lines_and_never_reaches_the_ai(
    database: Database, spec: str, line: int, field: str
) -> None:
    fake = FakeOpenAITransport([])

    with ai_app(database, fake) as client:
        response = client.post("/api/specs/complete", json={"spec": spec})

    assert response.status_code == 422
    body = response.json()
    assert body["valid"] is False
    assert (body["problems"][0]["line"], body["problems"][0]["field"]) == (line, field)
    assert fake.requests == []


def test_completion_is_rate_limited_per_client(database: Database) -> None:
    settings = make_settings(SBH_CHAT_REQUESTS_PER_MINUTE="1")
    with as_the_web_app(TestClient(create_app(settings, database=database))) as client:
        codes = [
            client.post("/api/specs/complete", json={"spec": PARTIAL}).status_code
            for _ in range(12)
        ]

    assert codes[:10] == [200] * 10  # the burst
    assert codes[10:] == [429, 429]


def test_config_tells_the_web_app_the_hub_repository(database: Database) -> None:
    settings = make_settings(SBH_HUB_REPOSITORY="acme/sbh-hub", OPENAI_API_KEY="sk-test")
    with TestClient(create_app(settings, database=database)) as client:
        response = client.get("/api/config")

    assert response.json() == {
        "github_web_url": "https://github.com",
        "hub_repository": "acme/sbh-hub",
        "spec_label": "sbh",
        "ai": True,
        "models": [
            {"id": "gpt-4o-mini", "label": "GPT-4o Mini"},
            {"id": "gpt-4o", "label": "GPT-4o"},
            {"id": "gpt-4-turbo", "label": "GPT-4 Turbo"},
        ],
        "default_model": "gpt-4o-mini",
    }
    assert "sk-test" not in response.text


def test_without_a_hub_repository_config_says_none(without_ai: TestClient) -> None:
    config = without_ai.get("/api/config").json()

    assert (config["hub_repository"], config["ai"]) == (None, False)


def test_the_chats_default_model_is_openai_model_when_the_chat_allows_it(
    database: Database,
) -> None:
    for configured, default in (("gpt-4o", "gpt-4o"), ("gpt-4.1-nano", "gpt-4o-mini")):
        settings = make_settings(OPENAI_MODEL=configured)
        with TestClient(create_app(settings, database=database)) as client:
            assert client.get("/api/config").json()["default_model"] == default


def test_completion_without_the_csrf_token_is_refused(database: Database) -> None:
    with TestClient(create_app(make_settings(), database=database)) as client:
        response = client.post("/api/specs/complete", json={"spec": PARTIAL})

    assert response.status_code == 403
