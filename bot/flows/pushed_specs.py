"""Pushed specs: a push to the default branch that adds or changes `spec.yaml` or
`specs/*.yaml` gets an `sbh/spec` check run on that commit (annotations on the exact lines),
and a valid spec is built unless the hub's `.github/sbh.yml` turns that off. A build SBH
did not do (GitHub refused a step, or the name is taken) gets a failing `sbh/build` check
saying why."""

from __future__ import annotations

import logging
import re
from typing import Any

from bot.flows.build import BuildFailed, Origin, build_system
from bot.flows.hub_settings import PATH as HUB_SETTINGS_PATH
from bot.flows.hub_settings import parse_hub_settings
from bot.flows.outcomes import report_check
from bot.flows.spec_checks import Completed, complete_spec
from bot.intake.router import Router, WebhookEvent
from bot.jobs.context import HandlerContext
from bot.logs import log_event
from bot.ports import Annotation, GitHubPort

log = logging.getLogger("sbh.handlers.pushed_specs")
CHECK_NAME = "sbh/spec"
BUILD_CHECK_NAME = "sbh/build"
_SPEC_PATH = re.compile(r"^(spec\.ya?ml|specs/[^/]+\.ya?ml)$")


def register(router: Router[HandlerContext]) -> None:
    router.add("push", None, check_pushed_specs)


def changed_spec_paths(payload: dict[str, Any]) -> list[str]:
    """Spec files added or modified by the push's commits (removed ones are not checked)."""
    paths: set[str] = set()
    for commit in payload.get("commits") or []:
        if isinstance(commit, dict):
            for key in ("added", "modified"):
                paths.update(path for path in commit.get(key) or [] if _SPEC_PATH.match(str(path)))
    return sorted(paths)


def check_pushed_specs(event: WebhookEvent, context: HandlerContext) -> None:
    payload = event.payload
    repository = payload.get("repository") or {}
    default_branch = repository.get("default_branch")
    head = payload.get("after")
    if (
        event.repository is None
        or payload.get("deleted")
        or payload.get("ref") != f"refs/heads/{default_branch}"
        or not isinstance(head, str)
    ):
        return
    paths = changed_spec_paths(payload)
    if not paths:
        return
    github = context.github(event.installation_id)
    hub = parse_hub_settings(github.read_file(event.repository, HUB_SETTINGS_PATH, ref=head))
    for path in paths:
        completed = _check_one(github, event.repository, head, path, context)
        if completed is not None and hub.auto_build_push:
            origin = Origin(
                repository=event.repository,
                trigger="push",
                commit_sha=head,
                installation_id=event.installation_id,
                delivery_id=event.delivery_id,
            )
            try:
                draft = completed.draft
                usage = (draft.prompt_tokens, draft.completion_tokens)
                result = build_system(
                    github, context.systems, completed.spec, origin, ai_usage=usage
                )
            except BuildFailed as failure:
                log_event(log, logging.ERROR, "push.build_failed", error=str(failure))
                raise
            log_event(
                log, logging.INFO, "push.built", delivery=event.delivery_id, outcome=result.outcome
            )
            if result.outcome == "refused":
                report_check(
                    github,
                    event.repository,
                    head,
                    BUILD_CHECK_NAME,
                    "failure",
                    f"SBH did not build {completed.spec.repository}",
                    result.reason,
                )


def _check_one(
    github: GitHubPort, repository: str, head: str, path: str, context: HandlerContext
) -> Completed | None:
    text = github.read_file(repository, path, ref=head)
    if text is None:
        return None
    checked = complete_spec(text, path, work=context.spec_work, drafter=context.drafter)
    if isinstance(checked, list):
        annotations = [
            Annotation(
                path=path, line=problem.line or 1, message=f"{problem.field}: {problem.message}"
            )
            for problem in checked
        ]
        report_check(
            github,
            repository,
            head,
            CHECK_NAME,
            "failure",
            f"{len(checked)} problem{'s' if len(checked) != 1 else ''} in {path}",
            "Fix the annotated lines and push again.",
            annotations,
        )
        return None
    report_check(
        github,
        repository,
        head,
        CHECK_NAME,
        "success",
        f"{path}: {checked.spec.repository} is valid",
        f"{len(checked.spec.environments)} environment(s): {', '.join(checked.spec.environments)}."
        + (f" Note: {checked.draft.note}." if checked.draft.note else ""),
    )
    return checked
