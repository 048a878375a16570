"""`POST /api/ai-chat` and `/api/ai-chat/stream` (server-sent events): the AI chat."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from bot.ai.chat import (
    ALLOWED_MODELS,
    MAX_MESSAGE_CHARACTERS,
    MAX_MESSAGES,
    MAX_TOTAL_CHARACTERS,
    ChatMessage,
    ChatUnavailable,
    default_chat_model,
)
from bot.api.dependencies import Services, get_services
from bot.api.identity import CsrfChecked
from bot.api.limits import within

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
    within(services.limits.costly, request, "chat requests")
    model = body.model or default_chat_model(services.settings.openai_model)
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


@router.post("/api/ai-chat")
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


@router.post(
    "/api/ai-chat/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": 'server-sent events: `data: {"delta": "..."}` per piece, then '
            '`event: done` with `{"model", "fallback"}`, or `event: error` with `{"error"}`',
        }
    },
)
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
