"""The worker process: consume QUEUE_URL until ECS stops the task (SIGTERM), then exit 0."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import boto3

from app.consumer import Consumer
from app.logs import configure_logging
from app.settings import load_settings

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_NOT_CONFIGURED = 2


def main() -> int:
    settings = load_settings()
    configure_logging(settings.log_level)
    if not settings.queue_url:
        logger.error("QUEUE_URL is not set: there is no queue to consume")
        return EXIT_NOT_CONFIGURED
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        logger.info("%s: finishing the current batch, then stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    consumer = Consumer(
        boto3.client("sqs"), settings.queue_url, wait_seconds=settings.receive_wait_seconds
    )
    logger.info("%s consuming %s", settings.app_name, settings.queue_url)
    consumer.run(stop)
    logger.info("%s stopped", settings.app_name)
    return EXIT_OK
