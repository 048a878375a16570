"""What SBH knows about a system's deploys: recording GitHub's deployment statuses and
workflow runs, and the rows of the status table (database in, values out)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from bot.db.database import Database
from bot.db.models import Build, Deployment, EnvironmentHealth, System, utcnow
from bot.deploys.health_monitor import describe
from bot.flows.status_comments import DeployRow

TERMINAL = frozenset({"success", "failure", "error", "inactive"})
_IMAGE = re.compile(r"\bimage (\S+?)(?:;|$)")


@dataclass(frozen=True)
class StatusUpdate:
    """One `deployment_status` event, reduced to what SBH keeps."""

    repository_id: int
    deployment_id: int
    environment: str
    sha: str
    state: str
    description: str | None
    environment_url: str | None
    log_url: str | None
    actor: str | None


def system_for_repository(database: Database, repository_id: int) -> System | None:
    with database.session() as session:
        system = session.scalars(
            select(System).where(System.repository_id == repository_id)
        ).first()
        if system is not None:
            session.expunge(system)
        return system


def record_status(database: Database, system_id: int, update: StatusUpdate) -> None:
    """Upsert the deployment; a late non-final status never overwrites a final one."""
    tag_from_description = _IMAGE.search(update.description or "")
    with database.session() as session:
        row = session.scalars(
            select(Deployment).where(Deployment.github_deployment_id == update.deployment_id)
        ).first()
        if row is None:
            # A deploy SBH dispatched is waiting for its first status: this is it.
            row = session.scalars(
                select(Deployment)
                .where(
                    Deployment.system_id == system_id,
                    Deployment.environment == update.environment,
                    Deployment.github_deployment_id.is_(None),
                    Deployment.state == "requested",
                )
                .order_by(Deployment.id.desc())
                .limit(1)
            ).first()
        if row is None:
            row = Deployment(system_id=system_id, environment=update.environment, state="pending")
            session.add(row)
        row.github_deployment_id = update.deployment_id
        row.commit_sha = update.sha
        if row.state in TERMINAL and update.state not in TERMINAL:
            return  # out of order: the final state already arrived
        row.state = update.state
        if tag_from_description:
            row.image_tag = tag_from_description.group(1)
        elif row.image_tag is None:
            row.image_tag = update.sha[:7]  # builds tag images with the short commit SHA
        row.description = (update.description or row.description or "")[:200] or None
        row.environment_url = update.environment_url or row.environment_url
        row.run_url = update.log_url or row.run_url
        row.actor = update.actor or row.actor


def record_requested(
    database: Database, system_id: int, environment: str, tag: str | None, actor: str
) -> None:
    with database.session() as session:
        session.add(
            Deployment(
                system_id=system_id,
                environment=environment,
                image_tag=tag,
                state="requested",
                actor=actor,
            )
        )


def _row(deployment: Deployment) -> DeployRow:
    return DeployRow(
        environment=deployment.environment,
        image_tag=deployment.image_tag,
        state=deployment.state,
        url=deployment.environment_url,
        when=f"{deployment.updated_at:%Y-%m-%d %H:%M}",
        actor=deployment.actor,
        run_url=deployment.run_url,
        description=deployment.description,
    )


def deploy_rows(database: Database, system_id: int) -> tuple[list[DeployRow], list[DeployRow]]:
    """(latest per environment, the last ten deploys)."""
    with database.session() as session:
        recent = session.scalars(
            select(Deployment)
            .where(Deployment.system_id == system_id)
            .order_by(Deployment.id.desc())
            .limit(50)
        ).all()
        rows = [_row(deployment) for deployment in recent]
    latest: dict[str, DeployRow] = {}
    for row in rows:
        latest.setdefault(row.environment, row)
    return list(latest.values()), rows[:10]


def last_build_note(database: Database, system_id: int) -> str | None:
    with database.session() as session:
        build = session.scalars(
            select(Build).where(Build.system_id == system_id).order_by(Build.id.desc()).limit(1)
        ).first()
        if build is None:
            return None
        error = build.error.strip().splitlines()[-1][:200].replace("`", "'") if build.error else ""
        return f"Last build: {build.status} ({build.trigger})" + (f": `{error}`" if error else "")


def previous_successful_tag(database: Database, system_id: int, environment: str) -> str | None:
    """The image of the last successful deploy before the current one."""
    with database.session() as session:
        tags = session.scalars(
            select(Deployment.image_tag)
            .where(
                Deployment.system_id == system_id,
                Deployment.environment == environment,
                Deployment.state == "success",
                Deployment.image_tag.is_not(None),
            )
            .order_by(Deployment.id.desc())
            .limit(2)
        ).all()
    return tags[1] if len(tags) == 2 else None


def health_summaries(database: Database, system_id: int) -> dict[str, str]:
    """environment -> "healthy for 3 h" / "down since ..." from the last probes."""
    now = utcnow()
    with database.session() as session:
        rows = session.scalars(
            select(EnvironmentHealth).where(EnvironmentHealth.system_id == system_id)
        ).all()
        return {row.environment: describe(row.up, row.since, now) for row in rows}
