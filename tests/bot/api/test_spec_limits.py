"""Hostile spec text in the API: refused with a located problem, worked on outside the event
loop and within the time limit, so that every other request is still answered."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.db.database import Database
from bot.db.models import Installation
from tests.bot.api.signed_in import SETTINGS, signed_in
from tests.bot.conftest import as_the_web_app, make_settings
from tests.bot.events import HUB, signed_headers
from tests.conftest import DEEP_BRACKETS, SLOW_SPEC
from tests.fakes.github_port import FakeGitHubPort

LIMIT_SECONDS = "0.25"  # SLOW_SPEC takes ten times as long
TOO_COMPLEX = {
    "line": 1,
    "column": 1,
    "field": "(spec)",
    "message": "the spec took longer than 0.25 s to check; it is too complex (a spec describes "
    "one system in a few plain mappings and lists)",
    "text": "spec.yaml:1:1: (spec): the spec took longer than 0.25 s to check; it is too "
    "complex (a spec describes one system in a few plain mappings and lists)",
}


@pytest.fixture
def limited(database: Database) -> Iterator[TestClient]:
    settings = make_settings(SBH_SPEC_TIMEOUT_SECONDS=LIMIT_SECONDS)
    with TestClient(create_app(settings, database=database)) as client:
        yield as_the_web_app(client)


def test_brackets_nested_30000_deep_are_one_problem_at_the_33rd(limited: TestClient) -> None:
    response = limited.post("/api/specs/validate", json={"spec": DEEP_BRACKETS})

    assert response.status_code == 200
    assert response.json()["problems"] == [
        {
            "line": 1,
            "column": 33,
            "field": "(spec)",
            "message": "nesting deeper than 32 levels: an SBH spec never needs that",
            "text": "spec.yaml:1:33: (spec): nesting deeper than 32 levels: an SBH spec never "
            "needs that",
        }
    ]


def test_a_lone_surrogate_sent_as_json_is_a_problem_with_its_line(limited: TestClient) -> None:
    body = '{"spec": "name: orders-api\\ndescription: \\"\\ud800\\"\\n"}'

    response = limited.post(
        "/api/specs/validate", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 200
    [problem] = response.json()["problems"]
    assert (problem["line"], problem["column"]) == (2, 15)
    assert problem["message"].startswith("U+D800 is half of a UTF-16 surrogate pair")


def test_validating_a_spec_over_the_time_limit_answers_the_problem(limited: TestClient) -> None:
    response = limited.post("/api/specs/validate", json={"spec": SLOW_SPEC})

    assert response.status_code == 200
    assert response.json() == {"valid": False, "problems": [TOO_COMPLEX], "name": None}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/specs/preview", {"spec": SLOW_SPEC, "path": "README.md"}),
        ("/api/specs/repository.zip", {"spec": SLOW_SPEC}),
        ("/api/specs/complete", {"spec": SLOW_SPEC}),
    ],
)
def test_a_spec_over_the_time_limit_is_a_422_with_the_problem(
    limited: TestClient, path: str, body: dict[str, Any]
) -> None:
    response = limited.post(path, json=body)

    assert response.status_code == 422
    assert response.json() == {"valid": False, "problems": [TOO_COMPLEX]}


def test_build_now_with_a_spec_over_the_time_limit_is_a_422_and_opens_nothing(
    database: Database,
) -> None:
    github = FakeGitHubPort(permissions={"alice": "write"})
    with database.session() as session:
        session.add(Installation(id=42, account_login="acme", account_type="Organization"))
    settings = make_settings(
        **SETTINGS, SBH_HUB_REPOSITORY=HUB, SBH_SPEC_TIMEOUT_SECONDS=LIMIT_SECONDS
    )
    app = create_app(settings, database=database, github_for_installation=lambda _: github)
    with TestClient(app) as client:
        signed_in(client, database, "alice", {HUB.lower()})

        response = client.post("/api/builds", json={"spec": SLOW_SPEC})

    assert response.status_code == 422
    assert response.json() == {"valid": False, "problems": [TOO_COMPLEX]}
    assert github.issues == {}


def test_while_a_spec_is_checked_health_checks_and_webhooks_are_answered(
    limited: TestClient,
) -> None:
    checked: list[httpx.Response] = []
    checking = threading.Thread(
        target=lambda: checked.append(limited.post("/api/specs/validate", json={"spec": SLOW_SPEC}))
    )
    ping = json.dumps({"zen": "Keep it logically awesome.", "hook_id": 1}).encode()
    answered_meanwhile = []

    checking.start()
    while checking.is_alive():
        answers = [
            limited.get("/healthz").status_code,
            limited.get("/readyz").status_code,
            limited.post(
                "/api/github/webhooks", content=ping, headers=signed_headers(ping, "ping")
            ).status_code,
        ]
        if checking.is_alive():
            answered_meanwhile.append(answers)
    checking.join()

    assert answered_meanwhile, "nothing was answered while the spec was checked"
    assert all(answers == [200, 200, 200] for answers in answered_meanwhile)
    assert checked[0].json()["problems"] == [TOO_COMPLEX]
