"""`GET /api/systems`, `/api/systems/{name}`, `/api/deliveries`: JSON for the dashboard.

A person signed in with GitHub sees the systems whose repositories they can reach through
the App's installations; a system they cannot see answers 404 like one that does not exist.
Deliveries (every webhook SBH received) are for operators only: SBH_API_TOKEN or local mode.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query
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
# Bounded: the databases refuse an offset past 64 bits, and no table comes near this.
Offset = Annotated[int, Query(ge=0, le=10**9)]
# A system's name (the spec's) or owner (a GitHub login) has only these characters; anything
# else names no system, and some of it (NUL) PostgreSQL refuses to compare at all.
NAME_PATTERN = r"^[A-Za-z0-9._-]{1,100}$"
SystemName = Annotated[str, Path(pattern=NAME_PATTERN)]
Owner = Annotated[str | None, Query(pattern=NAME_PATTERN)]
DeliveryStatus = Annotated[str | None, Query(pattern=r"^[a-z]{1,16}$")]


@router.get("/api/systems")
async def systems(
    services: ServicesDep, viewer: CurrentViewer, limit: Limit = 50, offset: Offset = 0
) -> SystemsPage:
    return await run_in_threadpool(
        list_systems, services.database, limit, offset, viewer.repositories
    )


@router.get("/api/systems/{name}")
async def system(
    services: ServicesDep, viewer: CurrentViewer, name: SystemName, owner: Owner = None
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
    status: DeliveryStatus = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> DeliveriesPage:
    if viewer.mode == "github":
        raise HTTPException(
            403, "deliveries are for operators: use SBH_API_TOKEN (or local mode in development)"
        )
    return await run_in_threadpool(list_deliveries, services.database, status, limit, offset)
