"""Signed cookie values: what verifies, and everything that must not."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bot.api.web_session import authorize_url, new_token, same_origin, sign, verify

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
    for garbage in (None, "", "...", "abc", "abc.soon.sig"):
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
