"""Health: `/api/ai-chat/health` (the load balancer's probe), `/healthz`, `/readyz`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from bot.api.dependencies import Services, get_services
from bot.api.service_health import readiness, service_health

router = APIRouter()


@router.get("/api/ai-chat/health")
async def ai_chat_health(services: Annotated[Services, Depends(get_services)]) -> JSONResponse:
    report = await run_in_threadpool(
        service_health, services.settings, services.database, services.queue
    )
    return JSONResponse(report.body, status_code=report.status_code)


@router.get("/healthz")
async def liveness() -> dict[str, str]:
    """The process answers; no dependency is checked (restarts don't fix a database)."""
    return {"status": "ok"}


@router.get("/readyz")
async def ready(services: Annotated[Services, Depends(get_services)]) -> JSONResponse:
    report = await run_in_threadpool(readiness, services.database)
    return JSONResponse(report.body, status_code=report.status_code)
