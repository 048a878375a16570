"""Median time of load -> complete -> render for the example spec (target: under 0.5 s).

The first run is reported apart: it includes reading the template tree from disk."""

from __future__ import annotations

import time
from pathlib import Path

from bench.common import summarize_seconds, write_result
from renderers.complete import complete_defaults
from renderers.render import render
from renderers.spec import load_spec

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "orders-api.yaml"
RUNS = 50
TARGET_S = 0.5


def build_once(text: str) -> int:
    files = render(complete_defaults(load_spec(text, EXAMPLE.name)))
    return len(files)


def main() -> None:
    text = EXAMPLE.read_text()
    started = time.perf_counter()
    file_count = build_once(text)
    first_s = time.perf_counter() - started
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        build_once(text)
        samples.append(time.perf_counter() - started)
    summary = summarize_seconds(samples)
    path = write_result(
        "render",
        {
            "what": "load_spec -> complete_defaults -> render, examples/orders-api.yaml",
            "runs": RUNS,
            "files": file_count,
            "first_run_s": first_s,
            **summary,
            "target_median_s": TARGET_S,
            "meets_target": summary["median_s"] < TARGET_S,
        },
    )
    median_ms, p90_ms = summary["median_s"] * 1000, summary["p90_s"] * 1000
    print(f"render: median {median_ms:.1f} ms, p90 {p90_ms:.1f} ms, first {first_s * 1000:.1f} ms")
    print(f"  over {RUNS} runs of {file_count} files -> {path}")


if __name__ == "__main__":
    main()
