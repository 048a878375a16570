"""Route webhook events to handlers by (event, action), on the raw JSON payload.

Handlers register with `@router.on("issues", "opened")` (or without an action for every
action of an event). Typed parsing is left to handlers: GitHub's payloads drift faster than
any schema, so routing must never depend on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar


@dataclass(frozen=True)
class WebhookEvent:
    """A stored delivery as handlers see it."""

    delivery_id: str
    name: str
    action: str | None
    payload: dict[str, Any]
    installation_id: int | None
    repository: str | None


# What handlers are given besides the event (`bot.jobs.context.HandlerContext` in the
# service): intake only asks whether anything handles an event, so it needs no context.
ContextT = TypeVar("ContextT")
Handler = Callable[[WebhookEvent, ContextT], None]


class Router(Generic[ContextT]):
    def __init__(self) -> None:
        self._handlers: dict[tuple[str, str | None], list[Handler[ContextT]]] = {}

    def on(
        self, event: str, action: str | None = None
    ) -> Callable[[Handler[ContextT]], Handler[ContextT]]:
        def register(handler: Handler[ContextT]) -> Handler[ContextT]:
            self.add(event, action, handler)
            return handler

        return register

    def add(self, event: str, action: str | None, handler: Handler[ContextT]) -> None:
        self._handlers.setdefault((event, action), []).append(handler)

    def handlers_for(self, event: str, action: str | None) -> list[Handler[ContextT]]:
        specific = self._handlers.get((event, action), []) if action is not None else []
        return [*specific, *self._handlers.get((event, None), [])]

    def handles(self, event: str, action: str | None) -> bool:
        return bool(self.handlers_for(event, action))

    def dispatch(self, event: WebhookEvent, context: ContextT) -> int:
        """Run every handler for the event; returns how many ran."""
        handlers = self.handlers_for(event.name, event.action)
        for handler in handlers:
            handler(event, context)
        return len(handlers)
