"""The App's installations as SBH remembers them from `installation` events, and which one
acts for an account."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bot.db.database import Database
from bot.db.models import Installation, utcnow


@dataclass(frozen=True)
class InstallationEvent:
    """What an `installation` event says about one installation."""

    id: int
    action: str | None  # created, deleted, suspend, unsuspend, new_permissions_accepted
    account_login: str | None
    account_type: str | None
    account_id: int | None
    repository_selection: str | None


class InstallationsRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    def remember(self, event: InstallationEvent) -> None:
        now = utcnow()
        with self.database.session() as session:
            installation = session.get(Installation, event.id)
            if installation is None:
                installation = Installation(
                    id=event.id, account_login=event.account_login or "", created_at=now
                )
                session.add(installation)
            installation.account_login = event.account_login or installation.account_login
            installation.account_type = event.account_type
            installation.account_id = event.account_id
            installation.repository_selection = event.repository_selection
            installation.updated_at = now
            if event.action == "deleted":
                installation.deleted_at = now
            elif event.action == "created":
                installation.deleted_at = None
            if event.action == "suspend":
                installation.suspended_at = now
            elif event.action == "unsuspend":
                installation.suspended_at = None

    def active_for_account(self, account: str) -> int | None:
        """The id of the App's installation on `account` (any case), unless it was deleted or
        is suspended."""
        with self.database.read() as connection:
            found: int | None = connection.scalar(
                select(Installation.id).where(
                    func.lower(Installation.account_login) == account.lower(),
                    Installation.deleted_at.is_(None),
                    Installation.suspended_at.is_(None),
                )
            )
        return found

    def lost(self, installation_id: int) -> bool:
        """Whether SBH heard that the installation was deleted or suspended (an installation it
        never heard of is not known to be lost)."""
        with self.database.read() as connection:
            found = connection.execute(
                select(Installation.deleted_at, Installation.suspended_at).where(
                    Installation.id == installation_id
                )
            ).first()
        return found is not None and (
            found.deleted_at is not None or found.suspended_at is not None
        )
