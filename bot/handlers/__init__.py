"""Webhook handlers, one module per behaviour. `default_router()` registers them all."""

from __future__ import annotations

from bot.handlers import installations
from bot.router import Router


def default_router() -> Router:
    router = Router()
    installations.register(router)
    return router
