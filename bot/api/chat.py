"""`POST /api/ai-chat` (+ `/stream`, server-sent events), and the spec endpoints:
`/api/specs/validate`, `/api/specs/preview`, `/api/specs/repository.zip`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from bot.ai.chat import (
    ALLOWED_MODELS,
    MAX_MESSAGE_CHARACTERS,
    MAX_MESSAGES,
    MAX_TOTAL_CHARACTERS,
    ChatMessage,
    ChatUnavailable,
)
from bot.api.dependencies import Services, get_services
from bot.api.identity import CsrfChecked
from bot.api.specs import limit_per_client, spec_problems
from bot.flows.local_repository import zip_repository
from renderers.complete import complete_defaults
from renderers.problems import SpecError
from renderers.render import File, render
from renderers.spec import load_spec
from renderers.yaml_source import MAX_SPEC_BYTES

router = APIRouter()


class MessageIn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(min_length=1)


class ChatRequest(BaseModel):
    messages: list[MessageIn] = Field(min_length=1)
    model: str | None = None


class ChatResponse(BaseModel):
    reply: str
    model: str
    fallback: bool


def _checked(
    request: Request, body: ChatRequest, services: Services
) -> tuple[list[ChatMessage], str]:
    client = request.client.host if request.client else "unknown"
    if not services.chat_limiter.allow(client):
        raise HTTPException(429, "too many chat requests from this address; wait a little")
    model = body.model or services.settings.openai_model
    if model not in ALLOWED_MODELS:
        raise HTTPException(
            422, f"model {model!r} is not allowed; choose one of {', '.join(ALLOWED_MODELS)}"
        )
    if len(body.messages) > MAX_MESSAGES:
        raise HTTPException(413, f"at most {MAX_MESSAGES} messages per request")
    longest = max(len(message.content) for message in body.messages)
    total = sum(len(message.content) for message in body.messages)
    if longest > MAX_MESSAGE_CHARACTERS or total > MAX_TOTAL_CHARACTERS:
        raise HTTPException(
            413,
            f"messages are limited to {MAX_MESSAGE_CHARACTERS} characters each and "
            f"{MAX_TOTAL_CHARACTERS} in all",
        )
    if body.messages[-1].role != "user":
        raise HTTPException(422, "the last message must be the user's")
    return [ChatMessage(m.role, m.content) for m in body.messages], model


@router.post("/api/ai-chat", response_model=ChatResponse)
async def chat(
    request: Request,
    body: ChatRequest,
    services: Annotated[Services, Depends(get_services)],
    csrf: CsrfChecked,
) -> ChatResponse:
    messages, model = _checked(request, body, services)
    try:
        answer = await run_in_threadpool(services.chat.reply, messages, model)
    except ChatUnavailable as error:
        raise HTTPException(503, f"the AI is unavailable right now ({error}); try again") from None
    return ChatResponse(reply=answer.text, model=answer.model, fallback=answer.fallback)


@router.post("/api/ai-chat/stream")
async def chat_stream(
    request: Request,
    body: ChatRequest,
    services: Annotated[Services, Depends(get_services)],
    csrf: CsrfChecked,
) -> StreamingResponse:
    messages, model = _checked(request, body, services)
    fallback = services.settings.openai_api_key is None

    def events() -> Iterator[str]:
        try:
            for piece in services.chat.stream(messages, model):
                yield f"data: {json.dumps({'delta': piece})}\n\n"
        except ChatUnavailable as error:
            yield f"event: error\ndata: {json.dumps({'error': str(error)})}\n\n"
            return
        yield f"event: done\ndata: {json.dumps({'model': model, 'fallback': fallback})}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


class ValidateRequest(BaseModel):
    spec: str = Field(max_length=MAX_SPEC_BYTES)


class PreviewRequest(ValidateRequest):
    path: str | None = Field(default=None, max_length=300)


def _rendered(text: str) -> dict[str, File] | list[dict[str, object]]:
    try:
        return render(complete_defaults(load_spec(text, "spec.yaml"), "spec.yaml"))
    except SpecError as error:
        return spec_problems(error)


@router.post("/api/specs/preview")
async def preview_spec(
    request: Request,
    body: PreviewRequest,
    services: Annotated[Services, Depends(get_services)],
    csrf: CsrfChecked,
) -> JSONResponse:
    """The generated file tree of a spec, and one file's text when `path` names one."""
    limit_per_client(request, services)
    files = await run_in_threadpool(_rendered, body.spec)
    if isinstance(files, list):
        return JSONResponse({"valid": False, "problems": files}, status_code=422)
    tree = [
        {"path": path, "size": len(file.content), "executable": file.executable}
        for path, file in files.items()
    ]
    shown = None
    if body.path is not None:
        if body.path not in files:
            raise HTTPException(404, f"{body.path!r} is not a generated file")
        shown = {"path": body.path, "content": files[body.path].content.decode("utf-8")}
    return JSONResponse({"valid": True, "files": tree, "file": shown})


@router.post("/api/specs/repository.zip")
async def repository_zip(
    request: Request,
    body: ValidateRequest,
    services: Annotated[Services, Depends(get_services)],
    csrf: CsrfChecked,
) -> Response:
    """The whole generated repository as a zip (modes kept), for people without the App."""
    limit_per_client(request, services)
    files = await run_in_threadpool(_rendered, body.spec)
    if isinstance(files, list):
        return JSONResponse({"valid": False, "problems": files}, status_code=422)
    archive = await run_in_threadpool(zip_repository, files)
    name = load_spec(body.spec, "spec.yaml").name or "repository"
    return Response(
        archive,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}.zip"'},
    )


@router.post("/api/specs/validate")
async def validate_spec(
    request: Request,
    body: ValidateRequest,
    services: Annotated[Services, Depends(get_services)],
    csrf: CsrfChecked,
) -> JSONResponse:
    limit_per_client(request, services)
    try:
        raw = load_spec(body.spec, "spec.yaml")
    except SpecError as error:
        return JSONResponse({"valid": False, "problems": spec_problems(error)})
    return JSONResponse({"valid": True, "problems": [], "name": raw.name})
