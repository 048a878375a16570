"""GitHub's rate limits, honoured at the HTTP layer for every call SBH makes to GitHub.

`GitHubLimits` is one governor per process; `GovernedTransport` puts it under githubkit's
HTTP client, so REST and git data calls, and the installation-token exchange, all pass
through it. Per *lane* (one installation, or the App itself):

- Primary limit: `x-ratelimit-remaining`/`x-ratelimit-reset` of each answer are tracked and
  counted down as requests leave; when nothing remains, requests wait for the reset instead
  of being refused.
- Secondary limits: a 403/429 with `retry-after` pauses the lane that long and the request
  is sent again; one without it (a 429, or a 403 saying "rate limit") backs off
  exponentially from one minute, up to a cap; a 403/429 while the primary budget is spent
  waits for its reset. After `retries` such answers, or when one wait would be longer than
  `max_wait_seconds`, `GitHubRateLimited` says so (the job fails and the queue retries it).
- Writes (POST, PATCH, PUT, DELETE) of one lane go one at a time, and at least
  `write_spacing_seconds` after the previous one when writes are queued (or the work is
  background work, which comes in bulk); reads are not serialised.
- Webhook-driven work comes first: a write made inside `background_work()` (fleet upgrades)
  yields its place in the queue to every write made outside it.
- Every wait is logged (lane, reason, seconds, method and path: never a header) and counted:
  `report()` for the process, `tallied_waits()` for one piece of work.

Clock and sleep are injectable (wall-clock seconds, because `x-ratelimit-reset` is an epoch
time), so tests run hours of GitHub time in milliseconds.
"""

from __future__ import annotations

import email.utils
import functools
import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal, ParamSpec, TypeVar

import httpx

from bot.logs import log_event
from bot.settings import Settings

log = logging.getLogger("sbh.github_limits")
P = ParamSpec("P")
T = TypeVar("T")

MUTATING = frozenset({"POST", "PATCH", "PUT", "DELETE"})
APP_LANE = "app"
# GitHub's reset time is an epoch second on GitHub's clock: wait a little past it.
RESET_MARGIN_SECONDS = 1.0

WaitReason = Literal["primary", "secondary", "spacing", "queued"]
SendRequest = Callable[[httpx.Request], httpx.Response]


class GitHubRateLimited(Exception):
    """GitHub's limits keep refusing a request after SBH's bounded waits, or ask for a wait
    longer than SBH will make: a failure worth retrying later, not GitHub's answer."""

    def __init__(self, lane: str, method: str, path: str, reason: str) -> None:
        self.lane = lane
        super().__init__(f"GitHub's rate limit for {lane} stopped {method} {path}: {reason}")


@dataclass
class WaitTally:
    """Waits made for one piece of work (see `tallied_waits`)."""

    seconds: float = 0.0
    waits: int = 0
    seconds_by_reason: dict[str, float] = field(default_factory=dict)

    def add(self, reason: WaitReason, seconds: float) -> None:
        self.seconds += seconds
        self.waits += 1
        self.seconds_by_reason[reason] = self.seconds_by_reason.get(reason, 0.0) + seconds


@dataclass(frozen=True)
class LimitsReport:
    """What the governor did since the process started."""

    requests: int  # sent to GitHub, retries included
    writes: int
    rate_limited_answers: int  # 403/429 answers that were rate limits
    gave_up: int  # calls that ended in GitHubRateLimited
    waits: int
    waited_seconds: float  # primary + secondary + spacing: time SBH paused on purpose
    seconds_by_reason: dict[str, float]  # also "queued": waiting for another write


_background: ContextVar[bool] = ContextVar("sbh_github_background_work", default=False)
_tally: ContextVar[WaitTally | None] = ContextVar("sbh_github_wait_tally", default=None)


@contextmanager
def background_work() -> Iterator[None]:
    """GitHub calls made inside are background (fleet) work: their writes wait behind any
    webhook-driven write of the same installation, and are always spaced."""
    token = _background.set(True)
    try:
        yield
    finally:
        _background.reset(token)


