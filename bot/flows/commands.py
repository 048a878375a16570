"""`/sbh …` commands in comments on spec issues and pull requests.

Bots (SBH included) and edits are ignored; every command is acknowledged with 👀 at once
and gets at most one reply, keyed by the command's comment, so running a command's job again
edits its reply instead of posting another; state-changing commands need write permission
on the repository, admin for a production environment of the system (as its recorded spec
says).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.db.systems import SystemRecord
from bot.deploys.services import deploy_target
from bot.deploys.start import Started
from bot.flows.build import Origin
from bot.flows.command_parser import HELP, Command, Ignore, Reply, parse_command
from bot.flows.deploy_requests import request_deploy
from bot.flows.issue_spec import find_spec, issue_text
from bot.flows.outcomes import build_and_report, report_invalid, report_plan, system_status
from bot.flows.permissions import check_permission
from bot.flows.spec_checks import Completed, complete_spec
from bot.flows.status_comments import MARKER
from bot.intake.router import Router, WebhookEvent
from bot.jobs.context import HandlerContext
from bot.logs import log_event
from bot.ports import GitHubPort

log = logging.getLogger("sbh.handlers.commands")


def register(router: Router[HandlerContext]) -> None:
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
    runner = _Runner(event, context, github, issue, int(comment["id"]), str(sender.get("login")))
    github.react(event.repository, runner.comment_id, "eyes")
    log_event(
        log,
        logging.INFO,
        "command.received",
        delivery=event.delivery_id,
        command=parsed.verb if isinstance(parsed, Command) else "reply",
        issue=runner.number,
    )
    if isinstance(parsed, Reply):
        runner.reply(parsed.message)
        return
    runner.run(parsed)


class _Runner:
    def __init__(
        self,
        event: WebhookEvent,
        context: HandlerContext,
        github: GitHubPort,
        issue: dict[str, Any],
        comment_id: int,
        login: str,
    ) -> None:
        assert event.repository is not None
        self.event, self.context, self.github = event, context, github
        self.repository, self.number = event.repository, int(issue["number"])
        self.issue, self.comment_id, self.login = issue, comment_id, login

    def reply(self, body: str) -> None:
        """The command's one reply (posted again, it is edited instead)."""
        self.github.comment(self.repository, self.number, body, key=f"reply-{self.comment_id}")

    def run(self, command: Command) -> None:
        if command.verb == "help":
            self.reply(HELP)
            return
        completed = self._spec()
        if completed is None:
            return
        if command.verb == "plan":
            report_plan(self.github, self.repository, self.number, completed)
        elif command.verb == "status":
            self.reply(self._status(completed))
        elif command.verb == "build":
            self._build(completed)
        else:
            self._deploy(command, completed)

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
            self.reply(
                "There is no spec here: put one in a ```` ```yaml ```` block with "
                "`apiVersion: sbh/v1` (or, on a pull request, in `spec.yaml`)."
            )
            return None
        text, name, line_of = source
        checked = complete_spec(
            text,
            name,
            line_of,
            work=self.context.spec_work,
            drafter=self.context.drafter,
            context=issue_text(self.issue),
        )
        if isinstance(checked, list):
            where = "the issue body" if name == "spec" else name
            report_invalid(self.github, self.repository, self.number, checked, where)
            return None
        return checked

    def _refuse(self, message: str) -> None:
        self.reply(message)
        log_event(log, logging.INFO, "command.refused", delivery=self.event.delivery_id)

    def _build(self, completed: Completed) -> None:
        refused = check_permission(self.github, self.repository, self.login, "build", "write")
        if refused is not None:
            self._refuse(refused.message)
            return
        origin = Origin(
            repository=self.repository,
            trigger="command",
            issue_number=self.number,
            installation_id=self.event.installation_id,
            delivery_id=self.event.delivery_id,
        )
        build_and_report(self.github, self.context.systems, completed, origin)

    def _deploy(self, command: Command, completed: Completed) -> None:
        assert command.environment is not None
        assert command.verb in ("deploy", "rollback")
        spec = completed.spec
        system = self._system(completed)
        if system is None:
            self.reply(f"{spec.repository} does not exist yet: `/sbh build` first.")
            return
        target = deploy_target(system.spec or spec, command.verb, command.targets)
        if isinstance(target, str):
            self.reply(target)
            return
        outcome = request_deploy(
            self.github,
            self.context.systems,
            self.context.deploys,
            system,
            "rollback" if command.verb == "rollback" else "deploy",
            command.environment,
            target.image_tag,
            service=target.service,
            login=self.login,
            permission_on=self.repository,
            request_key=self.event.delivery_id,
        )
        if isinstance(outcome, Started):
            self.github.react(self.repository, self.comment_id, "rocket")
            self.reply(outcome.message)
        elif outcome.reason == "forbidden":
            self._refuse(outcome.message)
        else:
            self.reply(outcome.message)

    def _system(self, completed: Completed) -> SystemRecord | None:
        """The system the spec names, only among those of this event's installation: a
        command on one organisation's hub never reaches another organisation's system."""
        spec = completed.spec
        return self.context.systems.find(
            spec.name, owner=spec.owner, installation_id=self.event.installation_id
        )

    def _status(self, completed: Completed) -> str:
        system = self._system(completed)
        if system is None:
            repository = completed.spec.repository
            return f"`{repository}` has not been built yet. `/sbh build` builds it."
        refused = check_permission(self.github, system.full_name, self.login, "status", "read")
        if refused is not None:
            return refused.message
        body = system_status(self.github, self.context.systems, self.context.deploys, system)
        return body.removeprefix(MARKER + "\n")
