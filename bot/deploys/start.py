"""Starting a deploy or rollback of a built system: dispatch the generated repository's
deploy workflow and record the request. Who may ask, and reporting it, are the caller's
(`bot.flows.deploy_requests`).

Each request is dispatched once: it is recorded under its key right after GitHub accepted
the dispatch, and a request that runs again (its job retried after a later step failed)
finds the record and does not dispatch a second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.db.systems import SystemRecord
from bot.deploys.records import DeployRecords
from bot.deploys.services import ALL_SERVICES
from bot.ports import GitHubPort, GitHubRefused, RepositoryInfo

DeployVerb = Literal["deploy", "rollback"]
WORKFLOW = "deploy.yml"


@dataclass(frozen=True)
class Refused:
    """Why SBH did not start it; `reason` names a status an HTTP caller can answer with."""

    reason: Literal[
        "forbidden",
        "unknown_environment",
        "unknown_service",
        "not_built",
        "no_previous",
        "github_refused",
    ]
    message: str


@dataclass(frozen=True)
class Started:
    verb: DeployVerb
    environment: str
    image_tag: str | None  # None: the newest image the deploy workflow finds
    workflow_url: str
    service: str | None = None  # an sbh/v2 system's service, or `all`

    @property
    def message(self) -> str:
        what = f"image `{self.image_tag}`" if self.image_tag else "the newest image"
        if self.service == ALL_SERVICES:
            what += " of every service"
        elif self.service is not None:
            what += f" of **{self.service}**"
        return (
            f"Started the {self.verb} of {what} to **{self.environment}**: {self.workflow_url}. "
            "One deploy per environment runs at a time: a deploy already running there "
            "finishes first, then this one runs."
        )


def start_deploy(
    github: GitHubPort,
    records: DeployRecords,
    system: SystemRecord,
    verb: DeployVerb,
    environment: str,
    image_tag: str | None,
    actor: str,
    request_key: str,
    service: str | None = None,
) -> Started | Refused:
    """Dispatch the deploy workflow for `environment` and record the request under
    `request_key` — unless it is recorded already. A rollback without a tag takes the image
    of the previous successful deploy SBH has on record. `service` (an sbh/v2 system's
    service or `all`) becomes the workflow's `service` input; an sbh/v1 system's workflow
    has none."""
    repository = github.get_repository(system.full_name)
    if repository is None:
        return Refused("not_built", f"{system.full_name} does not exist yet: `/sbh build` first.")
    workflow_url = f"{repository.html_url}/actions/workflows/{WORKFLOW}"
    earlier = records.requested(request_key)
    if earlier is not None:
        return Started(verb, environment, earlier.image_tag, workflow_url, service)
    tag = image_tag or ""
    one_service = service if service not in (None, ALL_SERVICES) else None
    if verb == "rollback" and not tag:
        if service == ALL_SERVICES:
            return Refused(
                "no_previous",
                f"Each service of {system.full_name} has its own images: roll back one, "
                f"`/sbh rollback {environment} <service> [<tag>]`.",
            )
        previous = records.previous_successful_tag(system.id, environment, one_service)
        if previous is None:
            return Refused(
                "no_previous",
                f"SBH has no earlier successful deploy of {environment} on record to roll back "
                f"to; name the image: `/sbh rollback {environment} <tag>`.",
            )
        tag = previous
    try:
        github.dispatch_workflow(
            repository.full_name,
            WORKFLOW,
            repository.default_branch,
            {"environment": environment, "image_tag": tag}
            if service is None
            else {"environment": environment, "service": service, "image_tag": tag},
        )
    except GitHubRefused as refusal:
        return Refused("github_refused", dispatch_refused(repository, refusal))
    records.record_requested(system.id, environment, tag or None, actor, request_key, one_service)
    return Started(verb, environment, tag or None, workflow_url, service)


def dispatch_refused(repository: RepositoryInfo, refusal: GitHubRefused) -> str:
    """What GitHub's refusal to start the deploy workflow means, and what to do about it."""
    refused = (
        f"GitHub refused to start {WORKFLOW} in {repository.full_name} ({refusal.status_text})"
    )
    if refusal.status == 404:
        return (
            f"{refused}: the repository has no .github/workflows/{WORKFLOW} on "
            f"{repository.default_branch}; restore it or rebuild with `/sbh build`."
        )
    said = refusal.message.rstrip(".")
    if refusal.status in (401, 403):
        return (
            f"{refused}: {said}. SBH's GitHub App needs Actions: write on "
            f"{repository.full_name}; check the App's installation there, then ask again."
        )
    return (
        f"{refused}: {said}. Restore the {WORKFLOW} SBH generated, or rebuild with "
        "`/sbh build`, then ask again."
    )
