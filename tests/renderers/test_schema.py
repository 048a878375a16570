"""The committed JSON Schema (`schema/sbh-spec.schema.json`) is what `sbh schema` prints, and
it accepts the example while rejecting what `load_spec` rejects."""

from __future__ import annotations

import json
import os

import jsonschema
import yaml

from renderers.spec import spec_json_schema
from tests.conftest import EXAMPLE_SPEC, REPO_ROOT

COMMITTED = REPO_ROOT / "schema" / "sbh-spec.schema.json"


def test_the_committed_schema_is_current() -> None:
    current = json.dumps(spec_json_schema(), indent=2, sort_keys=True) + "\n"
    if os.environ.get("SBH_UPDATE_GOLDEN"):
        COMMITTED.write_text(current)

    assert COMMITTED.read_text() == current, "run `make golden` and commit schema/"


def test_the_example_spec_satisfies_the_schema() -> None:
    jsonschema.validate(yaml.safe_load(EXAMPLE_SPEC.read_text()), spec_json_schema())


def test_the_schema_rejects_what_load_spec_rejects() -> None:
    validator = jsonschema.Draft202012Validator(spec_json_schema())
    mistakes = [
        ("environments", "dev", "regoin"),
        ("environments", "prod", "aws_account_id"),
        ("name",),
        ("service", "cpu"),
    ]
    values = ["us-west-2", "123", "Bad--name", 300]

    for path, value in zip(mistakes, values, strict=True):
        spec = yaml.safe_load(EXAMPLE_SPEC.read_text())
        target = spec
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

        assert not validator.is_valid(spec), f"the schema accepted {'.'.join(path)} = {value!r}"
