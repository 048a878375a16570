"""`sbh check` in tests, for v1 and sbh/v2 fixture specs alike: the validators it runs (missing
ones fail a test in CI and with `make tools`, and skip it elsewhere), the one that may be
absent here, and a fixture spec rendered into a directory and checked there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.flows.local_repository import write_repository
from renderers.checks import CheckReport, Tools, check_repository
from renderers.complete import complete_defaults
from renderers.render import render
from renderers.spec import load_spec

# terraform has no reachable registry here; everything else comes from `make tools`.
MAY_BE_ABSENT = {"terraform-fmt"}


def tools_or_skip() -> Tools:
    tools = Tools.from_environment()
    missing = [
        name
        for name in (
            "actionlint",
            "hadolint",
            "checkov",
            "shellcheck",
            "check-jsonschema",
            "zizmor",
        )
        if tools.find(name) is None
    ]
    if missing:
        if os.environ.get("CI") or os.environ.get("SBH_TOOLS_BIN"):
            pytest.fail(f"validators missing: {', '.join(missing)} (make tools)")
        pytest.skip(f"validators missing: {', '.join(missing)}; run `make tools` (make test does)")
    return tools


def render_into(spec_path: Path, directory: Path) -> Path:
    spec = complete_defaults(load_spec(spec_path.read_text(), str(spec_path)), str(spec_path))
    write_repository(render(spec), directory, force=False, message="test")
    return directory


def render_and_check(spec_path: Path, root: Path, tools: Tools) -> tuple[str, CheckReport]:
    """At module level, so that a process pool can send it to its workers by name."""
    directory = render_into(spec_path, root / spec_path.stem)
    return spec_path.stem, check_repository(directory, tools=tools)
