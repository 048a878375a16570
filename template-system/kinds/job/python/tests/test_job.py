"""The job runs once: exit 0 when its work is done, non-zero when it fails or runs too long."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.job import EXIT_FAILED, EXIT_OK, EXIT_TIMED_OUT, main
from app.settings import Settings

SERVICE = Path(__file__).resolve().parents[1]


def test_a_run_that_does_its_work_exits_zero() -> None:
    done: list[str] = []

    assert main(lambda settings: done.append(settings.app_name), environ={}) == EXIT_OK
    assert len(done) == 1


def test_a_run_that_raises_exits_non_zero_and_logs_why(caplog: pytest.LogCaptureFixture) -> None:
    def fail(settings: Settings) -> None:
        raise RuntimeError("the upstream export is missing")

    assert main(fail, environ={}) == EXIT_FAILED
    assert "the upstream export is missing" in caplog.text


def test_a_run_longer_than_the_timeout_is_stopped() -> None:
    started = time.monotonic()

    status = main(lambda settings: time.sleep(10), environ={"JOB_TIMEOUT_SECONDS": "1"})

    assert status == EXIT_TIMED_OUT
    assert time.monotonic() - started < 5


def test_the_container_command_runs_the_job_once() -> None:
    job = subprocess.run(
        [sys.executable, "-m", "app"],
        cwd=SERVICE,
        env={**os.environ, "APP_ENV": "test", "JOB_TIMEOUT_SECONDS": "60"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert job.returncode == EXIT_OK, job.stderr
    assert "done" in job.stderr
