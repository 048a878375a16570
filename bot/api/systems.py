"""`GET /api/systems`, `/api/systems/{name}`, `/api/deliveries`: JSON for the dashboard,
behind a bearer token (`SBH_API_TOKEN`) until sign-in exists."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query
from fastapi.concurrency import run_in_threadpool

from bot.api.dependencies import Services, get_services
from bot.system_views import MAX_PAGE, list_deliveries, list_systems, system_detail

router = APIRouter()


async def require_token(
    services: Annotated[Services, Depends(get_services)],
    authorization: Annotated[str | None, Header()] = None,
) -> Services:
    expected = services.settings.api_token
    if expected is None or not expected.get_secret_value():
        raise HTTPException(403, "the API is off: set SBH_API_TOKEN to turn it on")
    given = (authorization or "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), expected.get_secret_value().encode()):
        raise HTTPException(401, "send Authorization: Bearer <SBH_API_TOKEN>")
    return services


Authorized = Annotated[Services, Depends(require_token)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0)]


@router.get("/api/systems")
async def systems(services: Authorized, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    return await run_in_threadpool(list_systems, services.database, limit, offset)


@router.get("/api/systems/{name}")
async def system(services: Authorized, name: str, owner: str | None = None) -> dict[str, Any]:
    detail = await run_in_threadpool(system_detail, services.database, name, owner)
    if detail is None:
        raise HTTPException(404, f"no system named {name!r}")
    return detail


@router.get("/api/deliveries")
async def deliveries(
    services: Authorized, status: str | None = None, limit: Limit = 50, offset: Offset = 0
) -> dict[str, Any]:
    return await run_in_threadpool(list_deliveries, services.database, status, limit, offset)
