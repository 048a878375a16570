"""`sbh migrate | deliveries | replay | status | systems | system`: operate SBH from a
terminal or a script. They need only the database (`OperatorSettings`), never the service's
secrets. Listings print for people on a terminal, as plain lines when piped, and as JSON
(alone on stdout) with `--json`."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli.configured import operator_settings
from bot.cli.console import fail, out

if TYPE_CHECKING:
    from bot.db.database import Database
    from bot.db.models import Job
    from bot.settings import OperatorSettings

app = typer.Typer()

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON (and nothing else) on stdout.")]
FAILING_JOBS_SHOWN = 10
INFRA_KINDS = ("plan", "apply", "drift")


@contextmanager
def database_of(settings: OperatorSettings) -> Iterator[Database]:
    """The database; its errors (unreachable, not migrated) end the command in one line."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db.database import Database

    try:
        database = Database(settings.database_url)
        try:
            yield database
        finally:
            database.dispose()
    except SQLAlchemyError as error:
        fail(f"database error: {_first_line(error)} (is DATABASE_URL right and migrated?)")


def _first_line(error: Exception) -> str:
    """What went wrong, without the SQL and the links SQLAlchemy adds."""
    cause = getattr(error, "orig", None) or error
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


def _print_json(value: object) -> None:
    out(json.dumps(value, indent=2))


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _timestamp(iso: str | None) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M:%S") if iso else ""


def _job_json(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "delivery_id": job.delivery_id,
        "status": job.status,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "last_error": job.last_error,
        "updated_at": job.updated_at.isoformat(),
    }


def _job_line(job: dict[str, Any]) -> str:
    line = (
        f"  job {job['id']} ({job['kind']}, delivery {job['delivery_id']}) {job['status']} "
        f"after {job['attempts']} attempt(s)"
    )
    last_error = ((job["last_error"] or "").strip().splitlines() or [""])[-1][:160]
    return f"{line}: {last_error}" if last_error else line


