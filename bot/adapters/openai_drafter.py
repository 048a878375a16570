"""`ProposalModel` on OpenAI's structured outputs: `chat.completions.parse` with the spec
version's proposal model (`SpecProposal` or `SpecProposalV2`) as the response format."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import openai
from openai import OpenAI

from bot.adapters.openai_client import openai_client
from bot.ai.drafting import (
    AIDrafter,
    DeterministicDrafter,
    Drafter,
    ProposalAnswer,
    ProposalUnavailable,
)
from bot.db.database import Database
from bot.settings import Settings
from renderers.proposal import SpecProposal, SpecProposalV2


class OpenAIProposalModel:
    def __init__(self, client: OpenAI, model: str) -> None:
        self.client = client
        self.model = model

    def propose(
        self,
        messages: Sequence[dict[str, str]],
        schema: type[SpecProposal] | type[SpecProposalV2],
    ) -> ProposalAnswer:
        try:
            completion = self.client.chat.completions.parse(
                model=self.model,
                messages=list(messages),  # type: ignore[arg-type]
                response_format=schema,
                temperature=0,
            )
        except openai.APITimeoutError as error:
            raise ProposalUnavailable("OpenAI timed out") from error
        except openai.RateLimitError as error:
            raise ProposalUnavailable("OpenAI rate limit (429)") from error
        except openai.APIStatusError as error:
            raise ProposalUnavailable(f"OpenAI answered {error.status_code}") from error
        except (openai.APIConnectionError, openai.LengthFinishReasonError) as error:
            raise ProposalUnavailable(f"OpenAI: {type(error).__name__}") from error
        except ValueError as error:  # a reply that does not parse as the schema
            raise ProposalUnavailable(f"OpenAI sent an unusable reply ({error})") from error
        choice = completion.choices[0].message
        usage: Any = completion.usage
        parsed = choice.parsed  # an instance of `schema` when the model answered
        return ProposalAnswer(
            proposal=parsed if isinstance(parsed, SpecProposal | SpecProposalV2) else None,
            refusal=choice.refusal,
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        )


def make_drafter(settings: Settings, database: Database | None) -> Drafter:
    """The OpenAI drafter when a key is configured, else deterministic completion."""
    client = openai_client(settings)
    if client is None:
        return DeterministicDrafter()
    return AIDrafter(OpenAIProposalModel(client, settings.openai_model), database)
