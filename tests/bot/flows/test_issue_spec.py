"""The spec inside an issue body, and where its lines are in that body."""

from __future__ import annotations

from bot.flows.issue_spec import find_spec

SPEC = "apiVersion: sbh/v1\nname: orders-api\nowner: acme\n"


def test_the_first_yaml_block_with_the_api_version_is_the_spec() -> None:
    body = f"Please build this:\n\n```yaml\n{SPEC}```\n\nThanks"

    found = find_spec(body)

    assert found is not None
    assert found.text == SPEC
    assert found.first_line == 4
    assert found.body_line(2) == 5  # `name: orders-api` is on line 5 of the body


def test_other_code_blocks_are_skipped() -> None:
    body = f"```yaml\nkey: value\n```\n```python\nprint('apiVersion: sbh/v1')\n```\n~~~yml\n{SPEC}~~~\n"

    found = find_spec(body)

    assert found is not None
    assert found.text == SPEC
    assert found.first_line == 8


def test_windows_line_endings_and_an_unclosed_block_still_work() -> None:
    found = find_spec("intro\r\n```yaml\r\n" + SPEC.replace("\n", "\r\n"))

    assert found is not None
    assert found.text.startswith("apiVersion: sbh/v1\nname: orders-api")


def test_bodies_without_a_spec() -> None:
    assert find_spec(None) is None
    assert find_spec("") is None
    assert find_spec("apiVersion: sbh/v1 outside a block") is None
    assert find_spec("```yaml\napiVersion: sbh/v3\n```") is None
