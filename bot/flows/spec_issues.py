"""Spec issues: an issue whose body holds a ```yaml spec (or that carries the `sbh` label)
gets a plan, or its problems with line numbers, in one sticky comment; where the hub's
`.github/sbh.yml` says `auto_build: {issues: true}`, a valid spec is also built."""

from __future__ import annotations

import logging
from typing import Any

from bot.flows.build import Origin
from bot.flows.hub_settings import PATH as HUB_SETTINGS_PATH
from bot.flows.hub_settings import parse_hub_settings
from bot.flows.issue_spec import WEB_BUILD_MARKER, find_spec, issue_text
from bot.flows.outcomes import (
    SPEC_LABEL,
    build_and_report,
    report_invalid,
    report_missing_spec,
    report_plan,
)
from bot.flows.spec_checks import complete_spec
from bot.intake.router import Router, WebhookEvent
from bot.jobs.context import HandlerContext
from bot.logs import log_event

log = logging.getLogger("sbh.handlers.spec_issues")


def register(router: Router[HandlerContext]) -> None:
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
    repository, number = event.repository, int(issue["number"])
    log_event(log, logging.INFO, "issue.planned", delivery=event.delivery_id, issue=number)
    found = find_spec(issue.get("body"))
    if found is None:
        report_missing_spec(github, repository, number)
        return
    checked = complete_spec(
        found.text,
        "spec",
        found.body_line,
        work=context.spec_work,
        drafter=context.drafter,
        context=issue_text(issue),
    )
    if isinstance(checked, list):
        report_invalid(github, repository, number, checked, "the issue body")
        return
    report_plan(github, repository, number, checked)
    hub = parse_hub_settings(github.read_file(repository, HUB_SETTINGS_PATH))
    if hub.auto_build_issues:
        origin = Origin(
            repository=repository,
            trigger="issue",
            issue_number=number,
            installation_id=event.installation_id,
            delivery_id=event.delivery_id,
        )
        build_and_report(github, context.systems, checked, origin)
