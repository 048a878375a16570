"""Per-client request limits, until there are accounts: one for what costs SBH an AI call or
a GitHub write (chat, completion, Build now), and a much higher one for checking specs, which
the System Builder does as a person types."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException, Request

from bot.ai.chat import RateLimiter
from bot.settings import Settings


@dataclass(frozen=True)
class RequestLimits:
    costly: RateLimiter
    spec_checks: RateLimiter

    @classmethod
    def from_settings(cls, settings: Settings) -> RequestLimits:
        return cls(
            costly=RateLimiter(rate=settings.chat_requests_per_minute / 60, burst=10),
            spec_checks=RateLimiter(rate=settings.spec_checks_per_minute / 60, burst=60),
        )


def within(limiter: RateLimiter, request: Request, what: str) -> None:
    """Raise 429 when the client address has used up `limiter`."""
    client = request.client.host if request.client else "unknown"
    if not limiter.allow(client):
        raise HTTPException(429, f"too many {what} from this address; wait a little")
