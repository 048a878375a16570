"""Signed-in sessions of the web app, kept in the database (the browser holds only a signed,
random session id: see `bot/api/web_session.py`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete

from bot.api.web_session import new_token, session_key
from bot.db.database import Database
from bot.db.models import WebSession
from bot.ports import GitHubIdentity


def start_session(
    database: Database, identity: GitHubIdentity, now: datetime, lifetime: timedelta
) -> str:
    """A new session for `identity` until `now + lifetime`; returns its id (for the cookie
    only: the database keeps its hash). Expired sessions are cleared on the way."""
    session_id = new_token()
    with database.session() as session:
        session.execute(delete(WebSession).where(WebSession.expires_at <= now))
        session.add(
            WebSession(
                key=session_key(session_id),
                login=identity.login,
                github_user_id=identity.user_id,
                repositories=sorted(identity.repositories),
                created_at=now,
                expires_at=now + lifetime,
            )
        )
    return session_id


def find_session(database: Database, session_id: str, now: datetime) -> GitHubIdentity | None:
    with database.session() as session:
        row = session.get(WebSession, session_key(session_id))
        if row is None or row.expires_at <= now:
            return None
        return GitHubIdentity(
            login=row.login, user_id=row.github_user_id, repositories=frozenset(row.repositories)
        )


def end_session(database: Database, session_id: str) -> None:
    with database.session() as session:
        session.execute(delete(WebSession).where(WebSession.key == session_key(session_id)))
