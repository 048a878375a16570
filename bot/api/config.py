"""`GET /api/config`: what the web app may know of this SBH (never a secret): where spec
issues are opened (GitHub's web host, the hub repository, the label SBH reads), whether AI
is configured, and the chat's models."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from bot.ai.chat import CHAT_MODELS, default_chat_model
from bot.api.dependencies import Services, get_services
from bot.flows.outcomes import SPEC_LABEL

router = APIRouter()


class ChatModelOption(BaseModel):
    id: str
    label: str


class WebConfig(BaseModel):
    github_web_url: str  # https://github.com, or a GitHub Enterprise Server
    hub_repository: str | None  # owner/name where spec issues are opened
    spec_label: str  # the label that asks SBH to read an issue's spec
    ai: bool  # OpenAI is configured (else completion uses SBH's defaults, chat echoes)
    models: list[ChatModelOption]
    default_model: str


@router.get("/api/config")
async def web_config(services: Annotated[Services, Depends(get_services)]) -> WebConfig:
    settings = services.settings
    return WebConfig(
        github_web_url=settings.github_web_url.rstrip("/"),
        hub_repository=settings.hub_repository,
        spec_label=SPEC_LABEL,
        ai=settings.openai_configured,
        models=[ChatModelOption(id=model, label=label) for model, label in CHAT_MODELS.items()],
        default_model=default_chat_model(settings.openai_model),
    )
