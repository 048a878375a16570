"""Following deploys of generated repositories: GitHub's deployment statuses and workflow
runs become `deployments` rows, the table in the origin issue's sticky comment and a check on
the deployed commit; a deploy GitHub refuses to start is answered in words, and one that
started is not started again when its job runs again. Payloads are GitHub's published
examples with our values in them."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from bot.db.database import Database
from bot.db.models import Deployment, Job
from bot.flows.handlers import default_router
from bot.intake.router import WebhookEvent
from bot.jobs.context import HandlerContext
from bot.jobs.queue import JobQueue, QueuePolicy
from bot.jobs.worker import Worker
from bot.wiring import job_runners
from tests.bot.events import (
    HUB,
    SHA,
    built,
    comment_event,
    example,
    handle,
    status_event,
    store,
)
from tests.fakes.github_port import FakeGitHubPort


def rows(database: Database) -> list[tuple[str, str | None, str]]:
    with database.session() as session:
        return [
            (row.environment, row.image_tag, row.state)
            for row in session.query(Deployment).order_by(Deployment.id)
        ]


def test_a_successful_deploy_shows_in_the_origin_issue_and_on_the_commit(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    repository_id = built(context, github)

    handle(status_event(repository_id, "in_progress"), context)
    handle(status_event(repository_id, "success", description="image 1a2b3c4"), context)

    assert rows(database) == [("prod", "1a2b3c4", "success")]
    (sticky,) = github.comment_bodies(HUB, 7)
    assert "| prod | `1a2b3c4` | success (image 1a2b3c4) | https://orders.acme.io |" in sticky
    assert "| dev | | never deployed |" in sticky
    (check,) = [c for c in github.checks if c["name"] == "sbh/deploy prod"]
    assert (check["sha"], check["conclusion"]) == (SHA, "success")


def test_a_failed_deploy_shows_its_rollback(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    repository_id = built(context, github)

    handle(
        status_event(
            repository_id,
            "failure",
            description="image 9f9f9f9; rolled back to orders-api-task-prod:41",
        ),
        context,
    )

    assert rows(database) == [("prod", "9f9f9f9", "failure")]
    assert "rolled back to orders\\-api\\-task\\-prod:41" in github.comment_bodies(HUB, 7)[0]


def test_a_late_in_progress_status_does_not_undo_the_final_state(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    repository_id = built(context, github)

    handle(status_event(repository_id, "success", description="image 1a2b3c4"), context)
    handle(status_event(repository_id, "in_progress"), context)

    assert rows(database) == [("prod", "1a2b3c4", "success")]


def test_statuses_of_repositories_sbh_did_not_make_are_ignored(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    handle(status_event(123456, "success"), context)

    assert github.calls == []
    assert rows(database) == []


def test_a_deploy_command_is_pending_until_its_statuses_arrive(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    repository_id = built(context, github)

    handle(comment_event("/sbh deploy dev 1a2b3c4", comment_id=555), context)

    assert rows(database) == [("dev", "1a2b3c4", "requested")]
    assert (HUB, 555, "rocket") in github.reactions
    assert "| dev | `1a2b3c4` | requested |" in github.comment_bodies(HUB, 7)[0]
    handle(
        status_event(repository_id, "success", environment="dev", description="image 1a2b3c4"),
        context,
    )
    assert rows(database) == [("dev", "1a2b3c4", "success")]


def test_rollback_without_a_tag_takes_the_previous_successful_deploy(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    repository_id = built(context, github)
    for deployment_id, tag, state in [
        (1, "aaaaaaa", "success"),
        (2, "bbbbbbb", "failure"),
        (3, "ccccccc", "success"),
    ]:
        handle(
            status_event(
                repository_id, state, deployment_id=deployment_id, description=f"image {tag}"
            ),
            context,
        )

    handle(comment_event("/sbh rollback prod", login="olivia"), context)

    dispatched = github.repositories["acme/orders-api"].dispatches[-1]
    assert dispatched["inputs"] == {"environment": "prod", "image_tag": "aaaaaaa"}


def test_an_infrastructure_apply_in_an_environment_is_no_deploy(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    repository_id = built(context, github)
    handle(status_event(repository_id, "success", description="image aaaaaaa"), context)

    handle(
        status_event(
            repository_id, "success", deployment_id=2, workflow_path=".github/workflows/infra.yml"
        ),
        context,
    )
    handle(comment_event("/sbh rollback prod", login="olivia"), context)

    assert rows(database) == [("prod", "aaaaaaa", "success")]
    assert [c["name"] for c in github.checks].count("sbh/deploy prod") == 1
    assert github.repositories["acme/orders-api"].dispatches == []  # nothing earlier to return to


def test_a_failed_build_of_a_generated_repository_is_reported(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    repository_id = built(context, github)
    payload: dict[str, Any] = copy.deepcopy(example("workflow_run", "completed"))
    payload["repository"].update(id=repository_id, full_name="acme/orders-api")
    payload["workflow_run"].update(
        path=".github/workflows/build.yml",
        conclusion="failure",
        head_sha=SHA,
        html_url="https://github.test/acme/orders-api/actions/runs/5",
    )

    handle(
        WebhookEvent("d-run", "workflow_run", "completed", payload, 42, "acme/orders-api"), context
    )

    assert (
        "Build of `1a2b3c4` failed: https://github.test/acme/orders-api/actions/runs/5"
        in (github.comment_bodies(HUB, 7)[0])
    )


def test_a_deploy_whose_workflow_github_refuses_is_answered_at_once_in_words(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    built(context, github)
    github.refuse("dispatch_workflow", 404, "Not Found")  # deploy.yml was deleted
    command = comment_event("/sbh deploy dev")

    handle(command, context)  # returns: the job completes, nothing to retry

    assert github.comment_bodies(HUB, 7)[-1] == (
        "GitHub refused to start deploy.yml in acme/orders-api (404 Not Found): the repository "
        "has no .github/workflows/deploy.yml on main; restore it or rebuild with `/sbh build`."
    )
    assert (HUB, command.payload["comment"]["id"], "rocket") not in github.reactions
    assert rows(database) == []


def test_a_deploy_job_run_again_after_a_later_step_failed_dispatches_once(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    built(context, github)
    queue = JobQueue(database, QueuePolicy(backoff_base_seconds=0))  # retried at once
    worker = Worker(replace(context, queue=queue), job_runners(default_router()), "w")
    store(database, queue, comment_event("/sbh deploy dev"))
    # GitHub does not answer the status comment's update, right after the dispatch.
    github.fail_on = "upsert_status_comment"

    assert worker.run_once()  # fails after dispatching
    assert worker.run_once()  # the retry

    assert len(github.repositories["acme/orders-api"].dispatches) == 1
    assert rows(database) == [("dev", None, "requested")]
    assert github.comment_bodies(HUB, 7)[-1].startswith("Started the deploy of the newest image")
    with database.session() as session:
        job = session.query(Job).one()
        assert (job.status, job.attempts) == ("done", 2)
