"""Health probes per interval: ENVIRONMENTS deployed environments (SYSTEMS systems x dev and
prod) probed as jobs on the queue, the way `sbh serve`/`sbh worker` do it, against local
servers, on this machine: a scheduler tick enqueues the round, a worker turns it into one
probe job per environment, and the workers (SBH_WORKER_THREADS of them, each running up to
SBH_HEALTH_PROBE_CONCURRENCY probes at once) work them off through the real `HttpHealthProber`
(SSRF checks and pinned addresses included; only the resolver and the port are local).

Some endpoints are slow (they answer after the probe's timeout) and some refuse the
connection: a round must still finish well within one interval (300 s).

Database: SQLite in a temporary directory, or BENCH_DATABASE_URL (PostgreSQL)."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from sqlalchemy import func, select

from bench.common import write_result
from bot.adapters.http_prober import HttpHealthProber
from bot.db.database import Database
from bot.db.migrate import upgrade_to_head
from bot.db.models import Deployment, EnvironmentHealth
from bot.db.systems import SystemsRepository
from bot.flows.handlers import default_router
from bot.jobs.context import HandlerContext
from bot.jobs.periodic import ROUND_KIND, PeriodicTask, Scheduler
from bot.jobs.queue import JobQueue
from bot.jobs.spec_work import SpecWorkPool
from bot.jobs.worker import WorkerPool
from bot.settings import Settings
from bot.wiring import job_runners
from renderers.complete import spec_hash
from tests.bot.flows.fleet_systems import spec_named

SYSTEMS = 1000
ENVIRONMENTS = 2 * SYSTEMS
INTERVAL_SECONDS = 300.0
SERVERS = 4
SLOW_EVERY = 50  # one environment in 50 answers after the timeout
REFUSED_EVERY = 40  # one in 40 is down (nothing listens)
TIMEOUT_SECONDS = 2.0


class Healthy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.headers.get("Host", "").startswith("slow-"):
            time.sleep(TIMEOUT_SECONDS * 1.5)
        body = b'{"status": "healthy"}'
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the probe gave up waiting (the slow ones): nobody reads the answer

    def log_message(self, *_: object) -> None:
        pass


class LocalPorts(httpx.BaseTransport):
    """Sends each (pinned, https) probe to the local server its host name maps to, over
    plain HTTP: the prober's checks and request are the real ones."""

    def __init__(self, ports: list[int], refused_port: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.ports = ports
        self.refused_port = refused_port

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.headers["Host"]
        port = (
            self.refused_port
            if host.startswith("down-")
            else self.ports[hash(host) % len(self.ports)]
        )
        local = request.url.copy_with(scheme="http", host="127.0.0.1", port=port)
        return self.inner.handle_request(
            httpx.Request(
                request.method, local, headers=request.headers, extensions=request.extensions
            )
        )


def system_name(number: int) -> str:
    if number % SLOW_EVERY == 0:
        return f"slow-{number:04}"
    if number % REFUSED_EVERY == 1:
        return f"down-{number:04}"
    return f"system-{number:04}"


def seed(database: Database) -> None:
    systems = SystemsRepository(database)
    ids = []
    for number in range(SYSTEMS):
        spec = spec_named(system_name(number))
        system_id, build_id = systems.start_build(
            spec,
            spec_hash=spec_hash(spec),
            template_version="bench",
            trigger="command",
            origin_repository="acme/hub",
            issue_number=None,
            commit_sha=None,
            installation_id=1,
            delivery_id=None,
            ai_usage=(0, 0),
        )
        systems.finish_build(build_id, "created")
        ids.append(system_id)
    with database.session() as session:
        session.add_all(
            Deployment(system_id=system_id, environment=environment, state="success")
            for system_id in ids
            for environment in ("dev", "prod")
        )


def main() -> None:
    settings = Settings.model_validate({"SBH_ENV": "development"})
    with tempfile.TemporaryDirectory() as directory:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(directory) / 'bench.db'}"
        database = Database(url)
        upgrade_to_head(database)
        seed(database)
        servers = [ThreadingHTTPServer(("127.0.0.1", 0), Healthy) for _ in range(SERVERS)]
        for server in servers:
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
        with ThreadingHTTPServer(("127.0.0.1", 0), Healthy) as closed:
            refused_port = closed.server_address[1]  # closed below: nothing listens there
        prober = HttpHealthProber(
            timeout=TIMEOUT_SECONDS,
            resolve=lambda host, port: ["127.0.0.1"],
            allow_private=True,
            transport=LocalPorts([server.server_address[1] for server in servers], refused_port),
        )
        queue = JobQueue(database)
        with SpecWorkPool(settings.spec_timeout_seconds) as spec_work:
            context = HandlerContext(
                settings=settings, database=database, queue=queue, spec_work=spec_work
            )
            pool = WorkerPool(
                context,
                job_runners(
                    default_router(),
                    prober=prober,
                    probe_concurrency=settings.health_probe_concurrency,
                ),
                settings.worker_threads,
                poll_seconds=0.05,
            )
            scheduler = Scheduler(queue, [PeriodicTask(ROUND_KIND, INTERVAL_SECONDS)], 15)
            started = time.perf_counter()
            pool.start()
            scheduler.tick()
            while queue.counts().done < ENVIRONMENTS + 1:
                time.sleep(0.05)
            round_s = time.perf_counter() - started
            pool.stop()
        counts = queue.counts()
        with database.read() as connection:
            up = connection.scalar(
                select(func.count()).select_from(EnvironmentHealth).where(EnvironmentHealth.up)
            )
        for server in servers:
            server.shutdown()
        database.dispose()
    result = {
        "what": (
            f"one health round of {ENVIRONMENTS} environments as queue jobs: a scheduler "
            f"tick, the round job, {ENVIRONMENTS} probe jobs through HttpHealthProber against "
            f"{SERVERS} local servers; 1 in {SLOW_EVERY} systems answers after the timeout, "
            f"1 in {REFUSED_EVERY} refuses connections"
        ),
        "database": database.dialect,
        "environments": ENVIRONMENTS,
        "worker_threads": settings.worker_threads,
        "probe_concurrency": settings.health_probe_concurrency,
        "probe_timeout_s": TIMEOUT_SECONDS,
        "probe_jobs": ENVIRONMENTS,
        "parked": counts.parked,
        "up": up,
        "down_or_slow": ENVIRONMENTS - (up or 0),
        "round_s": round(round_s, 2),
        "probes_per_s": round(ENVIRONMENTS / round_s, 1),
        "interval_s": INTERVAL_SECONDS,
        "environments_per_interval": int(ENVIRONMENTS / round_s * INTERVAL_SECONDS),
        "meets_target": round_s < INTERVAL_SECONDS and counts.parked == 0,
    }
    print(write_result("probes", result).read_text())


if __name__ == "__main__":
    main()
