"""`POST /api/github/webhooks`: read the body within GitHub's size limit, hand it to intake."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.api.dependencies import Services, get_services

router = APIRouter()


class BodyTooLarge(Exception):
    pass


async def read_limited_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/api/github/webhooks")
async def receive_webhook(
    request: Request, services: Annotated[Services, Depends(get_services)]
) -> JSONResponse:
    limit = services.settings.max_webhook_bytes
    try:
        body = await read_limited_body(request, limit)
    except BodyTooLarge:
        return JSONResponse({"error": f"the body is larger than {limit} bytes"}, status_code=413)
    try:
        result = await services.intake.accept(request.headers, body)
    except SQLAlchemyError:
        # Not the payload's fault: GitHub records the failure and the delivery can be redelivered.
        return JSONResponse({"error": "storage is unavailable; redeliver later"}, status_code=503)
    return JSONResponse(result.body, status_code=result.status_code)
