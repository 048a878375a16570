"""What routes receive through `Depends`: the parts built once by `create_app`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from bot.ai.chat import ChatModel
from bot.ai.drafting import Drafter
from bot.api.limits import RequestLimits
from bot.db.database import Database
from bot.intake.webhook_intake import WebhookIntake
from bot.jobs.context import WithRepositories
from bot.jobs.queue import JobQueue
from bot.jobs.spec_work import SpecWorkPool
from bot.ports import GitHubPort, GitHubRefused, GitHubUserAuth
from bot.settings import Settings


@dataclass(frozen=True)
class Services(WithRepositories):
    settings: Settings
    database: Database
    queue: JobQueue
    intake: WebhookIntake
    chat: ChatModel
    limits: RequestLimits
    drafter: Drafter
    spec_work: SpecWorkPool
    # installation id -> GitHub as that installation (None: the App is not configured).
    github_for_installation: Callable[[int], GitHubPort] | None = None
    # Sign-in with GitHub (None: GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET are not set).
    user_auth: GitHubUserAuth | None = None


class ErrorDetail(BaseModel):
    """Every error the API answers itself: a sentence a person can act on."""

    detail: str


async def answer_github_refused(request: Request, exception: Exception) -> JSONResponse:
    """A request GitHub refused while SBH answered a person (a routine that expects one
    answers it in its own words first): GitHub's answer, as a sentence, never a 500."""
    assert isinstance(exception, GitHubRefused)
    detail = f"GitHub refused a request SBH made for this: {exception}."
    return JSONResponse(ErrorDetail(detail=detail).model_dump(), status_code=502)


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services
