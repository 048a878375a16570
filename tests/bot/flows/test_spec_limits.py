"""Hostile spec text in a spec issue, delivered as GitHub delivers it and worked off by a
worker: the person gets the invalid-spec comment with the line, and the job is done — not
failed, retried and parked without a word."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.db.database import Database
from bot.db.models import Job
from bot.flows.handlers import default_router
from bot.jobs.context import HandlerContext
from bot.jobs.spec_work import SpecWorkPool
from bot.jobs.worker import Worker
from bot.wiring import job_runners
from tests.bot.conftest import make_settings
from tests.bot.events import HUB, issue_event, signed_headers
from tests.conftest import DEEP_BRACKETS, SLOW_SPEC
from tests.fakes.github_port import FakeGitHubPort

FIRST_SPEC_LINE = 4  # the line of the issue body where the spec starts


def issue_with(spec: str) -> str:
    return f"We need an orders service.\n\n```yaml\n{spec}```\n"


def deliver_and_work_off(database: Database, context: HandlerContext, body: str) -> Job:
    """GitHub delivers `issues.opened` with `body`; one worker runs the job it queued."""
    payload = issue_event("opened", body).payload
    payload["installation"] = {"id": 42}
    payload["repository"]["full_name"] = HUB
    sent = json.dumps(payload).encode()
    with TestClient(create_app(make_settings(), database=database)) as client:
        answer = client.post(
            "/api/github/webhooks", content=sent, headers=signed_headers(sent, "issues")
        )
        assert answer.status_code == 202
    assert Worker(context, job_runners(default_router()), "w").run_once()
    with database.session() as session:
        [job] = session.query(Job).all()
        session.expunge(job)
        return job


@pytest.mark.parametrize(
    ("spec", "line"),
    [
        (f"apiVersion: sbh/v1\nenv: {DEEP_BRACKETS}\n", FIRST_SPEC_LINE + 1),
        ("apiVersion: sbh/v1\nenv:\n" + "- " * 30_000 + "x\n", FIRST_SPEC_LINE + 2),
    ],
    ids=["brackets", "block lists"],
)
def test_a_spec_issue_nested_30000_deep_gets_the_problem_and_the_job_is_done(
    database: Database, context: HandlerContext, github: FakeGitHubPort, spec: str, line: int
) -> None:
    job = deliver_and_work_off(database, context, issue_with(spec))

    assert (job.status, job.attempts, job.last_error) == ("done", 1, None)
    (comment,) = github.comment_bodies(HUB, 7)
    assert (
        f"- line {line} of the issue body, `(spec)`: nesting deeper than 32 levels: an SBH spec "
        "never needs that"
    ) in comment
    assert github.labels[(HUB, 7)] == {"sbh:invalid"}


@pytest.fixture
def limited(context: HandlerContext) -> Iterator[HandlerContext]:
    with SpecWorkPool(limit_seconds=0.25) as spec_work:  # SLOW_SPEC takes ten times as long
        yield dataclasses.replace(context, spec_work=spec_work)


def test_a_spec_issue_over_the_time_limit_gets_the_problem_and_the_job_is_done(
    database: Database, limited: HandlerContext, github: FakeGitHubPort
) -> None:
    job = deliver_and_work_off(database, limited, issue_with(SLOW_SPEC))

    assert (job.status, job.attempts, job.last_error) == ("done", 1, None)
    (comment,) = github.comment_bodies(HUB, 7)
    assert (
        f"- line {FIRST_SPEC_LINE} of the issue body, `(spec)`: the spec took longer than "
        "0\\.25 s to check; it is too complex"
    ) in comment
    assert github.labels[(HUB, 7)] == {"sbh:invalid"}
