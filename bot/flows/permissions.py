"""Who may change what: the one rule behind `/sbh build|deploy|rollback`, the web app's Build
and Deploy buttons — write permission on the repository, admin for a production
environment — asked of GitHub each time, never cached."""

from __future__ import annotations

from bot.deploys.start import Refused
from bot.ports import GitHubPort, Permission

WRITE: frozenset[Permission] = frozenset({"admin", "maintain", "write"})
ADMIN: frozenset[Permission] = frozenset({"admin"})


def check_permission(
    github: GitHubPort, repository: str, login: str, verb: str, production: bool
) -> Refused | None:
    """None when `login` may run `verb` on `repository`; else the refusal, worded for the
    person."""
    needed, word = (ADMIN, "admin") if production else (WRITE, "write")
    permission = github.permission(repository, login)
    if permission in needed:
        return None
    return Refused(
        "forbidden",
        f"Sorry @{login}, `/sbh {verb}` needs {word} permission on {repository} "
        f"(you have {permission}).",
    )
