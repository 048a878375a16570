"""Remember the App's installations: created, deleted, suspended, unsuspended."""

from __future__ import annotations

from typing import Any

from bot.db.installations import InstallationEvent
from bot.intake.router import Router, WebhookEvent
from bot.jobs.context import HandlerContext


def register(router: Router[HandlerContext]) -> None:
    router.add("installation", None, remember_installation)


def remember_installation(event: WebhookEvent, context: HandlerContext) -> None:
    details: Any = event.payload.get("installation")
    if not isinstance(details, dict) or not isinstance(details.get("id"), int):
        return
    account: dict[str, Any] = details["account"] if isinstance(details.get("account"), dict) else {}
    login, account_id = account.get("login"), account.get("id")
    context.installations.remember(
        InstallationEvent(
            id=details["id"],
            action=event.action,
            account_login=str(login) if login is not None else None,
            account_type=account.get("type"),
            account_id=account_id if isinstance(account_id, int) else None,
            repository_selection=details.get("repository_selection"),
        )
    )
