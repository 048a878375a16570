"""`ChatModel` on OpenAI chat completions, plain and streamed."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import openai
from openai import OpenAI

from bot.adapters.openai_client import openai_client
from bot.ai.chat import SYSTEM_PROMPT, ChatMessage, ChatModel, ChatReply, ChatUnavailable, EchoChat
from bot.settings import Settings


def _messages(messages: Sequence[ChatMessage]) -> list[Any]:
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        *({"role": m.role, "content": m.content} for m in messages),
    ]


class OpenAIChat:
    def __init__(self, client: OpenAI) -> None:
        self.client = client

    def reply(self, messages: Sequence[ChatMessage], model: str) -> ChatReply:
        try:
            completion = self.client.chat.completions.create(
                model=model, messages=_messages(messages)
            )
        except openai.OpenAIError as error:
            raise ChatUnavailable(type(error).__name__) from error
        return ChatReply(
            text=completion.choices[0].message.content or "", model=completion.model, fallback=False
        )

    def stream(self, messages: Sequence[ChatMessage], model: str) -> Iterator[str]:
        try:
            chunks = self.client.chat.completions.create(
                model=model, messages=_messages(messages), stream=True
            )
            for chunk in chunks:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except openai.OpenAIError as error:
            raise ChatUnavailable(type(error).__name__) from error


def make_chat(settings: Settings) -> ChatModel:
    client = openai_client(settings)
    return EchoChat() if client is None else OpenAIChat(client)
