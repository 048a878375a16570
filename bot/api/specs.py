"""`POST /api/specs/complete` (the System Builder's "complete with AI") and `GET /api/config`
(what the web app may show: the hub repository for spec issues), plus the spec helpers the
other `/api/specs/*` routes share: the per-client limit and problems as JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot.ai.drafting import MAX_CONTEXT_CHARACTERS
from bot.api.dependencies import Services, get_services
from bot.api.identity import CsrfChecked
from bot.flows.spec_checks import Completed, draft_spec
from renderers.complete import spec_to_yaml
from renderers.problems import SpecError
from renderers.proposal import proposed_fields
from renderers.yaml_source import MAX_SPEC_BYTES

router = APIRouter()
SOURCE = "spec.yaml"
DEFAULT_REASON = "SBH's default when the spec does not say"


def limit_per_client(request: Request, services: Services) -> None:
    """Spec and chat requests share one limiter per client address."""
    client = request.client.host if request.client else "unknown"
    if not services.chat_limiter.allow(client):
        raise HTTPException(429, "too many requests from this address; wait a little")


def spec_problems(error: SpecError) -> list[dict[str, object]]:
    return [
        {
            "line": problem.line,
            "column": problem.column,
            "field": problem.field,
            "message": problem.message,
            "text": str(problem),
        }
        for problem in error.problems
    ]


class CompleteRequest(BaseModel):
    spec: str = Field(max_length=MAX_SPEC_BYTES)
    # What the AI may read besides the spec (what the service is for); untrusted like an issue.
    context: str = Field(default="", max_length=MAX_CONTEXT_CHARACTERS)


def completion_json(completed: Completed, model: str) -> dict[str, object]:
    """The proposal as the web app shows it: each field the person did not write, where its
    value came from, and the completed spec."""
    draft = completed.draft
    fallback = draft.note is not None
    return {
        "valid": True,
        "problems": [],
        "proposal": [
            {
                "field": field.field,
                "value": field.value,
                "source": field.source,
                "reason": f"proposed by {model}" if field.source == "ai" else DEFAULT_REASON,
            }
            for field in proposed_fields(completed.written, draft.raw, completed.spec)
        ],
        "completed_spec": spec_to_yaml(completed.spec),
        "model": None if fallback else model,
        "fallback": fallback,
        "note": draft.note,
        "cached": draft.cached,
        "usage": {
            "prompt_tokens": draft.prompt_tokens,
            "completion_tokens": draft.completion_tokens,
        },
    }


@router.post("/api/specs/complete")
async def complete_spec(
    request: Request,
    body: CompleteRequest,
    services: Annotated[Services, Depends(get_services)],
    csrf: CsrfChecked,
) -> JSONResponse:
    """Run the Drafter (OpenAI, or the deterministic fallback) on a spec: what it proposes
    for the fields the person left out, or every problem with its line."""
    limit_per_client(request, services)
    try:
        completed = await run_in_threadpool(
            draft_spec, body.spec, SOURCE, drafter=services.drafter, context=body.context
        )
    except SpecError as error:
        return JSONResponse({"valid": False, "problems": spec_problems(error)}, status_code=422)
    return JSONResponse(completion_json(completed, services.settings.openai_model))


@router.get("/api/config")
async def web_config(services: Annotated[Services, Depends(get_services)]) -> dict[str, object]:
    """Public configuration for the web app (never a secret)."""
    settings = services.settings
    return {"hub_repository": settings.hub_repository, "ai": settings.openai_configured}
