"""GitHub webhook signatures (`X-Hub-Signature-256`, legacy `X-Hub-Signature`): pure."""

from __future__ import annotations

import hashlib
import hmac


def sign_sha256(secret: bytes, body: bytes) -> str:
    """The `X-Hub-Signature-256` value GitHub sends for `body`."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def sign_sha1(secret: bytes, body: bytes) -> str:
    return "sha1=" + hmac.new(secret, body, hashlib.sha1).hexdigest()


def signature_is_valid(
    secret: bytes,
    body: bytes,
    sha256_header: str | None,
    sha1_header: str | None = None,
    *,
    accept_sha1: bool = False,
) -> bool:
    """Constant-time check; SHA-1 only when explicitly accepted and no SHA-256 was sent."""
    if not secret:
        return False
    if sha256_header:
        return hmac.compare_digest(sha256_header.encode(), sign_sha256(secret, body).encode())
    if accept_sha1 and sha1_header:
        return hmac.compare_digest(sha1_header.encode(), sign_sha1(secret, body).encode())
    return False
