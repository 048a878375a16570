"""Settings for the commands that need them, found the way the service finds them; a
configuration problem is one line and exit 1."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from bot.cli.console import fail

if TYPE_CHECKING:
    from bot.ports import SecretSource
    from bot.settings import OperatorSettings, Settings

T = TypeVar("T")


class _SecretsManager:
    """Secrets Manager, reached (and boto3 imported) only when a setting names a secret."""

    def __init__(self) -> None:
        self._source: SecretSource | None = None

    def secret_value(self, reference: str) -> str:
        if self._source is None:
            from bot.adapters.aws_secrets import SecretsManagerSource

            self._source = SecretsManagerSource()
        return self._source.secret_value(reference)


def _loaded(load: Callable[[SecretSource], T]) -> T:
    from bot.settings import SettingsError

    try:
        return load(_SecretsManager())
    except SettingsError as error:
        fail(f"configuration error: {error}")


def service_settings() -> Settings:
    """All settings, refused in production without its secrets (`sbh serve`, `sbh worker`)."""
    from bot.settings import load_settings

    return _loaded(lambda secrets: load_settings(secrets=secrets))


def operator_settings() -> OperatorSettings:
    """The database and the queue only: no secret of the service is needed or read."""
    from bot.settings import load_operator_settings

    return _loaded(lambda secrets: load_operator_settings(secrets=secrets))
