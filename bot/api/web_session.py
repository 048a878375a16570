"""Signed cookie values for the web app (pure: values in, values out, the clock passed in).

Three cookies carry a random value signed with HMAC-SHA256 keyed by SECRET_KEY, with an
expiry inside the signature:

- `sbh_session`: the id of a session kept in the database (`bot/api/session_store.py`); the
  cookie holds no identity, so a long list of repositories never meets the ~4 KB cookie
  limit and signing out ends the session on the server too.
- `sbh_oauth_state`: the OAuth `state` of one sign-in, checked when GitHub sends the person
  back, so that nobody can finish a sign-in they did not start (login CSRF).
- `sbh_csrf`: the double-submit token: state-changing requests send the same value in the
  `X-CSRF-Token` header, which another site cannot read or set.

Each purpose has its own signature, so a value signed for one is worthless as another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Literal
from urllib.parse import urlencode

SESSION_COOKIE = "sbh_session"
STATE_COOKIE = "sbh_oauth_state"
CSRF_COOKIE = "sbh_csrf"
CSRF_HEADER = "X-CSRF-Token"

SESSION_SECONDS = 8 * 60 * 60
STATE_SECONDS = 10 * 60
CSRF_SECONDS = 24 * 60 * 60

Purpose = Literal["session", "oauth-state", "csrf"]


def new_token() -> str:
    """A random, URL- and cookie-safe value (256 bits)."""
    return secrets.token_urlsafe(32)


def _mac(secret: bytes, purpose: Purpose, value: str, expires_at: int) -> str:
    digest = hmac.digest(secret, f"{purpose}\n{value}\n{expires_at}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(secret: bytes, purpose: Purpose, value: str, expires_at: int) -> str:
    """`value.expires_at.signature`, for a cookie."""
    return f"{value}.{expires_at}.{_mac(secret, purpose, value, expires_at)}"


def verify(secret: bytes, purpose: Purpose, signed: str | None, now: float) -> str | None:
    """The value `signed` carries, or None when it is missing, altered, signed for another
    purpose or with another key, or expired at `now` (seconds since the epoch)."""
    if not signed:
        return None
    value, _, rest = signed.partition(".")
    expires, _, signature = rest.partition(".")
    # ASCII digits only: str.isdigit() also holds for '²', which int() refuses.
    if not value or not (expires.isascii() and expires.isdigit()):
        return None
    expected = _mac(secret, purpose, value, int(expires))
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    return value if int(expires) > now else None


def same_token(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a header against the value it must repeat."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def session_key(session_id: str) -> str:
    """What the database keeps instead of the session id: a copy of the table is no key to
    anyone's session."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def authorize_url(web_url: str, client_id: str, redirect_uri: str, state: str) -> str:
    """Where the browser goes to sign in (a GitHub App's permissions replace OAuth scopes)."""
    query = urlencode({"client_id": client_id, "redirect_uri": redirect_uri, "state": state})
    return f"{web_url.rstrip('/')}/login/oauth/authorize?{query}"


def same_origin(origin: str, host: str, public_url: str | None) -> bool:
    """Whether a request's `Origin` header names this service: its `Host`, or the public
    URL it is reached at behind a proxy."""
    if origin == "null":
        return False
    _, _, origin_host = origin.partition("://")
    allowed = {host.lower()}
    if public_url:
        allowed.add(public_url.partition("://")[2].split("/")[0].lower())
    return origin_host.lower() in allowed
