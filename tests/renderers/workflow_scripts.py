"""The jobs of a rendered GitHub workflow, read and run as a runner would: a job's steps, a step
found by its name, a step's script run with bash (its GITHUB_OUTPUT read back), and git in a
scratch repository for the scripts that compare commits."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any


def steps(job: dict[Any, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = job["steps"]
    return found


def step_named(job: dict[Any, Any], prefix: str) -> dict[str, Any]:
    return next(step for step in steps(job) if str(step.get("name", "")).startswith(prefix))


def run_script(script: str, env: dict[str, str], cwd: Path) -> tuple[int, str, dict[str, str]]:
    output = cwd / "github-output"
    output.write_text("")
    process = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        env={**os.environ, "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": "/dev/null", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return process.returncode, process.stdout + process.stderr, outputs


def git(repository: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", *arguments], cwd=repository, capture_output=True, text=True, check=True
    ).stdout.strip()
