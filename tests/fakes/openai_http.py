"""A fake of OpenAI's chat completions over HTTP, for end-to-end runs:
`POST /v1/chat/completions` answers in OpenAI's wire format, as one JSON completion or, with
`"stream": true`, as server-sent `chat.completion.chunk` events ending in `data: [DONE]`. A
request for structured output (`response_format` of type `json_schema`, as the drafter's
`chat.completions.parse` sends) is answered with `FakeOpenAIHttp.proposal`, a SpecProposal as
JSON. Every request body is kept in `FakeOpenAIHttp.requests`, so a test can check the model
the browser chose.

Point SBH at it with OPENAI_BASE_URL=http://127.0.0.1:<port>/v1 and OPENAI_API_KEY=<api_key>.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from tests.fakes.openai_transport import proposal_body

CREATED = 1764000000


@dataclass
class FakeOpenAIHttp:
    api_key: str = "test"
    reply_words: tuple[str, ...] = ("Hello", " from", " the", " fake", " OpenAI.")
    proposal: dict[str, Any] = field(
        default_factory=lambda: proposal_body(
            description="Order intake with invoice uploads", buckets=["invoices"]
        )
    )
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def reply(self) -> str:
        return "".join(self.reply_words)

    def completion(self, model: str, content: str | None = None) -> dict[str, Any]:
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": CREATED,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": self.reply if content is None else content,
                        "refusal": None,
                    },
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 120, "completion_tokens": 40, "total_tokens": 160},
        }

    def chunks(self, model: str) -> Iterator[str]:
        for word in self.reply_words:
            chunk = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": CREATED,
                "model": model,
                "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}],
            }
            yield f"data: {json.dumps(chunk)}\n\n"
        yield "data: [DONE]\n\n"


def create_app(openai: FakeOpenAIHttp) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {openai.api_key}":
            return JSONResponse(
                {
                    "error": {
                        "message": "Incorrect API key provided",
                        "type": "invalid_request_error",
                    }
                },
                status_code=401,
            )
        body: dict[str, Any] = await request.json()
        with openai.lock:
            openai.requests.append(body)
        if body.get("stream"):
            return StreamingResponse(openai.chunks(body["model"]), media_type="text/event-stream")
        if (body.get("response_format") or {}).get("type") == "json_schema":
            proposal = json.dumps(openai.proposal)
            return JSONResponse(openai.completion(body["model"], proposal))
        return JSONResponse(openai.completion(body["model"]))

    return app
