"""`GET /api/systems`, `/api/systems/{name}`, `/api/deliveries`: JSON for the dashboard.

A person signed in with GitHub sees the systems whose repositories they can reach through
the App's installations; a system they cannot see answers 404 like one that does not exist.
Deliveries (every webhook SBH received) are for operators only: SBH_API_TOKEN or local mode.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.concurrency import run_in_threadpool

from bot.api.dependencies import Services, get_services
from bot.api.identity import CurrentViewer
from bot.api.views import (
    DeliveriesPage,
    SystemDetail,
    SystemsPage,
    list_deliveries,
    list_systems,
    system_detail,
)
from bot.db.systems import MAX_PAGE

router = APIRouter()

ServicesDep = Annotated[Services, Depends(get_services)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0)]


@router.get("/api/systems")
async def systems(
    services: ServicesDep, viewer: CurrentViewer, limit: Limit = 50, offset: Offset = 0
) -> SystemsPage:
    return await run_in_threadpool(
        list_systems, services.database, limit, offset, viewer.repositories
    )


@router.get("/api/systems/{name}")
async def system(
    services: ServicesDep, viewer: CurrentViewer, name: str, owner: str | None = None
) -> SystemDetail:
    detail = await run_in_threadpool(
        system_detail, services.database, name, owner, viewer.repositories
    )
    if detail is None:
        raise HTTPException(404, f"no system named {name!r}")
    return detail


@router.get("/api/deliveries")
async def deliveries(
    services: ServicesDep,
    viewer: CurrentViewer,
    status: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> DeliveriesPage:
    if viewer.mode == "github":
        raise HTTPException(
            403, "deliveries are for operators: use SBH_API_TOKEN (or local mode in development)"
        )
    return await run_in_threadpool(list_deliveries, services.database, status, limit, offset)
