"""Fleet upgrade throughput under GitHub's limits: SYSTEMS systems behind, upgraded by WORKERS
worker threads running the `fleet_upgrade` jobs (the whole flow: reads of the repository,
the three-way render, one commit on `sbh/upgrade`, one pull request), through SBH's GitHub
client against a fake GitHub that enforces GitHub's published limits (5,000 requests an hour
per installation, 80 writes a minute, one write at a time) in front of a stateful fake GitHub,
on a fake clock, all in one installation (the slowest case: one lane).

Reported: requests beyond a limit (must be 0), pull requests opened (each once), the GitHub
time the run takes and upgrades per GitHub hour, what it waited for by reason, and the real
time the run took on this machine."""

from __future__ import annotations

import dataclasses
import logging
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from githubkit.cache import MemCacheStrategy

from bench.common import write_result
from bot.adapters.github import GitHubAdapter, as_installation, make_client
from bot.adapters.github_limits import GitHubLimits
from bot.db.database import Database
from bot.db.migrate import upgrade_to_head
from bot.db.systems import SystemsRepository
from bot.flows.fleet import enqueue_upgrades, progress
from bot.flows.handlers import default_router
from bot.jobs.context import HandlerContext
from bot.jobs.queue import JobQueue
from bot.jobs.spec_work import SpecWorkPool
from bot.jobs.worker import Worker
from bot.settings import Settings
from bot.wiring import job_runners
from tests.bot.flows.fleet_systems import seed
from tests.bot.serving import app_settings
from tests.fakes.github_http import FakeGitHubHttp, create_app
from tests.fakes.github_rate_limited import (
    START,
    AppTransport,
    FakeClock,
    RateLimitedGitHub,
    secondary_limit,
)

SYSTEMS = 300
WORKERS = 4


def main() -> None:
    logging.getLogger("sbh").setLevel(logging.ERROR)  # every wait and job is logged
    settings = Settings.model_validate({"SBH_ENV": "development"})
    github = FakeGitHubHttp()
    clock = FakeClock()
    limited = RateLimitedGitHub(
        clock,
        budget=5000,
        window_seconds=3600,
        writes_per_minute=80,
        # GitHub refuses now and then for reasons a client cannot see.
        refusals={n: lambda: secondary_limit(retry_after=30) for n in range(97, 4000, 250)},
        api=AppTransport(create_app(github)),
    )
    limits = GitHubLimits(clock=clock, sleep=clock.sleep)
    app = make_client(
        Settings.model_validate(app_settings("https://api.github.test")),
        transport=limited,
        limits=limits,
    )
    app.config = dataclasses.replace(app.config, cache_strategy=MemCacheStrategy())
    with tempfile.TemporaryDirectory() as directory, SpecWorkPool(5.0) as spec_work:
        database = Database(f"sqlite:///{Path(directory) / 'bench.db'}")
        upgrade_to_head(database)
        systems = SystemsRepository(database)
        for number in range(SYSTEMS):
            seed(github, systems, f"system-{number:04}")
        context = HandlerContext(
            settings=settings,
            database=database,
            queue=JobQueue(database),
            spec_work=spec_work,
            github_for_installation=lambda installation: GitHubAdapter(
                as_installation(app, installation), transient_delays=()
            ),
        )
        queued = enqueue_upgrades(context.queue, systems.every())
        runners = job_runners(default_router())

        def work(index: int) -> None:
            worker = Worker(context, runners, f"bench-{index}")
            while worker.run_once():
                pass

        started = time.perf_counter()
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(work, range(WORKERS)))
        real_s = time.perf_counter() - started
        done = progress(context.queue, queued.keys)["done"]
        database.dispose()
    report = limits.report()
    github_s = clock() - START
    opened = [len(repository.pulls) for repository in github.repositories.values()]
    result = {
        "what": (
            f"{SYSTEMS} fleet upgrade jobs by {WORKERS} workers through the rate-limited fake "
            "GitHub (5,000 requests/hour, 80 writes/minute, writes one at a time), one "
            "installation, fake clock"
        ),
        "systems": SYSTEMS,
        "upgrades_done": done,
        "pull_requests_opened": sum(opened),
        "systems_with_more_than_one_pull_request": sum(count > 1 for count in opened),
        "requests_beyond_a_limit": len(limited.violations),
        "requests": report.requests,
        "writes": report.writes,
        "rate_limited_answers": report.rate_limited_answers,
        "github_time_s": round(github_s, 1),
        "upgrades_per_github_hour": round(SYSTEMS / github_s * 3600, 1),
        "waited_s": round(report.waited_seconds, 1),
        "waited_s_by_reason": {
            reason: round(seconds, 1)
            for reason, seconds in sorted(report.seconds_by_reason.items())
        },
        "real_s": round(real_s, 2),
        "meets_target": not limited.violations and sum(opened) == SYSTEMS == done,
    }
    print(write_result("fleet", result).read_text())


if __name__ == "__main__":
    main()
