from __future__ import annotations

from pathlib import Path

import pytest

from renderers.complete import Spec, complete_defaults
from renderers.spec import load_spec

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_SPEC = REPO_ROOT / "examples" / "orders-api.yaml"
# What an attacker sent (60 KB): PyYAML alone spends minutes on it, or recurses until Python
# gives up.
DEEP_BRACKETS = "[" * 30_000
# The slowest text found within every limit of `renderers.yaml_source` (64 KB, nesting 32):
# 32,600 list items 31 levels deep take about 2.5 s to read, ten times a test's time limit.
SLOW_SPEC = "apiVersion: sbh/v1\nsecrets: " + "[" * 31 + "A," * 32_600 + "]" * 31 + "\n"


@pytest.fixture(scope="session")
def example_spec_text() -> str:
    return EXAMPLE_SPEC.read_text()


@pytest.fixture(scope="session")
def example_spec(example_spec_text: str) -> Spec:
    return complete_defaults(load_spec(example_spec_text, "orders-api.yaml"))
