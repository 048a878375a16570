from __future__ import annotations

from pathlib import Path

import pytest

from renderers.complete import Spec, complete_defaults
from renderers.spec import load_spec

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_SPEC = REPO_ROOT / "examples" / "orders-api.yaml"


@pytest.fixture(scope="session")
def example_spec_text() -> str:
    return EXAMPLE_SPEC.read_text()


@pytest.fixture(scope="session")
def example_spec(example_spec_text: str) -> Spec:
    return complete_defaults(load_spec(example_spec_text, "orders-api.yaml"))
