from __future__ import annotations

from bot.intake.signature import sign_sha1, sign_sha256, signature_is_valid

SECRET = b"It's a Secret to Everybody"
BODY = b"Hello, World!"
GITHUB_TEST_VECTOR = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_githubs_documented_test_vector() -> None:
    assert sign_sha256(SECRET, BODY) == GITHUB_TEST_VECTOR
    assert signature_is_valid(SECRET, BODY, GITHUB_TEST_VECTOR)


def test_a_changed_body_or_secret_fails() -> None:
    assert not signature_is_valid(SECRET, BODY + b" ", GITHUB_TEST_VECTOR)
    assert not signature_is_valid(b"another secret", BODY, GITHUB_TEST_VECTOR)
    assert not signature_is_valid(SECRET, BODY, GITHUB_TEST_VECTOR.upper())


def test_no_header_or_no_secret_fails() -> None:
    assert not signature_is_valid(SECRET, BODY, None)
    assert not signature_is_valid(SECRET, BODY, "")
    assert not signature_is_valid(b"", BODY, sign_sha256(b"", BODY))


def test_sha1_only_when_accepted_and_no_sha256_was_sent() -> None:
    legacy = sign_sha1(SECRET, BODY)

    assert not signature_is_valid(SECRET, BODY, None, legacy)
    assert signature_is_valid(SECRET, BODY, None, legacy, accept_sha1=True)
    assert not signature_is_valid(SECRET, BODY, "sha256=00", legacy, accept_sha1=True)
