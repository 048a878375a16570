"""The System Builder's "Build now" (`POST /api/builds`): for a person signed in with GitHub
with write permission on the hub repository, SBH opens the spec issue there and queues the
build; a worker builds it as `/sbh build` would and reports on that issue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.db.database import Database
from bot.db.models import Installation, Job
from bot.flows.web_builds import JOB_KIND, run_web_build
from bot.jobs.context import HandlerContext
from bot.jobs.queue import JobQueue
from tests.bot.api.signed_in import SETTINGS, signed_in
from tests.bot.conftest import make_settings
from tests.bot.events import HUB, SPEC_TEXT, handle, issue_event
from tests.fakes.github_port import FakeGitHubPort


@pytest.fixture
def installed(database: Database) -> None:
    with database.session() as session:
        session.add(Installation(id=42, account_login="acme", account_type="Organization"))


def web_app(database: Database, github: FakeGitHubPort, hub: str | None = HUB) -> TestClient:
    settings = make_settings(**SETTINGS, **({"SBH_HUB_REPOSITORY": hub} if hub else {}))
    app = create_app(
        settings,
        database=database,
        run_worker=False,
        github_for_installation=lambda installation_id: github,
    )
    return TestClient(app)


@pytest.fixture
def web(database: Database, github: FakeGitHubPort, installed: None) -> Iterator[TestClient]:
    with web_app(database, github) as client:
        yield client


def queued(database: Database) -> list[Job]:
    with database.session() as session:
        jobs = session.query(Job).filter(Job.kind == JOB_KIND).all()
        session.expunge_all()
        return jobs


def test_a_writer_on_the_hub_gets_a_spec_issue_and_a_built_repository(
    context: HandlerContext, github: FakeGitHubPort, database: Database, web: TestClient
) -> None:
    signed_in(web, database, "alice", {HUB.lower()})

    response = web.post("/api/builds", json={"spec": SPEC_TEXT})

    assert response.status_code == 202, response.text
    number = response.json()["issue"]
    assert response.json()["issue_url"] == f"https://github.com/{HUB}/issues/{number}"
    issue = github.issues[(HUB, number)]
    assert issue["title"] == "Build acme/orders-api"
    assert issue["labels"] == ["sbh"]
    assert "Requested by @alice in the SBH web app" in issue["body"]
    assert f"```yaml\n{SPEC_TEXT}" in issue["body"]
    assert len(queued(database)) == 1

    # GitHub tells SBH about the issue it opened: no second plan or build of it.
    handle(issue_event("opened", body=issue["body"], number=number), context)
    assert github.comment_bodies(HUB, number) == []

    job = JobQueue(database).claim("worker-1")
    assert job is not None
    assert run_web_build(job, context) == "built"
    assert "acme/orders-api" in github.repositories
    (sticky,) = github.comment_bodies(HUB, number)
    assert "acme/orders-api" in sticky
    assert "sbh:built" in github.labels[(HUB, number)]


def test_without_write_permission_on_the_hub_nothing_is_opened(
    github: FakeGitHubPort, database: Database, web: TestClient
) -> None:
    signed_in(web, database, "rita", {HUB.lower()})

    response = web.post("/api/builds", json={"spec": SPEC_TEXT})

    assert response.status_code == 403
    assert response.json()["detail"] == (
        f"Sorry @rita, `/sbh build` needs write permission on {HUB} (you have read)."
    )
    assert github.issues == {}
    assert queued(database) == []


def test_a_spec_that_cannot_build_is_refused_with_its_lines(
    github: FakeGitHubPort, database: Database, web: TestClient
) -> None:
    signed_in(web, database, "alice", {HUB.lower()})
    broken = SPEC_TEXT.replace("region: us-west-2", "region: moon-1", 1)

    response = web.post("/api/builds", json={"spec": broken})

    assert response.status_code == 422
    (problem,) = response.json()["problems"]
    assert problem["field"].endswith(".region")
    assert (
        problem["line"]
        == broken.splitlines().index(next(line for line in broken.splitlines() if "moon-1" in line))
        + 1
    )
    assert github.issues == {}


def test_building_needs_a_hub_an_installation_and_a_github_sign_in(
    github: FakeGitHubPort, database: Database
) -> None:
    with web_app(database, github) as no_installation:
        signed_in(no_installation, database, "alice", {HUB.lower()})
        assert no_installation.post("/api/builds", json={"spec": SPEC_TEXT}).json() == {
            "detail": "the SBH App is not installed on acme"
        }
    with web_app(database, github, hub=None) as no_hub:
        signed_in(no_hub, database, "alice", {HUB.lower()})
        assert no_hub.post("/api/builds", json={"spec": SPEC_TEXT}).status_code == 409
    with web_app(database, github) as operator:
        response = operator.post(
            "/api/builds",
            json={"spec": SPEC_TEXT},
            headers={"Authorization": "Bearer operator-token"},
        )
        assert response.status_code == 403
        assert "needs sign-in with GitHub" in response.json()["detail"]
    assert github.issues == {}
