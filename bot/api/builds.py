"""`POST /api/builds`: the System Builder's "Build now", for a person signed in with GitHub
who has write permission on the hub repository (`SBH_HUB_REPOSITORY`). SBH opens the spec
issue there and queues the build (bot.flows.web_builds); the answer links to the issue, where the
outcome appears as it does for `/sbh build`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from bot.api.dependencies import Services, get_services
from bot.api.identity import CsrfChecked, CurrentViewer
from bot.api.specs import limit_per_client, spec_problems
from bot.db.models import Installation
from bot.deploys.start import check_permission
from bot.flows.spec_checks import draft_spec
from bot.flows.web_builds import (
    JOB_KIND,
    SPEC_LABEL,
    issue_body,
    issue_title,
    job_payload,
)
from bot.ports import GitHubPort
from renderers.problems import SpecError
from renderers.yaml_source import MAX_SPEC_BYTES

router = APIRouter()


class BuildRequest(BaseModel):
    spec: str = Field(max_length=MAX_SPEC_BYTES)


def _installation_for(services: Services, account: str) -> int | None:
    with services.database.session() as session:
        return session.scalar(
            select(Installation.id).where(
                func.lower(Installation.account_login) == account.lower(),
                Installation.deleted_at.is_(None),
                Installation.suspended_at.is_(None),
            )
        )


def _open_and_queue(
    services: Services,
    github: GitHubPort,
    installation_id: int,
    hub: str,
    login: str,
    text: str,
    repository: str,
) -> dict[str, Any]:
    refused = check_permission(github, hub, login, "build", production=False)
    if refused is not None:
        raise HTTPException(403, refused.message)
    number = github.open_issue(hub, issue_title(repository), issue_body(text, login), [SPEC_LABEL])
    with services.database.session() as session:
        services.queue.enqueue(
            session,
            JOB_KIND,
            payload=job_payload(hub, number, installation_id, login, text),
            dedupe_key=f"{JOB_KIND}:{hub}#{number}",
        )
    url = f"{services.settings.github_web_url.rstrip('/')}/{hub}/issues/{number}"
    return {
        "issue": number,
        "issue_url": url,
        "message": f"SBH opened {hub}#{number} and is building {repository}; it reports there.",
    }


@router.post("/api/builds", status_code=202)
async def build_now(
    request: Request,
    body: BuildRequest,
    viewer: CurrentViewer,
    _csrf: CsrfChecked,
    services: Annotated[Services, Depends(get_services)],
) -> Any:
    if viewer.mode != "github" or viewer.login is None:
        raise HTTPException(
            403,
            "building from the web needs sign-in with GitHub: SBH checks your permission on "
            "the hub repository, as it does for /sbh build",
        )
    hub = services.settings.hub_repository
    if hub is None:
        raise HTTPException(409, "SBH_HUB_REPOSITORY is not set: there is no hub to build from")
    limit_per_client(request, services)
    try:
        # The worker completes it again with the Drafter; this only refuses what cannot build.
        checked = await run_in_threadpool(draft_spec, body.spec, "spec.yaml")
    except SpecError as error:
        return JSONResponse({"valid": False, "problems": spec_problems(error)}, status_code=422)
    installation_id = await run_in_threadpool(_installation_for, services, hub.split("/")[0])
    if installation_id is None or services.github_for_installation is None:
        raise HTTPException(409, f"the SBH App is not installed on {hub.split('/')[0]}")
    github = services.github_for_installation(installation_id)
    return await run_in_threadpool(
        _open_and_queue,
        services,
        github,
        installation_id,
        hub,
        viewer.login,
        body.spec,
        checked.spec.repository,
    )
