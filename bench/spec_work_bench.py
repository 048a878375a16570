"""What checking a spec in a worker process costs: the demo spec read and rendered in this
process and through `SpecWorkPool` (a round trip over a pipe), and `POST /api/specs/validate`
answered by the service (target: validating the demo spec stays under 50 ms).

Also the cost of refusing the attacker's text (brackets nested 30,000 deep), which PyYAML
alone spent minutes on."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from bench.common import summarize_seconds, write_result
from bot.app import create_app
from bot.db.database import Database
from bot.jobs.spec_work import SpecWorkPool
from bot.settings import Settings
from renderers.from_text import rendered_spec
from renderers.problems import SpecError
from renderers.spec import load_spec

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "orders-api.yaml"
HOSTILE = "[" * 30_000
RUNS = 100
TARGET_VALIDATE_S = 0.05


def median_ms(call: Callable[[], object]) -> float:
    call()  # a warm process and warm caches: the steady state is measured
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return summarize_seconds(samples)["median_s"] * 1000


def refused(text: str) -> None:
    try:
        load_spec(text, "spec.yaml")
    except SpecError:
        return
    raise AssertionError("the hostile text was read")


def main() -> None:
    text = EXAMPLE.read_text()
    settings = Settings.model_validate({"SBH_ENV": "development", "SBH_AUTO_MIGRATE": "true"})
    with SpecWorkPool(settings.spec_timeout_seconds) as pool:
        read_here = median_ms(lambda: load_spec(text, "spec.yaml"))
        read_in_pool = median_ms(lambda: pool.run(load_spec, text, "spec.yaml"))
        render_here = median_ms(lambda: rendered_spec(text, "spec.yaml"))
        render_in_pool = median_ms(lambda: pool.run(rendered_spec, text, "spec.yaml"))
    app = create_app(settings, database=Database("sqlite://"), run_worker=False)
    with TestClient(app) as client:
        client.headers["X-CSRF-Token"] = client.get("/api/session").json()["csrf_token"]
        validate = median_ms(lambda: client.post("/api/specs/validate", json={"spec": text}))
    hostile = median_ms(lambda: refused(HOSTILE))
    result = {
        "what": "examples/orders-api.yaml in this process and through SpecWorkPool; "
        "POST /api/specs/validate through the ASGI app; the 30,000-deep brackets refused",
        "runs": RUNS,
        "read_in_process_ms": read_here,
        "read_in_pool_ms": read_in_pool,
        "render_in_process_ms": render_here,
        "render_in_pool_ms": render_in_pool,
        "validate_request_ms": validate,
        "hostile_refused_ms": hostile,
        "target_validate_ms": TARGET_VALIDATE_S * 1000,
        "meets_target": validate < TARGET_VALIDATE_S * 1000,
    }
    path = write_result("spec_work", result)
    print(
        f"spec work: read {read_here:.1f} ms here, {read_in_pool:.1f} ms through the pool; "
        f"render {render_here:.1f} / {render_in_pool:.1f} ms"
    )
    print(f"  validate request {validate:.1f} ms; 30,000-deep brackets refused in {hostile:.2f} ms")
    print(f"  -> {path}")


if __name__ == "__main__":
    main()
