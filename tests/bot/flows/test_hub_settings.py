"""`.github/sbh.yml` of the hub: auto-build of pushed specs on, of issues off, by default."""

from __future__ import annotations

import pytest

from bot.flows.hub_settings import HubSettings, parse_hub_settings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, HubSettings(auto_build_push=True, auto_build_issues=False)),
        ("", HubSettings(True, False)),
        ("auto_build: false\n", HubSettings(False, False)),
        ("auto_build: true\n", HubSettings(True, True)),
        ("auto_build: {issues: true}\n", HubSettings(True, True)),
        ("auto_build: {push: false}\n", HubSettings(False, False)),
        ("auto_build: {push: 'no'}\n", HubSettings(True, False)),
        ("[not, a, mapping]\n", HubSettings(True, False)),
        ("auto_build: [\n", HubSettings(True, False)),
    ],
)
def test_hub_settings(text: str | None, expected: HubSettings) -> None:
    assert parse_hub_settings(text) == expected