def in_background(work: Callable[P, T]) -> Callable[P, T]:
    """`work` with its GitHub calls made as background work (e.g. a fleet job's runner, as
    the composition registers it)."""

    @functools.wraps(work)
    def run(*arguments: P.args, **options: P.kwargs) -> T:
        with background_work():
            return work(*arguments, **options)

    return run


@contextmanager
def tallied_waits() -> Iterator[WaitTally]:
    """Counts the waits of the GitHub calls made inside (in this thread or context)."""
    tally = WaitTally()
    token = _tally.set(tally)
    try:
        yield tally
    finally:
        _tally.reset(token)


@dataclass
class _Lane:
    name: str
    remaining: int | None = None  # None: not known (no answer yet, or the window reset)
    reset_at: float = 0.0
    paused_until: float = 0.0  # a secondary limit: nothing goes before then
    in_flight: int = 0
    writing: bool = False
    last_write_at: float | None = None
    queue: list[tuple[int, int]] = field(default_factory=list)  # (rank, order) heap


@dataclass(frozen=True)
class _Limited:
    """A 403/429 that is a rate limit: how long GitHub asks to wait (None: back off)."""

    kind: Literal["primary", "secondary"]
    wait_seconds: float | None


class GitHubLimits:
    def __init__(
        self,
        *,
        retries: int = 5,
        first_backoff_seconds: float = 60.0,
        max_backoff_seconds: float = 960.0,
        max_wait_seconds: float = 3660.0,
        write_spacing_seconds: float = 1.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.retries = retries
        self.first_backoff_seconds = first_backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.max_wait_seconds = max_wait_seconds
        self.write_spacing_seconds = write_spacing_seconds
        self.clock = clock
        self.sleep = sleep
        self._changed = threading.Condition()
        self._lanes: dict[str, _Lane] = {}
        self._order = itertools.count()
        self._requests = 0
        self._writes = 0
        self._limited = 0
        self._gave_up = 0
        self._waits = 0
        self._seconds_by_reason: dict[str, float] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> GitHubLimits:
        return cls(
            retries=settings.github_rate_limit_retries,
            max_backoff_seconds=settings.github_backoff_max_seconds,
            max_wait_seconds=settings.github_max_wait_seconds,
            write_spacing_seconds=settings.github_write_spacing_seconds,
        )

    # -- what it did

    def report(self) -> LimitsReport:
        with self._changed:
            by_reason = dict(self._seconds_by_reason)
            return LimitsReport(
                requests=self._requests,
                writes=self._writes,
                rate_limited_answers=self._limited,
                gave_up=self._gave_up,
                waits=self._waits,
                waited_seconds=sum(
                    seconds for reason, seconds in by_reason.items() if reason != "queued"
                ),
                seconds_by_reason=by_reason,
            )

    def queued_writes(self, lane: str) -> int:
        """Writes of `lane` waiting for their turn (not the one being sent)."""
        with self._changed:
            return len(self._lane(lane).queue)

    def transport(self, inner: httpx.BaseTransport, lane: str = APP_LANE) -> GovernedTransport:
        return GovernedTransport(inner, self, lane)

    # -- sending

    def send(self, request: httpx.Request, lane_name: str, send: SendRequest) -> httpx.Response:
        """Send `request` on `lane_name` within GitHub's limits; the answer GitHub gives once
        its limits let the request through."""
        request.read()  # a refused request is sent again
        mutating = request.method in MUTATING
        ticket = (1 if _background.get() else 0, next(self._order))
        refusals = 0
        backoffs = 0
        while True:
            if mutating:
                self._take_write_turn(request, lane_name, ticket)
            try:
                self._wait_for_budget(request, lane_name)
                response = self._send_counted(request, lane_name, send, mutating)
            finally:
                if mutating:
                    self._end_write_turn(lane_name)
            limited = self._rate_limit(response)
            if limited is None:
                return response
            response.close()
            refusals += 1
            if limited.wait_seconds is None:
                wait = min(
                    self.first_backoff_seconds * 2**backoffs,
                    self.max_backoff_seconds,
                )
                backoffs += 1
            else:
                wait = limited.wait_seconds
            with self._changed:
                self._limited += 1
                lane = self._lane(lane_name)
                if limited.kind == "secondary":
                    lane.paused_until = max(lane.paused_until, self.clock() + wait)
                else:
                    lane.remaining = 0
                    lane.reset_at = max(lane.reset_at, self.clock() + wait - RESET_MARGIN_SECONDS)
            if refusals > self.retries:
                self._give_up(
                    request,
                    lane_name,
                    f"still limited after {self.retries} waits (HTTP {response.status_code})",
                )
            self._check_wait(request, lane_name, wait)
            log_event(
                log,
                logging.WARNING,
                "github.rate_limited",
                lane=lane_name,
                limit=limited.kind,
                status=response.status_code,
                method=request.method,
                path=request.url.path,
                retry_in_seconds=round(wait, 3),
                attempt=refusals,
            )

    def _send_counted(
        self, request: httpx.Request, lane_name: str, send: SendRequest, mutating: bool
    ) -> httpx.Response:
        try:
            response = send(request)
        except BaseException:
            with self._changed:
                self._lane(lane_name).in_flight -= 1
            raise
        with self._changed:
            self._requests += 1
            self._writes += mutating
            self._learn(self._lane(lane_name), response)
        return response

    # -- the lane's state (called with self._changed held)

    def _lane(self, name: str) -> _Lane:
        lane = self._lanes.get(name)
        if lane is None:
            lane = self._lanes[name] = _Lane(name)
        return lane

    def _learn(self, lane: _Lane, response: httpx.Response) -> None:
        """Take in what an answer says about the primary budget of its lane."""
        lane.in_flight -= 1
        remaining = _integer(response.headers.get("x-ratelimit-remaining"))
        reset = _integer(response.headers.get("x-ratelimit-reset"))
        if remaining is None or reset is None or reset < lane.reset_at:
            return  # no rate-limit headers, or an answer from a window that has passed
        if lane.remaining is None or reset > lane.reset_at:
            # A new window: requests still in flight may not be counted in this answer yet.
            lane.remaining = max(remaining - lane.in_flight, 0)
            lane.reset_at = reset
        else:
            lane.remaining = min(lane.remaining, remaining)

    # -- waits

    def _wait_for_budget(self, request: httpx.Request, lane_name: str) -> None:
        """Until the lane may send: past any secondary pause and with primary budget left;
        then the request is counted against that budget."""
        while True:
            with self._changed:
                lane = self._lane(lane_name)
                now = self.clock()
                reason: WaitReason
                if lane.paused_until > now:
                    reason, wait = "secondary", lane.paused_until - now
                elif lane.remaining is not None and lane.remaining <= 0:
                    if now >= lane.reset_at + RESET_MARGIN_SECONDS:
                        lane.remaining = None  # a new window: its budget is learnt from the answer
                        reason, wait = "primary", 0.0
                    else:
                        reason, wait = "primary", lane.reset_at + RESET_MARGIN_SECONDS - now
                else:
                    wait = 0.0
                if wait <= 0:
                    if lane.remaining is not None:
                        lane.remaining -= 1
                    lane.in_flight += 1
                    return
            self._check_wait(request, lane_name, wait)
            self._wait(request, lane_name, reason, wait)

    def _take_write_turn(
        self, request: httpx.Request, lane_name: str, ticket: tuple[int, int]
    ) -> None:
        """Wait for this write's turn on its lane (webhook work before background work, then
        first come first served) and, when writes are crowding, for the spacing after the
        previous one."""
        started = self.clock()
        with self._changed:
            lane = self._lane(lane_name)
            crowded = lane.writing or bool(lane.queue) or ticket[0] > 0
            heapq.heappush(lane.queue, ticket)
            self._changed.notify_all()
            while lane.writing or lane.queue[0] != ticket:
                self._changed.wait()
            heapq.heappop(lane.queue)
            lane.writing = True
            crowded = crowded or bool(lane.queue)
            last_write_at = lane.last_write_at
        queued = self.clock() - started
        if queued > 0:
            self._record("queued", queued)
        if crowded and last_write_at is not None:
            wait = last_write_at + self.write_spacing_seconds - self.clock()
            if wait > 0:
                try:
                    self._wait(request, lane_name, "spacing", wait)
                except BaseException:
                    self._end_write_turn(lane_name)
                    raise

    def _end_write_turn(self, lane_name: str) -> None:
        with self._changed:
            lane = self._lane(lane_name)
            lane.writing = False
            lane.last_write_at = self.clock()
            self._changed.notify_all()

    def _check_wait(self, request: httpx.Request, lane_name: str, wait: float) -> None:
        if wait > self.max_wait_seconds:
            self._give_up(
                request,
                lane_name,
                f"GitHub asks to wait {wait:.0f} s, more than the {self.max_wait_seconds:.0f} s "
                "SBH waits (GITHUB_MAX_WAIT_SECONDS)",
            )

    def _give_up(self, request: httpx.Request, lane_name: str, reason: str) -> None:
        with self._changed:
            self._gave_up += 1
        log_event(
            log,
            logging.ERROR,
            "github.rate_limit_gave_up",
            lane=lane_name,
            method=request.method,
            path=request.url.path,
            reason=reason,
        )
        raise GitHubRateLimited(lane_name, request.method, request.url.path, reason)

    def _wait(
        self, request: httpx.Request, lane_name: str, reason: WaitReason, seconds: float
    ) -> None:
        level = logging.DEBUG if reason == "spacing" else logging.INFO
        log_event(
            log,
            level,
            "github.wait",
            lane=lane_name,
            reason=reason,
            seconds=round(seconds, 3),
            method=request.method,
            path=request.url.path,
            background=_background.get(),
        )
        self.sleep(seconds)
        self._record(reason, seconds)

    def _record(self, reason: WaitReason, seconds: float) -> None:
        with self._changed:
            self._waits += reason != "queued"
            self._seconds_by_reason[reason] = self._seconds_by_reason.get(reason, 0.0) + seconds
        tally = _tally.get()
        if tally is not None:
            tally.add(reason, seconds)

    # -- reading GitHub's answers

    def _rate_limit(self, response: httpx.Response) -> _Limited | None:
        """The rate limit a 403/429 reports, in the order GitHub's documentation gives:
        `retry-after`; else a spent primary budget (wait for its reset); else back off."""
        if response.status_code not in (403, 429):
            return None
        retry_after = _retry_after(response.headers.get("retry-after"), self.clock())
        if retry_after is not None:
            return _Limited("secondary", retry_after)
        reset = _integer(response.headers.get("x-ratelimit-reset"))
        if response.headers.get("x-ratelimit-remaining") == "0" and reset is not None:
            return _Limited("primary", max(reset + RESET_MARGIN_SECONDS - self.clock(), 0.0))
        if response.status_code == 429 or "rate limit" in _message(response).lower():
            return _Limited("secondary", None)
        return None


class GovernedTransport(httpx.BaseTransport):
    """An httpx transport that sends through `GitHubLimits`: requests authenticated as the
    App (its JWT) go on the App's lane, the others on this transport's lane."""

    def __init__(self, inner: httpx.BaseTransport, limits: GitHubLimits, lane: str) -> None:
        self.inner = inner
        self.limits = limits
        self.lane = lane

    def for_lane(self, lane: str) -> GovernedTransport:
        return GovernedTransport(self.inner, self.limits, lane)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        as_app = request.headers.get("authorization", "").startswith("Bearer ")
        return self.limits.send(request, APP_LANE if as_app else self.lane, self._send)

    def _send(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if response.status_code in (403, 429):
            response.read()  # the governor reads the message; the client may read it again
        return response

    def close(self) -> None:
        # githubkit opens and closes an httpx client per call; the connection pool below is
        # the process's and outlives them.
        pass


def _integer(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


def _retry_after(value: str | None, now: float) -> float | None:
    """`retry-after` in seconds: a number of seconds, or an HTTP date."""
    if value is None:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(moment.timestamp() - now, 0.0)


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text
    return str(body.get("message") or "") if isinstance(body, dict) else ""
