"""The systems repository: every question about the systems SBH built, and their builds, is
answered here, so handlers, flows and routes write no queries of their own.

A system's recorded spec (`systems.spec`, the completed spec as YAML) is read into a complete
spec (`Spec` for sbh/v1, `SpecV2` for sbh/v2) in one place, `SystemRecord.spec`, and
everything that needs its environments, domains, services or health paths asks that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TypeVar

from sqlalchemy import RowMapping, Select, func, select

from bot.db.database import Database
from bot.db.models import Build, Deployment, System, utcnow
from renderers.complete import AnySpec, complete_defaults, spec_to_yaml
from renderers.complete_v2 import SpecV2
from renderers.problems import SpecError
from renderers.spec import load_spec

MAX_PAGE = 100
T = TypeVar("T")


@dataclass(frozen=True)
class SystemRecord:
    """A system as SBH recorded it, detached from any database session."""

    id: int
    owner: str
    name: str
    repository_id: int | None
    installation_id: int | None
    origin_repository: str | None
    origin_issue_number: int | None
    origin_commit_sha: str | None
    spec_text: str
    spec_hash: str
    template_version: str
    updated_at: datetime

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @cached_property
    def spec(self) -> AnySpec | None:
        """The recorded spec, complete; None when this version of SBH can no longer read it
        (a spec recorded under rules that have since changed)."""
        try:
            return complete_defaults(
                load_spec(self.spec_text, f"recorded spec of {self.full_name}")
            )
        except SpecError:
            return None

    @property
    def services(self) -> list[str]:
        """An sbh/v2 system's service names, in its spec's order (none for sbh/v1)."""
        return list(self.spec.services) if isinstance(self.spec, SpecV2) else []

    @property
    def environment_names(self) -> list[str]:
        return list(self.spec.environments) if self.spec else []


@dataclass(frozen=True)
class BuildRecord:
    system_id: int
    status: str
    trigger: str
    commit_sha: str | None
    pull_request_number: int | None
    error: str | None
    ai_tokens: int
    started_at: datetime
    finished_at: datetime | None


def _record(system: System | RowMapping) -> SystemRecord:
    """From an ORM object or a row of `systems` (attribute and column names are the same)."""
    field = system.__getitem__ if isinstance(system, RowMapping) else system.__getattribute__
    return SystemRecord(
        id=field("id"),
        owner=field("owner"),
        name=field("name"),
        repository_id=field("repository_id"),
        installation_id=field("installation_id"),
        origin_repository=field("origin_repository"),
        origin_issue_number=field("origin_issue_number"),
        origin_commit_sha=field("origin_commit_sha"),
        spec_text=field("spec"),
        spec_hash=field("spec_hash"),
        template_version=field("template_version"),
        updated_at=field("updated_at"),
    )


def _build_record(build: Build) -> BuildRecord:
    return BuildRecord(
        system_id=build.system_id,
        status=build.status,
        trigger=build.trigger,
        commit_sha=build.commit_sha,
        pull_request_number=build.pull_request_number,
        error=build.error,
        ai_tokens=build.ai_prompt_tokens + build.ai_completion_tokens,
        started_at=build.started_at,
        finished_at=build.finished_at,
    )


def _visible(query: Select[T], repositories: frozenset[str] | None) -> Select[T]:
    """Only systems whose repository (lower-case `owner/name`) is in `repositories`; all of
    them when it is None."""
    if repositories is None:
        return query
    return query.where(func.lower(System.owner + "/" + System.name).in_(sorted(repositories)))


class SystemsRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    # -- Looking systems up

    def find(
        self,
        name: str,
        owner: str | None = None,
        visible: frozenset[str] | None = None,
        *,
        installation_id: int | None = None,
    ) -> SystemRecord | None:
        """The system named `name` (of `owner`, when given) among those whose repositories
        are in `visible` (all when None) and, when given, built through `installation_id`."""
        query = _visible(select(System), visible).where(System.name == name)
        if owner:
            query = query.where(System.owner == owner)
        if installation_id is not None:
            query = query.where(System.installation_id == installation_id)
        return self._first(query.order_by(System.id).limit(1))

    def by_id(self, system_id: int) -> SystemRecord | None:
        return self._first(select(System).where(System.id == system_id))

    def every(self, owner: str | None = None) -> list[SystemRecord]:
        """Every system (of `owner`, when given), by owner and name: the fleet."""
        query = select(System).order_by(System.owner, System.name)
        if owner:
            query = query.where(func.lower(System.owner) == owner.lower())
        with self.database.read() as connection:
            return [_record(row) for row in connection.execute(query).mappings()]

    def by_repository_id(self, repository_id: int) -> SystemRecord | None:
        return self._first(select(System).where(System.repository_id == repository_id).limit(1))

    def _first(self, query: Select[System]) -> SystemRecord | None:
        # A read: on SQLite it takes no write lock (see `Database.read`).
        with self.database.read() as connection:
            row = connection.execute(query).mappings().first()
        return _record(row) if row is not None else None

    def page(
        self, limit: int, offset: int, visible: frozenset[str] | None = None
    ) -> tuple[int, list[SystemRecord]]:
        """(how many systems `visible` allows, the page of them by owner and name)."""
        with self.database.session() as session:
            total = session.scalar(_visible(select(func.count()).select_from(System), visible))
            systems = session.scalars(
                _visible(select(System), visible)
                .order_by(System.owner, System.name)
                .limit(min(limit, MAX_PAGE))
                .offset(offset)
            ).all()
            return total or 0, [_record(system) for system in systems]

    def deployed_environments(self) -> list[tuple[SystemRecord, str]]:
        """Every (system, environment) that has had a successful deploy."""
        with self.database.session() as session:
            rows = session.execute(
                select(System, Deployment.environment)
                .join(Deployment, Deployment.system_id == System.id)
                .where(Deployment.state == "success")
                .distinct()
                .order_by(System.id, Deployment.environment)
            ).all()
            return [(_record(system), environment) for system, environment in rows]

    # -- Builds

    def start_build(
        self,
        spec: AnySpec,
        *,
        spec_hash: str,
        template_version: str,
        trigger: str,
        origin_repository: str,
        issue_number: int | None,
        commit_sha: str | None,
        installation_id: int | None,
        delivery_id: str | None,
        ai_usage: tuple[int, int],
    ) -> tuple[int, int]:
        """Record the system (new, or with its changed spec) and a running build of it;
        returns (system id, build id)."""
        with self.database.session() as session:
            system = session.scalars(
                select(System).where(System.owner == spec.owner, System.name == spec.name)
            ).one_or_none()
            if system is None:
                system = System(
                    owner=spec.owner, name=spec.name, spec="", spec_hash="", template_version=""
                )
                session.add(system)
            system.spec = spec_to_yaml(spec)
            system.spec_hash = spec_hash
            system.template_version = template_version
            system.installation_id = installation_id or system.installation_id
            system.origin_repository = origin_repository
            system.origin_issue_number = issue_number or system.origin_issue_number
            system.origin_commit_sha = commit_sha or system.origin_commit_sha
            session.flush()
            build = Build(
                system_id=system.id,
                delivery_id=delivery_id,
                trigger=trigger,
                status="running",
                spec_hash=spec_hash,
                template_version=template_version,
                ai_prompt_tokens=ai_usage[0],
                ai_completion_tokens=ai_usage[1],
            )
            session.add(build)
            session.flush()
            return system.id, build.id

    def finish_build(
        self,
        build_id: int,
        status: str,
        *,
        error: str | None = None,
        commit_sha: str | None = None,
        pull_request_number: int | None = None,
    ) -> None:
        with self.database.session() as session:
            build = session.get(Build, build_id)
            assert build is not None
            build.status = status
            build.error = error
            build.commit_sha = commit_sha
            build.pull_request_number = pull_request_number
            build.finished_at = utcnow()

    def repository_id(self, system_id: int) -> int | None:
        with self.database.session() as session:
            system = session.get(System, system_id)
            return system.repository_id if system else None

    def remember_repository(self, system_id: int, repository_id: int) -> None:
        with self.database.session() as session:
            system = session.get(System, system_id)
            assert system is not None
            system.repository_id = repository_id

    def pull_request_for(self, repository_id: int, spec_hash: str) -> int | None:
        """The pull request SBH opened on the repository for this spec, if any."""
        with self.database.session() as session:
            number: int | None = session.scalars(
                select(Build.pull_request_number)
                .join(System, System.id == Build.system_id)
                .where(
                    System.repository_id == repository_id,
                    Build.spec_hash == spec_hash,
                    Build.pull_request_number.is_not(None),
                )
                .limit(1)
            ).first()
        return number

    # -- Template upgrades (builds with the trigger "upgrade")

    def start_upgrade(self, system: SystemRecord, template_version: str) -> int:
        """Record a running upgrade of `system` to `template_version`; returns its build id.
        The system's own template version stays what its default branch holds."""
        with self.database.session() as session:
            build = Build(
                system_id=system.id,
                trigger="upgrade",
                status="running",
                spec_hash=system.spec_hash,
                template_version=template_version,
            )
            session.add(build)
            session.flush()
            return build.id

    def record_template_version(self, system_id: int, template_version: str) -> None:
        """What the system's default branch was generated with (its manifest says so)."""
        with self.database.session() as session:
            system = session.get(System, system_id)
            if system is not None and system.template_version != template_version:
                system.template_version = template_version

    def upgrade_pull_request(self, system_id: int) -> int | None:
        """The pull request the system's upgrades were last proposed in, if any."""
        with self.database.session() as session:
            number: int | None = session.scalars(
                select(Build.pull_request_number)
                .where(
                    Build.system_id == system_id,
                    Build.trigger == "upgrade",
                    Build.pull_request_number.is_not(None),
                )
                .order_by(Build.id.desc())
                .limit(1)
            ).first()
        return number

    def last_upgrades(self, system_ids: Sequence[int]) -> dict[int, tuple[str, BuildRecord]]:
        """system id -> (target template version, its latest upgrade build)."""
        if not system_ids:
            return {}
        latest = (
            select(func.max(Build.id))
            .where(Build.system_id.in_(system_ids), Build.trigger == "upgrade")
            .group_by(Build.system_id)
        )
        with self.database.session() as session:
            return {
                build.system_id: (build.template_version, _build_record(build))
                for build in session.scalars(select(Build).where(Build.id.in_(latest)))
            }

    def builds(self, system_id: int, limit: int = 20) -> list[BuildRecord]:
        """The system's latest builds, newest first."""
        with self.database.session() as session:
            builds = session.scalars(
                select(Build)
                .where(Build.system_id == system_id)
                .order_by(Build.id.desc())
                .limit(limit)
            ).all()
            return [_build_record(build) for build in builds]

    def last_builds(self, system_ids: Sequence[int]) -> dict[int, BuildRecord]:
        """system id -> its latest build, for a page of systems in one query."""
        if not system_ids:
            return {}
        latest = (
            select(func.max(Build.id))
            .where(Build.system_id.in_(system_ids))
            .group_by(Build.system_id)
        )
        with self.database.session() as session:
            return {
                build.system_id: _build_record(build)
                for build in session.scalars(select(Build).where(Build.id.in_(latest)))
            }
