"""Shared by the benchmarks: where results go and what machine produced them."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def venv_script(name: str) -> Path:
    """A console script of the virtualenv running the benchmark (`make bench` runs
    .venv/bin/python, so `sbh` is .venv/bin/sbh): what a user runs."""
    return Path(sys.executable).parent / name


def machine() -> dict[str, Any]:
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }


def summarize_seconds(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_s": statistics.median(ordered),
        "p90_s": ordered[int(0.9 * (len(ordered) - 1))],
        "min_s": ordered[0],
        "max_s": ordered[-1],
    }


def write_result(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    record = {
        "benchmark": name,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **result,
    }
    path.write_text(json.dumps(record, indent=2) + "\n")
    return path
