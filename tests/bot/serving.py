"""Running `sbh serve` in tests: the settings of SBH as a GitHub App against a given GitHub
API, and whether the server has come up."""

from __future__ import annotations

import urllib.request

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.bot.events import WEBHOOK_SECRET


def private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def app_settings(api_url: str) -> dict[str, str]:
    return {
        "SBH_ENV": "development",
        "GITHUB_APP_ID": "12345",
        "GITHUB_PRIVATE_KEY": private_key(),
        "GITHUB_API_URL": api_url,
        "GITHUB_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
