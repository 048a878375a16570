"""What SBH says on a spec issue or pull request — its one sticky status comment and the labels
that go with it — and on a commit, its check runs. Each outcome is produced here and nowhere
else — the plan, an invalid spec, the result of a build, the system's status — so handlers,
`/sbh` commands, deploy events and the web app's builds call these instead of each other. The
texts live in `bot.flows.status_comments`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

from bot.db.systems import SystemRecord, SystemsRepository
from bot.deploys.records import DeployRecords
from bot.flows.build import BuildFailed, BuildResult, Origin, build_system
from bot.flows.spec_checks import Completed
from bot.flows.status_comments import (
    MARKER,
    LocatedProblem,
    built_comment,
    failed_comment,
    invalid_comment,
    missing_spec_comment,
    plan_comment,
    refused_comment,
    system_comment,
    unchanged_comment,
)
from bot.logs import log_event
from bot.ports import Annotation, GitHubPort, GitHubRefused
from renderers.render import render

log = logging.getLogger("sbh.outcomes")

SPEC_LABEL = "sbh"  # asks SBH to read an issue's spec (the web app's issue links set it too)
INVALID_LABEL = "sbh:invalid"
BUILT_LABEL = "sbh:built"


def report_missing_spec(github: GitHubPort, repository: str, number: int) -> None:
    github.upsert_status_comment(repository, number, MARKER, missing_spec_comment())
    github.set_labels(repository, number, add=[INVALID_LABEL], remove=[])


def report_invalid(
    github: GitHubPort,
    repository: str,
    number: int,
    problems: Sequence[LocatedProblem],
    where: str,
) -> None:
    """Every problem with its line in `where` (the issue body, or a file)."""
    github.upsert_status_comment(repository, number, MARKER, invalid_comment(problems, where))
    github.set_labels(repository, number, add=[INVALID_LABEL], remove=[])


def report_plan(github: GitHubPort, repository: str, number: int, completed: Completed) -> None:
    """What a build of the spec would create or change."""
    spec, draft = completed.spec, completed.draft
    exists = github.get_repository(spec.repository) is not None
    body = plan_comment(spec, len(render(spec)), exists, draft.taken, draft.note)
    github.upsert_status_comment(repository, number, MARKER, body)
    github.set_labels(repository, number, add=[], remove=[INVALID_LABEL])


def build_and_report(
    github: GitHubPort, systems: SystemsRepository, completed: Completed, origin: Origin
) -> BuildResult:
    """Build, then say what happened in the origin issue's sticky comment."""
    assert origin.issue_number is not None
    repository, number = origin.repository, origin.issue_number
    spec, draft = completed.spec, completed.draft
    try:
        usage = (draft.prompt_tokens, draft.completion_tokens)
        result = build_system(github, systems, spec, origin, ai_usage=usage)
    except BuildFailed as failure:
        body = failed_comment(spec.repository, str(failure), failure.what_exists)
        github.upsert_status_comment(repository, number, MARKER, body)
        raise
    if result.outcome == "refused":
        body = refused_comment(spec.repository, result.reason)
    else:
        assert result.repository is not None
        url = result.repository.html_url
        if result.outcome == "unchanged":
            body = unchanged_comment(spec, url)
        else:
            pull_request = result.pull_request[1] if result.pull_request else None
            body = built_comment(spec, url, result.commit_sha, pull_request)
    github.upsert_status_comment(repository, number, MARKER, body)
    if result.outcome in ("created", "updated"):
        github.set_labels(repository, number, add=[BUILT_LABEL], remove=[])
    return result


def system_status(
    github: GitHubPort,
    systems: SystemsRepository,
    records: DeployRecords,
    system: SystemRecord,
    note: str | None = None,
) -> str:
    """The system's status comment: each environment's latest deploy and health, its
    infrastructure's last plan, apply and drift check, the last build (or `note`), recent
    deploys."""
    latest, history = records.deploy_rows(system.id)
    repository = github.get_repository(system.full_name)
    return system_comment(
        system.full_name,
        repository.html_url if repository else system.full_name,
        system.environment_names,
        latest,
        history,
        note or last_build_note(systems, system),
        records.health_summaries(system.id),
        records.infrastructure.statuses(system.id),
    )


def report_system_status(
    github: GitHubPort,
    systems: SystemsRepository,
    records: DeployRecords,
    system: SystemRecord,
    note: str | None = None,
) -> None:
    """Rewrite the sticky comment of the issue the system came from (if it came from one).
    When GitHub refuses it (the issue was locked) that is logged: what the status reports —
    a deploy, a build — happened all the same."""
    if not system.origin_repository or system.origin_issue_number is None:
        return
    body = system_status(github, systems, records, system, note)
    try:
        github.upsert_status_comment(
            system.origin_repository, system.origin_issue_number, MARKER, body
        )
    except GitHubRefused as refusal:
        log_event(
            log,
            logging.WARNING,
            "status_comment.refused",
            repository=system.origin_repository,
            issue=system.origin_issue_number,
            error=str(refusal),
        )


def report_check(
    github: GitHubPort,
    repository: str,
    head_sha: str,
    name: str,
    conclusion: Literal["success", "failure", "neutral"],
    title: str,
    summary: str,
    annotations: Sequence[Annotation] = (),
) -> None:
    """A check run on a commit. When GitHub refuses it (the App lacks Checks: write, the
    commit is gone) that is logged and the work goes on: the check is where SBH speaks on a
    commit, so there is nowhere else to say it, and asking again gets the same answer."""
    try:
        github.report_check(repository, head_sha, name, conclusion, title, summary, annotations)
    except GitHubRefused as refusal:
        log_event(
            log,
            logging.WARNING,
            "check.refused",
            repository=repository,
            sha=head_sha,
            check=name,
            error=str(refusal),
        )


def last_build_note(systems: SystemsRepository, system: SystemRecord) -> str | None:
    build = systems.last_builds([system.id]).get(system.id)
    if build is None:
        return None
    last_line = ((build.error or "").strip().splitlines() or [""])[-1]
    error = last_line[:200].replace("`", "'")
    return f"Last build: {build.status} ({build.trigger})" + (f": `{error}`" if error else "")
