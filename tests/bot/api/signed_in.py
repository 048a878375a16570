"""A browser signed in with GitHub, for the web API's tests: the settings of SBH with sign-in,
and a client holding a person's session cookie and CSRF token."""

from __future__ import annotations

import time
from datetime import timedelta

from fastapi.testclient import TestClient

from bot.api.session_store import start_session
from bot.api.web_session import SESSION_COOKIE, sign
from bot.db.database import Database
from bot.db.models import utcnow
from bot.ports import GitHubIdentity
from tests.bot.conftest import as_the_web_app

SECRET_KEY = "a-test-secret-key-of-enough-length-for-hmac"
SETTINGS = {
    "SECRET_KEY": SECRET_KEY,
    "GITHUB_CLIENT_ID": "Iv1.test",
    "GITHUB_CLIENT_SECRET": "test-client-secret",
    "SBH_API_TOKEN": "operator-token",
}


def signed_in(
    client: TestClient, database: Database, login: str, repositories: set[str]
) -> TestClient:
    """`client` as the browser of `login` after signing in with GitHub."""
    session_id = start_session(
        database, GitHubIdentity(login, 1, frozenset(repositories)), utcnow(), timedelta(hours=1)
    )
    cookie = sign(SECRET_KEY.encode(), "session", session_id, int(time.time()) + 3600)
    client.cookies.set(SESSION_COOKIE, cookie)
    return as_the_web_app(client)
