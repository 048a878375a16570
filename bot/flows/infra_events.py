"""Following the infrastructure of generated repositories: the `workflow_run` events of their
`.github/workflows/infra.yml` (on a pull request: a plan per environment; on a push to the
default branch: an apply per environment) and `drift.yml` (on a schedule or by hand: a drift
check per environment) become each environment's last plan, apply and drift check
(`bot.deploys.infra_records`) and the lines about them in the origin issue's sticky comment.

GitHub's payload says how the whole run ended, not how each environment fared, so SBH asks
GitHub for the run's jobs: an environment's result is that of the jobs whose names hold its
name as a word ("plan (dev)", "apply-prod"); an environment no job names (or every one, when
GitHub refuses the list) takes the run's conclusion. A plan's counts (+a ~c -d) come from the
plan comment on the pull request (`bot.flows.plan_summaries`), which the result then links.
A drift check's job fails when it finds drift. Events from repositories SBH did not make, of
other workflows or events, or missing what this needs, are ignored.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.db.models import utcnow
from bot.db.systems import SystemRecord
from bot.deploys.infra_records import (
    CLEAN,
    DRIFTED,
    PENDING,
    SUCCEEDED,
    InfraRecords,
    InfraResult,
    Kind,
)
from bot.flows.outcomes import report_system_status
from bot.flows.plan_summaries import PLAN_MARKER, plan_changes, plan_section
from bot.intake.router import Router, WebhookEvent
from bot.jobs.context import HandlerContext
from bot.logs import log_event
from bot.ports import GitHubPort, GitHubRefused, IssueComment, WorkflowJob

log = logging.getLogger("sbh.handlers.infra_events")

# (workflow file, the run's event) -> what its jobs do per environment.
RUN_KINDS: dict[tuple[str, str], Kind] = {
    ("infra.yml", "pull_request"): "plan",
    ("infra.yml", "push"): "apply",
    ("drift.yml", "schedule"): "drift",
    ("drift.yml", "workflow_dispatch"): "drift",
}
_FAILED = {"failure": "failed", "timed_out": "failed", "startup_failure": "failed"}
_RAN = {"success": SUCCEEDED, **_FAILED, "cancelled": "cancelled", "skipped": "skipped"}
# A conclusion (of a job, or of the run) as the state SBH keeps; one not listed (neutral,
# action_required, stale) says nothing about the environment.
STATES: dict[Kind, dict[str, str]] = {
    "plan": _RAN,
    "apply": _RAN,
    "drift": {"success": CLEAN, "failure": DRIFTED},
}
# Of an environment's jobs, the one that says most about it speaks for it.
_PRECEDENCE = ("failed", DRIFTED, "cancelled", SUCCEEDED, CLEAN, "skipped")
_SHA = re.compile(r"[0-9a-f]{7,40}")
_URL = re.compile(r"https?://[^\s<>()\[\]]+")
_WORDS = re.compile(r"[^a-z0-9]+")  # environment names are [a-z][a-z0-9]*


def register(router: Router[HandlerContext]) -> None:
    router.add("workflow_run", "requested", follow_infra_run)
    router.add("workflow_run", "completed", follow_infra_run)


@dataclass(frozen=True)
class InfraRun:
    """A `workflow_run` event of an infrastructure workflow, reduced to what SBH reads."""

    kind: Kind
    completed: bool
    run_id: int
    attempt: int
    conclusion: str | None
    head_sha: str | None
    url: str | None
    pull_request: int | None
    repository_id: int
    full_name: str
    repository_url: str | None

    @property
    def pull_request_url(self) -> str | None:
        if self.pull_request is None or self.repository_url is None:
            return None
        return f"{self.repository_url}/pull/{self.pull_request}"


@dataclass(frozen=True)
class EnvironmentOutcome:
    """What a finished run says about one environment: its state, where to see it, when."""

    state: str
    url: str | None
    at: datetime | None


def _text(value: object, pattern: re.Pattern[str]) -> str | None:
    return value if isinstance(value, str) and pattern.fullmatch(value) else None


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _first_pull_request(pull_requests: object) -> int | None:
    if not isinstance(pull_requests, list):
        return None
    numbers = [_number(entry.get("number")) for entry in pull_requests if isinstance(entry, dict)]
    return next((number for number in numbers if number is not None), None)


def infra_run(payload: Mapping[str, Any], action: str | None) -> InfraRun | None:
    """The run, when the payload is one of an infrastructure workflow's (else None)."""
    run, repository = payload.get("workflow_run"), payload.get("repository")
    if not isinstance(run, dict) or not isinstance(repository, dict):
        return None
    path, event = run.get("path"), run.get("event")
    if not isinstance(path, str) or not isinstance(event, str):
        return None
    kind = RUN_KINDS.get((path.rpartition("/")[2], event))
    run_id, repository_id = _number(run.get("id")), _number(repository.get("id"))
    full_name = repository.get("full_name")
    if kind is None or run_id is None or repository_id is None or not isinstance(full_name, str):
        return None
    conclusion = run.get("conclusion")
    return InfraRun(
        kind=kind,
        completed=action == "completed",
        run_id=run_id,
        attempt=_number(run.get("run_attempt")) or 1,
        conclusion=conclusion if isinstance(conclusion, str) else None,
        head_sha=_text(run.get("head_sha"), _SHA),
        url=_text(run.get("html_url"), _URL),
        pull_request=_first_pull_request(run.get("pull_requests")),
        repository_id=repository_id,
        full_name=full_name,
        repository_url=_text(repository.get("html_url"), _URL),
    )


