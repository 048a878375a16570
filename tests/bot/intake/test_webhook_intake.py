"""Webhook intake over HTTP: authenticate, store before answering, never lose, never repeat."""

from __future__ import annotations

import codecs
import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.app import create_app
from bot.db.database import Database
from bot.db.migrate import upgrade_to_head
from bot.db.models import Delivery, Job
from bot.intake.router import Router, WebhookEvent
from bot.intake.signature import sign_sha1
from bot.jobs.context import HandlerContext
from bot.jobs.queue import JobQueue
from bot.jobs.spec_work import SpecWorkPool
from bot.jobs.worker import Worker
from bot.wiring import job_runners
from tests.bot.conftest import make_settings
from tests.bot.events import WEBHOOK_SECRET, signed_headers
from tests.bot.webhook_examples import load_examples

URL = "/api/github/webhooks"
INSTALLATION = json.dumps(
    {
        "action": "created",
        "installation": {"id": 42, "account": {"login": "acme", "id": 7, "type": "Organization"}},
    }
).encode()


def stored(database: Database) -> tuple[int, int]:
    with database.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Delivery)) or 0,
            session.scalar(select(func.count()).select_from(Job)) or 0,
        )


def test_a_signed_delivery_is_stored_queued_and_acknowledged(
    client: TestClient, database: Database
) -> None:
    response = client.post(
        URL, content=INSTALLATION, headers=signed_headers(INSTALLATION, "installation", "d-1")
    )

    assert response.status_code == 202
    assert response.json() == {"delivery_id": "d-1", "status": "queued"}
    with database.session() as session:
        delivery = session.get(Delivery, "d-1")
        assert delivery is not None
        assert (delivery.event, delivery.action, delivery.installation_id) == (
            "installation",
            "created",
            42,
        )
        assert delivery.body.encode() == INSTALLATION
        assert delivery.hook_id == "123"
        [job] = session.scalars(select(Job)).all()
        assert (job.kind, job.delivery_id, job.status) == ("delivery", "d-1", "pending")


def test_an_event_nobody_handles_is_stored_and_marked_ignored(
    client: TestClient, database: Database
) -> None:
    body = b'{"action": "created", "repository": {"id": 1, "full_name": "acme/x"}}'

    response = client.post(URL, content=body, headers=signed_headers(body, "star", "d-2"))

    assert response.status_code == 202
    assert response.json()["status"] == "ignored"
    with database.session() as session:
        delivery = session.get(Delivery, "d-2")
        assert delivery is not None
        assert (delivery.status, delivery.repository, delivery.repository_id) == (
            "ignored",
            "acme/x",
            1,
        )
    assert stored(database) == (1, 0)


def test_a_redelivery_is_a_no_op(client: TestClient, database: Database) -> None:
    headers = signed_headers(INSTALLATION, "installation", "same-id")

    first = client.post(URL, content=INSTALLATION, headers=headers)
    second = client.post(URL, content=INSTALLATION, headers=headers)

    assert (first.status_code, second.status_code) == (202, 200)
    assert second.json()["status"] == "duplicate"
    assert stored(database) == (1, 1)


def test_ping_answers_200(client: TestClient) -> None:
    body = b'{"zen": "Keep it logically awesome.", "hook_id": 1}'

    response = client.post(URL, content=body, headers=signed_headers(body, "ping"))

    assert response.status_code == 200
    assert response.json()["status"] == "pong"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("tampered body", 401),
        ("wrong secret", 401),
        ("no signature", 401),
        ("no event header", 400),
        ("no delivery header", 400),
        ("not json", 400),
        ("json array", 400),
    ],
)
def test_rejected_requests_store_nothing(
    client: TestClient, database: Database, change: str, expected: int
) -> None:
    body = INSTALLATION
    headers = signed_headers(body, "installation")
    if change == "tampered body":
        body = body.replace(b"acme", b"evil")
    elif change == "wrong secret":
        headers = signed_headers(body, "installation", secret="not the secret")
    elif change == "no signature":
        del headers["X-Hub-Signature-256"]
    elif change == "no event header":
        del headers["X-GitHub-Event"]
    elif change == "no delivery header":
        del headers["X-GitHub-Delivery"]
    elif change in ("not json", "json array"):
        body = b"{not json" if change == "not json" else b"[1, 2]"
        headers = signed_headers(body, "installation")

    response = client.post(URL, content=body, headers=headers)

    assert response.status_code == expected
    assert "error" in response.json()
    assert stored(database) == (0, 0)


