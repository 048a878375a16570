"""`sbh check` over every sbh/v2 fixture spec: each rendered system passes every validator —
the Terraform analysis, the security policy, service reach, the workflow linters, hadolint and
checkov — and every service's tests pass and it boots or runs as its kind allows."""

from __future__ import annotations

import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from renderers.checks import VALIDATORS, CheckReport
from tests.renderers.checking import MAY_BE_ABSENT, render_and_check, tools_or_skip

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted(
    [ROOT / "examples" / "shop.yaml", *(ROOT / "tests/fixtures/specs-v2").glob("*.yaml")]
)


# A service built from the person's own Dockerfile (runtime: container) cannot be linted before
# that Dockerfile is in the repository, nor built without a container engine: those parts are
# reported not run (the validator skipped), never passed, and are all a fresh render may skip.
_OWN_IMAGE_PART = re.compile(r"services/[a-z][a-z0-9-]* \(runtime: container\): \S")


def only_own_images_not_run(note: str) -> bool:
    parts = note.removeprefix("not run: ").split("; not run: ")
    return bool(note) and all(_OWN_IMAGE_PART.match(part) for part in parts)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CheckReport]:
    tools = tools_or_skip()
    root = tmp_path_factory.mktemp("checked-v2")
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(render_and_check, path, root, tools) for path in SPECS]
        return dict(future.result() for future in futures)


@pytest.mark.parametrize("spec_path", SPECS, ids=[path.stem for path in SPECS])
def test_every_v2_fixture_spec_renders_a_system_that_passes_every_validator(
    spec_path: Path, reports: dict[str, CheckReport]
) -> None:
    report = reports[spec_path.stem]

    failures = {r.validator: r.findings for r in report.results if r.status == "failed"}
    assert failures == {}
    skipped = {r.validator: r.note for r in report.results if r.status == "skipped"}
    unexplained = {
        validator: note
        for validator, note in skipped.items()
        if validator not in MAY_BE_ABSENT and not only_own_images_not_run(note)
    }
    assert unexplained == {}
    assert [r.validator for r in report.results] == list(VALIDATORS)


def test_the_v2_fixtures_cover_every_kind_alone_and_mixed() -> None:
    texts = {path.stem: path.read_text() for path in SPECS}
    for kind in ("web", "backend", "worker", "job", "static-site"):
        assert sum(f"kind: {kind}" in text for text in texts.values()) >= 2, kind
    assert sum("runtime: container" in text for text in texts.values()) >= 2
    assert len(SPECS) >= 8