def outcomes_by_environment(
    run: InfraRun, jobs: Sequence[WorkflowJob], environments: Sequence[str]
) -> dict[str, EnvironmentOutcome]:
    """Each environment with the state the most telling of the jobs naming it (as a word)
    gives it; jobs naming no environment, or several, say nothing. An environment no job
    speaks for takes the run's conclusion, when that says anything."""
    states = STATES[run.kind]
    found: dict[str, list[EnvironmentOutcome]] = {}
    for job in jobs:
        named = set(_WORDS.split(job.name.lower())) & set(environments)
        state = states.get(job.conclusion or "")
        if len(named) == 1 and state is not None:
            url = _text(job.html_url, _URL) or run.url
            outcome = EnvironmentOutcome(state, url, job.completed_at)
            found.setdefault(named.pop(), []).append(outcome)
    run_state = states.get(run.conclusion or "")
    by_environment = {
        environment: min(outcomes, key=lambda outcome: _PRECEDENCE.index(outcome.state))
        for environment, outcomes in found.items()
    }
    if run_state is not None:
        for environment in environments:
            by_environment.setdefault(environment, EnvironmentOutcome(run_state, run.url, None))
    return by_environment


def follow_infra_run(event: WebhookEvent, context: HandlerContext) -> None:
    run = infra_run(event.payload, event.action)
    if run is None:
        return
    system = context.systems.by_repository_id(run.repository_id)
    if system is None:
        log_event(log, logging.INFO, "infra.unknown_repository", delivery=event.delivery_id)
        return
    github = context.github(event.installation_id)
    records = context.deploys.infrastructure
    changed = (
        _record_finished(github, records, system, run)
        if run.completed
        else _record_started(records, system, run)
    )
    if changed:
        report_system_status(github, context.systems, context.deploys, system)
    log_event(
        log,
        logging.INFO,
        "infra.run",
        delivery=event.delivery_id,
        kind=run.kind,
        conclusion=run.conclusion if run.completed else PENDING,
        recorded=changed,
    )


def _record_started(records: InfraRecords, system: SystemRecord, run: InfraRun) -> bool:
    """A plan or apply is pending in every environment from the moment its run is requested;
    a drift check shows when it ends."""
    if run.kind == "drift":
        return False
    now = utcnow()
    recorded = [
        records.record(
            system.id,
            InfraResult(
                environment,
                run.kind,
                PENDING,
                run.run_id,
                run.attempt,
                run.head_sha,
                run.url,
                now,
                run.pull_request,
            ),
        )
        for environment in system.environment_names
    ]
    return any(recorded)


def _record_finished(
    github: GitHubPort, records: InfraRecords, system: SystemRecord, run: InfraRun
) -> bool:
    now = utcnow()
    outcomes = outcomes_by_environment(run, _jobs(github, run), system.environment_names)
    plan_comments = _plan_comments(github, run) if run.kind == "plan" and outcomes else []
    recorded = []
    for environment, outcome in outcomes.items():
        result = InfraResult(
            environment,
            run.kind,
            outcome.state,
            run.run_id,
            run.attempt,
            run.head_sha,
            outcome.url,
            outcome.at or now,
            run.pull_request,
        )
        if run.kind == "plan" and outcome.state == SUCCEEDED:
            result = _with_plan(result, plan_comments, run.pull_request_url)
        recorded.append(records.record(system.id, result))
    return any(recorded)


def _with_plan(
    result: InfraResult, comments: Sequence[IssueComment], pull_request_url: str | None
) -> InfraResult:
    """A successful plan links its summary in the plan comment (the newest comment holding
    one for its environment), with the counts read there; without one, the pull request."""
    for comment in reversed(comments):
        section = plan_section(comment.body, result.environment)
        if section is not None:
            url = _text(comment.html_url, _URL) or pull_request_url or result.url
            return replace(result, url=url, changes=plan_changes(section))
    return replace(result, url=pull_request_url or result.url)


def _jobs(github: GitHubPort, run: InfraRun) -> list[WorkflowJob]:
    """The run's jobs; none when GitHub refuses to list them (then every environment takes
    the run's conclusion)."""
    try:
        return github.workflow_jobs(run.full_name, run.run_id)
    except GitHubRefused as refusal:
        log_event(
            log,
            logging.WARNING,
            "infra.jobs_refused",
            repository=run.full_name,
            run=run.run_id,
            error=str(refusal),
        )
        return []


def _plan_comments(github: GitHubPort, run: InfraRun) -> list[IssueComment]:
    if run.pull_request is None:
        return []
    try:
        return github.comments_containing(run.full_name, run.pull_request, PLAN_MARKER)
    except GitHubRefused as refusal:
        log_event(
            log,
            logging.WARNING,
            "infra.plan_comment_refused",
            repository=run.full_name,
            pull_request=run.pull_request,
            error=str(refusal),
        )
        return []