@app.command()
def migrate(
    wait: Annotated[
        float, typer.Option(help="Seconds to wait for the database to accept connections.")
    ] = 0.0,
) -> None:
    """Apply database migrations (alembic upgrade head), as the deploy's one-off task does."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db.migrate import upgrade_to_head

    with database_of(operator_settings()) as database:
        deadline = time.monotonic() + wait
        while not database.reachable():
            if time.monotonic() >= deadline:
                fail("the database is unreachable (check DATABASE_URL)")
            time.sleep(1)
        try:
            upgrade_to_head(database)
        except SQLAlchemyError as error:
            fail(f"migration failed: {type(error).__name__}: {_first_line(error)}")
    out("database schema is current")


def _delivery_detail(database: Database, delivery_id: str) -> dict[str, Any] | None:
    from sqlalchemy import select

    from bot.db.models import Delivery, Job

    with database.session() as session:
        delivery = session.get(Delivery, delivery_id)
        if delivery is None:
            return None
        jobs = session.scalars(
            select(Job).where(Job.delivery_id == delivery_id).order_by(Job.id)
        ).all()
        return {
            "id": delivery.id,
            "event": delivery.event,
            "action": delivery.action,
            "repository": delivery.repository,
            "installation": delivery.installation_id,
            "sender": delivery.sender,
            "hook_id": delivery.hook_id,
            "status": delivery.status,
            "error": delivery.error,
            "received_at": delivery.received_at.isoformat(),
            "processed_at": delivery.processed_at.isoformat() if delivery.processed_at else None,
            "body_sha256": delivery.body_sha256,
            "jobs": [_job_json(job) for job in jobs],
        }


def _event(delivery: dict[str, Any]) -> str:
    return f"{delivery['event']}.{delivery['action']}" if delivery["action"] else delivery["event"]


def _print_delivery(delivery: dict[str, Any]) -> None:
    shown = {
        "id": delivery["id"],
        "event": _event(delivery),
        **{key: delivery[key] for key in ("repository", "installation", "sender", "status")},
        "received": _timestamp(delivery["received_at"]),
        "processed": _timestamp(delivery["processed_at"]),
        "error": _one_line(delivery["error"]),
    }
    for name, value in shown.items():
        out(f"{name:<13} {'' if value is None else value}")
    out(f"jobs          {len(delivery['jobs'])}")
    for job in delivery["jobs"]:
        out(_job_line(job))


def _print_delivery_table(page: dict[str, Any]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Column, Table

    # The id column never shrinks below the longest id: the other columns wrap or shorten.
    longest_id = max((len(item["id"]) for item in page["items"]), default=0)
    table = Table(
        "received",
        Column("delivery", no_wrap=True, min_width=longest_id),
        "event",
        "repository",
        "status",
        "error",
        box=box.SIMPLE_HEAD,
        caption=f"{len(page['items'])} of {page['total']} deliveries",
    )
    for item in page["items"]:
        table.add_row(
            _timestamp(item["received_at"]),
            item["id"],
            _event(item),
            item["repository"] or "",
            item["status"],
            _one_line(item["error"])[:80],
        )
    Console(markup=False, emoji=False, highlight=False).print(table)


@app.command()
def deliveries(
    status: Annotated[
        str | None, typer.Option(help="queued, processed, ignored, refused or parked.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    delivery_id: Annotated[
        str | None, typer.Option("--id", help="Show this delivery and its jobs.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """List the newest stored webhook deliveries: a table on a terminal, else one per line
    (received, id, event, repository, status, error; tab-separated)."""
    from bot.api.views import list_deliveries

    with database_of(operator_settings()) as database:
        if delivery_id is not None:
            detail = _delivery_detail(database, delivery_id)
            if detail is None:
                fail(f"no delivery {delivery_id}")
            if as_json:
                _print_json(detail)
            else:
                _print_delivery(detail)
            return
        page = list_deliveries(database, status, limit, offset).model_dump(mode="json")
    if as_json:
        _print_json(page)
    elif sys.stdout.isatty():
        _print_delivery_table(page)
    else:
        for item in page["items"]:
            fields = (
                _timestamp(item["received_at"]),
                item["id"],
                _event(item),
                item["repository"] or "",
                item["status"],
                _one_line(item["error"]),
            )
            out("\t".join(fields))


@app.command()
def replay(delivery_id: str) -> None:
    """Enqueue a stored delivery again."""
    from bot.jobs.queue import JobQueue, QueuePolicy

    settings = operator_settings()
    with database_of(settings) as database:
        queue = JobQueue(database, QueuePolicy(max_attempts=settings.job_max_attempts))
        try:
            job_id = queue.replay_delivery(delivery_id)
        except LookupError as error:
            fail(str(error))
    out(f"delivery {delivery_id} queued again as job {job_id}")


@app.command()
def status(as_json: AsJson = False) -> None:
    """Queue depth and the jobs failing now (their latest errors)."""
    from sqlalchemy import select

    from bot.db.models import Job
    from bot.jobs.queue import JobQueue

    with database_of(operator_settings()) as database:
        counts = JobQueue(database).counts()
        with database.session() as session:
            failing = [
                _job_json(job)
                for job in session.scalars(
                    select(Job)
                    .where(Job.last_error.is_not(None), Job.status != "done")
                    .order_by(Job.updated_at.desc())
                    .limit(FAILING_JOBS_SHOWN)
                )
            ]
    if as_json:
        _print_json({"queue": asdict(counts), "failing": failing})
        return
    out(
        f"queue: {counts.pending} pending, {counts.running} running, "
        f"{counts.parked} parked, {counts.done} done"
    )
    for job in failing:
        out(_job_line(job))
    if not failing:
        out("  no errors")


@app.command()
def systems(
    limit: Annotated[int, typer.Option(min=1, max=100)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: AsJson = False,
) -> None:
    """List the systems SBH built."""
    from bot.api.views import list_systems

    with database_of(operator_settings()) as database:
        page = list_systems(database, limit, offset).model_dump(mode="json")
    if as_json:
        _print_json(page)
        return
    for item in page["items"]:
        origin = f"{item['origin']}#{item['issue']}" if item["issue"] else item["origin"] or ""
        out(f"{item['repository']:<45} {origin}")
    out(f"{len(page['items'])} of {page['total']} system(s)")


@app.command()
def system(
    name: Annotated[str, typer.Argument(help="The system's name.")],
    owner: Annotated[str | None, typer.Option(help="Its owner, when two share a name.")] = None,
    as_json: AsJson = False,
) -> None:
    """Show one system: builds, its services (sbh/v2), deployments per environment and
    health, and each environment's last infrastructure plan, apply and drift check."""
    from bot.api.views import system_detail

    with database_of(operator_settings()) as database:
        found = system_detail(database, name, owner)
    if found is None:
        fail(f"no system named {name!r}")
    detail = found.model_dump(mode="json")
    if as_json:
        _print_json(detail)
        return
    out(f"{detail['repository']} (from {detail['origin']['repository']})")
    for build in detail["builds"][:3]:
        out(f"  build {build['status']} ({build['trigger']}) {build['started_at']}")
    for service in detail["services"]:
        urls = " ".join(service["urls"].values())
        out(f"  service {service['name']:<16} {service['kind']:<12} {service['summary']} {urls}")
    latest: dict[str, dict[str, object]] = {}
    for deployment in detail["deployments"]:
        latest.setdefault(str(deployment["environment"]), deployment)
    for environment, deployment in latest.items():
        health = detail["health"].get(environment, {}).get("summary", "not probed")
        out(
            f"  {environment:<10} {deployment['image_tag'] or '-':<12} {deployment['state']:<12} "
            f"{health}"
        )
    for environment in detail["environments"]:
        runs = detail["infrastructure"].get(environment["name"], {})
        said = [run["summary"] for run in (runs.get(kind) for kind in INFRA_KINDS) if run]
        if said:
            out(f"  {environment['name']:<10} infrastructure: {'; '.join(said)}")
