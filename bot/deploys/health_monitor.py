"""The scheduled probe of every deployed environment (a thread beside the workers), and how
its results read: "healthy for 3 h", "down since 2026-11-25 05:40 UTC"."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

import yaml
from sqlalchemy import select

from bot.db.database import Database
from bot.db.models import Deployment, EnvironmentHealth, System, utcnow
from bot.deploys.prober import ProbeResult, RefusedTarget, probe
from bot.logs import log_event

log = logging.getLogger("sbh.health_monitor")
Prober = Callable[[str], ProbeResult]


def health_urls(system: System) -> dict[str, str]:
    """environment -> https://<domain><health_path>, from the system's completed spec."""
    spec = yaml.safe_load(system.spec or "") or {}
    path = str((spec.get("service") or {}).get("health_path") or "/")
    return {
        name: f"https://{environment['domain']}{path}"
        for name, environment in (spec.get("environments") or {}).items()
        if isinstance(environment, dict) and environment.get("domain")
    }


def probe_deployed(database: Database, prober: Prober = probe) -> int:
    """Probe each environment that has had a successful deploy; returns how many."""
    with database.session() as session:
        deployed = session.execute(
            select(System, Deployment.environment)
            .join(Deployment, Deployment.system_id == System.id)
            .where(Deployment.state == "success")
            .distinct()
        ).all()
        targets = [
            (system.id, environment, health_urls(system).get(environment))
            for system, environment in deployed
        ]
    probed = 0
    for system_id, environment, url in targets:
        if url is None:
            continue
        try:
            result = prober(url)
        except RefusedTarget as refused:
            result = ProbeResult(False, None, None, str(refused)[:200])
        record(database, system_id, environment, url, result)
        probed += 1
    return probed


def record(
    database: Database, system_id: int, environment: str, url: str, result: ProbeResult
) -> None:
    now = utcnow()
    with database.session() as session:
        row = session.get(EnvironmentHealth, (system_id, environment))
        if row is None:
            row = EnvironmentHealth(system_id=system_id, environment=environment, since=now)
            session.add(row)
        elif row.up != result.up:
            row.since = now
        row.url, row.up, row.checked_at = url, result.up, now
        row.status_code, row.latency_ms, row.error = (
            result.status_code,
            result.latency_ms,
            result.error,
        )


def describe(up: bool, since: datetime, now: datetime) -> str:
    minutes = int((now - since).total_seconds() // 60)
    span = f"{minutes // 60} h" if minutes >= 120 else f"{minutes} min"
    return f"healthy for {span}" if up else f"down since {since:%Y-%m-%d %H:%M} UTC"


class HealthMonitor:
    """Probes every `interval` seconds until stopped."""

    def __init__(self, database: Database, interval: float, prober: Prober = probe) -> None:
        self.database, self.interval, self.prober = database, interval, prober
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="health-monitor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                count = probe_deployed(self.database, self.prober)
                log_event(log, logging.INFO, "health.probed", environments=count)
            except Exception as error:  # the monitor must outlive a bad round
                log_event(log, logging.ERROR, "health.round_failed", error=repr(error))
