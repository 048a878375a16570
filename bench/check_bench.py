"""Time to render one spec into a repository and check it with every validator, per validator.

Three runs of examples/orders-api.yaml; the median per validator is reported, plus the
render-and-write time and the whole. Validators come from SBH_TOOLS_BIN / .venv-tools
(`make tools`); a validator that is not installed is reported as skipped, not timed.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.common import write_result
from bot.flows.local_repository import write_repository
from renderers.checks import check_repository
from renderers.complete import complete_defaults
from renderers.render import render
from renderers.spec import load_spec

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "orders-api.yaml"
RUNS = 3


def main() -> None:
    text = EXAMPLE.read_text()
    render_samples: list[float] = []
    total_samples: list[float] = []
    per_validator: dict[str, list[float]] = {}
    statuses: dict[str, str] = {}
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as scratch:
            started = time.perf_counter()
            files = render(complete_defaults(load_spec(text, EXAMPLE.name)))
            write_repository(files, Path(scratch) / "repo", force=False, message="bench")
            rendered = time.perf_counter()
            report = check_repository(Path(scratch) / "repo")
            finished = time.perf_counter()
        render_samples.append(rendered - started)
        total_samples.append(finished - started)
        for result in report.results:
            statuses[result.validator] = result.status
            if result.status != "skipped":
                per_validator.setdefault(result.validator, []).append(result.seconds)
    validators = {
        name: {"status": statuses[name], "median_s": round(statistics.median(samples), 3)}
        for name, samples in per_validator.items()
    }
    validators.update(
        {name: {"status": "skipped"} for name, status in statuses.items() if status == "skipped"}
    )
    path = write_result(
        "check",
        {
            "what": "render + write + `sbh check` of examples/orders-api.yaml, median of runs",
            "runs": RUNS,
            "render_and_write_median_s": round(statistics.median(render_samples), 3),
            "total_median_s": round(statistics.median(total_samples), 3),
            "validators": validators,
        },
    )
    slowest = sorted(per_validator, key=lambda name: -statistics.median(per_validator[name]))
    print(
        f"render+check: median {statistics.median(total_samples):.2f} s "
        f"(render+write {statistics.median(render_samples) * 1000:.0f} ms)"
    )
    for name in slowest:
        print(f"  {name:<22} {statistics.median(per_validator[name]):6.2f} s")
    for name, status in statuses.items():
        if status == "skipped":
            print(f"  {name:<22} skipped")
    print(f"-> {path}")


if __name__ == "__main__":
    main()
