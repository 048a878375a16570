"""`.github/sbh.yml` in the repository where specs are written (the hub): how SBH behaves
there. Pure parsing; a missing or broken file means the defaults.

    auto_build: true          # both below
    auto_build:
      push: true              # a pushed spec.yaml / specs/*.yaml is built (default: true)
      issues: false           # a spec issue is built, not only planned (default: false)
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

PATH = ".github/sbh.yml"


@dataclass(frozen=True)
class HubSettings:
    auto_build_push: bool = True
    auto_build_issues: bool = False


def parse_hub_settings(text: str | None) -> HubSettings:
    defaults = HubSettings()
    if not text:
        return defaults
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        return defaults
    value = loaded.get("auto_build") if isinstance(loaded, dict) else None
    if isinstance(value, bool):
        return HubSettings(auto_build_push=value, auto_build_issues=value)
    if isinstance(value, dict):
        push, issues = value.get("push"), value.get("issues")
        return HubSettings(
            auto_build_push=push if isinstance(push, bool) else defaults.auto_build_push,
            auto_build_issues=issues if isinstance(issues, bool) else defaults.auto_build_issues,
        )
    return defaults
