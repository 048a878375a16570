"""`/sbh …` commands in comments on spec issues and pull requests.

Bots (SBH included) and edits are ignored; every command is acknowledged with 👀 at once;
state-changing commands need write permission on the repository, admin for production.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from bot.db.models import System
from bot.deploys.records import deploy_rows, health_summaries, last_build_note
from bot.deploys.start import Started, check_permission, start_deploy
from bot.flows.build import Origin
from bot.flows.command_parser import HELP, Command, Ignore, Reply, parse_command
from bot.flows.issue_spec import find_spec
from bot.flows.spec_checks import Completed, complete_spec
from bot.flows.spec_issues import INVALID_LABEL, build_and_report, post_plan
from bot.flows.status_comments import MARKER, invalid_comment, plan_comment, system_comment
from bot.intake.router import Router, WebhookEvent
from bot.jobs.context import HandlerContext
from bot.logs import log_event
from bot.ports import GitHubPort
from renderers.complete import Spec
from renderers.render import render

log = logging.getLogger("sbh.handlers.commands")


def register(router: Router) -> None:
    router.add("issue_comment", "created", run_comment_command)


def run_comment_command(event: WebhookEvent, context: HandlerContext) -> None:
    comment, issue, sender = (event.payload.get(key) for key in ("comment", "issue", "sender"))
    if not (isinstance(comment, dict) and isinstance(issue, dict) and isinstance(sender, dict)):
        return
    if sender.get("type") == "Bot" or comment.get("performed_via_github_app"):
        return
    parsed = parse_command(str(comment.get("body") or ""))
    if isinstance(parsed, Ignore) or event.repository is None:
        return
    github = context.github(event.installation_id)
    repository, number = event.repository, int(issue["number"])
    github.react(repository, int(comment["id"]), "eyes")
    log_event(
        log,
        logging.INFO,
        "command.received",
        delivery=event.delivery_id,
        command=parsed.verb if isinstance(parsed, Command) else "reply",
        issue=number,
    )
    if isinstance(parsed, Reply):
        github.comment(repository, number, parsed.message)
        return
    runner = _Runner(event, context, github, repository, number, issue, str(sender.get("login")))
    runner.comment_id = int(comment["id"])
    runner.run(parsed)


class _Runner:
    def __init__(
        self,
        event: WebhookEvent,
        context: HandlerContext,
        github: GitHubPort,
        repository: str,
        number: int,
        issue: dict[str, Any],
        login: str,
    ) -> None:
        self.event, self.context, self.github = event, context, github
        self.repository, self.number, self.issue, self.login = repository, number, issue, login
        self.comment_id = 0

    def run(self, command: Command) -> None:
        if command.verb == "help":
            self.github.comment(self.repository, self.number, HELP)
            return
        if command.verb == "plan" and not self.issue.get("pull_request"):
            post_plan(self.github, self.repository, self.issue, self.context.drafter)
            return
        completed = self._spec()
        if completed is None:
            return
        spec = completed.spec
        if command.verb == "plan":  # on a pull request: the plan of its spec.yaml
            spec_ = completed.spec
            exists = self.github.get_repository(spec_.repository) is not None
            body = plan_comment(
                spec_, len(render(spec_)), exists, completed.draft.taken, completed.draft.note
            )
            self.github.upsert_status_comment(self.repository, self.number, MARKER, body)
            return
        if command.verb == "status":
            self.github.comment(self.repository, self.number, self._status(spec))
            return
        if not self._allowed(command, spec):
            return
        if command.verb == "build":
            self._build(completed)
        else:
            self._dispatch_deploy(command, spec)

    def _spec_text(self) -> tuple[str, str, Callable[[int], int]] | None:
        """(spec text, source, line mapping): the issue body's spec, or on a pull request
        without one in its description, the `spec.yaml` at the pull request's head."""
        found = find_spec(self.issue.get("body"))
        if found is not None:
            return found.text, "spec", found.body_line
        if self.issue.get("pull_request"):
            head = self.github.pull_request_head(self.repository, self.number)
            text = self.github.read_file(self.repository, "spec.yaml", ref=head)
            if text is not None:
                return text, "spec.yaml", lambda line: line
        return None

    def _spec(self) -> Completed | None:
        source = self._spec_text()
        if source is None:
            self.github.comment(
                self.repository,
                self.number,
                "There is no spec here: put one in a ```` ```yaml ```` block with "
                "`apiVersion: sbh/v1` (or, on a pull request, in `spec.yaml`).",
            )
            return None
        text, name, line_of = source
        checked = complete_spec(
            text,
            name,
            line_of,
            drafter=self.context.drafter,
            context=str(self.issue.get("title") or "") + "\n\n" + str(self.issue.get("body") or ""),
        )
        if isinstance(checked, list):
            where = "the issue body" if name == "spec" else name
            self.github.upsert_status_comment(
                self.repository, self.number, MARKER, invalid_comment(checked, where)
            )
            self.github.set_labels(self.repository, self.number, add=[INVALID_LABEL], remove=[])
            return None
        return checked

    def _allowed(self, command: Command, spec: Spec) -> bool:
        environment = spec.environments.get(command.environment or "")
        if command.environment is not None and environment is None:
            known = ", ".join(spec.environments)
            self.github.comment(
                self.repository,
                self.number,
                f"`{command.environment}` is not an environment of this spec (known: {known}).",
            )
            return False
        production = environment is not None and environment.production
        refused = check_permission(
            self.github, self.repository, self.login, command.verb, production
        )
        if refused is None:
            return True
        self.github.comment(self.repository, self.number, refused.message)
        log_event(log, logging.INFO, "command.refused", delivery=self.event.delivery_id)
        return False

    def _build(self, completed: Completed) -> None:
        origin = Origin(
            repository=self.repository,
            trigger="command",
            issue_number=self.number,
            installation_id=self.event.installation_id,
            delivery_id=self.event.delivery_id,
        )
        build_and_report(self.github, self.context.database, completed, origin)

    def _system(self, spec: Spec) -> System | None:
        with self.context.database.session() as session:
            system = session.scalars(
                select(System).where(System.owner == spec.owner, System.name == spec.name)
            ).one_or_none()
            if system is not None:
                session.expunge(system)
            return system

    def _dispatch_deploy(self, command: Command, spec: Spec) -> None:
        assert command.environment is not None
        assert command.verb in ("deploy", "rollback")
        system = self._system(spec)
        if system is None:
            self.github.comment(
                self.repository,
                self.number,
                f"{spec.repository} does not exist yet: `/sbh build` first.",
            )
            return
        outcome = start_deploy(
            self.github,
            self.context.database,
            system,
            "rollback" if command.verb == "rollback" else "deploy",
            command.environment,
            command.image_tag,
            self.login,
        )
        if isinstance(outcome, Started):
            self.github.react(self.repository, self.comment_id, "rocket")
        self.github.comment(self.repository, self.number, outcome.message)

    def _status(self, spec: Spec) -> str:
        system = self._system(spec)
        if system is None:
            return f"`{spec.repository}` has not been built yet. `/sbh build` builds it."
        latest, history = deploy_rows(self.context.database, system.id)
        repository = self.github.get_repository(spec.repository)
        return system_comment(
            spec.repository,
            repository.html_url if repository else spec.repository,
            list(spec.environments),
            latest,
            history,
            last_build_note(self.context.database, system.id),
            health_summaries(self.context.database, system.id),
        ).removeprefix(MARKER + "\n")
