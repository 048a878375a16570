"""GitHub's rate limits, honoured by the client every GitHub call of SBH goes through: against
a fake GitHub that enforces them on a fake clock (`tests.fakes.github_rate_limited`), and
against scripted answers for the exact waits."""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from githubkit.cache import MemCacheStrategy

from bot.adapters.github import GitHubAdapter, as_installation, make_client
from bot.adapters.github_limits import (
    GitHubLimits,
    GitHubRateLimited,
    WaitTally,
    background_work,
    in_background,
    tallied_waits,
)
from bot.logs import JsonFormatter
from bot.ports import GitHubRefused
from bot.settings import Settings
from tests.bot.serving import app_settings
from tests.fakes.github_rate_limited import (
    START,
    FakeClock,
    RateLimitedGitHub,
    secondary_limit,
)

API = "https://api.github.test"
INSTALLATION = 1
LANE = f"installation {INSTALLATION}"
SETTINGS = Settings.model_validate(app_settings(API))


def governed(
    transport: httpx.BaseTransport, clock: FakeClock, **options: Any
) -> tuple[GitHubAdapter, GitHubLimits]:
    """The adapter of installation 1 over `transport`, through a governor on `clock`."""
    limits = GitHubLimits(clock=clock, sleep=clock.sleep, **options)
    app = make_client(SETTINGS, transport=transport, limits=limits)
    # Installation tokens of this test's GitHub only (githubkit shares one cache by default).
    app.config = dataclasses.replace(app.config, cache_strategy=MemCacheStrategy())
    return GitHubAdapter(as_installation(app, INSTALLATION), transient_delays=()), limits


def open_upgrade(github: GitHubAdapter, repository: str) -> tuple[int, str]:
    """What a fleet upgrade asks of GitHub per system, reduced to its reads and its write."""
    github.get_repository(repository)
    return github.open_pull_request(repository, "sbh/template-upgrade", "main", "Upgrade", "")


# -- the fleet under GitHub's limits


def test_200_upgrade_pull_requests_open_once_each_without_a_request_beyond_the_limits() -> None:
    clock = FakeClock()
    github = RateLimitedGitHub(
        clock,
        budget=150,  # 200 reads + 200 writes: the budget runs out twice
        window_seconds=900,
        refusals={
            37: lambda: secondary_limit(retry_after=30),
            74: lambda: secondary_limit(),  # 403 with the wording only
            111: lambda: secondary_limit(status=429),
            148: lambda: secondary_limit(retry_after=5, status=429),
        },
    )
    adapter, limits = governed(github, clock)
    repositories = [f"acme/system-{number:03}" for number in range(200)]

    def upgrade(repository: str) -> WaitTally:
        with background_work(), tallied_waits() as tally:
            open_upgrade(adapter, repository)
        return tally

    with ThreadPoolExecutor(8) as pool:
        tallies = list(pool.map(upgrade, repositories))

    assert github.violations == []
    assert {name: len(pulls) for name, pulls in github.pulls.items()} == dict.fromkeys(
        repositories, 1
    )
    assert sum(github.refused.values()) == 4  # only the refusals GitHub chose to make
    assert github.writes_seen == 200 + 4
    assert min(github.write_gaps(INSTALLATION)) >= 1.0
    report = limits.report()
    assert (report.gave_up, report.rate_limited_answers) == (0, 4)
    # Waiting is reported, by reason, and adds up over the systems' own tallies.
    assert report.seconds_by_reason["spacing"] > 0
    assert report.seconds_by_reason["primary"] > 0
    assert report.seconds_by_reason["secondary"] > 0
    assert report.waited_seconds == pytest.approx(
        sum(report.seconds_by_reason[reason] for reason in ("primary", "secondary", "spacing"))
    )
    by_reason: Counter[str] = Counter()
    for tally in tallies:
        by_reason.update(tally.seconds_by_reason)
    assert by_reason == pytest.approx(report.seconds_by_reason)
    # 200 writes at least a second apart, two budget resets: GitHub time, not real time.
    assert clock() - START >= 199 + 2 * 900 - 200


