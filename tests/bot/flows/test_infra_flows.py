"""Following the infrastructure of generated repositories: the runs of their `infra.yml` (a
plan per environment on a pull request, an apply per environment on a push) and `drift.yml`
(a drift check per environment) become each environment's last plan, apply and drift check,
shown in the origin issue's sticky comment; each environment's result is its own job's, and
a plan's counts come from the plan comment on the pull request. Payloads are GitHub's
published examples with our values in them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.db.database import Database
from bot.db.models import InfraState
from bot.intake.router import WebhookEvent
from bot.jobs.context import HandlerContext
from bot.ports import WorkflowJob
from tests.bot.events import (
    HUB,
    ISSUE_BODY,
    built,
    comment_event,
    handle,
    infra_run_event,
    published_examples,
)
from tests.fakes.github_port import FakeGitHubPort

REPOSITORY = "acme/orders-api"
RUNS = "https://github.test/acme/orders-api/actions/runs"
MORNING = datetime(2026, 12, 5, 6, 0, tzinfo=UTC)
NOON = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
NEXT_MORNING = datetime(2026, 12, 6, 6, 0, tzinfo=UTC)

# What the plan job of each environment posts (infra/scripts/plan_summary.py's sections).
PLAN_COMMENT = """<!-- sbh:infra-plan -->
<!-- sbh:plan:dev -->
### Terraform plan for `dev`

**Plan: 3 to add, 1 to change, 0 to destroy.**

#### Create
- `module.db.aws_db_instance.this`
<!-- /sbh:plan:dev -->
<!-- sbh:plan:prod -->
### Terraform plan for `prod`

