"""`GET /api/fleet` and `POST /api/fleet/upgrades`: the dashboard's fleet view and its Upgrade
action (`bot.flows.fleet`).

Anyone signed in sees the systems they can see, with each one's template version, whether it
is behind, its upgrade pull request, last deploy and health, and the counts. Upgrading is for
the hub's admins: a person signed in with GitHub who has admin permission on the hub
repository (`SBH_HUB_REPOSITORY`), asked of GitHub at the moment; operators with
SBH_API_TOKEN; and the one local user in local mode. The upgrades are queued (one job per
system and template version); the view shows them progress.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from bot.api.dependencies import Services, get_services
from bot.api.identity import CsrfChecked, CurrentViewer, Viewer
from bot.api.systems import NAME_PATTERN
from bot.db.database import Database
from bot.db.systems import SystemsRepository
from bot.deploys.records import DeployRecords
from bot.flows.fleet import FleetView, enqueue_upgrades, fleet_view, select_systems
from bot.jobs.queue import JobQueue
from bot.settings import Settings

router = APIRouter()
ServicesDep = Annotated[Services, Depends(get_services)]
# `owner/name` or `name` of a system.
SYSTEM_PATTERN = r"^(?:[A-Za-z0-9._-]{1,100}/)?[A-Za-z0-9._-]{1,100}$"
MAX_NAMED = 1000


class FleetUpgrade(BaseModel):
    target_version: str
    # queued, running, parked (kept failing), or how it ended: updated (pull request open),
    # unchanged (current already), skipped (see note), failed (will be retried)
    status: str
    pull_request: int | None
    pull_request_url: str | None
    note: str | None


class FleetDeploy(BaseModel):
    environment: str
    state: str
    image_tag: str | None
    updated_at: datetime


class FleetSystem(BaseModel):
    name: str
    owner: str
    repository: str
    api_version: str | None  # None: this SBH can no longer read the recorded spec
    template_version: str
    target_version: str | None
    standing: Literal["current", "behind", "upgrading", "unknown"]
    upgrade: FleetUpgrade | None
    last_deploy: FleetDeploy | None
    health: dict[str, bool]  # environment -> up, from the last probe


class FleetCounts(BaseModel):
    current: int
    behind: int
    upgrading: int
    unknown: int


class FleetPage(BaseModel):
    counts: FleetCounts
    systems: list[FleetSystem]
    can_upgrade: bool = False  # the viewer may press Upgrade


class UpgradeRequest(BaseModel):
    # Systems by `owner/name` (or `name`); or every system behind.
    systems: list[Annotated[str, Field(pattern=SYSTEM_PATTERN)]] = Field(
        default_factory=list, max_length=MAX_NAMED
    )
    all_behind: bool = False
    owner: str | None = Field(default=None, pattern=NAME_PATTERN)


class UpgradesQueued(BaseModel):
    queued: int  # new jobs
    already: int  # queued, running or done before for the same template version
    unknown: list[str]  # names no system (that the viewer can see) has
    message: str


def page_of(view: FleetView) -> FleetPage:
    systems = []
    for entry in view.entries:
        record, upgrade, deploy = entry.system, entry.upgrade, entry.last_deploy
        systems.append(
            FleetSystem(
                name=record.name,
                owner=record.owner,
                repository=record.full_name,
                api_version=entry.api_version,
                template_version=entry.template_version,
                target_version=entry.target_version,
                standing=entry.standing,
                upgrade=FleetUpgrade(
                    target_version=upgrade.target_version,
                    status=upgrade.status,
                    pull_request=upgrade.pull_request,
                    pull_request_url=upgrade.pull_request_url,
                    note=upgrade.note,
                )
                if upgrade
                else None,
                last_deploy=FleetDeploy(
                    environment=deploy.environment,
                    state=deploy.state,
                    image_tag=deploy.image_tag,
                    updated_at=deploy.updated_at,
                )
                if deploy
                else None,
                health=entry.health,
            )
        )
    return FleetPage(counts=FleetCounts(**view.counts), systems=systems)


def fleet_page(
    database: Database,
    web_url: str,
    *,
    owner: str | None = None,
    behind_only: bool = False,
    visible: frozenset[str] | None = None,
) -> FleetPage:
    """The fleet as the API and `sbh fleet --json` show it."""
    view = fleet_view(
        SystemsRepository(database),
        DeployRecords(database),
        JobQueue(database),
        web_url=web_url,
        owner=owner,
        behind_only=behind_only,
        visible=visible,
    )
    return page_of(view)


def hub_admin(services: Services, viewer: Viewer) -> bool:
    """Whether `viewer` may upgrade the fleet (see the module's docstring)."""
    if viewer.mode in ("token", "local"):
        return True
    settings: Settings = services.settings
    hub = settings.hub_repository
    if viewer.login is None or hub is None or services.github_for_installation is None:
        return False
    installation = services.installations.active_for_account(hub.split("/")[0])
    if installation is None:
        return False
    return services.github_for_installation(installation).permission(hub, viewer.login) == "admin"


@router.get("/api/fleet")
async def fleet(
    services: ServicesDep,
    viewer: CurrentViewer,
    behind: Annotated[bool, Query(description="Only the systems not current.")] = False,
    owner: Annotated[str | None, Query(pattern=NAME_PATTERN)] = None,
) -> FleetPage:
    page = await run_in_threadpool(
        fleet_page,
        services.database,
        services.settings.github_web_url,
        owner=owner,
        behind_only=behind,
        visible=viewer.repositories,
    )
    page.can_upgrade = await run_in_threadpool(hub_admin, services, viewer)
    return page


@router.post("/api/fleet/upgrades", status_code=202)
async def upgrade(
    request: UpgradeRequest,
    services: ServicesDep,
    viewer: CurrentViewer,
    _csrf: CsrfChecked,
) -> UpgradesQueued:
    if not request.all_behind and not request.systems:
        raise HTTPException(422, "name the systems to upgrade, or ask for every one behind")
    if not await run_in_threadpool(hub_admin, services, viewer):
        hub = services.settings.hub_repository or "the hub repository (SBH_HUB_REPOSITORY)"
        raise HTTPException(403, f"upgrading the fleet needs admin permission on {hub}")

    def queue_upgrades() -> UpgradesQueued:
        records, unknown = select_systems(
            services.systems,
            request.systems,
            every_behind=request.all_behind,
            owner=request.owner,
        )
        visible = [record for record in records if viewer.can_see(record.full_name)]
        unknown += [record.full_name for record in records if record not in visible]
        queued = enqueue_upgrades(services.queue, visible)
        already = len(queued.keys) - queued.new
        return UpgradesQueued(
            queued=queued.new,
            already=already,
            unknown=unknown,
            message=f"{queued.new} upgrade(s) queued, {already} queued or done before",
        )

    return await run_in_threadpool(queue_upgrades)
