"""The narrow interfaces the core needs from the outside world, in the core's words.
Each has one adapter in `bot/adapters/` (the only modules that import an SDK)."""

from __future__ import annotations

from typing import Protocol


class SecretSource(Protocol):
    """Where `<NAME>_SECRET_ARN` settings are read from (AWS Secrets Manager)."""

    def secret_value(self, reference: str) -> str:
        """The secret's value; `reference` is an ARN, optionally with a JSON key as ECS
        writes it (`arn:…:secret:name:json-key::`). Raises LookupError when unavailable."""
        ...
