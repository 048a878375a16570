"""The loop around `handle`: receive (long poll), handle each message, delete what was handled.

A message whose handler raised is left alone: SQS hands it out again after the visibility
timeout, and moves it to the dead-letter queue after the queue's maximum receive count.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from app.handler import Message, handle

logger = logging.getLogger(__name__)

# SQS hands out at most 10 messages per receive.
BATCH_SIZE = 10
# After a failed receive (network, throttling), wait this long before the next one.
RETRY_SECONDS = 5


@dataclass(frozen=True)
class Batch:
    handled: int = 0
    failed: int = 0


class Consumer:
    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        handler: Callable[[Message], None] = handle,
        *,
        wait_seconds: int = 20,
    ) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.handler = handler
        self.wait_seconds = wait_seconds

    def poll_once(self) -> Batch:
        """One receive (waiting up to `wait_seconds` for messages), then each message handled."""
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=BATCH_SIZE,
            WaitTimeSeconds=self.wait_seconds,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        )
        handled = failed = 0
        for received in response.get("Messages", []):
            message = Message(
                message_id=received["MessageId"],
                body=received["Body"],
                receive_count=int(received.get("Attributes", {}).get("ApproximateReceiveCount", 1)),
            )
            try:
                self.handler(message)
            except Exception:
                # Left on the queue: retried after the visibility timeout, then dead-lettered.
                logger.exception(
                    "message %s failed (receive %d)", message.message_id, message.receive_count
                )
                failed += 1
                continue
            self.sqs.delete_message(
                QueueUrl=self.queue_url, ReceiptHandle=received["ReceiptHandle"]
            )
            handled += 1
        return Batch(handled, failed)

    def run(self, stop: threading.Event) -> None:
        """Poll until `stop` is set; the batch in hand is finished first."""
        while not stop.is_set():
            try:
                self.poll_once()
            except (BotoCoreError, ClientError):
                logger.exception(
                    "receiving from %s failed; retrying in %d s", self.queue_url, RETRY_SECONDS
                )
                stop.wait(RETRY_SECONDS)
