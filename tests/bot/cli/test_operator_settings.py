"""The settings the operator commands load: the database found exactly as the service finds
it, and nothing of the service's secrets read or required."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_operator_settings, load_settings

PRODUCTION_WITHOUT_SECRETS = {"SBH_ENV": "production", "DATABASE_URL": "sqlite:///ops.db"}


class RecordingSecrets:
    """A Secrets Manager that knows one secret and remembers what it was asked for."""

    def __init__(self, known: dict[str, str]) -> None:
        self.known = known
        self.asked: list[str] = []

    def secret_value(self, reference: str) -> str:
        self.asked.append(reference)
        try:
            return self.known[reference]
        except KeyError:
            raise LookupError(f"cannot read {reference}: AccessDeniedException") from None


def test_production_without_the_services_secrets_is_enough_for_operators() -> None:
    with pytest.raises(SettingsError, match="refusing to start in production"):
        load_settings(PRODUCTION_WITHOUT_SECRETS)

    settings = load_operator_settings(PRODUCTION_WITHOUT_SECRETS)

    assert settings.database_url == "sqlite:///ops.db"
    assert settings.job_max_attempts == 8


def test_only_the_database_secret_is_read_from_secrets_manager() -> None:
    secrets = RecordingSecrets({"arn:db": "postgresql+psycopg://sbh:pw@db/sbh"})

    settings = load_operator_settings(
        {
            "SBH_ENV": "production",
            "DATABASE_URL_SECRET_ARN": "arn:db",
            "OPENAI_API_KEY_SECRET_ARN": "arn:openai",
            "GITHUB_WEBHOOK_SECRET_SECRET_ARN": "arn:webhook",
        },
        secrets,
    )

    assert settings.database_url == "postgresql+psycopg://sbh:pw@db/sbh"
    assert secrets.asked == ["arn:db"]


def test_the_database_comes_from_the_task_definitions_parts_as_for_the_service() -> None:
    parts = {
        "SBH_ENV": "production",
        "DB_HOST": "sbh-prod.abc.us-east-1.rds.amazonaws.com",
        "DB_NAME": "app",
        "DB_USERNAME": "app",
        "DB_PASSWORD": "p@ss:word/1",
    }
    service = load_settings(
        {
            **parts,
            "SECRET_KEY": "a-long-random-production-value-of-48-characters",
            "GITHUB_WEBHOOK_SECRET": "whsec",
            "OPENAI_API_KEY": "sk-prod",
        }
    )

    assert load_operator_settings(parts).database_url == service.database_url


def test_an_unreadable_database_secret_names_the_setting() -> None:
    with pytest.raises(SettingsError, match=r"^DATABASE_URL_SECRET_ARN: cannot read arn:nope"):
        load_operator_settings({"DATABASE_URL_SECRET_ARN": "arn:nope"}, RecordingSecrets({}))


def test_a_bad_value_names_the_setting() -> None:
    with pytest.raises(SettingsError, match="SBH_JOB_MAX_ATTEMPTS"):
        load_operator_settings({"SBH_JOB_MAX_ATTEMPTS": "many"})
