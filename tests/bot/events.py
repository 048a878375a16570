"""Webhook events for tests, built from GitHub's published example payloads with our values
in them: as `WebhookEvent`s dispatched to SBH's handlers (a spec issue, a comment command, a
deployment status) or stored with their job for a worker, and as deliveries signed the way
GitHub signs them."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from bot.db.database import Database
from bot.db.models import Delivery
from bot.flows.handlers import default_router
from bot.intake.router import WebhookEvent
from bot.intake.signature import sign_sha256
from bot.jobs.context import HandlerContext
from bot.jobs.queue import JobQueue
from tests.bot.webhook_examples import install
from tests.conftest import EXAMPLE_SPEC
from tests.fakes.github_port import FakeGitHubPort

WEBHOOK_SECRET = "It's a Secret to Everybody"
HUB = "acme/platform-requests"
SPEC_TEXT = EXAMPLE_SPEC.read_text()
ISSUE_BODY = f"We need an orders service.\n\n```yaml\n{SPEC_TEXT}```\n"
SHA = "1a2b3c4d5e6f77889900aabbccddeeff00112233"


@cache
def _published() -> dict[str, list[dict[str, Any]]]:
    return {entry["name"]: entry["examples"] for entry in json.loads(install().read_text())}


def published_examples(event: str) -> list[dict[str, Any]]:
    """Every example GitHub publishes of `event`, each a copy of its own."""
    return copy.deepcopy(_published()[event])


def example(event: str, action: str) -> dict[str, Any]:
    for payload in _published().get(event, []):
        if payload.get("action") == action:
            return dict(payload)
    raise LookupError(f"no {event}.{action} example")


def issue_event(action: str = "opened", body: str = ISSUE_BODY, number: int = 7) -> WebhookEvent:
    payload = copy.deepcopy(example("issues", action if action != "labeled" else "labeled"))
    payload["action"] = action
    payload["issue"].update(body=body, number=number, labels=[])
    payload["issue"].pop("pull_request", None)
    return WebhookEvent("d-issue", "issues", action, payload, 42, HUB)


_comment_ids = itertools.count(1000)


def comment_event(
    text: str,
    login: str = "alice",
    body: str = ISSUE_BODY,
    sender_type: str = "User",
    comment_id: int | None = None,
) -> WebhookEvent:
    """A new comment on the spec issue 7, with a delivery of its own (`comment_id` picks the
    comment's id; each event gets a new one otherwise, as each comment on GitHub does)."""
    identifier = next(_comment_ids) if comment_id is None else comment_id
    payload = copy.deepcopy(example("issue_comment", "created"))
    payload["issue"].update(body=body, number=7, labels=[])
    payload["issue"].pop("pull_request", None)
    payload["comment"].update(body=text, id=identifier)
    payload["comment"].pop("performed_via_github_app", None)
    payload["sender"].update(login=login, type=sender_type)
    delivery_id = f"d-comment-{identifier}"
    return WebhookEvent(delivery_id, "issue_comment", "created", payload, 42, HUB)


def status_event(
    repository_id: int,
    state: str,
    *,
    environment: str = "prod",
    deployment_id: int = 77,
    description: str | None = None,
    sha: str = SHA,
    workflow_path: str = ".github/workflows/deploy.yml",
) -> WebhookEvent:
    payload: dict[str, Any] = copy.deepcopy(example("deployment_status", "created"))
    # A deployment a workflow job's `environment:` made names that workflow.
    payload["workflow"] = {"name": Path(workflow_path).stem, "path": workflow_path}
    payload["repository"].update(id=repository_id, full_name="acme/orders-api")
    payload["deployment"].update(
        id=deployment_id, environment=environment, sha=sha, creator={"login": "octo"}
    )
    payload["deployment_status"].update(
        state=state,
        description=description,
        environment_url="https://orders.acme.io"
        if environment == "prod"
        else "https://orders.dev.acme.io",
        log_url="https://github.test/acme/orders-api/actions/runs/9",
    )
    return WebhookEvent("d-status", "deployment_status", "created", payload, 42, "acme/orders-api")


def infra_run_event(
    repository_id: int,
    *,
    workflow: str = "infra.yml",
    event: str = "pull_request",
    action: str = "completed",
    conclusion: str | None = "success",
    run_id: int = 30,
    pull_request: int | None = 12,
    sha: str = SHA,
) -> WebhookEvent:
    """A run of a generated repository's `infra.yml` or `drift.yml` (`event` is what started
    it), requested or completed; `pull_request` is the one it ran for."""
    payload: dict[str, Any] = copy.deepcopy(example("workflow_run", action))
    repository_url = "https://github.test/acme/orders-api"
    payload["repository"].update(
        id=repository_id, full_name="acme/orders-api", html_url=repository_url
    )
    payload["workflow_run"].update(
        id=run_id,
        run_attempt=1,
        path=f".github/workflows/{workflow}",
        event=event,
        status="completed" if action == "completed" else "queued",
        conclusion=conclusion if action == "completed" else None,
        head_sha=sha,
        html_url=f"{repository_url}/actions/runs/{run_id}",
        pull_requests=[]
        if pull_request is None
        else [
            {
                "url": f"https://api.github.test/repos/acme/orders-api/pulls/{pull_request}",
                "id": 900 + pull_request,
                "number": pull_request,
                "head": {"ref": "sbh/spec", "sha": sha, "repo": {"id": repository_id}},
                "base": {"ref": "main", "sha": "f" * 40, "repo": {"id": repository_id}},
            }
        ],
    )
    delivery_id = f"d-run-{run_id}-{action}"
    return WebhookEvent(delivery_id, "workflow_run", action, payload, 42, "acme/orders-api")


def handle(event: WebhookEvent, context: HandlerContext) -> None:
    default_router().dispatch(event, context)


def store(database: Database, queue: JobQueue, event: WebhookEvent) -> None:
    """`event` as intake leaves it for the workers: its delivery stored, its job queued."""
    body = json.dumps(event.payload)
    with database.session() as session:
        session.add(
            Delivery(
                id=event.delivery_id,
                event=event.name,
                action=event.action,
                installation_id=event.installation_id,
                repository=event.repository,
                body=body,
                body_sha256=hashlib.sha256(body.encode()).hexdigest(),
            )
        )
        session.flush()
        queue.enqueue(session, "delivery", delivery_id=event.delivery_id)


def built(context: HandlerContext, github: FakeGitHubPort) -> int:
    """`/sbh build` on the hub's spec issue; the id of the repository it created."""
    handle(comment_event("/sbh build"), context)
    return github.repositories["acme/orders-api"].info.id


def signed_headers(
    body: bytes, event: str, delivery_id: str | None = None, secret: str = WEBHOOK_SECRET
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery_id or str(uuid.uuid4()),
        "X-GitHub-Hook-ID": "123",
        "X-Hub-Signature-256": sign_sha256(secret.encode(), body),
        "User-Agent": "GitHub-Hookshot/test",
    }
