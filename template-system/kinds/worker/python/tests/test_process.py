"""The container's command, `python -m app`: it consumes QUEUE_URL and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import LocalQueue, messages_in

SERVICE = Path(__file__).resolve().parents[1]


def start_worker(environ: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "app"],
        cwd=SERVICE,
        env={**os.environ, "APP_ENV": "test", **environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_the_worker_handles_a_message_and_stops_on_sigterm(
    sqs: Any, make_queue: Callable[..., LocalQueue]
) -> None:
    queue = make_queue()
    sqs.send_message(QueueUrl=queue.url, MessageBody='{"order": 42}')
    worker = start_worker({"QUEUE_URL": queue.url, "RECEIVE_WAIT_SECONDS": "1"})
    try:
        deadline = time.monotonic() + 30
        while messages_in(sqs, queue.url) and time.monotonic() < deadline:
            assert worker.poll() is None, worker.communicate()[0]
            time.sleep(0.2)
        assert messages_in(sqs, queue.url) == 0
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=15)[0]

    assert worker.returncode == 0, output
    assert "handled message" in output


def test_without_a_queue_the_worker_refuses_to_start() -> None:
    environ = {name: value for name, value in os.environ.items() if name != "QUEUE_URL"}
    worker = subprocess.run(
        [sys.executable, "-m", "app"],
        cwd=SERVICE,
        env=environ,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert worker.returncode == 2
    assert "QUEUE_URL is not set" in worker.stderr
