"""The JSON API reads at most SBH_MAX_JSON_BYTES of a body, before CSRF and parsing; the
webhook route keeps its own limit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Message

from bot.ai.chat import MAX_MESSAGE_CHARACTERS, MAX_MESSAGES
from bot.app import create_app
from bot.db.database import Database
from renderers.yaml_source import MAX_SPEC_BYTES
from tests.bot.conftest import as_the_web_app, make_settings

CHUNK = 64 * 1024


@pytest.fixture
def small_limit(database: Database) -> Iterator[TestClient]:
    app = create_app(make_settings(SBH_MAX_JSON_BYTES=1000), database=database)
    with TestClient(app) as client:
        yield client


def post(app: FastAPI, headers: list[tuple[bytes, bytes]], body: Iterator[Message]) -> Any:
    """POST /api/ai-chat straight through ASGI, the body's messages given as they are asked
    for: the answer's status and detail, and how many body messages the service read."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/ai-chat",
        "raw_path": b"/api/ai-chat",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("203.0.113.9", 5000),
        "server": ("testserver", 80),
    }
    read = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal read
        read += 1
        return next(body)

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = next(message["status"] for message in sent if message["type"] == "http.response.start")
    answer = b"".join(message.get("body", b"") for message in sent)
    return status, json.loads(answer)["detail"], read


def streaming(chunks: int) -> Iterator[Message]:
    """A body of `chunks` pieces of CHUNK spaces, as a client sends one that never ends."""
    for number in range(1, chunks + 1):
        yield {"type": "http.request", "body": b" " * CHUNK, "more_body": number < chunks}


def test_a_body_over_the_limit_is_413_before_the_csrf_check_and_parsing(
    small_limit: TestClient,
) -> None:
    response = small_limit.post(
        "/api/ai-chat",
        content=b'{"messages": "' + b"x" * 2000 + b'"}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert response.json() == {
        "detail": "the request body is over 1000 bytes, the most SBH reads "
        "(SBH_MAX_JSON_BYTES); send a smaller one"
    }
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_declared_length_over_the_limit_is_refused_without_reading_the_body(
    database: Database,
) -> None:
    app = create_app(make_settings(), database=database)

    status, detail, read = post(app, [(b"content-length", b"1073741824")], streaming(1024))

    assert (status, read) == (413, 0)
    assert "over 1048576 bytes" in detail


def test_a_body_without_a_length_is_read_only_up_to_the_limit(database: Database) -> None:
    app = create_app(make_settings(), database=database)

    status, _, read = post(app, [(b"transfer-encoding", b"chunked")], streaming(1024))

    assert status == 413
    assert read == 1024 * 1024 // CHUNK + 1


def test_the_default_limit_admits_the_largest_spec_and_chat_the_routes_accept_or_explain(
    database: Database,
) -> None:
    # Every character of the largest spec escaped as a surrogate pair (12 bytes), with the
    # completion's context; and a chat of the most messages at the longest each.
    spec = json.dumps({"spec": "\U0001f600" * MAX_SPEC_BYTES, "context": "\u00e9" * 8000})
    chat = json.dumps(
        {"messages": [{"role": "user", "content": "x" * MAX_MESSAGE_CHARACTERS}] * MAX_MESSAGES}
    )
    with as_the_web_app(TestClient(create_app(make_settings(), database=database))) as client:
        completing = client.post(
            "/api/specs/complete", content=spec, headers={"Content-Type": "application/json"}
        )
        chatting = client.post(
            "/api/ai-chat", content=chat, headers={"Content-Type": "application/json"}
        )

    assert len(spec) > 800_000
    assert completing.status_code == 422  # the route's answer: not a spec
    assert chatting.status_code == 413
    assert chatting.json()["detail"].startswith("messages are limited to 16000 characters each")


def test_the_webhook_route_keeps_its_own_limit(small_limit: TestClient) -> None:
    response = small_limit.post(
        "/api/github/webhooks",
        content=b"{" + b" " * 5000 + b"}",
        headers={
            "Content-Type": "application/json",
            "X-GitHub-Event": "ping",
            "X-GitHub-Delivery": "d-1",
            "X-Hub-Signature-256": "sha256=wrong",
        },
    )

    assert response.status_code == 401  # read whole and checked, not cut off at 1000 bytes
