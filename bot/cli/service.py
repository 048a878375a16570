"""`sbh serve | worker | migrate | deliveries | replay | status`: run and operate the service."""

from __future__ import annotations

import signal
import threading
import time
from typing import Annotated, NoReturn

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.console import EXIT_PROBLEMS, err, out
from bot.db.database import Database
from bot.db.migrate import upgrade_to_head
from bot.db.models import Delivery, Job
from bot.settings import Settings, SettingsError, load_settings

app = typer.Typer()

# Two deploy tasks starting at once must not both migrate: they queue on this lock.


def _fail(message: str) -> NoReturn:
    err.print(message, markup=False)
    raise typer.Exit(EXIT_PROBLEMS)


def _settings() -> Settings:
    from bot.adapters.aws_secrets import SecretsManagerSource

    try:
        return load_settings(secrets=SecretsManagerSource())
    except SettingsError as error:
        _fail(f"configuration error: {error}")


def _database(settings: Settings) -> Database:
    return Database(settings.database_url)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(envvar="SBH_HOST", help="Interface to listen on.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="Port to listen on.")] = 8080,
    workers: Annotated[
        int,
        typer.Option(
            envvar="WEB_CONCURRENCY", min=1, help="Web processes (each runs its worker threads)."
        ),
    ] = 1,
) -> None:
    """Run the web service (webhooks, API, health) with the worker in-process."""
    import uvicorn

    from bot.logs import configure_logging

    settings = _settings()
    configure_logging(settings.log_level)
    uvicorn.run(
        "bot.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,  # the app believes only SBH_TRUSTED_PROXIES (bot.app)
        log_config=None,
        timeout_graceful_shutdown=25,
    )


@app.command()
def worker(
    threads: Annotated[
        int | None, typer.Option(min=1, help="Worker threads (default SBH_WORKER_THREADS).")
    ] = None,
) -> None:
    """Run only the job worker (for scaling work apart from the web service)."""
    from bot.logs import configure_logging
    from bot.wiring import adapters_from_settings, worker_pool

    settings = _settings()
    configure_logging(settings.log_level)
    database = _database(settings)
    pool = worker_pool(
        settings, database, adapters_from_settings(settings, database), threads=threads
    )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    pool.start()
    stop.wait()
    pool.stop()


@app.command()
def migrate(
    wait: Annotated[
        float, typer.Option(help="Seconds to wait for the database to accept connections.")
    ] = 0.0,
) -> None:
    """Apply database migrations (alembic upgrade head), as the deploy's one-off task does."""
    settings = _settings()
    database = _database(settings)
    deadline = time.monotonic() + wait
    while not database.reachable():
        if time.monotonic() >= deadline:
            _fail("the database is unreachable (check DATABASE_URL)")
        time.sleep(1)
    try:
        upgrade_to_head(database)
    except SQLAlchemyError as error:
        _fail(f"migration failed: {type(error).__name__}: {error}")
    out.print("database schema is current", markup=False)


@app.command()
def deliveries(
    status: Annotated[
        str | None, typer.Option(help="queued, processed, ignored, refused or parked.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
) -> None:
    """List the newest stored webhook deliveries."""
    database = _database(_settings())
    query = select(Delivery).order_by(Delivery.received_at.desc()).limit(limit)
    if status:
        query = query.where(Delivery.status == status)
    with database.session() as session:
        rows = session.scalars(query).all()
    table = Table("received", "delivery", "event", "repository", "status", "error")
    for row in rows:
        event = f"{row.event}.{row.action}" if row.action else row.event
        table.add_row(
            row.received_at.strftime("%Y-%m-%d %H:%M:%S"),
            row.id,
            event,
            row.repository or "",
            row.status,
            (row.error or "")[:80],
        )
    out.print(table)


@app.command()
def replay(delivery_id: str) -> None:
    """Enqueue a stored delivery again."""
    from bot.jobs.queue import JobQueue, QueuePolicy

    settings = _settings()
    queue = JobQueue(_database(settings), QueuePolicy.from_settings(settings))
    try:
        job_id = queue.replay_delivery(delivery_id)
    except LookupError as error:
        _fail(str(error))
    out.print(f"delivery {delivery_id} queued again as job {job_id}", markup=False)


@app.command()
def status() -> None:
    """Queue depth and the latest errors."""
    from bot.jobs.queue import JobQueue, QueuePolicy

    settings = _settings()
    database = _database(settings)
    counts = JobQueue(database, QueuePolicy.from_settings(settings)).counts()
    out.print(
        f"queue: {counts.pending} pending, {counts.running} running, "
        f"{counts.parked} parked, {counts.done} done",
        markup=False,
    )
    with database.session() as session:
        failing = session.scalars(
            select(Job)
            .where(Job.last_error.is_not(None), Job.status != "done")
            .order_by(Job.updated_at.desc())
            .limit(10)
        ).all()
    for job in failing:
        last_line = ((job.last_error or "").strip().splitlines() or [""])[-1][:160]
        out.print(
            f"  job {job.id} ({job.kind}, delivery {job.delivery_id}) {job.status} "
            f"after {job.attempts} attempt(s): {last_line}",
            markup=False,
        )
    if not failing:
        out.print("  no errors", markup=False)
