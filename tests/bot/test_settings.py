"""Settings: the seed's defaults, production refusals, and secrets from Secrets Manager."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from bot.adapters.aws_secrets import SecretsManagerSource
from bot.settings import Settings, SettingsError, load_settings

PRODUCTION_READY = {
    "SECRET_KEY": "a-long-random-production-value-of-47-characters",
    "GITHUB_WEBHOOK_SECRET": "whsec",
    "OPENAI_API_KEY": "sk-prod",
}


def test_the_seeds_defaults() -> None:
    settings = Settings.model_validate({})

    assert settings.openai_model == "gpt-4o-mini"
    assert settings.openai_timeout_seconds == 20
    assert settings.secret_key.get_secret_value() == "dev-secret-key"
    assert settings.environment == "production"
    assert settings.database_url == "sqlite:///./.sbh/sbh.db"
    assert settings.workspace_storage == "./.sbh/workspace"
    assert not settings.openai_configured


@pytest.mark.parametrize("name", ["FLASK_ENV", "SBH_ENV"])
def test_the_environment_name_comes_from_flask_env_or_sbh_env(name: str) -> None:
    assert load_settings({name: "development"}).environment == "development"


def test_sbh_env_wins_over_flask_env() -> None:
    assert (
        load_settings({"SBH_ENV": "development", "FLASK_ENV": "production"}).environment
        == "development"
    )


def test_production_refuses_development_defaults_and_names_each_setting() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({})

    message = str(refused.value)
    assert "SECRET_KEY: still the development default" in message
    assert "GITHUB_WEBHOOK_SECRET: required in production" in message
    assert "OPENAI_API_KEY: required in production" in message


def test_production_starts_with_real_values() -> None:
    settings = load_settings({"FLASK_ENV": "production", **PRODUCTION_READY})

    assert settings.is_production
    assert settings.openai_configured
    assert not settings.migrate_on_start


def test_production_refuses_half_configured_sign_in_and_a_callback_without_https() -> None:
    with pytest.raises(SettingsError) as half:
        load_settings({"FLASK_ENV": "production", **PRODUCTION_READY, "GITHUB_CLIENT_ID": "Iv1.x"})
    with pytest.raises(SettingsError) as plain_http:
        load_settings(
            {
                "FLASK_ENV": "production",
                **PRODUCTION_READY,
                "GITHUB_CLIENT_ID": "Iv1.x",
                "GITHUB_CLIENT_SECRET": "client-secret",
                "SBH_PUBLIC_URL": "http://sbh.acme.io",
            }
        )
    signing_in = load_settings(
        {
            "FLASK_ENV": "production",
            **PRODUCTION_READY,
            "GITHUB_CLIENT_ID": "Iv1.x",
            "GITHUB_CLIENT_SECRET": "client-secret",
            "SBH_PUBLIC_URL": "https://sbh.acme.io",
        }
    )

    assert "GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET: sign-in needs both" in str(half.value)
    assert "SBH_PUBLIC_URL: sign-in in production needs" in str(plain_http.value)
    assert signing_in.sign_in_configured


def test_a_bad_value_names_the_setting() -> None:
    with pytest.raises(SettingsError, match="OPENAI_TIMEOUT_SECONDS"):
        load_settings({"SBH_ENV": "development", "OPENAI_TIMEOUT_SECONDS": "soon"})


def test_the_private_key_may_come_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "app.pem"
    key_file.write_text("-----BEGIN RSA PRIVATE KEY-----\nabc\n")

    settings = load_settings({"SBH_ENV": "development", "GITHUB_PRIVATE_KEY_PATH": str(key_file)})

    assert settings.github_private_key is not None
    assert settings.github_private_key.get_secret_value().startswith("-----BEGIN")


def test_secrets_are_not_shown_in_reprs() -> None:
    settings = load_settings({"FLASK_ENV": "production", **PRODUCTION_READY})

    assert "sk-prod" not in repr(settings)
    assert "whsec" not in str(settings.model_dump())


@pytest.fixture
def secretsmanager() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-west-2")


def test_settings_can_name_secrets_manager_arns(secretsmanager: Any) -> None:
    openai = secretsmanager.create_secret(Name="sbh-dev/openai-key", SecretString="sk-from-aws")[
        "ARN"
    ]
    app = secretsmanager.create_secret(
        Name="sbh-dev/github-app",
        SecretString=json.dumps(
            {"app_id": "12345", "webhook_secret": "whsec-aws", "private_key": "pem"}
        ),
    )["ARN"]
    source = SecretsManagerSource(secretsmanager)

    settings = load_settings(
        {
            "FLASK_ENV": "production",
            "SECRET_KEY": "a-long-random-production-value-of-47-characters",
            "OPENAI_API_KEY_SECRET_ARN": openai,
            "GITHUB_WEBHOOK_SECRET_SECRET_ARN": f"{app}:webhook_secret::",
            "GITHUB_APP_ID_SECRET_ARN": f"{app}:app_id::",
        },
        source,
    )

    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == "sk-from-aws"
    assert settings.github_webhook_secret is not None
    assert settings.github_webhook_secret.get_secret_value() == "whsec-aws"
    assert settings.github_app_id == 12345


def test_a_missing_secret_names_the_setting_not_a_value(secretsmanager: Any) -> None:
    arn = "arn:aws:secretsmanager:us-west-2:123456789012:secret:sbh-dev/nope-AbCdEf"

    with pytest.raises(SettingsError) as refused:
        load_settings(
            {"SBH_ENV": "development", "OPENAI_API_KEY_SECRET_ARN": arn},
            SecretsManagerSource(secretsmanager),
        )

    assert str(refused.value).startswith("OPENAI_API_KEY_SECRET_ARN: cannot read")
    assert "ResourceNotFoundException" in str(refused.value)


def test_a_missing_json_key_is_named(secretsmanager: Any) -> None:
    arn = secretsmanager.create_secret(Name="sbh-dev/github-app", SecretString='{"app_id": "1"}')[
        "ARN"
    ]

    with pytest.raises(SettingsError, match="no JSON key 'webhook_secret'"):
        load_settings(
            {
                "SBH_ENV": "development",
                "GITHUB_WEBHOOK_SECRET_SECRET_ARN": f"{arn}:webhook_secret::",
            },
            SecretsManagerSource(secretsmanager),
        )


def test_a_value_in_the_environment_wins_over_its_arn(secretsmanager: Any) -> None:
    settings = load_settings(
        {
            "SBH_ENV": "development",
            "OPENAI_API_KEY": "sk-env",
            "OPENAI_API_KEY_SECRET_ARN": "arn:not:used",
        },
        SecretsManagerSource(secretsmanager),
    )

    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == "sk-env"


def test_the_database_and_bucket_come_from_the_task_definition_like_any_generated_system() -> None:
    settings = load_settings(
        {
            "SBH_ENV": "development",
            "DB_HOST": "sbh-prod.abc.us-east-1.rds.amazonaws.com",
            "DB_PORT": "5432",
            "DB_NAME": "app",
            "DB_USERNAME": "app",
            "DB_PASSWORD": "p@ss:word/1",
            "BUCKET_WORKSPACE": "sbh-prod-workspace-222222222222-us-east-1",
        }
    )

    assert settings.database_url == (
        "postgresql+psycopg://app:p%40ss%3Aword%2F1@sbh-prod.abc.us-east-1.rds.amazonaws.com"
        ":5432/app?sslmode=require"
    )
    assert settings.workspace_storage == "s3://sbh-prod-workspace-222222222222-us-east-1/workspaces"


def test_an_explicit_database_url_wins_over_db_parts() -> None:
    settings = load_settings(
        {"SBH_ENV": "development", "DATABASE_URL": "sqlite:///x.db", "DB_HOST": "elsewhere"}
    )

    assert settings.database_url == "sqlite:///x.db"


@pytest.mark.parametrize(
    ("given", "environment"),
    [
        ("production ", "production"),
        (" PROD", "production"),
        ("Development", "development"),
        ("dev", "development"),
        ("testing", "test"),
    ],
)
def test_the_environment_name_is_read_without_case_or_spaces_and_aliases_become_one_name(
    given: str, environment: str
) -> None:
    settings = Settings.model_validate({"SBH_ENV": given})

    assert settings.environment == environment
    assert settings.is_production == (environment == "production")


@pytest.mark.parametrize("name", ["prd", "staging", "live"])
def test_an_unknown_environment_name_is_refused_with_the_known_ones(name: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"SBH_ENV": name, **PRODUCTION_READY})

    assert str(refused.value) == (
        f"SBH_ENV: '{name}' is not an environment SBH knows; use one of production, prod, "
        "development, dev, test, testing"
    )


def test_production_refuses_a_secret_key_under_32_characters() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"SBH_ENV": "production", **PRODUCTION_READY, "SECRET_KEY": "x" * 31})

    assert "SECRET_KEY: 31 characters; production needs at least 32 random ones" in str(
        refused.value
    )
    assert load_settings({"SBH_ENV": "production", **PRODUCTION_READY, "SECRET_KEY": "x" * 32})


@pytest.mark.parametrize(
    "name",
    [
        "SECRET_KEY",
        "OPENAI_API_KEY",
        "GITHUB_WEBHOOK_SECRET",
        "GITHUB_PRIVATE_KEY",
        "GITHUB_CLIENT_SECRET",
        "SBH_API_TOKEN",
    ],
)
@pytest.mark.parametrize("environment", ["production", "development"])
def test_a_secret_of_only_whitespace_is_refused_naming_it(name: str, environment: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"SBH_ENV": environment, **PRODUCTION_READY, name: " \t\n"})

    assert str(refused.value) == (
        f"{name}: only whitespace; set the secret's value or leave it empty"
    )


def test_an_empty_setting_is_the_same_as_an_unset_one() -> None:
    settings = load_settings(
        {
            "SBH_ENV": "development",
            "OPENAI_API_KEY": "",
            "GITHUB_APP_ID": "",
            "GITHUB_PRIVATE_KEY": "",
            "SBH_API_TOKEN": "",
            "SBH_PUBLIC_URL": "",
            "SBH_TRUSTED_PROXIES": "",
        }
    )

    assert settings.openai_api_key is None
    assert not settings.openai_configured
    assert settings.github_app_id is None
    assert settings.github_private_key is None
    assert settings.api_token is None
    assert settings.public_url is None
    assert settings.trusted_proxies == ()


def test_production_refuses_empty_required_secrets_as_missing() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(
            {
                "SBH_ENV": "production",
                "SECRET_KEY": "",
                "GITHUB_WEBHOOK_SECRET": "",
                "OPENAI_API_KEY": "",
            }
        )

    message = str(refused.value)
    assert "SECRET_KEY: still the development default" in message
    assert "GITHUB_WEBHOOK_SECRET: required in production" in message
    assert "OPENAI_API_KEY: required in production" in message


def test_trusted_proxies_are_addresses_and_cidr_ranges() -> None:
    settings = load_settings(
        {"SBH_ENV": "development", "SBH_TRUSTED_PROXIES": "10.0.0.0/16, 192.0.2.7,2001:db8::/32"}
    )

    assert [str(network) for network in settings.trusted_proxies] == [
        "10.0.0.0/16",
        "192.0.2.7/32",
        "2001:db8::/32",
    ]


@pytest.mark.parametrize("value", ["10.0.0.0/33", "alb.internal", "10.0.0.1/16"])
def test_a_trusted_proxy_that_is_not_an_address_or_range_is_refused(value: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"SBH_ENV": "development", "SBH_TRUSTED_PROXIES": f"10.1.0.0/16,{value}"})

    assert str(refused.value) == (
        f"SBH_TRUSTED_PROXIES: '{value}' is not an IP address or a CIDR range such as 10.0.0.0/16"
    )


def test_uvicorns_forwarded_allow_ips_names_the_trusted_proxies_too() -> None:
    # SBH's own deployment sets it so (deploy/sbh.yaml): a spec's settings cannot start SBH_.
    settings = load_settings({"SBH_ENV": "development", "FORWARDED_ALLOW_IPS": "10.0.0.0/16"})

    assert [str(network) for network in settings.trusted_proxies] == ["10.0.0.0/16"]


def test_trusting_every_address_is_refused() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"SBH_ENV": "development", "FORWARDED_ALLOW_IPS": "*"})

    assert str(refused.value) == (
        "FORWARDED_ALLOW_IPS: '*' would believe any client's X-Forwarded-For; name the "
        "proxies' addresses or CIDR ranges"
    )


@pytest.mark.parametrize("url", ["sbh.acme.io", "ftp://sbh.acme.io", "https://user@sbh.acme.io"])
def test_the_public_url_must_be_a_web_url(url: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"SBH_ENV": "development", "SBH_PUBLIC_URL": url})

    assert str(refused.value) == (
        f"SBH_PUBLIC_URL: '{url}' is not a URL such as https://sbh.example.com"
    )
