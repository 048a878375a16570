"""Probing deployed environments' public health URLs and recording what they answered: v1's
one health path, or each web service's of a v2 system. The schedule (once per interval,
shared by the replicas) is `bot.jobs.periodic`."""

from __future__ import annotations

from collections.abc import Sequence

from bot.db.systems import SystemRecord, SystemsRepository
from bot.deploys.records import DeployRecords
from bot.deploys.services import health_urls
from bot.ports import HealthProber, ProbeResult, RefusedTarget


def environment_health_urls(system: SystemRecord, environment: str) -> list[str]:
    """https://<domain><health_path> of each web service of one environment, from the
    system's recorded spec (none when SBH cannot read it or nothing public has one)."""
    return health_urls(system.spec, environment) if system.spec else []


def _probe(prober: HealthProber, url: str) -> ProbeResult:
    try:
        return prober.probe(url)
    except RefusedTarget as refused:  # a URL SBH may not request is down, with the reason
        return ProbeResult(False, None, None, str(refused)[:200])


def probe_target(
    records: DeployRecords,
    prober: HealthProber,
    system_id: int,
    environment: str,
    urls: Sequence[str],
) -> ProbeResult:
    """Probe one environment and record the answer. An environment with several web services
    is up when every one answers: it is recorded with the first that does not (else the
    first URL)."""
    results = [(url, _probe(prober, url)) for url in urls]
    url, result = next(((url, r) for url, r in results if not r.up), results[0])
    records.record_health(system_id, environment, url, result)
    return result


def probe_deployed(systems: SystemsRepository, records: DeployRecords, prober: HealthProber) -> int:
    """Probe each environment that has had a successful deploy, one after the other; returns
    how many."""
    probed = 0
    for system, environment in systems.deployed_environments():
        urls = environment_health_urls(system, environment)
        if urls:
            probe_target(records, prober, system.id, environment, urls)
            probed += 1
    return probed
