"""The scheduled probe of every deployed environment's public health URL (a thread beside
the workers)."""

from __future__ import annotations

import logging
import threading

from bot.db.systems import SystemRecord, SystemsRepository
from bot.deploys.records import DeployRecords
from bot.logs import log_event
from bot.ports import HealthProber, ProbeResult, RefusedTarget

log = logging.getLogger("sbh.health_monitor")


def health_url(system: SystemRecord, environment: str) -> str | None:
    """https://<domain><health_path> of one environment, from the system's recorded spec."""
    spec = system.spec
    found = spec.environments.get(environment) if spec else None
    if spec is None or found is None:
        return None
    return f"https://{found.domain}{spec.service.health_path}"


def probe_deployed(systems: SystemsRepository, records: DeployRecords, prober: HealthProber) -> int:
    """Probe each environment that has had a successful deploy; returns how many."""
    probed = 0
    for system, environment in systems.deployed_environments():
        url = health_url(system, environment)
        if url is None:
            continue
        try:
            result = prober.probe(url)
        except RefusedTarget as refused:
            result = ProbeResult(False, None, None, str(refused)[:200])
        records.record_health(system.id, environment, url, result)
        probed += 1
    return probed


class HealthMonitor:
    """Probes every `interval` seconds until stopped."""

    def __init__(
        self,
        systems: SystemsRepository,
        records: DeployRecords,
        prober: HealthProber,
        interval: float,
    ) -> None:
        self.systems, self.records, self.prober = systems, records, prober
        self.interval = interval
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
                count = probe_deployed(self.systems, self.records, self.prober)
                log_event(log, logging.INFO, "health.probed", environments=count)
            except Exception as error:  # the monitor must outlive a bad round
                log_event(log, logging.ERROR, "health.round_failed", error=repr(error))
