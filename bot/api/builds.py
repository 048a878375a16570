"""`POST /api/builds`: the System Builder's "Build now", for a person signed in with GitHub
who has write permission on the hub repository (`SBH_HUB_REPOSITORY`). SBH opens the spec
issue there and queues the build (bot.flows.web_builds); the answer links to the issue, where the
outcome appears as it does for `/sbh build`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from bot.api.dependencies import Services, get_services
from bot.api.identity import CsrfChecked, CurrentViewer
from bot.api.limits import within
from bot.api.specs import PROBLEMS, SpecText, UnusableSpec
from bot.deploys.start import Refused
from bot.flows.web_builds import start_web_build
from renderers.from_text import default_spec
from renderers.problems import SpecError

router = APIRouter()


class BuildRequest(BaseModel):
    spec: SpecText


class BuildStarted(BaseModel):
    issue: int  # the spec issue SBH opened in the hub repository
    issue_url: str
    message: str


@router.post("/api/builds", status_code=202, responses=PROBLEMS)
async def build_now(
    request: Request,
    body: BuildRequest,
    viewer: CurrentViewer,
    _csrf: CsrfChecked,
    services: Annotated[Services, Depends(get_services)],
) -> BuildStarted:
    if viewer.mode != "github" or viewer.login is None:
        raise HTTPException(
            403,
            "building from the web needs sign-in with GitHub: SBH checks your permission on "
            "the hub repository, as it does for /sbh build",
        )
    hub = services.settings.hub_repository
    if hub is None:
        raise HTTPException(409, "SBH_HUB_REPOSITORY is not set: there is no hub to build from")
    within(services.limits.costly, request, "requests")
    try:
        # The worker completes it again with the Drafter; this only refuses what cannot build.
        spec = await services.spec_work.run_async(default_spec, body.spec, "spec.yaml")
    except SpecError as error:
        raise UnusableSpec(error) from None
    installation_id = await run_in_threadpool(
        services.installations.active_for_account, hub.split("/")[0]
    )
    if installation_id is None or services.github_for_installation is None:
        raise HTTPException(409, f"the SBH App is not installed on {hub.split('/')[0]}")
    repository = spec.repository
    started = await run_in_threadpool(
        start_web_build,
        services.github_for_installation(installation_id),
        services.queue,
        hub=hub,
        installation_id=installation_id,
        login=viewer.login,
        spec_text=body.spec,
        repository=repository,
    )
    if isinstance(started, Refused):
        raise HTTPException(403, started.message)
    url = f"{services.settings.github_web_url.rstrip('/')}/{hub}/issues/{started}"
    return BuildStarted(
        issue=started,
        issue_url=url,
        message=f"SBH opened {hub}#{started} and is building {repository}; it reports there.",
    )
