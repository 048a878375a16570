"""Signed cookie values: what verifies, and everything that must not."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bot.api.web_session import authorize_url, new_token, same_origin, sign, verify
from bot.app import create_app
from bot.db.database import Database
from tests.bot.conftest import make_settings

KEY = b"a-long-random-secret-key-for-tests"
NOW = 1_800_000_000


def test_a_signed_value_verifies_until_it_expires() -> None:
    signed = sign(KEY, "session", "abc", NOW + 60)

    assert verify(KEY, "session", signed, NOW) == "abc"
    assert verify(KEY, "session", signed, NOW + 59) == "abc"
    assert verify(KEY, "session", signed, NOW + 60) is None


def test_an_altered_value_expiry_or_signature_does_not_verify() -> None:
    value, expires, signature = sign(KEY, "session", "abc", NOW + 60).split(".")

    assert verify(KEY, "session", f"abd.{expires}.{signature}", NOW) is None
    assert verify(KEY, "session", f"{value}.{int(expires) + 3600}.{signature}", NOW) is None
    assert verify(KEY, "session", f"{value}.{expires}.{signature[:-1]}A", NOW) is None
    assert verify(KEY, "session", f"{value}.{expires}", NOW) is None
    for garbage in (None, "", "...", "abc", "abc.soon.sig", "abc.\u00b2.sig", "abc.1\u00b9.sig"):
        assert verify(KEY, "session", garbage, NOW) is None


def test_a_value_signed_for_one_purpose_or_key_is_worthless_for_another() -> None:
    state = sign(KEY, "oauth-state", "abc", NOW + 60)

    assert verify(KEY, "session", state, NOW) is None
    assert verify(b"another-key", "oauth-state", state, NOW) is None


def test_tokens_are_random_and_cookie_safe() -> None:
    tokens = {new_token() for _ in range(100)}

    assert len(tokens) == 100
    assert all(len(token) >= 43 and "." not in token and ";" not in token for token in tokens)


def test_the_authorize_url_carries_the_client_the_callback_and_the_state() -> None:
    url = authorize_url(
        "https://github.com/", "Iv1.abc", "https://sbh.acme.io/api/auth/callback", "s1"
    )

    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("github.com", "/login/oauth/authorize")
    assert parse_qs(parts.query) == {
        "client_id": ["Iv1.abc"],
        "redirect_uri": ["https://sbh.acme.io/api/auth/callback"],
        "state": ["s1"],
    }


def test_an_origin_is_this_site_when_it_names_the_host_or_the_public_url() -> None:
    assert same_origin("http://127.0.0.1:8000", "127.0.0.1:8000", None)
    assert same_origin("https://sbh.acme.io", "10.0.1.7:8000", "https://sbh.acme.io/")
    assert not same_origin("https://evil.example", "sbh.acme.io", "https://sbh.acme.io")
    assert not same_origin("https://sbh.acme.io.evil.example", "sbh.acme.io", None)
    assert not same_origin("null", "sbh.acme.io", None)


def answers(database: Database, requests: list[tuple[str, str, bytes]]) -> list[int]:
    """The status of each (method, path, Cookie header): the header's bytes sent as they are,
    as a client other than a browser can (latin-1 b'\\xb2' is '²', which isdigit() takes)."""
    settings = make_settings(GITHUB_CLIENT_ID="Iv1.x", GITHUB_CLIENT_SECRET="client-secret")
    transport = httpx.ASGITransport(create_app(settings, database=database))

    async def send_all() -> list[int]:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return [
                (await client.request(method, path, headers=[(b"cookie", cookie)])).status_code
                for method, path, cookie in requests
            ]

    return asyncio.run(send_all())


@pytest.mark.parametrize("digits", [b"\xb2", b"1\xb9\xb3"])
def test_cookies_with_digits_int_cannot_read_are_refused_like_any_bad_cookie(
    database: Database, digits: bytes
) -> None:
    cookie = b"abc." + digits + b".signature"

    codes = answers(
        database,
        [
            ("GET", "/api/session", b"sbh_session=" + cookie),
            ("GET", "/api/systems", b"sbh_session=" + cookie),
            ("POST", "/api/ai-chat", b"sbh_csrf=" + cookie),
            ("GET", "/api/auth/callback?code=c&state=s", b"sbh_oauth_state=" + cookie),
        ],
    )

    assert codes == [200, 401, 403, 400]
