"""`POST /api/systems/{name}/deploys`: the web app's deploy and rollback buttons. They run
the code path of `/sbh deploy` and `/sbh rollback` (bot.deploys.start) under the same rule:
the signed-in GitHub user needs write permission on the system's repository, admin for a
production environment — asked of GitHub at the moment of the click, never cached."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from bot.api.dependencies import Services, get_services
from bot.api.identity import CsrfChecked, CurrentViewer, Viewer
from bot.api.views import environments, find_system
from bot.db.models import System
from bot.deploys.start import Refused, check_permission, start_deploy
from bot.ports import GitHubPort

router = APIRouter()

STATUS_OF: dict[str, int] = {"forbidden": 403, "not_built": 409, "no_previous": 409}


class DeployRequest(BaseModel):
    action: Literal["deploy", "rollback"]
    environment: str = Field(pattern=r"^[a-z][a-z0-9]{0,9}$")
    image_tag: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._-]{1,128}$")
    owner: str | None = Field(default=None, max_length=100)


def _production(system: System, environment: str) -> bool | None:
    """Whether `environment` of the system's recorded spec is production (None: no such
    environment, or a recorded spec SBH can no longer read)."""
    found = [env["production"] for env in environments(system.spec) if env["name"] == environment]
    return bool(found[0]) if found else None


def _deploy(
    services: Services, github: GitHubPort, system: System, viewer: Viewer, request: DeployRequest
) -> dict[str, Any]:
    assert viewer.login is not None
    production = _production(system, request.environment)
    repository = f"{system.owner}/{system.name}"
    if production is None:
        raise HTTPException(
            422,
            f"{request.environment!r} is not an environment of {repository}",
        )
    outcome = check_permission(
        github, repository, viewer.login, request.action, production
    ) or start_deploy(
        github,
        services.database,
        system,
        request.action,
        request.environment,
        request.image_tag,
        viewer.login,
    )
    if isinstance(outcome, Refused):
        raise HTTPException(STATUS_OF[outcome.reason], outcome.message)
    return {
        "action": outcome.verb,
        "environment": outcome.environment,
        "image_tag": outcome.image_tag,
        "workflow_url": outcome.workflow_url,
        "message": outcome.message,
    }


@router.post("/api/systems/{name}/deploys", status_code=202)
async def deploy(
    name: str,
    request: DeployRequest,
    viewer: CurrentViewer,
    _csrf: CsrfChecked,
    services: Annotated[Services, Depends(get_services)],
) -> dict[str, Any]:
    if viewer.mode != "github" or viewer.login is None:
        raise HTTPException(
            403,
            "deploying from the web needs sign-in with GitHub: SBH checks your permission on "
            "the repository, as it does for /sbh deploy",
        )
    system = await run_in_threadpool(
        find_system, services.database, name, request.owner, viewer.repositories
    )
    if system is None:
        raise HTTPException(404, f"no system named {name!r}")
    if services.github_for_installation is None or system.installation_id is None:
        raise HTTPException(
            409, "SBH is not connected to GitHub here (GITHUB_APP_ID and a private key)"
        )
    github = services.github_for_installation(system.installation_id)
    return await run_in_threadpool(_deploy, services, github, system, viewer, request)
