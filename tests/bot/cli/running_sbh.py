"""Running the `sbh` command line as a subprocess, the two ways the tests need: as an operator
runs it in production, with nothing but DATABASE_URL (the service's secrets absent), or as a
person runs it on their own machine, in this process's environment and a directory of theirs.
Both capture what `sbh` prints; `assert_no_traceback` checks that it shows no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT


def sbh_in_production(
    *arguments: str, database_url: str, **settings: str
) -> subprocess.CompletedProcess[str]:
    """`sbh ARGUMENTS` in production with only the database configured, stdout piped."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={
            "PATH": os.environ["PATH"],
            "SBH_ENV": "production",
            "DATABASE_URL": database_url,
            **settings,
        },
        timeout=60,
    )


def sbh_locally(*arguments: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`sbh ARGUMENTS` as a person runs it: this process's environment, in `cwd`, stdout piped."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr + result.stdout
