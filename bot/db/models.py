"""SBH's tables. Schema changes go through Alembic (`bot/db/migrations/`), never `create_all`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT identities.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are UTC everywhere; stored without a zone so SQLite compares them too."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class Installation(Base):
    """A GitHub App installation, remembered from `installation*` events."""

    __tablename__ = "installations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    account_login: Mapped[str] = mapped_column(String(100))
    account_type: Mapped[str | None] = mapped_column(String(20))
    account_id: Mapped[int | None] = mapped_column(BigInteger)
    repository_selection: Mapped[str | None] = mapped_column(String(20))
    suspended_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Delivery(Base):
    """A webhook delivery exactly as GitHub sent it, stored before it is acknowledged."""

    __tablename__ = "deliveries"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # X-GitHub-Delivery
    event: Mapped[str] = mapped_column(String(64))
    action: Mapped[str | None] = mapped_column(String(64))
    hook_id: Mapped[str | None] = mapped_column(String(32))
    installation_id: Mapped[int | None] = mapped_column(BigInteger)
    repository: Mapped[str | None] = mapped_column(String(200))
    repository_id: Mapped[int | None] = mapped_column(BigInteger)
    sender: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    body_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_deliveries_status_received", "status", "received_at"),)


class Job(Base):
    """Work for the worker pool. Claimed under a lease; retried with backoff; parked when it
    keeps failing."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    delivery_id: Mapped[str | None] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any] | None]
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=8)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    lease_expires_at: Mapped[datetime | None]
    locked_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_jobs_status_run_after", "status", "run_after"),)


class System(Base):
    """A repository SBH generated, and where it was asked for (to report back there)."""

    __tablename__ = "systems"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(100))
    repository_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    installation_id: Mapped[int | None] = mapped_column(BigInteger)
    origin_repository: Mapped[str | None] = mapped_column(String(200))
    origin_issue_number: Mapped[int | None]
    origin_commit_sha: Mapped[str | None] = mapped_column(String(40))
    spec: Mapped[str] = mapped_column(Text)
    spec_hash: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[str] = mapped_column(String(64))
    sticky_comment_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("owner", "name", name="uq_systems_owner_name"),)


class Build(Base):
    """One attempt to create or update a system's repository."""

    __tablename__ = "builds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("systems.id", ondelete="CASCADE"))
    delivery_id: Mapped[str | None] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    spec_hash: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[str] = mapped_column(String(64))
    commit_sha: Mapped[str | None] = mapped_column(String(40))
    pull_request_number: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    ai_prompt_tokens: Mapped[int] = mapped_column(default=0, server_default="0")
    ai_completion_tokens: Mapped[int] = mapped_column(default=0, server_default="0")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_builds_system_started", "system_id", "started_at"),)


class Completion(Base):
    """An AI proposal for a spec, cached by (spec, context, model, prompt version) so that a
    redelivered event or repeated command does not pay for it twice."""

    __tablename__ = "completions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(100))
    prompt_version: Mapped[str] = mapped_column(String(64))
    proposal: Mapped[str] = mapped_column(Text)
    prompt_tokens: Mapped[int] = mapped_column(default=0)
    completion_tokens: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EnvironmentHealth(Base):
    """The last probe of one deployed environment's public health URL."""

    __tablename__ = "environment_health"

    system_id: Mapped[int] = mapped_column(
        ForeignKey("systems.id", ondelete="CASCADE"), primary_key=True
    )
    environment: Mapped[str] = mapped_column(String(32), primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    up: Mapped[bool]
    status_code: Mapped[int | None]
    latency_ms: Mapped[float | None]
    error: Mapped[str | None] = mapped_column(String(200))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    since: Mapped[datetime] = mapped_column(default=utcnow)  # when `up` last changed


class Deployment(Base):
    """One deploy of a system to an environment, followed through GitHub's deployment events."""

    __tablename__ = "deployments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("systems.id", ondelete="CASCADE"))
    environment: Mapped[str] = mapped_column(String(32))
    # The service of an sbh/v2 system this deploy was for; None for v1 and "deploy all"
    # requests until GitHub's status names the service.
    service: Mapped[str | None] = mapped_column(String(32))
    image_tag: Mapped[str | None] = mapped_column(String(128))
    commit_sha: Mapped[str | None] = mapped_column(String(40))
    github_deployment_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    state: Mapped[str] = mapped_column(String(32), default="pending")
    environment_url: Mapped[str | None] = mapped_column(String(500))
    run_url: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str | None] = mapped_column(String(100))
    # The last status's description, e.g. "image 1a2b3c4; rolled back to app-task:41".
    description: Mapped[str | None] = mapped_column(String(200))
    # What asked SBH to dispatch it (the delivery of a `/sbh deploy` comment, a web request):
    # a job that runs again finds its deploy here instead of dispatching a second one.
    request_key: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index("ix_deployments_system_env", "system_id", "environment", "created_at"),
        Index("ux_deployments_request_key", "request_key", unique=True),
    )


class InfraState(Base):
    """What the last run of one kind (`plan`, `apply`, `drift`) of a system's infrastructure
    workflows said about one environment. A run never overwrites a later one (GitHub's run ids
    grow; a re-run is a higher attempt of the same id)."""

    __tablename__ = "infra_states"

    system_id: Mapped[int] = mapped_column(
        ForeignKey("systems.id", ondelete="CASCADE"), primary_key=True
    )
    environment: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    run_id: Mapped[int] = mapped_column(BigInteger)
    run_attempt: Mapped[int]
    commit_sha: Mapped[str | None] = mapped_column(String(40))
    url: Mapped[str | None] = mapped_column(String(500))
    pull_request_number: Mapped[int | None]
    # Terraform's counts from the plan comment; None when the plan gave none.
    to_add: Mapped[int | None]
    to_change: Mapped[int | None]
    to_destroy: Mapped[int | None]
    since: Mapped[datetime] = mapped_column(default=utcnow)  # when `state` last changed
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebSession(Base):
    """A signed-in person of the web app: who they are on GitHub and the repositories they
    can reach through the App's installations, until `expires_at`. Keyed by the SHA-256 of
    the session id the browser holds (signed, in the `sbh_session` cookie)."""

    __tablename__ = "web_sessions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    login: Mapped[str] = mapped_column(String(100))
    github_user_id: Mapped[int] = mapped_column(BigInteger)
    repositories: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
