"""The web app's deploy and rollback buttons (`POST /api/systems/{name}/deploys`): the code
path and the permission rule of `/sbh deploy` and `/sbh rollback`, for a person signed in
with GitHub who can see the system's repository, and only with the CSRF token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.db.database import Database
from bot.db.models import Deployment
from bot.jobs.context import HandlerContext
from tests.bot.api.signed_in import SETTINGS, signed_in
from tests.bot.conftest import make_settings
from tests.bot.events import HUB, built, handle, status_event
from tests.fakes.github_port import FakeGitHubPort


@pytest.fixture
def web(database: Database, github: FakeGitHubPort) -> Iterator[TestClient]:
    app = create_app(
        make_settings(**SETTINGS),
        database=database,
        run_worker=False,
        github_for_installation=lambda installation_id: github,
    )
    with TestClient(app) as client:
        yield client


def deploy(client: TestClient, **body: object) -> tuple[int, str]:
    response = client.post("/api/systems/orders-api/deploys", json=body)
    payload = response.json()
    return response.status_code, str(payload.get("message") or payload.get("detail"))


def requested(database: Database) -> list[tuple[str, str | None, str, str | None]]:
    with database.session() as session:
        return [
            (row.environment, row.image_tag, row.state, row.actor)
            for row in session.query(Deployment).order_by(Deployment.id)
            if row.state == "requested"
        ]


def test_a_writer_deploys_dev_the_way_the_comment_command_does(
    context: HandlerContext, github: FakeGitHubPort, database: Database, web: TestClient
) -> None:
    built(context, github)
    signed_in(web, database, "alice", {"acme/orders-api"})

    status, message = deploy(web, action="deploy", environment="dev", image_tag="1a2b3c4")

    assert status == 202
    assert "Started the deploy of image `1a2b3c4` to **dev**" in message
    assert github.repositories["acme/orders-api"].dispatches[-1] == {
        "workflow": "deploy.yml",
        "ref": "main",
        "inputs": {"environment": "dev", "image_tag": "1a2b3c4"},
    }
    assert requested(database) == [("dev", "1a2b3c4", "requested", "alice")]
    assert "| dev | `1a2b3c4` | requested |" in github.comment_bodies(HUB, 7)[0]


def test_production_needs_admin_permission(
    context: HandlerContext, github: FakeGitHubPort, database: Database, web: TestClient
) -> None:
    built(context, github)
    signed_in(web, database, "alice", {"acme/orders-api"})

    status, message = deploy(web, action="deploy", environment="prod")

    assert status == 403
    assert message == (
        "Sorry @alice, `/sbh deploy` needs admin permission on acme/orders-api (you have write)."
    )
    assert github.repositories["acme/orders-api"].dispatches == []
    assert requested(database) == []


def test_a_rollback_without_a_tag_takes_the_previous_successful_deploy(
    context: HandlerContext, github: FakeGitHubPort, database: Database, web: TestClient
) -> None:
    repository_id = built(context, github)
    for deployment_id, tag in [(1, "aaaaaaa"), (2, "ccccccc")]:
        handle(
            status_event(
                repository_id, "success", deployment_id=deployment_id, description=f"image {tag}"
            ),
            context,
        )
    signed_in(web, database, "olivia", {"acme/orders-api"})

    status, message = deploy(web, action="rollback", environment="prod")

    assert status == 202
    assert "rollback of image `aaaaaaa` to **prod**" in message
    inputs = github.repositories["acme/orders-api"].dispatches[-1]["inputs"]
    assert inputs == {"environment": "prod", "image_tag": "aaaaaaa"}


def test_a_rollback_with_nothing_on_record_says_how_to_name_the_image(
    context: HandlerContext, github: FakeGitHubPort, database: Database, web: TestClient
) -> None:
    built(context, github)
    signed_in(web, database, "olivia", {"acme/orders-api"})

    status, message = deploy(web, action="rollback", environment="prod")

    assert status == 409
    assert "`/sbh rollback prod <tag>`" in message


def test_an_environment_the_spec_does_not_have_is_refused(
    context: HandlerContext, github: FakeGitHubPort, database: Database, web: TestClient
) -> None:
    built(context, github)
    signed_in(web, database, "olivia", {"acme/orders-api"})

    assert deploy(web, action="deploy", environment="qa") == (
        422,
        "`qa` is not an environment of acme/orders-api (known: dev, prod).",
    )
    assert deploy(web, action="deploy", environment="dev", image_tag="not a tag;")[0] == 422


def test_a_system_outside_the_users_installations_does_not_exist_for_them(
    context: HandlerContext, github: FakeGitHubPort, database: Database, web: TestClient
) -> None:
    built(context, github)
    signed_in(web, database, "olivia", {"acme/other-service"})

    assert deploy(web, action="deploy", environment="dev") == (404, "no system named 'orders-api'")
    assert github.repositories["acme/orders-api"].dispatches == []


def test_only_a_person_signed_in_with_github_can_deploy(
    context: HandlerContext, github: FakeGitHubPort, web: TestClient
) -> None:
    built(context, github)

    anonymous = deploy(web, action="deploy", environment="dev")
    operator = web.post(
        "/api/systems/orders-api/deploys",
        json={"action": "deploy", "environment": "dev"},
        headers={"Authorization": "Bearer operator-token"},
    )

    assert anonymous[0] in (401, 403)
    assert operator.status_code == 403
    assert "needs sign-in with GitHub" in operator.json()["detail"]
    assert github.repositories["acme/orders-api"].dispatches == []


def test_the_button_needs_the_csrf_token(
    context: HandlerContext, github: FakeGitHubPort, database: Database, web: TestClient
) -> None:
    built(context, github)
    signed_in(web, database, "alice", {"acme/orders-api"})
    del web.headers["X-CSRF-Token"]

    status, _ = deploy(web, action="deploy", environment="dev")

    assert status == 403
    assert github.repositories["acme/orders-api"].dispatches == []


def test_the_system_page_lists_its_environments_and_who_may_press_what(
    context: HandlerContext, github: FakeGitHubPort, database: Database, web: TestClient
) -> None:
    built(context, github)
    signed_in(web, database, "alice", {"acme/orders-api"})

    detail = web.get("/api/systems/orders-api").json()
    listed = web.get("/api/systems").json()["items"][0]

    assert [(env["name"], env["production"]) for env in detail["environments"]] == [
        ("dev", False),
        ("prod", True),
    ]
    assert listed["last_build"]["status"] == "created"
    assert [env["name"] for env in listed["environments"]] == ["dev", "prod"]
    assert all(env["deploy"] is None for env in listed["environments"])


def test_a_name_or_owner_no_system_can_have_is_422_never_500(
    database: Database, web: TestClient
) -> None:
    signed_in(web, database, "alice", {"acme/orders-api"})

    by_owner = deploy(web, action="deploy", environment="dev", owner="ac\x00me")
    by_name = web.post(
        "/api/systems/orders%00api/deploys", json={"action": "deploy", "environment": "dev"}
    )

    assert by_owner[0] == 422
    assert by_name.status_code == 422


def test_a_deploy_github_refuses_to_start_is_answered_in_words(
    context: HandlerContext, github: FakeGitHubPort, database: Database, web: TestClient
) -> None:
    built(context, github)
    signed_in(web, database, "alice", {"acme/orders-api"})
    github.refuse("dispatch_workflow", 422, "Workflow does not have 'workflow_dispatch' trigger")

    status, message = deploy(web, action="deploy", environment="dev")

    assert status == 409
    assert message == (
        "GitHub refused to start deploy.yml in acme/orders-api (422 Unprocessable Entity): "
        "Workflow does not have 'workflow_dispatch' trigger. Restore the deploy.yml SBH "
        "generated, or rebuild with `/sbh build`, then ask again."
    )
    assert requested(database) == []


def test_a_deploy_starts_even_when_its_origin_issue_is_locked(
    context: HandlerContext, github: FakeGitHubPort, database: Database, web: TestClient
) -> None:
    built(context, github)
    signed_in(web, database, "alice", {"acme/orders-api"})
    github.refuse("upsert_status_comment", 403, "Unable to update comment: issue is locked.")

    status, message = deploy(web, action="deploy", environment="dev")

    assert (status, message.split(":")[0]) == (
        202,
        "Started the deploy of the newest image to **dev**",
    )
    assert len(github.repositories["acme/orders-api"].dispatches) == 1
    assert requested(database) == [("dev", None, "requested", "alice")]


def test_any_other_refusal_by_github_is_a_sentence_not_a_500(
    context: HandlerContext, github: FakeGitHubPort, database: Database, web: TestClient
) -> None:
    built(context, github)
    signed_in(web, database, "alice", {"acme/orders-api"})
    github.refuse("permission", 403, "Resource not accessible by integration")

    status, message = deploy(web, action="deploy", environment="dev")

    assert status == 502
    assert message == (
        "GitHub refused a request SBH made for this: 403 Forbidden: Resource not accessible "
        "by integration."
    )
