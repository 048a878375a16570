"""Where the generated repository's sources live: inside the wheel, or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent

# Wheel path (see pyproject's force-include) -> path in a source checkout.
_RESOURCES = {
    "template-repo": "template-repo",
    "template-system": "template-system",
    "infra-modules": "infra/modules",
}


def resource_dir(name: str) -> Path:
    """The directory of a bundled resource (`template-repo`, `template-system`, `infra-modules`)."""
    bundled = _PACKAGE / "_bundled" / name
    if bundled.is_dir():
        return bundled
    checkout = _CHECKOUT / _RESOURCES[name]
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"SBH's {name} is missing (looked in {bundled} and {checkout}); reinstall the package"
    )
