"""Health: `/api/ai-chat/health` (the load balancer's probe), `/healthz`, `/readyz`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from bot.api.dependencies import Services, get_services
from bot.api.service_health import Readiness, ServiceHealth, readiness, service_health

router = APIRouter()
SERVICE_HEALTH_PATH = "/api/ai-chat/health"
LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"
# What load balancers and orchestrators call, by address rather than by the service's name.
PROBE_PATHS = frozenset({SERVICE_HEALTH_PATH, LIVENESS_PATH, READINESS_PATH})


class Alive(BaseModel):
    status: Literal["ok"] = "ok"


@router.get(SERVICE_HEALTH_PATH, responses={503: {"model": ServiceHealth}})
async def ai_chat_health(
    response: Response, services: Annotated[Services, Depends(get_services)]
) -> ServiceHealth:
    report = await run_in_threadpool(service_health, services.settings, services.queue)
    response.status_code = 200 if report.status == "healthy" else 503
    return report


@router.get(LIVENESS_PATH)
async def liveness() -> Alive:
    """The process answers; no dependency is checked (restarts don't fix a database)."""
    return Alive()


@router.get(READINESS_PATH, responses={503: {"model": Readiness}})
async def ready(
    response: Response, services: Annotated[Services, Depends(get_services)]
) -> Readiness:
    report = await run_in_threadpool(readiness, services.database)
    response.status_code = 200 if report.status == "ready" else 503
    return report
