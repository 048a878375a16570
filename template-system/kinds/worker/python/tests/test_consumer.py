"""receive -> handle -> delete, and the dead-letter path, against moto's SQS server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from app.consumer import Batch, Consumer
from app.handler import Message
from tests.conftest import LocalQueue, messages_in


def test_a_handled_message_is_deleted(sqs: Any, make_queue: Callable[..., LocalQueue]) -> None:
    queue = make_queue()
    sqs.send_message(QueueUrl=queue.url, MessageBody='{"order": 42}')

    batch = Consumer(sqs, queue.url, wait_seconds=1).poll_once()

    assert batch == Batch(handled=1, failed=0)
    assert messages_in(sqs, queue.url) == 0
    assert messages_in(sqs, queue.dead_letter_url) == 0


def test_the_handler_is_given_the_message(sqs: Any, make_queue: Callable[..., LocalQueue]) -> None:
    queue = make_queue()
    sent = sqs.send_message(QueueUrl=queue.url, MessageBody='{"order": 42}')
    seen: list[Message] = []

    Consumer(sqs, queue.url, seen.append, wait_seconds=1).poll_once()

    assert seen == [Message(message_id=sent["MessageId"], body='{"order": 42}', receive_count=1)]


def test_a_failed_message_stays_on_the_queue_for_another_try(
    sqs: Any, make_queue: Callable[..., LocalQueue]
) -> None:
    queue = make_queue(visibility_timeout_seconds=30)
    sqs.send_message(QueueUrl=queue.url, MessageBody="not json")

    batch = Consumer(sqs, queue.url, wait_seconds=1).poll_once()

    assert batch == Batch(handled=0, failed=1)
    assert messages_in(sqs, queue.url) == 1  # in flight until the visibility timeout ends


def test_a_message_that_keeps_failing_goes_to_the_dead_letter_queue(
    sqs: Any, make_queue: Callable[..., LocalQueue]
) -> None:
    queue = make_queue(max_receive_count=3, visibility_timeout_seconds=0)
    sqs.send_message(QueueUrl=queue.url, MessageBody="not json")
    consumer = Consumer(sqs, queue.url, wait_seconds=1)

    failures = [consumer.poll_once().failed for _ in range(queue.max_receive_count)]
    after = consumer.poll_once()  # the next receive finds it over the limit: SQS moves it

    assert failures == [1] * queue.max_receive_count
    assert after == Batch()
    assert messages_in(sqs, queue.url) == 0
    dead = sqs.receive_message(QueueUrl=queue.dead_letter_url, WaitTimeSeconds=1)["Messages"]
    assert [message["Body"] for message in dead] == ["not json"]


def test_each_retry_sees_its_receive_count(sqs: Any, make_queue: Callable[..., LocalQueue]) -> None:
    queue = make_queue(max_receive_count=3, visibility_timeout_seconds=0)
    sqs.send_message(QueueUrl=queue.url, MessageBody="{}")
    counts: list[int] = []

    def fail(message: Message) -> None:
        counts.append(message.receive_count)
        raise RuntimeError("not yet")

    consumer = Consumer(sqs, queue.url, fail, wait_seconds=1)
    for _ in range(queue.max_receive_count):
        consumer.poll_once()

    assert counts == [1, 2, 3]


def test_run_finishes_its_batch_and_returns_once_stopped(
    sqs: Any, make_queue: Callable[..., LocalQueue]
) -> None:
    queue = make_queue()
    sqs.send_message(QueueUrl=queue.url, MessageBody="{}")
    stop = threading.Event()

    def handle_then_stop(message: Message) -> None:
        stop.set()  # as SIGTERM would, while a message is being handled

    Consumer(sqs, queue.url, handle_then_stop, wait_seconds=1).run(stop)

    assert messages_in(sqs, queue.url) == 0
