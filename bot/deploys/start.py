"""Deploy and rollback of a built system: the one code path behind the `/sbh deploy|rollback`
comments and the web app's buttons, with the one authorization rule both use (write
permission on the repository, admin for a production environment)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import yaml

from bot.db.database import Database
from bot.db.models import System
from bot.deploys.records import (
    deploy_rows,
    health_summaries,
    last_build_note,
    previous_successful_tag,
    record_requested,
)
from bot.flows.status_comments import MARKER, system_comment
from bot.ports import GitHubPort, Permission

WRITE: frozenset[Permission] = frozenset({"admin", "maintain", "write"})
ADMIN: frozenset[Permission] = frozenset({"admin"})
DeployVerb = Literal["deploy", "rollback"]
WORKFLOW = "deploy.yml"


@dataclass(frozen=True)
class Refused:
    """Why SBH did not start it; `reason` names a status an HTTP caller can answer with."""

    reason: Literal["forbidden", "not_built", "no_previous"]
    message: str


@dataclass(frozen=True)
class Started:
    verb: DeployVerb
    environment: str
    image_tag: str | None  # None: the newest image the deploy workflow finds
    workflow_url: str

    @property
    def message(self) -> str:
        what = f"image `{self.image_tag}`" if self.image_tag else "the newest image"
        return (
            f"Started the {self.verb} of {what} to **{self.environment}**: {self.workflow_url}. "
            "One deploy per environment runs at a time: a deploy already running there "
            "finishes first, then this one runs."
        )


def permission_needed(production: bool) -> tuple[frozenset[Permission], str]:
    return (ADMIN, "admin") if production else (WRITE, "write")


def check_permission(
    github: GitHubPort, repository: str, login: str, verb: str, production: bool
) -> Refused | None:
    """None when `login` may run `verb`; else the refusal, worded for the person."""
    needed, word = permission_needed(production)
    permission = github.permission(repository, login)
    if permission in needed:
        return None
    return Refused(
        "forbidden",
        f"Sorry @{login}, `/sbh {verb}` needs {word} permission on {repository} "
        f"(you have {permission}).",
    )


def start_deploy(
    github: GitHubPort,
    database: Database,
    system: System,
    verb: DeployVerb,
    environment: str,
    image_tag: str | None,
    actor: str,
) -> Started | Refused:
    """Dispatch the generated repository's deploy workflow for `environment`, record the
    request and refresh the origin issue's sticky comment. A rollback without a tag takes
    the image of the previous successful deploy SBH has on record. Authorization is the
    caller's (it knows who asks and on which repository)."""
    repository = github.get_repository(f"{system.owner}/{system.name}")
    if repository is None:
        return Refused(
            "not_built", f"{system.owner}/{system.name} does not exist yet: `/sbh build` first."
        )
    tag = image_tag or ""
    if verb == "rollback" and not tag:
        previous = previous_successful_tag(database, system.id, environment)
        if previous is None:
            return Refused(
                "no_previous",
                f"SBH has no earlier successful deploy of {environment} on record to roll back "
                f"to; name the image: `/sbh rollback {environment} <tag>`.",
            )
        tag = previous
    github.dispatch_workflow(
        repository.full_name,
        WORKFLOW,
        repository.default_branch,
        {"environment": environment, "image_tag": tag},
    )
    record_requested(database, system.id, environment, tag or None, actor)
    refresh_system_comment(github, database, system)
    return Started(
        verb, environment, tag or None, f"{repository.html_url}/actions/workflows/{WORKFLOW}"
    )


def environments_of(system: System) -> list[str]:
    loaded = yaml.safe_load(system.spec or "") or {}
    environments = loaded.get("environments") if isinstance(loaded, dict) else None
    return list(environments) if isinstance(environments, dict) else []


def refresh_system_comment(
    github: GitHubPort, database: Database, system: System, note: str | None = None
) -> None:
    """Rewrite the sticky comment of the issue the system came from (if it came from one)."""
    if not system.origin_repository or system.origin_issue_number is None:
        return
    latest, history = deploy_rows(database, system.id)
    repository = github.get_repository(f"{system.owner}/{system.name}")
    url = repository.html_url if repository else f"{system.owner}/{system.name}"
    body = system_comment(
        f"{system.owner}/{system.name}",
        url,
        environments_of(system),
        latest,
        history,
        note or last_build_note(database, system.id),
        health_summaries(database, system.id),
    )
    github.upsert_status_comment(system.origin_repository, system.origin_issue_number, MARKER, body)
