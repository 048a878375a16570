"""The AI chat: models SBH allows, the system prompt, limits, the echo fallback, and a
per-client rate limit (pure core; the OpenAI adapter is bot/adapters/openai_chat.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

# The models a person may choose in the chat, with the names the web app shows (it reads
# this list from GET /api/config); the first is the default when OPENAI_MODEL is not one.
CHAT_MODELS: dict[str, str] = {
    "gpt-4o-mini": "GPT-4o Mini",
    "gpt-4o": "GPT-4o",
    "gpt-4-turbo": "GPT-4 Turbo",
}
ALLOWED_MODELS: tuple[str, ...] = tuple(CHAT_MODELS)


def default_chat_model(configured: str) -> str:
    """OPENAI_MODEL when the chat allows it, else the first allowed model."""
    return configured if configured in CHAT_MODELS else ALLOWED_MODELS[0]


MAX_MESSAGES = 50
MAX_MESSAGE_CHARACTERS = 16_000
MAX_TOTAL_CHARACTERS = 64_000

SYSTEM_PROMPT = """\
You are the assistant of System Builder Hub (SBH). You help people write SBH specs: YAML with
`apiVersion: sbh/v1`, `name` (lowercase, hyphens), `description`, `owner` (GitHub org),
`service` {port, health_path, cpu, memory, desired_count}, `database` (postgres or null),
`storage.buckets`, `environments` {name: {aws_account_id (quoted, 12 digits), region,
domain, approval}}, `env` (plain settings) and `secrets` (names only, never values).
When you write a spec, put it in one ```yaml block. Never invent account ids, owners or
domains: ask for them. Never ask for or repeat secret values.
"""


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class ChatReply:
    text: str
    model: str
    fallback: bool


class ChatModel(Protocol):
    def reply(self, messages: Sequence[ChatMessage], model: str) -> ChatReply: ...

    def stream(self, messages: Sequence[ChatMessage], model: str) -> Iterator[str]: ...


class EchoChat:
    """Without an OpenAI key: the last user message comes back, marked as a fallback."""

    def reply(self, messages: Sequence[ChatMessage], model: str) -> ChatReply:
        last = next((m.content for m in reversed(messages) if m.role == "user"), "")
        return ChatReply(text=last, model=model, fallback=True)

    def stream(self, messages: Sequence[ChatMessage], model: str) -> Iterator[str]:
        yield self.reply(messages, model).text


class ChatUnavailable(Exception):
    """The model did not answer (timeout, rate limit, server error)."""


class RateLimiter:
    """A token bucket per client: `rate` requests per second, bursts up to `burst`."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate, self.burst = rate, burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            allowed = tokens >= 1
            self._buckets[client] = (tokens - 1 if allowed else tokens, now)
            if len(self._buckets) > 10_000:  # forget idle clients; memory stays bounded
                self._buckets = {client: self._buckets[client]}
            return allowed
