"""A fake of OpenAI at the SDK's HTTP transport: an httpx2 MockTransport that checks every
request the SDK sends (model, response format, messages, timeout) and answers with responses
shaped like OpenAI's: a proposal, a refusal, a 429, a 500, a timeout, or a chat reply (also
streamed)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2

from bot.adapters.openai_client import openai_client
from tests.bot.conftest import make_settings

Reply = Callable[[dict[str, Any]], httpx2.Response]


def completion(
    content: str | None, refusal: str | None = None, model: str = "gpt-4o-mini"
) -> httpx2.Response:
    return httpx2.Response(
        200,
        json={
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 1764000000,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 120, "completion_tokens": 40, "total_tokens": 160},
        },
    )


def proposal_body(**fields: Any) -> dict[str, Any]:
    """A SpecProposal's JSON: every field listed, null unless given (as structured outputs
    answer)."""
    return {
        "name": None,
        "description": None,
        "service": None,
        "database": None,
        "buckets": None,
        "regions": None,
        "env": None,
        "secret_names": None,
        **fields,
    }


def proposal(**fields: Any) -> Reply:
    body = proposal_body(**fields)
    return lambda request: completion(json.dumps(body))


def refusal(request: dict[str, Any]) -> httpx2.Response:
    return completion(None, refusal="I can't help with that.")


def status(code: int) -> Reply:
    return lambda request: httpx2.Response(
        code, json={"error": {"message": "nope", "type": "server_error"}}
    )


def timeout(request: dict[str, Any]) -> httpx2.Response:
    raise httpx2.ReadTimeout("timed out")


def chat_stream(words: list[str]) -> Reply:
    def reply(request: dict[str, Any]) -> httpx2.Response:
        chunks = [
            {
                "id": "chatcmpl-test",
                "object": "chat.completion.chunk",
                "created": 1764000000,
                "model": request["model"],
                "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}],
            }
            for word in words
        ]
        body = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks) + "data: [DONE]\n\n"
        return httpx2.Response(200, text=body, headers={"content-type": "text/event-stream"})

    return reply


@dataclass
class FakeOpenAITransport:
    replies: list[Reply]
    requests: list[dict[str, Any]] = field(default_factory=list)
    timeouts: list[object] = field(default_factory=list)

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        assert request.url.path.endswith("/chat/completions"), request.url
        assert request.headers["authorization"] == "Bearer sk-test"
        body = json.loads(request.content)
        self.requests.append(body)
        self.timeouts.append(request.extensions.get("timeout"))
        assert self.replies, "the SDK sent more requests than the test expected"
        return self.replies.pop(0)(body)

    def client(self, **settings: Any) -> Any:
        values = {
            "OPENAI_API_KEY": "sk-test",
            "OPENAI_TIMEOUT_SECONDS": "7",
            "OPENAI_MAX_RETRIES": "0",
            **settings,
        }
        http_client = httpx2.Client(transport=httpx2.MockTransport(self.handle))
        return openai_client(make_settings(**values), http_client=http_client)
