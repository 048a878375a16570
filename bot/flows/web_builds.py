"""Builds started in the web app. A person signed in with GitHub who has write permission on
the hub repository (what `/sbh build` asks of them there) presses Build: SBH opens a spec issue
in the hub repository — the record of the request, where the status comment goes and where
`/sbh` commands keep working — and queues the build; a worker runs it like `/sbh build`."""

from __future__ import annotations

from typing import Any

from bot.deploys.start import Refused
from bot.flows.build import Origin
from bot.flows.issue_spec import WEB_BUILD_MARKER, find_spec
from bot.flows.outcomes import SPEC_LABEL, build_and_report, report_invalid
from bot.flows.permissions import check_permission
from bot.flows.spec_checks import complete_spec
from bot.jobs.context import HandlerContext
from bot.jobs.queue import ClaimedJob, JobQueue
from bot.ports import GitHubPort

JOB_KIND = "web_build"


def issue_title(repository: str) -> str:
    return f"Build {repository}"


def issue_body(spec_text: str, login: str) -> str:
    return (
        f"{WEB_BUILD_MARKER}\nRequested by @{login} in the SBH web app; SBH is building it and "
        "reports here.\n\n```yaml\n" + spec_text.rstrip() + "\n```\n"
    )


def job_payload(
    hub: str, number: int, installation_id: int, login: str, spec_text: str
) -> dict[str, Any]:
    return {
        "hub": hub,
        "issue": number,
        "installation_id": installation_id,
        "login": login,
        "body": issue_body(spec_text, login),
    }


def start_web_build(
    github: GitHubPort,
    queue: JobQueue,
    *,
    hub: str,
    installation_id: int,
    login: str,
    spec_text: str,
    repository: str,
) -> int | Refused:
    """`login` pressed Build for a spec of `repository`: with write permission on the hub,
    open the spec issue there and queue its build. Returns the issue's number."""
    refused = check_permission(github, hub, login, "build", "write")
    if refused is not None:
        return refused
    number = github.open_issue(
        hub, issue_title(repository), issue_body(spec_text, login), [SPEC_LABEL]
    )
    queue.submit(
        JOB_KIND,
        payload=job_payload(hub, number, installation_id, login, spec_text),
        dedupe_key=f"{JOB_KIND}:{hub}#{number}",
    )
    return number


def run_web_build(job: ClaimedJob, context: HandlerContext) -> str:
    """Build the spec of the issue SBH opened as `/sbh build` would there (problems are
    located on the issue body's lines)."""
    payload = job.payload or {}
    hub, number = str(payload["hub"]), int(payload["issue"])
    installation_id = int(payload["installation_id"])
    github = context.github(installation_id)
    found = find_spec(str(payload["body"]))
    if found is None:
        github.comment(
            hub,
            number,
            "There is no spec in this issue any more: nothing to build.",
            key="web-build",
        )
        return "no spec"
    checked = complete_spec(
        found.text, "spec", found.body_line, work=context.spec_work, drafter=context.drafter
    )
    if isinstance(checked, list):
        report_invalid(github, hub, number, checked, "the issue body")
        return "invalid"
    origin = Origin(
        repository=hub, trigger="web", issue_number=number, installation_id=installation_id
    )
    build_and_report(github, context.systems, checked, origin)
    return "built"
