"""Remember the App's installations: created, deleted, suspended, unsuspended."""

from __future__ import annotations

from typing import Any

from bot.db.models import Installation, utcnow
from bot.intake.router import Router, WebhookEvent
from bot.jobs.context import HandlerContext


def register(router: Router) -> None:
    router.add("installation", None, remember_installation)


def remember_installation(event: WebhookEvent, context: HandlerContext) -> None:
    details: Any = event.payload.get("installation")
    if not isinstance(details, dict) or not isinstance(details.get("id"), int):
        return
    account: dict[str, Any] = details["account"] if isinstance(details.get("account"), dict) else {}
    now = utcnow()
    with context.database.session() as session:
        installation = session.get(Installation, details["id"])
        if installation is None:
            installation = Installation(
                id=details["id"], account_login=str(account.get("login", "")), created_at=now
            )
            session.add(installation)
        installation.account_login = str(account.get("login", installation.account_login))
        installation.account_type = account.get("type")
        installation.account_id = account.get("id") if isinstance(account.get("id"), int) else None
        installation.repository_selection = details.get("repository_selection")
        installation.updated_at = now
        if event.action == "deleted":
            installation.deleted_at = now
        elif event.action == "created":
            installation.deleted_at = None
        if event.action == "suspend":
            installation.suspended_at = now
        elif event.action == "unsuspend":
            installation.suspended_at = None
