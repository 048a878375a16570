"""`POST /api/systems/{name}/deploys`: the web app's deploy and rollback buttons. They take
the code path of `/sbh deploy` and `/sbh rollback` (`bot.flows.deploy_requests`) under the
same rule: the signed-in GitHub user needs write permission on the system's repository, admin
for a production environment — asked of GitHub at the moment of the click, never cached."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from bot.api.dependencies import Services, get_services
from bot.api.identity import CsrfChecked, CurrentViewer
from bot.api.systems import NAME_PATTERN, SystemName
from bot.deploys.start import Refused
from bot.flows.deploy_requests import request_deploy
from renderers.fields import ENVIRONMENT_NAME, IMAGE_TAG

router = APIRouter()

STATUS_OF: dict[str, int] = {
    "forbidden": 403,
    "unknown_environment": 422,
    "unknown_service": 422,
    "not_built": 409,
    "no_previous": 409,
    "github_refused": 409,
}


class DeployRequest(BaseModel):
    action: Literal["deploy", "rollback"]
    environment: str = Field(pattern=ENVIRONMENT_NAME.pattern)
    image_tag: str | None = Field(default=None, pattern=IMAGE_TAG.pattern)
    # An sbh/v2 system's service, or `all` (the default); left out for an sbh/v1 system.
    service: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9-]{0,30}$")
    owner: str | None = Field(default=None, pattern=NAME_PATTERN)


class DeployStarted(BaseModel):
    action: Literal["deploy", "rollback"]
    environment: str
    image_tag: str | None  # None: the newest image the deploy workflow finds
    service: str | None  # an sbh/v2 system's service or `all`; None for sbh/v1
    workflow_url: str
    message: str


@router.post("/api/systems/{name}/deploys", status_code=202)
async def deploy(
    name: SystemName,
    request: DeployRequest,
    viewer: CurrentViewer,
    _csrf: CsrfChecked,
    services: Annotated[Services, Depends(get_services)],
) -> DeployStarted:
    if viewer.mode != "github" or viewer.login is None:
        raise HTTPException(
            403,
            "deploying from the web needs sign-in with GitHub: SBH checks your permission on "
            "the repository, as it does for /sbh deploy",
        )
    system = await run_in_threadpool(
        services.systems.find, name, request.owner, viewer.repositories
    )
    if system is None:
        raise HTTPException(404, f"no system named {name!r}")
    if services.github_for_installation is None or system.installation_id is None:
        raise HTTPException(
            409, "SBH is not connected to GitHub here (GITHUB_APP_ID and a private key)"
        )
    github = services.github_for_installation(system.installation_id)
    outcome = await run_in_threadpool(
        request_deploy,
        github,
        services.systems,
        services.deploys,
        system,
        request.action,
        request.environment,
        request.image_tag,
        service=request.service,
        login=viewer.login,
        permission_on=system.full_name,
        request_key=f"web:{uuid.uuid4()}",  # each click is a request of its own
    )
    if isinstance(outcome, Refused):
        raise HTTPException(STATUS_OF[outcome.reason], outcome.message)
    return DeployStarted(
        action=outcome.verb,
        environment=outcome.environment,
        image_tag=outcome.image_tag,
        service=outcome.service,
        workflow_url=outcome.workflow_url,
        message=outcome.message,
    )
