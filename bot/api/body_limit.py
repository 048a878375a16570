"""The JSON API reads at most `SBH_MAX_JSON_BYTES` of a request body.

Pure ASGI in front of FastAPI's routing, so that the limit holds before anything else reads
the body: CSRF checks, JSON parsing and request models see only a body within it. A declared
`Content-Length` over the limit is answered without reading; a body without one is counted
as it streams in and cut off once it passes the limit, so a client that never stops sending
costs SBH at most the limit in memory. The webhook route has its own, larger limit.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.intake.route import BodyTooLarge, ClientGone, answer, read_limited_body


class JsonBodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            body = await read_limited_body(scope, receive, self.max_bytes)
        except BodyTooLarge:
            await answer(
                send,
                413,
                {
                    "detail": f"the request body is over {self.max_bytes} bytes, the most SBH "
                    "reads (SBH_MAX_JSON_BYTES); send a smaller one"
                },
            )
            return
        except ClientGone:
            return
        await self.app(scope, replaying(body, receive), send)


def replaying(body: bytes, receive: Receive) -> Receive:
    """`receive` that first gives the body already read, then whatever `receive` gives (a
    streaming response listens there for the client going away)."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
