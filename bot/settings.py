"""One `Settings` object for the service, built once at start, and the part of it the
operator commands need (`OperatorSettings`: the database and the queue).

Values come from the environment. Any secret-bearing setting may instead be given as
`<NAME>_SECRET_ARN`, resolved through Secrets Manager when the settings are loaded (ECS
injects secrets the same way). An empty value is the same as none (`OPENAI_API_KEY=` in an
env file means "no key"). Production refuses to start with development defaults.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import quote, urlsplit

from pydantic import (
    AliasChoices,
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.ports import SecretSource

DEV_SECRET_KEY = "dev-secret-key"  # noqa: S105 - the known-bad value production refuses
MIN_SECRET_KEY_LENGTH = 32  # characters: enough randomness for the HMAC of every cookie
DEFAULT_DATABASE_URL = "sqlite:///./.sbh/sbh.db"
# Every name SBH_ENV accepts (spaces and case do not matter) and what it means. An unknown
# name is refused: `prd` or `staging` must not quietly run with development defaults.
ENVIRONMENT_NAMES = {
    "production": "production",
    "prod": "production",
    "development": "development",
    "dev": "development",
    "test": "test",
    "testing": "test",
}
Environment = Literal["production", "development", "test"]
# Settings that may be given as `<NAME>_SECRET_ARN` instead of their value.
SECRET_BACKED = (
    "OPENAI_API_KEY",
    "SECRET_KEY",
    "DATABASE_URL",
    "GITHUB_APP_ID",
    "GITHUB_PRIVATE_KEY",
    "GITHUB_WEBHOOK_SECRET",
    "GITHUB_CLIENT_SECRET",
    "WORKSPACE_STORAGE",
    "SBH_API_TOKEN",
)


class SettingsError(Exception):
    """The configuration is unusable; the message names the setting and what to do."""


def _environment_name(value: object) -> object:
    if not isinstance(value, str):
        return value
    name = ENVIRONMENT_NAMES.get(value.strip().lower())
    if name is None:
        known = ", ".join(ENVIRONMENT_NAMES)
        raise ValueError(f"{value!r} is not an environment SBH knows; use one of {known}")
    return name


def _networks(value: object) -> object:
    """`10.0.0.0/16, 192.0.2.7` as a tuple of networks; each part must be an address or a
    CIDR range, so that a typo is refused instead of trusting nothing (or too much)."""
    if not isinstance(value, str):
        return value
    networks = []
    for part in (part.strip() for part in value.split(",")):
        if not part:
            continue
        if part == "*":
            raise ValueError(
                "'*' would believe any client's X-Forwarded-For; name the proxies' addresses "
                "or CIDR ranges"
            )
        try:
            networks.append(ipaddress.ip_network(part))
        except ValueError:
            raise ValueError(
                f"{part!r} is not an IP address or a CIDR range such as 10.0.0.0/16"
            ) from None
    return tuple(networks)


Networks = Annotated[
    tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...], BeforeValidator(_networks)
]


class OperatorSettings(BaseSettings):
    """What `sbh migrate | deliveries | replay | status | systems | system | fleet` need: where
    the database is, how many attempts a replayed delivery's job gets, where GitHub's pages
    are. None of the service's secrets, so none of its production checks."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=True, frozen=True)

    database_url: str = Field(default=DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    job_max_attempts: int = Field(default=8, ge=1, le=100, validation_alias="SBH_JOB_MAX_ATTEMPTS")
    # Where people see GitHub (links to pull requests); GitHub Enterprise Server's own.
    github_web_url: str = Field(default="https://github.com", validation_alias="GITHUB_WEB_URL")

    @model_validator(mode="before")
    @classmethod
    def _empty_is_unset(cls, values: Any) -> Any:
        if not isinstance(values, Mapping):
            return values
        return {name: value for name, value in values.items() if value != ""}


class Settings(OperatorSettings):
    """Everything the service (`sbh serve`, `sbh worker`) reads."""

    environment: Annotated[Environment, BeforeValidator(_environment_name)] = Field(
        default="production",
        validation_alias=AliasChoices("SBH_ENV", "FLASK_ENV"),
        description="Environment name; FLASK_ENV is kept for compatibility with the seed.",
    )
    secret_key: SecretStr = Field(default=SecretStr(DEV_SECRET_KEY), validation_alias="SECRET_KEY")
    auto_migrate: bool | None = Field(default=None, validation_alias="SBH_AUTO_MIGRATE")

    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    openai_model: str = Field(default="gpt-4o-mini", validation_alias="OPENAI_MODEL")
    openai_timeout_seconds: float = Field(
        default=20.0, gt=0, validation_alias="OPENAI_TIMEOUT_SECONDS"
    )
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    # The SDK retries twice with its own backoff by default; one retry keeps a webhook job
    # and a chat answer within a predictable time (timeout x (1 + retries)).
    openai_max_retries: int = Field(default=1, ge=0, le=5, validation_alias="OPENAI_MAX_RETRIES")
    # Seconds between probes of deployed systems' public health URLs; 0 turns probing off.
    health_probe_seconds: float = Field(
        default=300, ge=0, validation_alias="SBH_HEALTH_PROBE_SECONDS"
    )
    # How many health probes one worker runs at once (each a job on the queue; a worker that
    # takes one takes up to twice this many due ones with it), and how long each may take.
    health_probe_concurrency: int = Field(
        default=32, ge=1, le=256, validation_alias="SBH_HEALTH_PROBE_CONCURRENCY"
    )
    health_probe_timeout_seconds: float = Field(
        default=5.0, gt=0, le=30, validation_alias="SBH_HEALTH_PROBE_TIMEOUT_SECONDS"
    )
    # How often each process looks whether periodic work (the probes) is due and enqueues it
    # under its idempotency key; replicas enqueue each round once between them.
    schedule_tick_seconds: float = Field(
        default=15.0, gt=0, le=300, validation_alias="SBH_SCHEDULE_TICK_SECONDS"
    )
    api_token: SecretStr | None = Field(default=None, validation_alias="SBH_API_TOKEN")
    # The built web app (`make web`); served at / when the directory exists.
    web_dist: Path = Field(default=Path("web/dist"), validation_alias="SBH_WEB_DIST")
    # Per client address: chat, AI completion and Build now (each costs an AI call or a
    # GitHub write), and spec checks (validate, preview, zip), which the System Builder makes
    # as a person types: 600 a minute, bursts of 60, is beyond any typing.
    chat_requests_per_minute: float = Field(
        default=30, gt=0, validation_alias="SBH_CHAT_REQUESTS_PER_MINUTE"
    )
    spec_checks_per_minute: float = Field(
        default=600, gt=0, validation_alias="SBH_SPEC_CHECKS_PER_MINUTE"
    )
    # The repository (owner/name) where spec issues are opened; the web app links to it.
    hub_repository: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$",
        validation_alias="SBH_HUB_REPOSITORY",
    )

    github_app_id: int | None = Field(default=None, validation_alias="GITHUB_APP_ID")
    github_private_key: SecretStr | None = Field(
        default=None, validation_alias="GITHUB_PRIVATE_KEY"
    )
    github_private_key_path: Path | None = Field(
        default=None, validation_alias="GITHUB_PRIVATE_KEY_PATH"
    )
    github_webhook_secret: SecretStr | None = Field(
        default=None, validation_alias="GITHUB_WEBHOOK_SECRET"
    )
    github_accept_sha1_signatures: bool = Field(
        default=False,
        validation_alias="GITHUB_ACCEPT_SHA1_SIGNATURES",
        description="Also accept the legacy X-Hub-Signature (SHA-1) header.",
    )
    github_api_url: str = Field(default="https://api.github.com", validation_alias="GITHUB_API_URL")
    # Sign-in with GitHub: the App's OAuth client (user-to-server tokens). GitHub's web host
    # serves the authorize and access-token endpoints; the callback is
    # <SBH_PUBLIC_URL>/api/auth/callback (the request's own URL when it is not set).
    github_client_id: str | None = Field(default=None, validation_alias="GITHUB_CLIENT_ID")
    github_client_secret: SecretStr | None = Field(
        default=None, validation_alias="GITHUB_CLIENT_SECRET"
    )
    public_url: str | None = Field(default=None, validation_alias="SBH_PUBLIC_URL")
    # Addresses (or CIDR ranges) of the proxies in front of SBH, e.g. the load balancer's
    # subnets: only their X-Forwarded-For and X-Forwarded-Proto are believed. None: the
    # connecting address is the client. FORWARDED_ALLOW_IPS is uvicorn's name for it.
    trusted_proxies: Networks = Field(
        default=(), validation_alias=AliasChoices("SBH_TRUSTED_PROXIES", "FORWARDED_ALLOW_IPS")
    )
    # The largest body the JSON API reads (the webhook route has SBH_MAX_WEBHOOK_BYTES): a
    # spec of MAX_SPEC_BYTES characters each JSON-escaped to 12 bytes, with its completion
    # context, is under 0.9 MiB.
    max_json_bytes: int = Field(default=1024 * 1024, gt=0, validation_alias="SBH_MAX_JSON_BYTES")
    # /docs, /redoc and /openapi.json. None: served in development, not in production.
    api_docs: bool | None = Field(default=None, validation_alias="SBH_API_DOCS")
    github_timeout_seconds: float = Field(
        default=15.0, gt=0, validation_alias="GITHUB_TIMEOUT_SECONDS"
    )
    # GitHub's rate limits (`bot.adapters.github_limits`): a call waits for the primary
    # limit's reset and for secondary limits (`retry-after`, or a backoff from one minute
    # doubling up to GITHUB_BACKOFF_MAX_SECONDS); after GITHUB_RATE_LIMIT_RETRIES rate-limited
    # answers, or when one wait would be longer than GITHUB_MAX_WAIT_SECONDS (the primary
    # window is an hour), the job fails and is retried by the queue and shows in `sbh status`.
    github_rate_limit_retries: int = Field(
        default=5, ge=0, le=20, validation_alias="GITHUB_RATE_LIMIT_RETRIES"
    )
    github_backoff_max_seconds: float = Field(
        default=960.0, ge=60, validation_alias="GITHUB_BACKOFF_MAX_SECONDS"
    )
    github_max_wait_seconds: float = Field(
        default=3660.0, ge=0, validation_alias="GITHUB_MAX_WAIT_SECONDS"
    )
    # Writes of one installation go one at a time, at least this far apart when they queue
    # up (GitHub asks for one second between mutating requests).
    github_write_spacing_seconds: float = Field(
        default=1.0, ge=1.0, le=60, validation_alias="GITHUB_WRITE_SPACING_SECONDS"
    )

    workspace_storage: str = Field(default="./.sbh/workspace", validation_alias="WORKSPACE_STORAGE")

    worker_in_process: bool = Field(default=True, validation_alias="SBH_WORKER_IN_PROCESS")
    worker_threads: int = Field(default=2, ge=1, le=64, validation_alias="SBH_WORKER_THREADS")
    # In-process workers wait for a moment without deliveries being taken in (signature
    # verified, not yet answered) before each job, at most this long; and over any T seconds
    # at most this + T/2 in all (`bot.jobs.worker.DeferBudget`), so deliveries that never let
    # up slow jobs down but cannot stop them. 0: never wait. `sbh worker` processes never wait.
    worker_defer_seconds: float = Field(
        default=1.0, ge=0, le=60, validation_alias="SBH_WORKER_DEFER_SECONDS"
    )
    job_lease_seconds: float = Field(default=60.0, gt=0, validation_alias="SBH_JOB_LEASE_SECONDS")
    job_backoff_base_seconds: float = Field(
        default=5.0, gt=0, validation_alias="SBH_JOB_BACKOFF_SECONDS"
    )
    job_backoff_max_seconds: float = Field(
        default=900.0, gt=0, validation_alias="SBH_JOB_BACKOFF_MAX_SECONDS"
    )
    # Reading, completing or rendering one spec (in a worker process) may take this long; a
    # spec that takes longer is reported as too complex instead of holding a process.
    spec_timeout_seconds: float = Field(
        default=5.0, gt=0, le=300, validation_alias="SBH_SPEC_TIMEOUT_SECONDS"
    )
    max_webhook_bytes: int = Field(
        default=25 * 1024 * 1024, gt=0, validation_alias="SBH_MAX_WEBHOOK_BYTES"
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", validation_alias="LOG_LEVEL"
    )

    @field_validator(
        "secret_key",
        "openai_api_key",
        "api_token",
        "github_private_key",
        "github_webhook_secret",
        "github_client_secret",
    )
    @classmethod
    def _not_blank(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and not secret.get_secret_value().strip():
            raise ValueError("only whitespace; set the secret's value or leave it empty")
        return secret

    @field_validator("public_url")
    @classmethod
    def _a_web_url(cls, url: str | None) -> str | None:
        # The host of this URL is the only one production answers to (bot.api.hosts).
        if url is not None:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
                raise ValueError(f"{url!r} is not a URL such as https://sbh.example.com")
        return url

    @model_validator(mode="after")
    def _read_private_key_file(self) -> Settings:
        if self.github_private_key is None and self.github_private_key_path is not None:
            try:
                key = self.github_private_key_path.read_text()
            except OSError as error:
                path = self.github_private_key_path
                raise ValueError(
                    f"GITHUB_PRIVATE_KEY_PATH: cannot read {path}: {error.strerror}"
                ) from None
            object.__setattr__(self, "github_private_key", SecretStr(key))
        return self

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def api_docs_served(self) -> bool:
        """Whether /docs, /redoc and /openapi.json are served: SBH_API_DOCS, else only
        outside production."""
        return self.api_docs if self.api_docs is not None else not self.is_production

    @property
    def migrate_on_start(self) -> bool:
        """Development applies migrations at start; production runs them as a one-off task."""
        return self.auto_migrate if self.auto_migrate is not None else not self.is_production

    @property
    def openai_configured(self) -> bool:
        return self.openai_api_key is not None and bool(self.openai_api_key.get_secret_value())

    @property
    def sign_in_configured(self) -> bool:
        """Sign-in with GitHub is on when the App's OAuth client id and secret are both set."""
        return bool(self.github_client_id) and _has_value(self.github_client_secret)

    def production_problems(self) -> list[str]:
        """Why these settings must not serve production traffic (empty when they may)."""
        if not self.is_production:
            return []
        problems = []
        secret_key = self.secret_key.get_secret_value()
        if secret_key == DEV_SECRET_KEY:
            problems.append("SECRET_KEY: still the development default; set a long random value")
        elif len(secret_key) < MIN_SECRET_KEY_LENGTH:
            problems.append(
                f"SECRET_KEY: {len(secret_key)} characters; production needs at least "
                f"{MIN_SECRET_KEY_LENGTH} random ones (python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))')"
            )
        if self.github_webhook_secret is None or not self.github_webhook_secret.get_secret_value():
            problems.append(
                "GITHUB_WEBHOOK_SECRET: required in production (the App's webhook secret)"
            )
        if not self.openai_configured:
            problems.append(
                "OPENAI_API_KEY: required in production (echo fallback is for development)"
            )
        if bool(self.github_client_id) != _has_value(self.github_client_secret):
            problems.append(
                "GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET: sign-in needs both (the App's OAuth "
                "client id and a client secret); set both or neither"
            )
        if self.sign_in_configured and not (self.public_url or "").startswith("https://"):
            problems.append(
                "SBH_PUBLIC_URL: sign-in in production needs this service's public https URL "
                "(GitHub sends people back to <SBH_PUBLIC_URL>/api/auth/callback)"
            )
        return problems


def _has_value(secret: SecretStr | None) -> bool:
    return secret is not None and bool(secret.get_secret_value())


def _from_task_definition(values: Mapping[str, str]) -> dict[str, str]:
    """The settings ECS gives SBH the way it gives every generated system (SBH deploys
    itself with the same Terraform): the database as DB_* parts, host, port and name from
    Terraform and user and password from the secret RDS manages and rotates, and the
    workspace bucket as BUCKET_WORKSPACE. Explicit DATABASE_URL / WORKSPACE_STORAGE win."""
    derived = {}
    if not values.get("DATABASE_URL") and values.get("DB_HOST"):
        user = quote(values.get("DB_USERNAME", ""), safe="")
        password = quote(values.get("DB_PASSWORD", ""), safe="")
        derived["DATABASE_URL"] = (
            f"postgresql+psycopg://{user}:{password}@{values['DB_HOST']}:"
            f"{values.get('DB_PORT', '5432')}/{values.get('DB_NAME', 'app')}?sslmode=require"
        )
    if not values.get("WORKSPACE_STORAGE") and values.get("BUCKET_WORKSPACE"):
        derived["WORKSPACE_STORAGE"] = f"s3://{values['BUCKET_WORKSPACE']}/workspaces"
    return derived


def _environment(
    environ: Mapping[str, str] | None, secrets: SecretSource | None, secret_backed: Sequence[str]
) -> dict[str, str]:
    """The values settings are validated from: `environ` (default: the process environment)
    with each of `secret_backed` given as `<NAME>_SECRET_ARN` resolved through `secrets`, and
    what the task definition gives in parts put together."""
    values = dict(os.environ if environ is None else environ)
    for name in secret_backed:
        arn = values.get(f"{name}_SECRET_ARN")
        if not arn or values.get(name):
            continue
        if secrets is None:
            raise SettingsError(
                f"{name}_SECRET_ARN is set but no Secrets Manager client is available"
            )
        try:
            values[name] = secrets.secret_value(arn)
        except LookupError as error:
            raise SettingsError(f"{name}_SECRET_ARN: {error}") from None
    values.update(_from_task_definition(values))
    return values


AnySettings = TypeVar("AnySettings", bound=OperatorSettings)


def _validated(model: type[AnySettings], values: Mapping[str, str]) -> AnySettings:
    try:
        return model.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{where}: {message}") from None


def load_settings(
    environ: Mapping[str, str] | None = None, secrets: SecretSource | None = None
) -> Settings:
    """Build `Settings` from `environ` (default: the process environment), resolving every
    `<NAME>_SECRET_ARN` through `secrets`. Raises `SettingsError` naming what is wrong."""
    settings = _validated(Settings, _environment(environ, secrets, SECRET_BACKED))
    problems = settings.production_problems()
    if problems:
        raise SettingsError(
            "refusing to start in production:\n  "
            + "\n  ".join(problems)
            + "\n(set SBH_ENV=development for local use)"
        )
    return settings


def load_operator_settings(
    environ: Mapping[str, str] | None = None, secrets: SecretSource | None = None
) -> OperatorSettings:
    """Build `OperatorSettings` the way `load_settings` finds them (DATABASE_URL, its
    `_SECRET_ARN`, the task definition's DB_* parts), resolving no other secret and checking
    nothing about production. Raises `SettingsError` naming what is wrong."""
    return _validated(OperatorSettings, _environment(environ, secrets, ("DATABASE_URL",)))
