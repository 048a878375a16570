"""Golden snapshot of the rendered demo. Review changes to it like code; regenerate with
`make golden` (SBH_UPDATE_GOLDEN=1)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from renderers.complete import Spec
from renderers.render import render

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "orders-api.txt"
# The template version carries a hash of the templates; the snapshot shows the files instead.
_VERSION_HASH = re.compile(r"\+[0-9a-f]{12}")


def snapshot(spec: Spec) -> str:
    sections = []
    for path, file in render(spec).items():
        text = _VERSION_HASH.sub("+TEMPLATEHASH", file.content.decode("utf-8"))
        sections.append(f"===== {path} ({file.mode:o}) =====\n{text}")
    return "".join(section if section.endswith("\n") else section + "\n" for section in sections)


def test_the_rendered_demo_matches_its_golden_snapshot(example_spec: Spec) -> None:
    actual = snapshot(example_spec)
    if os.environ.get("SBH_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(actual)
    expected = GOLDEN.read_text() if GOLDEN.exists() else ""

    assert actual == expected, "rendered output changed: review it, then run `make golden`"
