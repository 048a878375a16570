"""`/sbh …` comments → a command, a reply, or nothing (pure, Atlantis style).

`parse_command(body)` reads the first line of a comment that starts with `/sbh`; everything
else in the comment is ignored, so people can explain themselves below the command.

`deploy` and `rollback` take up to two words after the environment, kept as written in
`targets`: what they mean depends on the system (`bot.deploys.services.deploy_target`) — an
sbh/v1 system's `[<tag>]`, an sbh/v2 system's `[<service>] [<tag>]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from renderers.fields import ENVIRONMENT_NAME, IMAGE_TAG

PREFIX = "/sbh"
Verb = Literal["help", "plan", "build", "deploy", "rollback", "status"]
STATE_CHANGING: frozenset[str] = frozenset({"build", "deploy", "rollback"})

HELP = """\
SBH commands (comment on the spec issue or a pull request):

| command | what it does |
|---|---|
| `/sbh help` | this list |
| `/sbh plan` | validate and complete the spec, show what would be created |
| `/sbh build` | create the repository (or open a pull request with the changes) |
| `/sbh deploy <env> [<tag>]` | deploy an image (default: the newest built) to `<env>` |
| `/sbh rollback <env> [<tag>]` | deploy the previous image (or `<tag>`) to `<env>` |
| `/sbh deploy <env> [<service>] [<tag>]` | sbh/v2: deploy one service, or `all` (default) |
| `/sbh rollback <env> [<service>] [<tag>]` | sbh/v2: roll back one service, or `all` |
| `/sbh status` | what was built, and the latest deploy of each environment |

`build`, `deploy` and `rollback` need write permission on this repository (admin for prod).
"""


@dataclass(frozen=True)
class Command:
    verb: Verb
    environment: str | None = None
    targets: tuple[str, ...] = ()  # deploy, rollback: the words after the environment

    @property
    def changes_state(self) -> bool:
        return self.verb in STATE_CHANGING


@dataclass(frozen=True)
class Reply:
    """Not a command SBH can run, but one it should answer (usage help)."""

    message: str


@dataclass(frozen=True)
class Ignore:
    """Not addressed to SBH."""


def parse_command(body: str) -> Command | Reply | Ignore:
    line = next((line.strip() for line in body.splitlines() if line.strip()), "")
    words = line.split()
    if not words or words[0].lower() != PREFIX:
        return Ignore()
    verb, arguments = (words[1].lower(), words[2:]) if len(words) > 1 else ("help", [])
    if verb in ("help", "plan", "build", "status"):
        if arguments:
            return Reply(f"`/sbh {verb}` takes no arguments.\n\n{HELP}")
        return Command(verb)  # type: ignore[arg-type]
    if verb == "deploy":
        return _environment_command("deploy", arguments)
    if verb == "rollback":
        return _environment_command("rollback", arguments)
    return Reply(f"Unknown command `{_inline(verb)}`.\n\n{HELP}")


def _environment_command(
    verb: Literal["deploy", "rollback"], arguments: list[str]
) -> Command | Reply:
    usage = f"`/sbh {verb} <env> [<tag>]` (sbh/v2: `/sbh {verb} <env> [<service>] [<tag>]`)"
    most = 3
    if not arguments or len(arguments) > most:
        return Reply(f"Usage: {usage}, e.g. `/sbh {verb} dev`.")
    environment = arguments[0].lower()
    if not ENVIRONMENT_NAME.fullmatch(environment):
        return Reply(f"`{_inline(arguments[0])}` is not an environment name. Usage: {usage}.")
    for word in arguments[1:]:
        # Service names are a subset of what an image tag may hold.
        if not IMAGE_TAG.fullmatch(word):
            return Reply(
                f"`{_inline(word)}` is not a service name or an image tag "
                "(letters, digits, `.`, `_`, `-`)."
            )
    return Command(verb, environment=environment, targets=tuple(arguments[1:]))


def _inline(text: str) -> str:
    return text.replace("`", "'")[:60]
