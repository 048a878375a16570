"""The scheduled probe of every deployed environment's public health URLs (a thread beside
the workers): v1's one health path, or each web service's of a v2 system."""

from __future__ import annotations

import logging
import threading

from bot.db.systems import SystemRecord, SystemsRepository
from bot.deploys.records import DeployRecords
from bot.deploys.services import health_urls
from bot.logs import log_event
from bot.ports import HealthProber, ProbeResult, RefusedTarget

log = logging.getLogger("sbh.health_monitor")


def environment_health_urls(system: SystemRecord, environment: str) -> list[str]:
    """https://<domain><health_path> of each web service of one environment, from the
    system's recorded spec (none when SBH cannot read it or nothing public has one)."""
    return health_urls(system.spec, environment) if system.spec else []


def _probe(prober: HealthProber, url: str) -> ProbeResult:
    try:
        return prober.probe(url)
    except RefusedTarget as refused:
        return ProbeResult(False, None, None, str(refused)[:200])


def probe_deployed(systems: SystemsRepository, records: DeployRecords, prober: HealthProber) -> int:
    """Probe each environment that has had a successful deploy; returns how many. An
    environment with several web services is up when every one answers: it is recorded with
    the first that does not (else the first URL)."""
    probed = 0
    for system, environment in systems.deployed_environments():
        urls = environment_health_urls(system, environment)
        if not urls:
            continue
        results = [(url, _probe(prober, url)) for url in urls]
        url, result = next(((url, r) for url, r in results if not r.up), results[0])
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
