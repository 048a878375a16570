"""A merged upgrade pull request (`sbh/upgrade`) of a generated repository: the template
version its default branch now holds is recorded (its manifest says which), so the fleet
shows the system current. Other pull requests, and repositories SBH did not make, are
ignored."""

from __future__ import annotations

import json

from bot.flows.fleet import UPGRADE_BRANCH
from bot.intake.router import Router, WebhookEvent
from bot.jobs.context import HandlerContext
from renderers.render import MANIFEST_PATH


def register(router: Router[HandlerContext]) -> None:
    router.add("pull_request", "closed", record_merged_upgrade)


def record_merged_upgrade(event: WebhookEvent, context: HandlerContext) -> None:
    pull = event.payload.get("pull_request")
    repository = event.payload.get("repository")
    if not isinstance(pull, dict) or not isinstance(repository, dict) or not pull.get("merged"):
        return
    head = pull.get("head")
    if not isinstance(head, dict) or head.get("ref") != UPGRADE_BRANCH:
        return
    repository_id = repository.get("id")
    system = (
        context.systems.by_repository_id(repository_id) if isinstance(repository_id, int) else None
    )
    if system is None or event.repository is None:
        return
    manifest_text = context.github(event.installation_id).read_file(event.repository, MANIFEST_PATH)
    try:
        manifest = json.loads(manifest_text) if manifest_text is not None else None
    except ValueError:
        return
    version = manifest.get("template_version") if isinstance(manifest, dict) else None
    if isinstance(version, str) and version:
        context.systems.record_template_version(system.id, version)
