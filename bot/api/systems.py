"""`GET /api/systems`, `/api/systems/{name}`, `/api/deliveries`: JSON for the dashboard,
behind a bearer token (`SBH_API_TOKEN`) until sign-in exists — or, in development without a
token, for requests from this machine (local mode, one local user)."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool

from bot.api.dependencies import Services, get_services
from bot.system_views import MAX_PAGE, list_deliveries, list_systems, system_detail

router = APIRouter()


LOOPBACK = frozenset({"127.0.0.1", "::1"})


def local_mode(services: Services, request: Request) -> bool:
    """Development without a token, asked from this machine: the one local user."""
    client = request.client.host if request.client else ""
    return (
        not services.settings.is_production
        and services.settings.api_token is None
        and client in LOOPBACK
    )


@router.get("/api/session")
async def session(
    request: Request, services: Annotated[Services, Depends(get_services)]
) -> dict[str, Any]:
    """Who the web app is acting as (no secret is ever part of this)."""
    if local_mode(services, request):
        return {"user": "local", "mode": "local", "label": "Local mode: one local user, no sign-in"}
    return {"user": None, "mode": "token", "label": "The API needs SBH_API_TOKEN"}


async def require_token(
    request: Request,
    services: Annotated[Services, Depends(get_services)],
    authorization: Annotated[str | None, Header()] = None,
) -> Services:
    if local_mode(services, request):
        return services
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
