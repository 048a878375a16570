"""The OpenAPI description is the contract of the JSON API: every answer has a declared
shape, and the committed description (what the web app's types are generated from) is the
one the service publishes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.app import openapi_text
from tests.conftest import REPO_ROOT

COMMITTED = REPO_ROOT / "web" / "openapi.json"

REDIRECT = "302"


def answers() -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, status, response)
        for path, operations in json.loads(openapi_text())["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
    ]


@pytest.mark.parametrize(
    ("method", "path", "status", "response"),
    answers(),
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_every_answer_declares_its_shape(
    method: str, path: str, status: str, response: dict[str, Any]
) -> None:
    if status == REDIRECT:
        return
    content = response.get("content")

    assert content, f"{method} {path} {status} declares no content"
    if "application/json" in content:
        assert content["application/json"].get("schema"), f"{method} {path} {status}: no schema"


def test_the_committed_description_is_the_services() -> None:
    assert COMMITTED.read_text() == openapi_text(), (
        "web/openapi.json is stale: run `make api-types` and commit it"
    )
