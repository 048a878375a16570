"""Webhook handlers, one module per behaviour. `default_router()` registers them all."""

from __future__ import annotations

from bot.handlers import (
    comment_commands,
    deploy_events,
    installations,
    pushed_specs,
    spec_issues,
)
from bot.router import Router


def default_router() -> Router:
    router = Router()
    installations.register(router)
    spec_issues.register(router)
    comment_commands.register(router)
    pushed_specs.register(router)
    deploy_events.register(router)
    return router