**No changes.** Your infrastructure matches the configuration.
<!-- /sbh:plan:prod -->
"""


def job(name: str, conclusion: str, run_id: int = 30, at: datetime = NOON) -> WorkflowJob:
    """A job of run `run_id`; its page ends in the last word of its name ("plan (dev)": dev)."""
    return WorkflowJob(name, conclusion, f"{RUNS}/{run_id}/job/{name.split()[-1].strip('()')}", at)


def jobs_of_run(github: FakeGitHubPort, run_id: int, *jobs: WorkflowJob) -> None:
    github.workflow_runs[(REPOSITORY, run_id)] = list(jobs)


def sticky(github: FakeGitHubPort) -> str:
    (comment,) = github.comment_bodies(HUB, 7)
    return comment


def infra_states(database: Database) -> list[tuple[str, str, str]]:
    with database.session() as session:
        return sorted((row.environment, row.kind, row.state) for row in session.query(InfraState))


def test_a_plan_is_pending_then_shows_each_environments_counts_linked_to_the_plan_comment(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    repository_id = built(context, github)

    handle(infra_run_event(repository_id, action="requested"), context)

    assert f"- **dev**: [plan pending on PR #12]({RUNS}/30)" in sticky(github)
    assert f"- **prod**: [plan pending on PR #12]({RUNS}/30)" in sticky(github)

    plan = github.add_comment(REPOSITORY, 12, PLAN_COMMENT)
    jobs_of_run(github, 30, job("plan (dev)", "success"), job("plan (prod)", "success"))
    handle(infra_run_event(repository_id), context)

    assert f"- **dev**: [plan succeeded on PR #12 (+3 ~1 \N{MINUS SIGN}0)]({plan})" in sticky(
        github
    )
    assert f"- **prod**: [plan succeeded on PR #12 (no changes)]({plan})" in sticky(github)
    assert "| dev | | never deployed |" in sticky(github)  # the deploy table is still there


def test_a_failed_plan_links_its_job_and_the_other_environment_keeps_its_counts(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    repository_id = built(context, github)
    plan = github.add_comment(REPOSITORY, 12, PLAN_COMMENT.split("<!-- sbh:plan:prod")[0])
    jobs_of_run(github, 30, job("plan (dev)", "success"), job("plan (prod)", "failure"))

    handle(infra_run_event(repository_id, conclusion="failure"), context)

    assert f"- **dev**: [plan succeeded on PR #12 (+3 ~1 \N{MINUS SIGN}0)]({plan})" in sticky(
        github
    )
    assert f"- **prod**: [plan failed on PR #12]({RUNS}/30/job/prod)" in sticky(github)


def test_a_plan_without_a_plan_comment_links_the_pull_request_without_counts(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    repository_id = built(context, github)
    jobs_of_run(github, 30, job("plan (dev)", "success"), job("plan (prod)", "success"))

    handle(infra_run_event(repository_id), context)

    assert "- **dev**: [plan succeeded on PR #12](https://github.test/acme/orders-api/pull/12)" in (
        sticky(github)
    )


def test_an_apply_shows_the_commit_applied_in_each_environment(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    repository_id = built(context, github)
    jobs_of_run(github, 31, job("apply dev", "success", 31), job("apply prod", "success", 31))

    handle(infra_run_event(repository_id, event="push", run_id=31, pull_request=None), context)

    assert f"- **dev**: [applied 1a2b3c4 at 2026-12-05 12:00 UTC]({RUNS}/31/job/dev)" in sticky(
        github
    )
    assert f"- **prod**: [applied 1a2b3c4 at 2026-12-05 12:00 UTC]({RUNS}/31/job/prod)" in (
        sticky(github)
    )


def test_a_failed_apply_links_its_job_and_the_environment_after_it_shows_skipped(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    repository_id = built(context, github)
    handle(
        infra_run_event(
            repository_id, event="push", action="requested", run_id=31, pull_request=None
        ),
        context,
    )
    assert f"- **prod**: [apply of 1a2b3c4 pending]({RUNS}/31)" in sticky(github)
    jobs_of_run(github, 31, job("apply dev", "failure", 31), job("apply prod", "skipped", 31))

    handle(
        infra_run_event(
            repository_id, event="push", conclusion="failure", run_id=31, pull_request=None
        ),
        context,
    )

    assert (
        f"- **dev**: [apply of 1a2b3c4 failed at 2026-12-05 12:00 UTC]({RUNS}/31/job/dev)"
        in sticky(github)
    )
    assert (
        f"- **prod**: [apply of 1a2b3c4 skipped at 2026-12-05 12:00 UTC]({RUNS}/31/job/prod)"
        in (sticky(github))
    )


def test_drift_shows_since_when_it_was_found_until_a_check_finds_none(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    repository_id = built(context, github)

    def drift_check(run_id: int, prod: str, at: datetime) -> None:
        jobs_of_run(
            github,
            run_id,
            job("drift dev", "success", run_id, at),
            job("drift prod", prod, run_id, at),
        )
        handle(
            infra_run_event(
                repository_id,
                workflow="drift.yml",
                event="schedule",
                conclusion=prod,
                run_id=run_id,
                pull_request=None,
            ),
            context,
        )

    drift_check(40, "failure", MORNING)
    drift_check(41, "failure", NEXT_MORNING)

    assert f"- **prod**: [drift detected since 2026-12-05 06:00 UTC]({RUNS}/41/job/prod)" in sticky(
        github
    )

    drift_check(42, "success", datetime(2026, 12, 7, 6, 0, tzinfo=UTC))

    assert f"- **prod**: [no drift (checked 2026-12-07 06:00 UTC)]({RUNS}/42/job/prod)" in (
        sticky(github)
    )
    assert f"- **dev**: [no drift (checked 2026-12-07 06:00 UTC)]({RUNS}/42/job/dev)" in (
        sticky(github)
    )


def test_an_older_run_that_finishes_late_does_not_overwrite_a_newer_one(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    repository_id = built(context, github)
    push = {"event": "push", "pull_request": None}
    jobs_of_run(github, 51, job("apply dev", "success", 51), job("apply prod", "success", 51))
    jobs_of_run(github, 50, job("apply dev", "failure", 50), job("apply prod", "skipped", 50))

    handle(infra_run_event(repository_id, run_id=51, **push), context)
    handle(infra_run_event(repository_id, run_id=50, conclusion="failure", **push), context)
    handle(infra_run_event(repository_id, run_id=51, action="requested", **push), context)

    assert infra_states(database) == [("dev", "apply", "succeeded"), ("prod", "apply", "succeeded")]


def test_when_github_refuses_to_list_the_jobs_every_environment_takes_the_runs_result(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    repository_id = built(context, github)
    handle(infra_run_event(repository_id, action="requested"), context)
    github.refuse("workflow_jobs", 403, "Resource not accessible by integration")

    handle(infra_run_event(repository_id, conclusion="failure"), context)

    assert infra_states(database) == [("dev", "plan", "failed"), ("prod", "plan", "failed")]


def test_an_environment_no_single_job_names_takes_the_runs_result(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    repository_id = built(context, github)
    jobs_of_run(
        github,
        30,
        job("setup", "failure"),
        job("compare dev and prod", "failure"),
        job("plan (development)", "failure"),  # a word holding "dev" is not "dev"
        job("Plan (PROD)", "success"),
    )

    handle(infra_run_event(repository_id, conclusion="cancelled"), context)

    assert infra_states(database) == [("dev", "plan", "cancelled"), ("prod", "plan", "succeeded")]


def test_runs_of_repositories_sbh_did_not_make_are_ignored(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    handle(infra_run_event(123456), context)
    handle(infra_run_event(123456, action="requested"), context)

    assert github.calls == []
    assert infra_states(database) == []


def _without(*path: str) -> Callable[[dict[str, Any]], None]:
    def change(payload: dict[str, Any]) -> None:
        *parents, last = path
        for key in parents:
            payload = payload[key]
        del payload[last]

    return change


def _set(value: object, *path: str) -> Callable[[dict[str, Any]], None]:
    def change(payload: dict[str, Any]) -> None:
        *parents, last = path
        for key in parents:
            payload = payload[key]
        payload[last] = value

    return change


MALFORMED = {
    "no workflow_run": _without("workflow_run"),
    "no repository": _without("repository"),
    "a run id that is text": _set("30", "workflow_run", "id"),
    "a repository id that is null": _set(None, "repository", "id"),
    "no path": _without("workflow_run", "path"),
    "a path that is a list": _set([".github/workflows/infra.yml"], "workflow_run", "path"),
    "no event": _without("workflow_run", "event"),
    "another workflow": _set(".github/workflows/build.yml", "workflow_run", "path"),
    "infra.yml started by hand": _set("workflow_dispatch", "workflow_run", "event"),
    "a workflow_run that is a list": _set([], "workflow_run"),
}


@pytest.mark.parametrize("change", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_payload_missing_what_is_needed_is_ignored(
    change: Callable[[dict[str, Any]], None],
    context: HandlerContext,
    github: FakeGitHubPort,
    database: Database,
) -> None:
    repository_id = built(context, github)
    jobs_of_run(github, 30, job("plan (dev)", "success"))
    event = infra_run_event(repository_id)
    change(event.payload)
    calls = len(github.calls)

    handle(event, context)

    assert "workflow_jobs" not in github.calls[calls:]
    assert infra_states(database) == []


def test_githubs_own_workflow_run_examples_of_other_workflows_record_nothing(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    repository_id = built(context, github)
    examples = [
        (index, payload)
        for index, payload in enumerate(published_examples("workflow_run"))
        if isinstance(payload.get("repository"), dict)
    ]
    assert len(examples) >= 5

    for index, payload in examples:
        payload["repository"]["id"] = repository_id
        event = WebhookEvent(
            f"d-example-{index}", "workflow_run", payload["action"], payload, 42, None
        )
        handle(event, context)

    assert "workflow_jobs" not in github.calls
    assert infra_states(database) == []


def test_odd_values_in_a_run_are_left_out_not_shown(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    repository_id = built(context, github)
    jobs_of_run(github, 30, WorkflowJob("plan (dev)", "success", "javascript:alert(1)", None))
    event = infra_run_event(repository_id, pull_request=None)
    event.payload["workflow_run"].update(head_sha="not a sha", html_url="javascript:alert(1)")
    event.payload["repository"]["html_url"] = None

    handle(event, context)

    assert "- **dev**: plan succeeded\n" in sticky(github) + "\n"
    assert "javascript" not in sticky(github)


def test_the_update_pull_request_says_its_plan_follows_and_the_issue_links_it_when_it_does(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    repository_id = built(context, github)
    changed = ISSUE_BODY.replace("desired_count: 2", "desired_count: 3")

    handle(comment_event("/sbh build", body=changed), context)

    (pull_request,) = github.repositories[REPOSITORY].pull_requests
    assert (
        "The Terraform plan of each environment follows in a comment on this pull request."
        in pull_request["body"]
    )
    assert "Its Terraform plan per environment follows in a comment there" in sticky(github)

    plan = github.add_comment(REPOSITORY, 1, PLAN_COMMENT)
    jobs_of_run(github, 60, job("plan (dev)", "success", 60), job("plan (prod)", "success", 60))
    handle(infra_run_event(repository_id, run_id=60, pull_request=1), context)

    assert f"[plan succeeded on PR #1 (+3 ~1 \N{MINUS SIGN}0)]({plan})" in sticky(github)