def nested(depth: int) -> bytes:
    return b'{"action": "created", "deep": ' + b"[" * depth + b"]" * depth + b"}"


# What GitHub cannot have sent (it sends UTF-8 JSON without a byte order mark, made from
# Unicode text), and the reason each is refused.
REFUSED_BODIES = {
    "UTF-16": (INSTALLATION.decode().encode("utf-16"), "it has NUL bytes (UTF-16 or UTF-32?)"),
    "UTF-16 without a byte order mark": (
        INSTALLATION.decode().encode("utf-16-le"),
        "it has NUL bytes (UTF-16 or UTF-32?)",
    ),
    "UTF-32": (INSTALLATION.decode().encode("utf-32"), "it has NUL bytes (UTF-16 or UTF-32?)"),
    "UTF-32 without a byte order mark": (
        INSTALLATION.decode().encode("utf-32-le"),
        "it has NUL bytes (UTF-16 or UTF-32?)",
    ),
    "UTF-8 with a byte order mark": (
        codecs.BOM_UTF8 + INSTALLATION,
        "the body must be UTF-8 JSON without a byte order mark",
    ),
    "Latin-1": ('{"action": "créé"}'.encode("latin-1"), "byte 14 is not UTF-8"),
    "nested 100,000 deep": (nested(100_000), "the body's JSON is nested too deeply to read"),
    "nested 300,000 deep (parsed off the event loop)": (
        nested(300_000),
        "the body's JSON is nested too deeply to read",
    ),
    "NUL in the action": (
        b'{"action": "created\\u0000"}',
        "the payload's action holds a NUL character",
    ),
    "NUL in the repository's name": (
        b'{"action": "created", "repository": {"id": 1, "full_name": "acme/\\u0000"}}',
        "the payload's repository's full_name holds a NUL character",
    ),
    "NUL in the sender's login": (
        b'{"action": "created", "sender": {"login": "\\u0000"}}',
        "the payload's sender's login holds a NUL character",
    ),
    "a lone high surrogate escape": (
        b'{"action": "created", "issue": {"title": "\\ud83d alone"}}',
        "escapes half a surrogate pair",
    ),
    "a lone low surrogate escape in the action": (
        b'{"action": "\\udc00"}',
        "escapes half a surrogate pair",
    ),
    "a lone surrogate escape in a key": (b'{"\\uDFFF": 1}', "escapes half a surrogate pair"),
    "NaN": (b'{"action": "created", "count": NaN}', "NaN is not a JSON value"),
}


@pytest.mark.parametrize("kind", REFUSED_BODIES)
def test_a_signed_body_github_cannot_have_sent_is_400_with_the_reason_and_stores_nothing(
    client: TestClient, database: Database, kind: str
) -> None:
    body, reason = REFUSED_BODIES[kind]

    response = client.post(URL, content=body, headers=signed_headers(body, "installation"))

    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert stored(database) == (0, 0)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-GitHub-Delivery", "d-\x00"),
        ("X-GitHub-Event", "installation\x01"),
        ("X-GitHub-Hook-ID", "12\x7f"),
        ("X-GitHub-Hook-ID", "1" * 33),
    ],
)
def test_a_github_header_that_is_not_short_printable_ascii_is_400_and_stores_nothing(
    client: TestClient, database: Database, header: str, value: str
) -> None:
    headers = {**signed_headers(INSTALLATION, "installation"), header: value}

    response = client.post(URL, content=INSTALLATION, headers=headers)

    assert response.status_code == 400
    assert "printable ASCII" in response.json()["error"]
    assert stored(database) == (0, 0)


