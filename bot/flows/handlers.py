"""Webhook handlers, one module per behaviour. `default_router()` registers them all."""

from __future__ import annotations

from bot.flows import (
    commands,
    deploy_events,
    fleet_events,
    infra_events,
    installations,
    pushed_specs,
    spec_issues,
)
from bot.intake.router import Router
from bot.jobs.context import HandlerContext


def default_router() -> Router[HandlerContext]:
    router = Router[HandlerContext]()
    installations.register(router)
    spec_issues.register(router)
    commands.register(router)
    pushed_specs.register(router)
    deploy_events.register(router)
    infra_events.register(router)
    fleet_events.register(router)
    return router
