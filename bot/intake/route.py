"""`POST /api/github/webhooks`: read the body within GitHub's size limit, hand it to intake.

The one route GitHub calls, and the only hot path, so it is plain ASGI in front of FastAPI's
routing: no request object, dependency solving or response class per delivery. Everything
else (every other path, and the middleware outside this one) is the FastAPI app as usual.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from bot.intake.delivery_store import StorageUnavailable
from bot.intake.webhook_intake import WebhookIntake

WEBHOOK_PATH = "/api/github/webhooks"
_JSON = (b"content-type", b"application/json")


class BodyTooLarge(Exception):
    pass


class ClientGone(Exception):
    """The client disconnected before sending the whole body: there is nobody to answer."""


async def read_limited_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def request_headers(scope: Scope) -> dict[str, str]:
    """Header names lowercased; of a repeated header, the first value (as Starlette reads)."""
    return {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in reversed(scope["headers"])
    }


async def answer(
    send: Send, status: int, body: dict[str, Any], *extra: tuple[bytes, bytes]
) -> None:
    content = json.dumps(body, separators=(",", ":")).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [_JSON, (b"content-length", str(len(content)).encode()), *extra],
        }
    )
    await send({"type": "http.response.body", "body": content})


class WebhookRoute:
    """ASGI middleware that answers `WEBHOOK_PATH` itself and passes everything else on."""

    def __init__(self, app: ASGIApp, *, intake: WebhookIntake, max_bytes: int) -> None:
        self.app = app
        self.intake = intake
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != WEBHOOK_PATH:
            await self.app(scope, receive, send)
            return
        if scope["method"] != "POST":
            await answer(send, 405, {"detail": "Method Not Allowed"}, (b"allow", b"POST"))
            return
        try:
            body = await read_limited_body(scope, receive, self.max_bytes)
        except BodyTooLarge:
            await answer(send, 413, {"error": f"the body is larger than {self.max_bytes} bytes"})
            return
        except ClientGone:
            return
        try:
            result = await self.intake.accept(request_headers(scope), body)
        except StorageUnavailable:
            # Not the payload's fault: GitHub records the failure and the delivery can be
            # redelivered. Nothing was acknowledged, so nothing is lost.
            await answer(send, 503, {"error": "storage is unavailable; redeliver later"})
            return
        await answer(send, result.status_code, result.body)
