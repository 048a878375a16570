"""infra/scripts/plan_summary.py as every generated repository receives it: an executable,
standard-library-only Python 3.11 script whose Markdown shows any address verbatim. Its
behaviour is specified by the generated repository's own tests/test_plan_summary.py."""

from __future__ import annotations

import ast
import importlib.util
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from renderers.complete import Spec
from renderers.render import render
from renderers.resources import resource_dir

SCRIPT = "infra/scripts/plan_summary.py"


@pytest.fixture(scope="module")
def source(example_spec: Spec) -> str:
    return render(example_spec)[SCRIPT].content.decode("utf-8")


@pytest.fixture(scope="module")
def script() -> Iterator[ModuleType]:
    """The script as a module, for its pure functions (dataclasses need it in sys.modules
    while they are made)."""
    spec = importlib.util.spec_from_file_location(
        "plan_summary", resource_dir("template-repo") / SCRIPT
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def test_the_script_is_rendered_executable_with_a_python3_shebang(example_spec: Spec) -> None:
    script = render(example_spec)[SCRIPT]

    assert script.mode == 0o755
    assert script.content.startswith(b"#!/usr/bin/env python3\n")


def test_the_script_imports_only_the_standard_library(source: str) -> None:
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "a relative import needs a package around the script"
            imported.add(str(node.module).split(".")[0])

    assert imported - {"__future__"} <= sys.stdlib_module_names


def test_the_script_is_python_3_11(source: str) -> None:
    ast.parse(source, feature_version=(3, 11))


def test_the_scripts_tests_and_their_plans_are_rendered(example_spec: Spec) -> None:
    files = render(example_spec)

    assert {
        "tests/test_plan_summary.py",
        "tests/fixtures/plans/additions.json",
        "tests/fixtures/plans/rds-replacement.json",
        "tests/fixtures/plans/sensitive.json",
        "tests/fixtures/plans/no-changes.json",
        "tests/fixtures/plans/drift.json",
    } <= set(files)


def code_spans(markdown: str) -> list[str]:
    return sorted(
        child.content
        for token in MarkdownIt("commonmark").parse(markdown)
        if token.type == "inline"
        for child in token.children or []
        if child.type == "code_inline"
    )


@given(address=st.text(alphabet=st.characters(blacklist_categories=()), min_size=1))
@example(address="`")
@example(address=' this["x"] ')
@example(address='aws_s3_bucket.this["a``b"]')
@example(address='aws_s3_bucket.this["a\nb"]')
@example(address='aws_s3_bucket.this["\u202egpj.exe"]')
def test_any_address_is_one_code_span_that_shows_it(script: ModuleType, address: str) -> None:
    plan = {
        "format_version": "1.2",
        "planned_values": {},
        "resource_changes": [
            {
                "address": address,
                "mode": "managed",
                "type": "aws_s3_bucket",
                "change": {"actions": ["delete"]},
            }
        ],
    }

    markdown = script.markdown(
        script.summarize(plan, "dev", drift=False), max_chars=60_000, plan_url=None
    )

    shown = script.visible(address)
    # The heading and the warning name the environment; the warning and the list the address.
    assert code_spans(markdown) == sorted(["dev", "dev", shown, shown])
    markdown.encode("utf-8")  # no lone surrogate is left to print
    lines = markdown.splitlines()
    assert lines[0] == "<!-- sbh:plan:dev -->"
    assert lines[-1] == "<!-- /sbh:plan:dev -->"
    assert [line for line in lines if line.startswith("- ")] == [f"- {script.code(address)}"]
