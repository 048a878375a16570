"""Webhook intake: authenticate, store the delivery and its job (one transaction), answer.

Nothing slow happens here — the work runs in the worker — so GitHub gets its answer in
milliseconds, and a delivery that was acknowledged is already durable.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi.concurrency import run_in_threadpool

from bot.intake.delivery_store import DeliveryRecord, DeliveryStore
from bot.intake.payload import UnacceptableDelivery, read_body
from bot.intake.router import Router
from bot.intake.signature import signature_is_valid
from bot.logs import log_event

log = logging.getLogger("sbh.intake")
MAX_DELIVERY_ID = 64
MAX_EVENT_NAME = 64
MAX_HOOK_ID = 32
INLINE_PARSE_BYTES = 256 * 1024


class IntakeActivity:
    """When deliveries are being taken in, so in-process workers can leave the CPU (and the
    GIL) to intake while GitHub waits for answers (see `bot.jobs.worker.Worker`).

    A delivery counts from the moment its signature is verified until its answer is ready: a
    request whose body is still arriving, or that nobody signed, is nobody's delivery yet,
    and must not hold up the workers (a client trickling a body would hold them for as long
    as it liked). `started`/`finished` run on the event loop thread only; worker threads
    only read/wait."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.in_flight = 0
        self.last_busy = clock()
        self._clock = clock
        self._idle = threading.Event()
        self._idle.set()

    def started(self) -> None:
        self.in_flight += 1
        self.last_busy = self._clock()
        if self.in_flight == 1:
            self._idle.clear()

    def finished(self) -> None:
        self.in_flight -= 1
        self.last_busy = self._clock()
        if self.in_flight == 0:
            self._idle.set()

    def wait_for_lull(self, lull_seconds: float, timeout: float) -> bool:
        """Block until no webhook has been in flight for `lull_seconds`, at most `timeout`
        seconds. True when there was a lull, False when the wait timed out.

        A lull, not merely "none in flight": under a burst, intake is idle for moments
        between answering one batch and reading the next, too short to start a job in."""
        deadline = self._clock() + timeout
        while True:
            remaining = deadline - self._clock()
            if remaining <= 0 or not self._idle.wait(remaining):
                return False
            quiet_for = self._clock() - self.last_busy
            if self.in_flight == 0 and quiet_for >= lull_seconds:
                return True
            time.sleep(min(max(lull_seconds - quiet_for, lull_seconds / 4), remaining))


@dataclass(frozen=True)
class IntakeResult:
    status_code: int
    body: dict[str, Any]


@dataclass(frozen=True)
class WebhookSecrets:
    secret: bytes
    accept_sha1: bool = False


class WebhookIntake:
    def __init__(
        self,
        store: DeliveryStore,
        router: Router[Any],
        secrets: WebhookSecrets,
        activity: IntakeActivity | None = None,
    ) -> None:
        self.store = store
        self.router = router
        self.secrets = secrets
        self.activity = activity or IntakeActivity()

    async def accept(self, headers: Mapping[str, str], body: bytes) -> IntakeResult:
        """Authenticate, check and store one delivery. Storage errors propagate (the route
        answers 503: the delivery was not acknowledged, so GitHub shows it as failed)."""
        if not self.secrets.secret:
            return IntakeResult(
                401, {"error": "the webhook secret is not configured on this server"}
            )
        if not signature_is_valid(
            self.secrets.secret,
            body,
            headers.get("x-hub-signature-256"),
            headers.get("x-hub-signature"),
            accept_sha1=self.secrets.accept_sha1,
        ):
            log_event(
                log,
                logging.WARNING,
                "delivery.bad_signature",
                delivery_id=headers.get("x-github-delivery"),
            )
            return IntakeResult(401, {"error": "missing or invalid X-Hub-Signature-256"})
        self.activity.started()
        try:
            return await self._take(headers, body)
        except UnacceptableDelivery as refusal:
            return IntakeResult(400, {"error": str(refusal)})
        finally:
            self.activity.finished()

    async def _take(self, headers: Mapping[str, str], body: bytes) -> IntakeResult:
        """Check and store a verified delivery; raises UnacceptableDelivery when it is not one
        GitHub could have sent."""
        event = headers.get("x-github-event", "")
        delivery_id = headers.get("x-github-delivery", "")
        hook_id = headers.get("x-github-hook-id")
        if not (_header_text(event, MAX_EVENT_NAME) and _header_text(delivery_id, MAX_DELIVERY_ID)):
            raise UnacceptableDelivery(
                "X-GitHub-Event and X-GitHub-Delivery are required: printable ASCII, "
                f"at most {MAX_DELIVERY_ID} characters"
            )
        if hook_id and not _header_text(hook_id, MAX_HOOK_ID):
            raise UnacceptableDelivery(
                f"X-GitHub-Hook-ID must be printable ASCII, at most {MAX_HOOK_ID} characters"
            )
        # Large payloads are parsed off the event loop so they don't stall other requests.
        text, payload = (
            read_body(body)
            if len(body) < INLINE_PARSE_BYTES
            else await run_in_threadpool(read_body, body)
        )
        record = self._record(event, delivery_id, hook_id, payload, text, body)
        # The store logs each committed batch; the request path does no log I/O on success.
        if not await self.store.store(record):
            return IntakeResult(200, {"delivery_id": delivery_id, "status": "duplicate"})
        if event == "ping":
            return IntakeResult(200, {"delivery_id": delivery_id, "status": "pong"})
        return IntakeResult(
            202, {"delivery_id": delivery_id, "status": "queued" if record.queued else "ignored"}
        )

    def _record(
        self,
        event: str,
        delivery_id: str,
        hook_id: str | None,
        payload: dict[str, Any],
        text: str,
        body: bytes,
    ) -> DeliveryRecord:
        action = _field("action", payload.get("action"), 64)
        repository = _mapping(payload.get("repository"))
        installation = _mapping(payload.get("installation"))
        return DeliveryRecord(
            id=delivery_id,
            event=event,
            action=action,
            hook_id=hook_id or None,
            installation_id=_integer(installation.get("id")),
            repository=_field("repository's full_name", repository.get("full_name"), 200),
            repository_id=_integer(repository.get("id")),
            sender=_field("sender's login", _mapping(payload.get("sender")).get("login"), 100),
            body=text,
            body_sha256=hashlib.sha256(body).hexdigest(),
            queued=event != "ping" and self.router.handles(event, action),
        )


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _header_text(value: str, limit: int) -> bool:
    """GitHub's event names, delivery and hook ids are short printable ASCII."""
    return 0 < len(value) <= limit and value.isascii() and value.isprintable()


def _field(name: str, value: object, limit: int) -> str | None:
    """A payload string copied into a column of its own. GitHub's action names, repository
    names and logins never hold NUL, which PostgreSQL's text cannot store: one that does is
    not from GitHub."""
    if not isinstance(value, str):
        return None
    if "\x00" in value:
        raise UnacceptableDelivery(f"the payload's {name} holds a NUL character; GitHub's never do")
    return value[:limit]


def _integer(value: object) -> int | None:
    """GitHub's ids fit a BIGINT column; anything else a payload claims is not an id."""
    if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63:
        return value
    return None
