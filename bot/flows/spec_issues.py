"""Spec issues: an issue whose body holds a ```yaml spec (or that carries the `sbh` label)
gets a plan, or its problems with line numbers, in one sticky comment; where the hub's
`.github/sbh.yml` says `auto_build: {issues: true}`, a valid spec is also built."""

from __future__ import annotations

import logging
from typing import Any

from bot.ai.drafting import Drafter
from bot.db.database import Database
from bot.flows.build import BuildFailed, Origin, build_system
from bot.flows.hub_settings import PATH as HUB_SETTINGS_PATH
from bot.flows.hub_settings import parse_hub_settings
from bot.flows.issue_spec import WEB_BUILD_MARKER, find_spec
from bot.flows.spec_checks import Completed, complete_spec
from bot.flows.status_comments import (
    MARKER,
    built_comment,
    failed_comment,
    invalid_comment,
    plan_comment,
    refused_comment,
    unchanged_comment,
)
from bot.intake.router import Router, WebhookEvent
from bot.jobs.context import HandlerContext
from bot.logs import log_event
from bot.ports import GitHubPort
from renderers.render import render

log = logging.getLogger("sbh.handlers.spec_issues")
SPEC_LABEL = "sbh"
INVALID_LABEL = "sbh:invalid"
BUILT_LABEL = "sbh:built"


def register(router: Router) -> None:
    for action in ("opened", "edited", "labeled", "reopened"):
        router.add("issues", action, plan_issue)


def issue_wants_sbh(issue: dict[str, Any]) -> bool:
    labels = {label.get("name") for label in issue.get("labels") or [] if isinstance(label, dict)}
    return find_spec(issue.get("body")) is not None or SPEC_LABEL in labels


def plan_issue(event: WebhookEvent, context: HandlerContext) -> None:
    issue = event.payload.get("issue")
    if not isinstance(issue, dict) or event.repository is None or issue.get("pull_request"):
        return
    if event.action == "labeled" and (event.payload.get("label") or {}).get("name") != SPEC_LABEL:
        return
    if not issue_wants_sbh(issue):
        return
    if event.action == "opened" and str(issue.get("body") or "").startswith(WEB_BUILD_MARKER):
        return  # opened by SBH for a build from the web app, which is already queued
    github = context.github(event.installation_id)
    completed = post_plan(github, event.repository, issue, context.drafter)
    log_event(
        log, logging.INFO, "issue.planned", delivery=event.delivery_id, issue=issue.get("number")
    )
    if completed is None:
        return
    hub = parse_hub_settings(github.read_file(event.repository, HUB_SETTINGS_PATH))
    if hub.auto_build_issues:
        origin = Origin(
            repository=event.repository,
            trigger="issue",
            issue_number=int(issue["number"]),
            installation_id=event.installation_id,
            delivery_id=event.delivery_id,
        )
        build_and_report(github, context.database, completed, origin)


def build_and_report(
    github: GitHubPort, database: Database, completed: Completed, origin: Origin
) -> None:
    """Build, then say what happened in the origin issue's sticky comment."""
    assert origin.issue_number is not None
    repository, number = origin.repository, origin.issue_number
    spec, draft = completed.spec, completed.draft
    try:
        usage = (draft.prompt_tokens, draft.completion_tokens)
        result = build_system(github, database, spec, origin, ai_usage=usage)
    except BuildFailed as failure:
        body = failed_comment(spec.repository, str(failure), failure.what_exists)
        github.upsert_status_comment(repository, number, MARKER, body)
        raise
    assert result.repository is not None
    url = result.repository.html_url
    if result.outcome == "refused":
        body = refused_comment(spec.repository, result.reason)
    elif result.outcome == "unchanged":
        body = unchanged_comment(spec, url)
    else:
        pull_request = result.pull_request[1] if result.pull_request else None
        body = built_comment(spec, url, result.commit_sha, pull_request)
    github.upsert_status_comment(repository, number, MARKER, body)
    if result.outcome in ("created", "updated"):
        github.set_labels(repository, number, add=[BUILT_LABEL], remove=[])


def post_plan(
    github: GitHubPort, repository: str, issue: dict[str, Any], drafter: Drafter | None = None
) -> Completed | None:
    """Validate the issue's spec and answer with a plan or its problems (sticky comment)."""
    number = int(issue["number"])
    found = find_spec(issue.get("body"))
    if found is None:
        github.upsert_status_comment(
            repository,
            number,
            MARKER,
            f"{MARKER}\n### SBH: no spec found\n\nPut the spec in the issue body as a fenced "
            "```` ```yaml ```` block starting with `apiVersion: sbh/v1`.\n",
        )
        github.set_labels(repository, number, add=[INVALID_LABEL], remove=[])
        return None
    checked = complete_spec(
        found.text,
        "spec",
        found.body_line,
        drafter=drafter,
        context=str(issue.get("title") or "") + "\n\n" + str(issue.get("body") or ""),
    )
    if isinstance(checked, list):
        github.upsert_status_comment(
            repository, number, MARKER, invalid_comment(checked, "the issue body")
        )
        github.set_labels(repository, number, add=[INVALID_LABEL], remove=[])
        return None
    spec = checked.spec
    exists = github.get_repository(spec.repository) is not None
    github.upsert_status_comment(
        repository,
        number,
        MARKER,
        plan_comment(spec, len(render(spec)), exists, checked.draft.taken, checked.draft.note),
    )
    github.set_labels(repository, number, add=[], remove=[INVALID_LABEL])
    return checked
