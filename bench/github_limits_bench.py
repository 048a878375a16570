"""Upgrade throughput under GitHub's limits: a fleet run of SYSTEMS systems (one read and one
pull request each, from WORKERS threads, as background work) through SBH's GitHub client
against the fake GitHub that enforces the limits with GitHub's published numbers (5,000
requests an hour per installation, 80 writes a minute, one write at a time), on a fake clock;
meanwhile webhook-driven writes of the same installation, whose waits are measured.

Reported: requests beyond a limit (must be 0), GitHub time the run takes and what it spent
waiting (by reason), pull requests per GitHub minute, the real time the client itself took,
and how long a webhook write waited behind the fleet."""

from __future__ import annotations

import dataclasses
import logging
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from githubkit.cache import MemCacheStrategy

from bench.common import write_result
from bot.adapters.github import GitHubAdapter, as_installation, make_client
from bot.adapters.github_limits import GitHubLimits, background_work, tallied_waits
from bot.settings import Settings
from tests.bot.serving import app_settings
from tests.fakes.github_rate_limited import START, FakeClock, RateLimitedGitHub, secondary_limit

SYSTEMS = 1000
WORKERS = 8
WEBHOOK_WRITES = 20
INSTALLATION = 1


def main() -> None:
    logging.getLogger("sbh.github_limits").setLevel(logging.ERROR)  # each wait is logged
    clock = FakeClock()
    github = RateLimitedGitHub(
        clock,
        budget=5000,
        window_seconds=3600,
        writes_per_minute=80,
        # GitHub refuses now and then for reasons a client cannot see.
        refusals={n: lambda: secondary_limit(retry_after=30) for n in range(97, 2000, 250)},
    )
    limits = GitHubLimits(clock=clock, sleep=clock.sleep)
    app = make_client(
        Settings.model_validate(app_settings("https://api.github.test")),
        transport=github,
        limits=limits,
    )
    app.config = dataclasses.replace(app.config, cache_strategy=MemCacheStrategy())
    adapter = GitHubAdapter(as_installation(app, INSTALLATION), transient_delays=())

    def upgrade(number: int) -> None:
        repository = f"acme/system-{number:04}"
        with background_work():
            adapter.get_repository(repository)
            adapter.open_pull_request(repository, "sbh/template-upgrade", "main", "Upgrade", "")

    webhook_waits: list[float] = []

    def webhooks() -> None:
        for number in range(WEBHOOK_WRITES):
            with tallied_waits() as tally:
                adapter.open_pull_request(f"acme/hub-{number}", "sbh/spec", "main", "Spec", "")
            webhook_waits.append(tally.seconds)
            time.sleep(0.05)

    started = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        webhook_thread = threading.Thread(target=webhooks)
        webhook_thread.start()
        list(pool.map(upgrade, range(SYSTEMS)))
        webhook_thread.join()
    real_s = time.perf_counter() - started

    report = limits.report()
    github_s = clock() - START
    opened = sum(len(pulls) for name, pulls in github.pulls.items() if "system-" in name)
    result = {
        "what": (
            f"{SYSTEMS} upgrade pull requests (1 read + 1 write each, {WORKERS} threads, "
            f"background) and {WEBHOOK_WRITES} webhook writes through GitHubLimits against "
            "tests.fakes.github_rate_limited (5000 requests/h, 80 writes/min, serial writes)"
        ),
        "systems": SYSTEMS,
        "pull_requests_opened": opened,
        "violations": len(github.violations),
        "refusals_by_github": dict(github.refused),
        "github_time_s": github_s,
        "pull_requests_per_github_minute": opened / (github_s / 60),
        "waited_s_by_reason": report.seconds_by_reason,
        "waited_s": report.waited_seconds,
        "requests": report.requests,
        "real_time_s": real_s,
        "webhook_write_wait_s": {
            "median": statistics.median(webhook_waits),
            "max": max(webhook_waits),
        },
    }
    path = write_result("github_limits", result)
    print(
        f"github limits: {opened}/{SYSTEMS} pull requests, {len(github.violations)} violations, "
        f"{github_s / 60:.1f} GitHub minutes ({result['pull_requests_per_github_minute']:.1f}/min),"
        f" waited {report.waited_seconds:.0f} s, real {real_s:.1f} s; webhook writes waited "
        f"median {statistics.median(webhook_waits):.1f} s, max {max(webhook_waits):.1f} s -> {path}"
    )


if __name__ == "__main__":
    main()