def test_webhook_writes_overtake_queued_fleet_writes() -> None:
    clock = FakeClock()
    github = RateLimitedGitHub(clock)
    held = threading.Event()
    release = threading.Event()

    def hold_first_write(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/pulls") and not held.is_set():
            held.set()
            release.wait(10)
        return github.handle_request(request)

    adapter, limits = governed(httpx.MockTransport(hold_first_write), clock)

    fleet = in_background(open_upgrade)

    def until(condition: Callable[[], bool]) -> None:
        for _ in range(1000):
            if condition():
                return
            threading.Event().wait(0.005)
        raise AssertionError("the writes never queued up")

    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(fleet, adapter, "acme/fleet-0")
        until(held.is_set)
        queued = [pool.submit(fleet, adapter, f"acme/fleet-{n}") for n in range(1, 5)]
        until(lambda: limits.queued_writes(LANE) == 4)
        webhook = pool.submit(open_upgrade, adapter, "acme/webhook")
        until(lambda: limits.queued_writes(LANE) == 5)
        release.set()
        for future in [first, *queued]:
            future.result()
        webhook.result()

    opened = [write.path.split("/")[3] for write in github.writes]
    assert opened[:2] == ["fleet-0", "webhook"]
    assert sorted(opened[2:]) == [f"fleet-{number}" for number in range(1, 5)]
    assert github.violations == []


def test_reads_are_not_held_behind_a_write() -> None:
    clock = FakeClock()
    github = RateLimitedGitHub(clock)
    release = threading.Event()

    def slow_writes(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/pulls"):
            release.wait(10)
        return github.handle_request(request)

    adapter, _ = governed(httpx.MockTransport(slow_writes), clock)
    with ThreadPoolExecutor(2) as pool:
        write = pool.submit(adapter.open_pull_request, "acme/a", "sbh/x", "main", "Up", "")
        read = pool.submit(adapter.get_repository, "acme/b")
        repository = read.result(timeout=5)  # while the write is still being sent
        assert not write.done()
        release.set()
        write.result()

    assert repository is not None
    assert repository.full_name == "acme/b"


def test_a_lone_webhook_write_is_not_delayed_but_fleet_writes_are_spaced() -> None:
    clock = FakeClock()
    github = RateLimitedGitHub(clock)
    adapter, limits = governed(github, clock)

    for number in range(3):
        open_upgrade(adapter, f"acme/webhook-{number}")
    assert github.write_gaps(INSTALLATION) == [0.0, 0.0]

    with background_work():
        for number in range(3):
            open_upgrade(adapter, f"acme/fleet-{number}")
    # Background writes come in bulk: each waits a second after the one before.
    assert github.write_gaps(INSTALLATION) == [0.0, 0.0, 1.0, 1.0, 1.0]
    assert limits.report().seconds_by_reason["spacing"] == pytest.approx(3.0)


# -- the primary limit


def test_a_spent_primary_budget_is_waited_out_until_its_reset() -> None:
    clock = FakeClock()
    github = RateLimitedGitHub(clock, budget=3, window_seconds=600)
    adapter, limits = governed(github, clock)

    for number in range(7):
        assert adapter.get_repository(f"acme/system-{number}") is not None

    assert github.violations == []
    assert github.requests == 7
    # Two resets, each waited for from when the budget ran out (plus a second's margin).
    assert limits.report().seconds_by_reason["primary"] == pytest.approx(2 * 601)
    assert clock() - START == pytest.approx(2 * 601)


def test_a_budget_another_client_spent_is_waited_for_too() -> None:
    clock = FakeClock()
    reset = int(START) + 300
    transport, sent = scripted(
        clock,
        httpx.Response(
            403,
            headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
            json={"message": "API rate limit exceeded for installation ID 1."},
        ),
        httpx.Response(200, json=repository_json("acme/a")),
    )
    adapter, limits = governed(transport, clock)

    assert adapter.get_repository("acme/a") is not None

    assert len(sent) == 2
    assert sent[1][1] >= reset  # not sent again before the reset
    assert limits.report().rate_limited_answers == 1


# -- secondary limits


def test_a_secondary_limit_with_retry_after_waits_that_long_and_sends_again() -> None:
    clock = FakeClock()
    transport, sent = scripted(clock, secondary_limit(retry_after=42), created_pull_request())
    adapter, limits = governed(transport, clock)

    assert adapter.open_pull_request("acme/a", "sbh/x", "main", "Up", "")[0] == 1

    assert [moment - START for _, moment in sent] == [0, 42]
    assert limits.report().seconds_by_reason == {"secondary": 42}


@pytest.mark.parametrize(
    "limited",
    [lambda: secondary_limit(), lambda: secondary_limit(status=429)],
    ids=["403-secondary-wording", "429"],
)
def test_a_secondary_limit_without_retry_after_backs_off_from_a_minute(
    limited: Callable[[], httpx.Response],
) -> None:
    clock = FakeClock()
    transport, sent = scripted(clock, limited(), limited(), limited(), created_pull_request())
    adapter, _ = governed(transport, clock)

    adapter.open_pull_request("acme/a", "sbh/x", "main", "Up", "")

    assert [moment - START for _, moment in sent] == [0, 60, 60 + 120, 60 + 120 + 240]


def test_a_secondary_limit_pauses_the_installations_other_requests_too() -> None:
    clock = FakeClock()
    github = RateLimitedGitHub(clock, refusals={1: lambda: secondary_limit(retry_after=30)})
    adapter, _ = governed(github, clock)
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(open_upgrade, adapter, f"acme/s-{number}") for number in range(4)]
        for future in futures:
            future.result()

    assert github.violations == []
    assert sum(len(pulls) for pulls in github.pulls.values()) == 4


def test_a_limit_that_keeps_refusing_is_given_up_with_a_clear_error() -> None:
    clock = FakeClock()
    transport, sent = scripted(clock, *[secondary_limit() for _ in range(10)])
    adapter, limits = governed(transport, clock, retries=4, max_backoff_seconds=300)

    with pytest.raises(GitHubRateLimited) as raised:
        adapter.open_pull_request("acme/a", "sbh/x", "main", "Up", "")

    assert str(raised.value) == (
        "GitHub's rate limit for installation 1 stopped POST /repos/acme/a/pulls: "
        "still limited after 4 waits (HTTP 403)"
    )
    assert [moment - START for _, moment in sent] == [0, 60, 180, 420, 720]  # capped at 300
    assert limits.report().gave_up == 1


def test_a_wait_longer_than_the_maximum_is_not_made() -> None:
    clock = FakeClock()
    transport, sent = scripted(clock, secondary_limit(retry_after=7200, status=429))
    adapter, limits = governed(transport, clock, max_wait_seconds=3660)

    with pytest.raises(GitHubRateLimited, match="wait 7200 s, more than the 3660 s"):
        adapter.open_pull_request("acme/a", "sbh/x", "main", "Up", "")

    assert len(sent) == 1
    assert clock() == START
    assert limits.report().waits == 0


def test_a_403_that_is_no_rate_limit_is_githubs_refusal_at_once() -> None:
    clock = FakeClock()
    transport, sent = scripted(
        clock, httpx.Response(403, json={"message": "Resource not accessible"})
    )
    adapter, limits = governed(transport, clock)

    with pytest.raises(GitHubRefused, match="Resource not accessible"):
        adapter.open_pull_request("acme/a", "sbh/x", "main", "Up", "")

    assert len(sent) == 1
    assert limits.report().waits == 0


def test_server_errors_are_still_retried() -> None:
    clock = FakeClock()
    transport, sent = scripted(
        clock, httpx.Response(502, json={"message": "Server Error"}), created_pull_request()
    )
    adapter, limits = governed(transport, clock)

    assert adapter.open_pull_request("acme/a", "sbh/x", "main", "Up", "")[0] == 1

    assert len(sent) == 2
    assert limits.report().rate_limited_answers == 0


def test_every_wait_is_logged_without_a_secret(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    github = RateLimitedGitHub(clock, budget=1, refusals={1: lambda: secondary_limit(9)})
    adapter, limits = governed(github, clock)

    with caplog.at_level(logging.DEBUG, logger="sbh.github_limits"), background_work():
        open_upgrade(adapter, "acme/a")
        open_upgrade(adapter, "acme/b")

    entries = [json.loads(JsonFormatter().format(record)) for record in caplog.records]
    waits = [entry for entry in entries if entry["event"] == "github.wait"]
    assert len(waits) == limits.report().waits > 0
    assert {entry["reason"] for entry in waits} == {"primary", "secondary", "spacing"}
    assert all(entry["lane"] == LANE and entry["seconds"] > 0 for entry in waits)
    assert "ghs_" not in caplog.text
    assert "Bearer" not in caplog.text


# -- helpers


def repository_json(full_name: str) -> dict[str, Any]:
    return {"id": 1, "full_name": full_name, "html_url": f"https://github.test/{full_name}"}


def created_pull_request() -> httpx.Response:
    return httpx.Response(201, json={"number": 1, "html_url": "https://github.test/acme/a/pull/1"})


def scripted(
    clock: FakeClock, *answers: httpx.Response
) -> tuple[httpx.MockTransport, list[tuple[httpx.Request, float]]]:
    """A GitHub that gives `answers` in turn (after the installation token); also what was
    sent, and when on `clock`."""
    remaining = list(answers)
    sent: list[tuple[httpx.Request, float]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/access_tokens"):
            return httpx.Response(
                201, json={"token": "ghs_t", "expires_at": "2099-01-01T00:00:00Z"}
            )
        sent.append((request, clock()))
        return remaining.pop(0)

    return httpx.MockTransport(answer), sent


def test_the_limits_come_from_settings() -> None:
    settings = Settings.model_validate(
        {
            **app_settings(API),
            "GITHUB_RATE_LIMIT_RETRIES": "2",
            "GITHUB_BACKOFF_MAX_SECONDS": "120",
            "GITHUB_MAX_WAIT_SECONDS": "600",
            "GITHUB_WRITE_SPACING_SECONDS": "2",
        }
    )

    limits = GitHubLimits.from_settings(settings)

    assert (
        limits.retries,
        limits.max_backoff_seconds,
        limits.max_wait_seconds,
        limits.write_spacing_seconds,
    ) == (2, 120, 600, 2)