def test_user_text_with_nul_and_surrogate_pair_escapes_is_stored_and_its_job_reads_it(
    database: Database, spec_work: SpecWorkPool
) -> None:
    # Legal JSON GitHub may relay (a commit message, an issue body): the body is stored as
    # the text it came as, where each escape is plain characters either database keeps.
    body = (
        b'{"action": "opened", "installation": {"id": 9}, '
        b'"issue": {"body": "a\\u0000b \\ud83d\\ude00 \xc3\xbc"}}'
    )
    received: list[WebhookEvent] = []
    router: Router[HandlerContext] = Router()
    router.on("issues", "opened")(lambda event, _context: received.append(event))
    context = HandlerContext(
        settings=make_settings(), database=database, queue=JobQueue(database), spec_work=spec_work
    )

    with TestClient(create_app(make_settings(), database=database, router=router)) as handled:
        response = handled.post(URL, content=body, headers=signed_headers(body, "issues", "d-9"))
    worked = Worker(context, job_runners(router), "w").run_once()

    assert response.status_code == 202
    with database.session() as session:
        delivery = session.get(Delivery, "d-9")
        assert delivery is not None
        assert delivery.body.encode() == body
    assert worked
    [event] = received
    assert event.payload["issue"]["body"] == "a\x00b \U0001f600 ü"


def test_a_body_over_the_limit_is_413_and_stores_nothing(database: Database) -> None:
    settings = make_settings(SBH_MAX_WEBHOOK_BYTES=100)
    body = json.dumps({"action": "created", "pad": "x" * 200}).encode()

    with TestClient(create_app(settings, database=database)) as client:
        declared = client.post(URL, content=body, headers=signed_headers(body, "installation"))
        streamed = client.post(
            URL, content=iter([body[:50], body[50:]]), headers=signed_headers(body, "installation")
        )

    assert declared.status_code == 413
    assert streamed.status_code == 413
    assert stored(database) == (0, 0)


def test_legacy_sha1_signatures_only_when_configured(database: Database) -> None:
    headers = signed_headers(INSTALLATION, "installation", "legacy")
    del headers["X-Hub-Signature-256"]
    headers["X-Hub-Signature"] = sign_sha1(WEBHOOK_SECRET.encode(), INSTALLATION)

    with TestClient(create_app(make_settings(), database=database)) as strict:
        refused = strict.post(URL, content=INSTALLATION, headers=headers)
    with TestClient(
        create_app(make_settings(GITHUB_ACCEPT_SHA1_SIGNATURES="true"), database=database)
    ) as legacy:
        accepted = legacy.post(URL, content=INSTALLATION, headers=headers)

    assert (refused.status_code, accepted.status_code) == (401, 202)


def test_without_a_configured_secret_every_delivery_is_refused(database: Database) -> None:
    settings = make_settings(GITHUB_WEBHOOK_SECRET="")

    with TestClient(create_app(settings, database=database)) as client:
        response = client.post(
            URL, content=INSTALLATION, headers=signed_headers(INSTALLATION, "installation")
        )

    assert response.status_code == 401
    assert stored(database) == (0, 0)


@pytest.mark.slow
def test_every_published_github_example_is_accepted_and_stored(
    client: TestClient, database: Database
) -> None:
    examples = load_examples()
    assert len(examples) >= 300

    answers = {}
    for example in examples:
        response = client.post(
            URL,
            content=example.body,
            headers=signed_headers(example.body, example.event, example.id),
        )
        answers[example.id] = response.status_code

    assert {code for code in answers.values()} <= {200, 202}, {
        k: v for k, v in answers.items() if v not in (200, 202)
    }
    pings = sum(1 for example in examples if example.event == "ping")
    assert list(answers.values()).count(200) == pings
    with database.session() as session:
        ids = set(session.scalars(select(Delivery.id)).all())
    assert ids == {example.id for example in examples}


def test_the_webhook_url_takes_only_post(client: TestClient) -> None:
    response = client.get(URL)

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_when_storage_is_down_github_gets_a_503_to_redeliver_later(tmp_path: Path) -> None:
    # A database file inside a directory that is gone by the time the delivery arrives.
    folder = tmp_path / "gone"
    database = Database(f"sqlite:///{folder / 'sbh.db'}")
    upgrade_to_head(database)
    database.dispose()
    shutil.rmtree(folder)
    folder.touch()  # a file where the directory was: the database cannot be opened again

    with TestClient(create_app(make_settings(), database=database)) as client:
        response = client.post(
            URL, content=INSTALLATION, headers=signed_headers(INSTALLATION, "installation")
        )

    assert response.status_code == 503
    assert response.json() == {"error": "storage is unavailable; redeliver later"}
