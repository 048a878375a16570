"""A fake of GitHub's REST API that enforces GitHub's rate limits, as an httpx transport on
a fake clock: for testing how SBH's client paces itself, not what it asks for.

Per installation (its token comes from `POST /app/installations/{id}/access_tokens`):
- a primary budget of `budget` requests per window of `window_seconds`, announced on every
  answer (`x-ratelimit-limit/remaining/reset/used`); a request beyond it is refused (403,
  remaining 0) and counted as a violation;
- secondary limits on writes: a write while another write of the installation is being
  handled is refused (403 "secondary rate limit", no `retry-after`), as is a write beyond
  `writes_per_minute` in the last minute (429 with `retry-after`); both are violations;
- refusals GitHub makes for reasons a client cannot see: `refusals` maps the n-th write
  (1-based) to an answer, which then holds for that write's first attempt. After any
  secondary refusal GitHub expects no request from the installation before its
  `retry-after` (or a minute when it gave none): one sent earlier is a violation.

It serves what a fleet upgrade needs: `GET /repos/{owner}/{repo}`, and opening and listing
pull requests (`/repos/{owner}/{repo}/pulls`, 422 when one is open for the head already);
or, given `api` (say `AppTransport` over `tests.fakes.github_http`), whatever that answers.
A write takes `write_seconds` of real time, so concurrent writes from threads do overlap.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

START = 1_800_000_000.0  # an epoch second, like GitHub's x-ratelimit-reset
SECONDARY = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)


class FakeClock:
    """Wall-clock seconds that move only when someone sleeps."""

    def __init__(self, start: float = START) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += max(seconds, 0.0)


def secondary_limit(retry_after: int | None = None, status: int = 403) -> httpx.Response:
    headers = {} if retry_after is None else {"retry-after": str(retry_after)}
    return httpx.Response(status, headers=headers, json={"message": SECONDARY})


@dataclass
class Installation:
    id: int
    window_reset: float
    used: int = 0
    writing: int = 0
    quiet_until: float = 0.0  # after a secondary refusal
    write_times: list[float] = field(default_factory=list)


@dataclass
class Write:
    installation: int
    method: str
    path: str
    started: float
    ended: float = 0.0


_REPOSITORY = re.compile(r"^/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)$")
_PULLS = re.compile(r"^/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/pulls$")
_TOKENS = re.compile(r"^/app/installations/(?P<id>\d+)/access_tokens$")


class RateLimitedGitHub(httpx.BaseTransport):
    def __init__(
        self,
        clock: FakeClock,
        *,
        budget: int = 5000,
        window_seconds: float = 3600.0,
        writes_per_minute: int = 80,
        refusals: dict[int, Callable[[], httpx.Response]] | None = None,
        write_seconds: float = 0.002,
        api: httpx.BaseTransport | None = None,
    ) -> None:
        self.clock = clock
        self.budget = budget
        self.window_seconds = window_seconds
        self.writes_per_minute = writes_per_minute
        self.refusals = dict(refusals or {})
        self.write_seconds = write_seconds
        self.api = api
        self.lock = threading.Lock()
        self.installations: dict[int, Installation] = {}
        self.pulls: dict[str, list[dict[str, Any]]] = {}  # "owner/repo" -> pull requests
        self.writes: list[Write] = []  # writes GitHub carried out, in order
        self.write_attempts: list[tuple[int, float]] = []  # (installation, when) of every write
        self.violations: list[str] = []
        self.refused: Counter[str] = Counter()  # why requests were refused
        self.requests = 0
        self.writes_seen = 0

    # -- the limits

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if (token_request := _TOKENS.match(path)) is not None:
            return self._token(int(token_request["id"]))
        installation = self._installation(request)
        if installation is None:
            return httpx.Response(401, json={"message": "Bad credentials"})
        write = request.method in {"POST", "PATCH", "PUT", "DELETE"}
        with self.lock:
            self.requests += 1
            if write:
                self.write_attempts.append((installation.id, self.clock()))
            refusal = self._limit(installation, request, write)
            if refusal is not None:
                return self._with_budget(installation, refusal)
            if write:
                installation.writing += 1
                record = Write(installation.id, request.method, path, self.clock())
        if not write:
            with self.lock:
                return self._with_budget(installation, self._answer(request))
        time.sleep(self.write_seconds)  # others may try to write meanwhile
        with self.lock:
            installation.writing -= 1
            record.ended = self.clock()
            answer = self._answer(request)
            if answer.is_success:
                self.writes.append(record)
            return self._with_budget(installation, answer)

    def _limit(
        self, installation: Installation, request: httpx.Request, write: bool
    ) -> httpx.Response | None:
        """The refusal this request gets, if any (called with the lock held)."""
        now = self.clock()
        what = f"{request.method} {request.url.path} at {now - START:.3f}"
        if now >= installation.window_reset:
            installation.window_reset = now + self.window_seconds
            installation.used = 0
        if now < installation.quiet_until:
            self._violation(f"{what}: sent during a secondary limit's wait")
            return secondary_limit(max(int(installation.quiet_until - now), 1))
        if installation.used >= self.budget:
            self._violation(f"{what}: sent with the primary budget spent")
            return httpx.Response(
                403,
                headers={"x-ratelimit-remaining": "0"},
                json={"message": f"API rate limit exceeded for installation ID {installation.id}."},
            )
        installation.used += 1
        if not write:
            return None
        self.writes_seen += 1
        if installation.writing:
            self._violation(f"{what}: sent while another write was being handled")
            return self._secondary(installation, secondary_limit(), "concurrent write")
        recent = [moment for moment in installation.write_times if moment > now - 60]
        if len(recent) >= self.writes_per_minute:
            self._violation(f"{what}: more than {self.writes_per_minute} writes in a minute")
            retry_after = int(recent[0] + 60 - now) + 1
            return self._secondary(installation, secondary_limit(retry_after, 429), "per minute")
        installation.write_times = [*recent, now]
        planned = self.refusals.pop(self.writes_seen, None)
        if planned is not None:
            return self._secondary(installation, planned(), "planned")
        return None

    def _secondary(
        self, installation: Installation, refusal: httpx.Response, why: str
    ) -> httpx.Response:
        retry_after = refusal.headers.get("retry-after")
        wait = float(retry_after) if retry_after is not None else 60.0
        installation.quiet_until = max(installation.quiet_until, self.clock() + wait)
        self.refused[f"{why} {refusal.status_code}"] += 1
        return refusal

    def _violation(self, what: str) -> None:
        self.violations.append(what)

    def _with_budget(self, installation: Installation, response: httpx.Response) -> httpx.Response:
        response.headers.setdefault("x-ratelimit-limit", str(self.budget))
        response.headers.setdefault(
            "x-ratelimit-remaining", str(max(self.budget - installation.used, 0))
        )
        response.headers["x-ratelimit-reset"] = str(int(installation.window_reset))
        response.headers["x-ratelimit-used"] = str(installation.used)
        response.headers["x-ratelimit-resource"] = "core"
        return response

    # -- who is asking

    def _token(self, installation_id: int) -> httpx.Response:
        with self.lock:
            self.installations.setdefault(
                installation_id,
                Installation(installation_id, self.clock() + self.window_seconds),
            )
        return httpx.Response(
            201,
            json={"token": f"ghs_fake{installation_id}", "expires_at": "2099-01-01T00:00:00Z"},
        )

    def _installation(self, request: httpx.Request) -> Installation | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "token" or not token.startswith("ghs_fake"):
            return None
        return self.installations.get(int(token.removeprefix("ghs_fake")))

    # -- the API (called with the lock held)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        if self.api is not None:
            return self.api.handle_request(request)
        path = request.url.path
        if request.method == "GET" and (repository := _REPOSITORY.match(path)) is not None:
            full_name = f"{repository['owner']}/{repository['repo']}"
            return httpx.Response(
                200,
                json={
                    "id": abs(hash(full_name)) % 10**9,
                    "full_name": full_name,
                    "default_branch": "main",
                    "html_url": f"https://github.test/{full_name}",
                },
            )
        if (pulls := _PULLS.match(path)) is not None:
            full_name = f"{pulls['owner']}/{pulls['repo']}"
            opened = self.pulls.setdefault(full_name, [])
            if request.method == "GET":
                head = request.url.params.get("head", "").partition(":")[2]
                return httpx.Response(200, json=[pull for pull in opened if pull["head"] == head])
            if request.method == "POST":
                body = json.loads(request.content)
                if any(pull["head"] == body["head"] for pull in opened):
                    return httpx.Response(
                        422,
                        json={
                            "message": "Validation Failed",
                            "errors": [{"message": "A pull request already exists"}],
                        },
                    )
                number = len(opened) + 1
                opened.append(
                    {
                        "number": number,
                        "head": body["head"],
                        "title": body["title"],
                        "html_url": f"https://github.test/{full_name}/pull/{number}",
                    }
                )
                return httpx.Response(201, json=opened[-1])
        return httpx.Response(404, json={"message": "Not Found"})

    # -- for tests

    def write_gaps(self, installation_id: int) -> list[float]:
        """Seconds between one write of the installation reaching GitHub and the next."""
        moments = [moment for who, moment in self.write_attempts if who == installation_id]
        return [later - earlier for earlier, later in itertools.pairwise(moments)]


class AppTransport(httpx.BaseTransport):
    """An httpx transport answering from an ASGI app in this thread (Starlette's test client):
    a fake GitHub's API behind `RateLimitedGitHub`."""

    def __init__(self, app: Any) -> None:
        from starlette.testclient import TestClient

        self.client = TestClient(app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.client.request(
            request.method,
            request.url.raw_path.decode(),
            headers={"content-type": request.headers.get("content-type", "application/json")},
            content=request.read(),
        )
        return httpx.Response(
            answer.status_code,
            headers={"content-type": answer.headers.get("content-type", "application/json")},
            content=answer.content,
        )
