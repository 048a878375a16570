"""`/sbh` comments parse to commands, helpful replies, or nothing."""

from __future__ import annotations

import pytest

from bot.flows.command_parser import HELP, Command, Ignore, Reply, parse_command


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("/sbh help", Command("help")),
        ("/sbh", Command("help")),
        ("/sbh plan", Command("plan")),
        ("/SBH Build", Command("build")),
        ("  /sbh status  \nthanks!", Command("status")),
        ("/sbh deploy dev", Command("deploy", environment="dev")),
        ("/sbh deploy PROD", Command("deploy", environment="prod")),
        ("/sbh deploy dev 1a2b3c4", Command("deploy", environment="dev", targets=("1a2b3c4",))),
        ("/sbh deploy dev api", Command("deploy", environment="dev", targets=("api",))),
        (
            "/sbh deploy dev api 1a2b3c4",
            Command("deploy", environment="dev", targets=("api", "1a2b3c4")),
        ),
        ("/sbh rollback prod", Command("rollback", environment="prod")),
        (
            "/sbh rollback prod 1a2b3c4",
            Command("rollback", environment="prod", targets=("1a2b3c4",)),
        ),
        (
            "/sbh rollback prod all 1a2b3c4",
            Command("rollback", environment="prod", targets=("all", "1a2b3c4")),
        ),
    ],
)
def test_commands(body: str, expected: Command) -> None:
    assert parse_command(body) == expected


@pytest.mark.parametrize(
    "body",
    ["LGTM", "", "please /sbh build", "/sbhbuild", "> /sbh build\n(quoting)", "`/sbh build`"],
)
def test_comments_not_addressed_to_sbh_are_ignored(body: str) -> None:
    assert parse_command(body) == Ignore()


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("/sbh deploy", "Usage: `/sbh deploy <env> [<tag>]`"),
        ("/sbh deploy", "`/sbh deploy <env> [<service>] [<tag>]`"),
        ("/sbh deploy dev api abc1234 extra", "Usage: `/sbh deploy <env> [<tag>]`"),
        ("/sbh rollback", "Usage: `/sbh rollback <env> [<tag>]`"),
        ("/sbh deploy ../etc", "is not an environment name"),
        ("/sbh rollback prod $(id)", "is not a service name or an image tag"),
        ("/sbh deploy prod api $(id)", "is not a service name or an image tag"),
        ("/sbh build now", "takes no arguments"),
        ("/sbh destroy", "Unknown command `destroy`"),
        ("/sbh `rm`", "Unknown command `'rm'`"),
    ],
)
def test_mistakes_get_a_helpful_reply(body: str, fragment: str) -> None:
    reply = parse_command(body)

    assert isinstance(reply, Reply)
    assert fragment in reply.message


def test_unknown_commands_list_what_exists() -> None:
    reply = parse_command("/sbh frobnicate")

    assert isinstance(reply, Reply)
    assert HELP in reply.message


def test_only_build_deploy_and_rollback_change_state() -> None:
    changing = {
        verb
        for verb in ("help", "plan", "build", "deploy", "rollback", "status")
        if Command(verb).changes_state
    }  # type: ignore[arg-type]

    assert changing == {"build", "deploy", "rollback"}
