"""`sbh serve | worker`: run the service. Both load every setting and refuse production
without its secrets; uvicorn, FastAPI and the SDKs are imported only here, when they run."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer

from bot.cli.configured import service_settings

app = typer.Typer()


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
    settings = service_settings()  # a bad configuration is refused before anything loads
    import uvicorn

    from bot.logs import configure_logging

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
    settings = service_settings()  # a bad configuration is refused before anything loads
    from bot.db.database import Database
    from bot.logs import configure_logging
    from bot.wiring import adapters_from_settings, scheduler, worker_pool

    configure_logging(settings.log_level)
    database = Database(settings.database_url)
    pool = worker_pool(
        settings, database, adapters_from_settings(settings, database), threads=threads
    )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    periodic = scheduler(settings, database, pool)
    pool.start()
    if periodic is not None:
        periodic.start()
    stop.wait()
    if periodic is not None:
        periodic.stop()
    pool.stop()
