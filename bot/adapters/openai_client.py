"""The OpenAI client as SBH configures it: key, model, base URL (Azure OpenAI, a gateway or
a local fake) and a timeout and retry count from settings, not the SDK's 600 s and 2 retries."""

from __future__ import annotations

import httpx2
from openai import OpenAI

from bot.settings import Settings


def openai_client(settings: Settings, http_client: httpx2.Client | None = None) -> OpenAI | None:
    """None when no key is configured: callers fall back (deterministic completion, echo)."""
    if settings.openai_api_key is None:
        return None
    return OpenAI(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,  # None: the SDK's default (or OPENAI_BASE_URL)
        timeout=settings.openai_timeout_seconds,
        max_retries=settings.openai_max_retries,
        http_client=http_client,
    )
