"""Probing deployed environments' public health URLs and recording what they answered. The
schedule (once per interval, shared by the replicas) is `bot.jobs.periodic`."""

from __future__ import annotations

from bot.db.systems import SystemRecord, SystemsRepository
from bot.deploys.records import DeployRecords
from bot.ports import HealthProber, ProbeResult, RefusedTarget


def health_url(system: SystemRecord, environment: str) -> str | None:
    """https://<domain><health_path> of one environment, from the system's recorded spec."""
    spec = system.spec
    found = spec.environments.get(environment) if spec else None
    if spec is None or found is None:
        return None
    return f"https://{found.domain}{spec.service.health_path}"


def probe_target(
    records: DeployRecords, prober: HealthProber, system_id: int, environment: str, url: str
) -> ProbeResult:
    """Probe one environment and record the answer (a URL SBH may not request is recorded as
    down, with the reason)."""
    try:
        result = prober.probe(url)
    except RefusedTarget as refused:
        result = ProbeResult(False, None, None, str(refused)[:200])
    records.record_health(system_id, environment, url, result)
    return result


def probe_deployed(systems: SystemsRepository, records: DeployRecords, prober: HealthProber) -> int:
    """Probe each environment that has had a successful deploy, one after the other; returns
    how many."""
    probed = 0
    for system, environment in systems.deployed_environments():
        url = health_url(system, environment)
        if url is not None:
            probe_target(records, prober, system.id, environment, url)
            probed += 1
    return probed
