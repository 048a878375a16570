"""A fleet upgrade of 200 systems as the workers run it, through SBH's GitHub client, against
a fake GitHub that enforces GitHub's rate limits (`tests.fakes.github_rate_limited`) in front
of a stateful fake GitHub (`tests.fakes.github_http`), on a fake clock: every pull request is
opened exactly once, no request goes beyond a limit, and the waiting is reported."""

from __future__ import annotations

import dataclasses
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from githubkit.cache import MemCacheStrategy

from bot.adapters.github import GitHubAdapter, as_installation, make_client
from bot.adapters.github_limits import GitHubLimits
from bot.db.database import Database
from bot.db.systems import SystemsRepository
from bot.flows.fleet import UPGRADE_BRANCH, enqueue_upgrades, progress
from bot.flows.handlers import default_router
from bot.jobs.context import HandlerContext
from bot.jobs.queue import JobQueue
from bot.jobs.spec_work import SpecWorkPool
from bot.jobs.worker import Worker
from bot.settings import Settings
from bot.wiring import job_runners
from renderers.render import template_version
from tests.bot.conftest import make_settings
from tests.bot.flows.fleet_systems import INSTALLATION, seed
from tests.bot.serving import app_settings
from tests.fakes.github_http import FakeGitHubHttp, create_app
from tests.fakes.github_rate_limited import (
    AppTransport,
    FakeClock,
    RateLimitedGitHub,
    secondary_limit,
)

pytestmark = pytest.mark.slow
SYSTEMS = 200
# One worker: the fake counts any request that reaches it during a secondary limit's wait,
# and a read another thread already sent when GitHub refused a write is one no client can
# hold back. Writes from many threads are the governor's own tests (and the replicas').
WORKERS = 1


def test_200_systems_upgrade_within_githubs_limits_each_pull_request_opened_once(
    database: Database, spec_work: SpecWorkPool, caplog: pytest.LogCaptureFixture
) -> None:
    github = FakeGitHubHttp()
    systems = SystemsRepository(database)
    names = [f"system-{number:03}" for number in range(SYSTEMS)]
    for name in names:
        seed(github, systems, name)
    clock = FakeClock()
    limited = RateLimitedGitHub(
        clock,
        budget=1200,  # 200 systems x 10 requests: the budget runs out
        window_seconds=900,
        writes_per_minute=80,
        refusals={
            101: lambda: secondary_limit(retry_after=30),
            303: lambda: secondary_limit(),  # 403 with the wording only
            505: lambda: secondary_limit(status=429),
        },
        api=AppTransport(create_app(github)),
    )
    limits = GitHubLimits(clock=clock, sleep=clock.sleep)
    app = make_client(
        Settings.model_validate(app_settings("https://api.github.test")),
        transport=limited,
        limits=limits,
    )
    app.config = dataclasses.replace(app.config, cache_strategy=MemCacheStrategy())
    context = HandlerContext(
        settings=make_settings(),
        database=database,
        queue=JobQueue(database),
        spec_work=spec_work,
        github_for_installation=lambda installation: GitHubAdapter(
            as_installation(app, installation), transient_delays=()
        ),
    )
    queued = enqueue_upgrades(context.queue, systems.every())
    runners = job_runners(default_router())

    def work(index: int) -> int:
        worker, ran = Worker(context, runners, f"worker-{index}"), 0
        while worker.run_once():
            ran += 1
        return ran

    with caplog.at_level(logging.INFO, logger="sbh.fleet"), ThreadPoolExecutor(WORKERS) as pool:
        ran = sum(pool.map(work, range(WORKERS)))

    assert ran == SYSTEMS
    assert limited.violations == []
    assert progress(context.queue, queued.keys) == {"done": SYSTEMS}
    for name in names:
        (pull,) = github.repositories[f"acme/{name}"].pulls
        assert (pull["head"], pull["base"]) == (UPGRADE_BRANCH, "main")
        assert template_version() in pull["title"]
    assert github.requests.count("POST /repos/acme/system-000/pulls") == 1
    assert sum(limited.refused.values()) == 3  # only the refusals GitHub chose to make
    # Writes of the installation one at a time, at least a second apart (fleet work).
    assert min(limited.write_gaps(INSTALLATION)) >= 1.0
    report = limits.report()
    assert (report.gave_up, report.rate_limited_answers) == (0, 3)
    assert report.seconds_by_reason["primary"] > 0  # the budget ran out and was waited for
    assert report.seconds_by_reason["secondary"] > 0
    assert report.seconds_by_reason["spacing"] > 0
    # Each system's job reports what it waited; together, all the governor waited.
    upgraded = [record for record in caplog.records if record.getMessage() == "fleet.upgraded"]
    assert len(upgraded) == SYSTEMS
    waited = sum(float(record.fields["waited_seconds"]) for record in upgraded)  # type: ignore[attr-defined]
    assert waited == pytest.approx(
        report.waited_seconds + report.seconds_by_reason.get("queued", 0.0), rel=1e-6
    )
