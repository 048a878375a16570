"""The committed JSON Schema (`schema/sbh-spec.schema.json`) is what `sbh schema` prints: either
version of the spec, chosen by `apiVersion`. It accepts the examples while rejecting what
`load_spec` rejects; a v1 repository's `.sbh/spec.schema.json` stays v1's own schema."""

from __future__ import annotations

import json
import os
from typing import Any

import jsonschema
import pytest
import yaml

from renderers.complete import Spec
from renderers.render import SCHEMA_PATH, render
from renderers.spec import spec_json_schema, spec_json_schema_any, spec_json_schema_v2
from tests.conftest import EXAMPLE_SPEC, REPO_ROOT

COMMITTED = REPO_ROOT / "schema" / "sbh-spec.schema.json"
SHOP = REPO_ROOT / "examples" / "shop.yaml"


def test_the_committed_schema_is_current() -> None:
    current = json.dumps(spec_json_schema_any(), indent=2, sort_keys=True) + "\n"
    if os.environ.get("SBH_UPDATE_GOLDEN"):
        COMMITTED.write_text(current)

    assert COMMITTED.read_text() == current, "run `make golden` and commit schema/"


def test_the_schemas_are_valid_json_schemas() -> None:
    for schema in (spec_json_schema(), spec_json_schema_v2(), spec_json_schema_any()):
        jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("example", [EXAMPLE_SPEC, SHOP], ids=lambda path: path.name)
def test_the_examples_satisfy_the_schema_sbh_prints(example: Any) -> None:
    jsonschema.validate(yaml.safe_load(example.read_text()), spec_json_schema_any())


def test_a_v1_repository_keeps_v1s_schema(example_spec: Spec) -> None:
    rendered = json.loads(render(example_spec)[SCHEMA_PATH].content)

    assert rendered == spec_json_schema()


def _with(example: Any, path: tuple[str, ...], value: object) -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(example.read_text())
    target = spec
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return spec


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("environments", "dev", "regoin"), "us-west-2"),
        (("environments", "prod", "aws_account_id"), "123"),
        (("name",), "Bad--name"),
        (("service", "cpu"), 300),
        (("apiVersion",), "sbh/v3"),
    ],
)
def test_the_schema_rejects_what_load_spec_rejects_in_v1(
    path: tuple[str, ...], value: object
) -> None:
    for schema in (spec_json_schema(), spec_json_schema_any()):
        validator = jsonschema.Draft202012Validator(schema)

        assert not validator.is_valid(_with(EXAMPLE_SPEC, path, value)), f"{path} = {value!r}"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("services", "api", "kind"), "webb"),
        (("services", "Api"), {"kind": "web"}),
        (("services", "a" * 32), {"kind": "backend"}),
        (("services",), {}),
        (("services", "api", "schedule"), "rate(1 hour)"),
        (("services", "api", "port"), 80),
        (("services", "api", "path"), "/api*"),
        (("services", "nightly", "schedule"), "every day"),
        (("services", "nightly", "timeout_minutes"), 0),
        (("services", "mailer", "max_count"), 101),
        (("services", "mailer", "queue", "visibility_timeout_seconds"), 5),
        (("services", "storefront", "cpu"), 256),
        (("services", "storefront", "source"), "../outside"),
        (("service",), {"port": 8000}),
        (("env",), {"LOG_LEVEL": "info"}),
        (("environments", "Dev"), {"aws_account_id": "111111111111", "domain": "a.io"}),
    ],
)
def test_the_schema_rejects_v2_mistakes(path: tuple[str, ...], value: object) -> None:
    spec = _with(SHOP, path, value)
    for schema in (spec_json_schema_v2(), spec_json_schema_any()):
        validator = jsonschema.Draft202012Validator(schema)

        assert not validator.is_valid(spec), f"{path} = {value!r}"
