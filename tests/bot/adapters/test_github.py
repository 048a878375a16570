"""The githubkit adapter against Prism serving GitHub's OpenAPI description: every call SBH
makes is one GitHub's description accepts (Prism answers 4xx to a wrong path, parameter or
body), through the App's real installation-token flow."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.adapters.github import GitHubAdapter, make_client
from bot.ports import Annotation
from bot.settings import Settings
from tests.fakes.github_openapi import PrismTransport, running_prism

pytestmark = pytest.mark.slow


def private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="module")
def prism_url() -> Iterator[str]:
    with running_prism() as url:
        yield url


@pytest.fixture
def exchanges() -> list[tuple[str, str, int]]:
    return []


@pytest.fixture
def adapter(prism_url: str, exchanges: list[tuple[str, str, int]]) -> GitHubAdapter:
    settings = Settings.model_validate(
        {
            "SBH_ENV": "development",
            "GITHUB_APP_ID": "12345",
            "GITHUB_PRIVATE_KEY": private_key(),
            "GITHUB_API_URL": prism_url,
        }
    )

    def record(response: httpx.Response) -> None:
        exchanges.append((response.request.method, response.request.url.path, response.status_code))

    client = make_client(settings, transport=PrismTransport(), event_hooks={"response": [record]})
    return GitHubAdapter(client.with_auth(client.auth.as_installation(678)), transient_delays=())


def suppress_value_error(call: Any, *arguments: Any, **options: Any) -> Any:
    with contextlib.suppress(ValueError):
        return call(*arguments, **options)
    return None


CALLS: list[tuple[str, Any]] = [
    ("get_repository", lambda a: a.get_repository("acme/orders-api")),
    ("create_repository", lambda a: a.create_repository("acme", "orders-api", "Orders")),
    ("set_topics", lambda a: a.set_topics("acme/orders-api", ["sbh-generated"])),
    # Prism answers with the description's example, whose `content` is not base64: the
    # request is what is checked here.
    (
        "read_file",
        lambda a: suppress_value_error(
            a.read_file, "acme/orders-api", ".sbh/manifest.json", ref="main"
        ),
    ),
    ("tree_blobs", lambda a: a.tree_blobs("acme/orders-api", "main")),
    ("pull_request_head", lambda a: a.pull_request_head("acme/hub", 3)),
    (
        "push_tree (first commit)",
        lambda a: a.push_tree(
            "acme/orders-api",
            "main",
            {
                "README.md": (b"# x\n", 0o644),
                "infra/scripts/setup-oidc.sh": (b"#!/bin/sh\n", 0o755),
            },
            "Generate",
            replace_tree=True,
        ),
    ),
    (
        "push_tree (update branch)",
        lambda a: a.push_tree(
            "acme/orders-api",
            "sbh/spec-abc",
            {"sbh.yaml": (b"name: x\n", 0o644)},
            "Update",
            replace_tree=False,
            new_branch_from="main",
        ),
    ),
    (
        "open_pull_request",
        lambda a: a.open_pull_request("acme/orders-api", "sbh/spec-abc", "main", "Update", "Body"),
    ),
    (
        "upsert_status_comment",
        lambda a: a.upsert_status_comment("acme/hub", 7, "<!-- m -->", "<!-- m -->\nplan"),
    ),
    ("comment", lambda a: a.comment("acme/hub", 7, "hello", key="reply-555")),
    ("open_issue", lambda a: a.open_issue("acme/hub", "Build orders-api", "```yaml\n```", ["sbh"])),
    ("set_labels", lambda a: a.set_labels("acme/hub", 7, ["sbh:built"], ["sbh:invalid"])),
    ("react", lambda a: a.react("acme/hub", 555, "eyes")),
    ("permission", lambda a: a.permission("acme/hub", "alice")),
    (
        "create_environment",
        lambda a: a.create_environment("acme/orders-api", "prod", wait_minutes=0),
    ),
    (
        "set_variables (environment)",
        lambda a: a.set_variables("acme/orders-api", "prod", {"AWS_REGION": "us-west-2"}),
    ),
    ("set_variables (repository)", lambda a: a.set_variables("acme/orders-api", None, {"X": "y"})),
    (
        "dispatch_workflow",
        lambda a: a.dispatch_workflow(
            "acme/orders-api", "deploy.yml", "main", {"environment": "dev", "image_tag": ""}
        ),
    ),
    ("workflow_jobs", lambda a: a.workflow_jobs("acme/orders-api", 30)),
    (
        "comments_containing",
        lambda a: a.comments_containing("acme/orders-api", 12, "<!-- sbh:plan:"),
    ),
    (
        "report_check (120 annotations)",
        lambda a: a.report_check(
            "acme/hub",
            "a" * 40,
            "sbh/spec",
            "failure",
            "120 problems",
            "Fix them",
            [Annotation("spec.yaml", line, f"problem {line}") for line in range(1, 121)],
        ),
    ),
]


@pytest.mark.parametrize(("name", "call"), CALLS, ids=[name for name, _ in CALLS])
def test_every_adapter_call_is_accepted_by_githubs_description(
    name: str, call: Any, adapter: GitHubAdapter, exchanges: list[tuple[str, str, int]]
) -> None:
    call(adapter)

    assert exchanges, "no request reached Prism"
    rejected = [exchange for exchange in exchanges if exchange[2] >= 400]
    assert rejected == []


def test_check_annotations_go_50_per_request(
    adapter: GitHubAdapter, exchanges: list[tuple[str, str, int]]
) -> None:
    dict(CALLS)["report_check (120 annotations)"](adapter)

    check_calls = [(method, path) for method, path, _ in exchanges if "/check-runs" in path]
    assert [method for method, _ in check_calls] == ["POST", "PATCH", "PATCH"]
