"""Who may do what: the one rule behind the `/sbh` commands and the web app's Build and Deploy
buttons — read permission to see a system's status, write permission to change anything,
admin for a production environment — asked of GitHub each time, never cached."""

from __future__ import annotations

from typing import Literal

from bot.deploys.start import Refused
from bot.ports import GitHubPort, Permission

Level = Literal["read", "write", "admin"]
GRANTS: dict[Level, frozenset[Permission]] = {
    "read": frozenset({"admin", "maintain", "write", "triage", "read"}),
    "write": frozenset({"admin", "maintain", "write"}),
    "admin": frozenset({"admin"}),
}


def changing(production: bool) -> Level:
    """What changing an environment needs."""
    return "admin" if production else "write"


def check_permission(
    github: GitHubPort, repository: str, login: str, verb: str, needed: Level
) -> Refused | None:
    """None when `login` may run `verb` on `repository`; else the refusal, worded for the
    person."""
    permission = github.permission(repository, login)
    if permission in GRANTS[needed]:
        return None
    return Refused(
        "forbidden",
        f"Sorry @{login}, `/sbh {verb}` needs {needed} permission on {repository} "
        f"(you have {permission}).",
    )
