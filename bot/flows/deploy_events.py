"""Following the deploys of generated repositories: their `deployment_status` and
`workflow_run` events update the `deployments` table, the sticky comment on the issue the
system was asked for, and a check on the deployed commit. Events from repositories SBH did
not make are ignored."""

from __future__ import annotations

import logging
from typing import Any

from bot.deploys.records import TERMINAL, StatusUpdate
from bot.flows.outcomes import report_check, report_system_status
from bot.intake.router import Router, WebhookEvent
from bot.jobs.context import HandlerContext
from bot.logs import log_event

log = logging.getLogger("sbh.handlers.deploy_events")
# A generated repository's infrastructure applies run in their GitHub environment (for its
# reviewers and the apply role's OIDC subject), so GitHub records a deployment for each; they
# deploy no image.
INFRASTRUCTURE_WORKFLOW = ".github/workflows/infra.yml"


def register(router: Router[HandlerContext]) -> None:
    router.add("deployment_status", "created", follow_deployment_status)
    router.add("workflow_run", "completed", follow_workflow_run)


def _repository_id(payload: dict[str, Any]) -> int | None:
    repository = payload.get("repository")
    identifier = repository.get("id") if isinstance(repository, dict) else None
    return identifier if isinstance(identifier, int) else None


def follow_deployment_status(event: WebhookEvent, context: HandlerContext) -> None:
    payload = event.payload
    deployment, status = payload.get("deployment"), payload.get("deployment_status")
    repository_id = _repository_id(payload)
    if not isinstance(deployment, dict) or not isinstance(status, dict) or repository_id is None:
        return
    workflow = payload.get("workflow")
    if isinstance(workflow, dict) and workflow.get("path") == INFRASTRUCTURE_WORKFLOW:
        return
    system = context.systems.by_repository_id(repository_id)
    if system is None:
        log_event(log, logging.INFO, "deploy.unknown_repository", delivery=event.delivery_id)
        return
    update = StatusUpdate(
        repository_id=repository_id,
        deployment_id=int(deployment["id"]),
        environment=str(deployment.get("environment") or status.get("environment") or "?"),
        sha=str(deployment.get("sha") or ""),
        state=str(status.get("state") or "pending"),
        description=status.get("description"),
        environment_url=status.get("environment_url") or None,
        log_url=status.get("log_url") or status.get("target_url") or None,
        actor=((deployment.get("creator") or {}).get("login")),
    )
    context.deploys.record_status(system.id, update)
    github = context.github(event.installation_id)
    report_system_status(github, context.systems, context.deploys, system)
    if update.state in TERMINAL and update.sha and event.repository:
        report_check(
            github,
            event.repository,
            update.sha,
            f"sbh/deploy {update.environment}",
            "success" if update.state == "success" else "failure",
            f"{update.environment}: {update.state}",
            update.description or f"Deploy to {update.environment}: {update.state}.",
        )
    log_event(
        log,
        logging.INFO,
        "deploy.status",
        delivery=event.delivery_id,
        environment=update.environment,
        state=update.state,
    )


def follow_workflow_run(event: WebhookEvent, context: HandlerContext) -> None:
    run = event.payload.get("workflow_run")
    repository_id = _repository_id(event.payload)
    if not isinstance(run, dict) or repository_id is None:
        return
    if not str(run.get("path") or "").endswith("/build.yml") or run.get("conclusion") != "failure":
        return
    system = context.systems.by_repository_id(repository_id)
    if system is None:
        return
    sha = str(run.get("head_sha") or "")[:7]
    note = f"Build of `{sha}` failed: {run.get('html_url', '')}"
    github = context.github(event.installation_id)
    report_system_status(github, context.systems, context.deploys, system, note)
