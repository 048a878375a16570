"""The shape of bot/ as rules the code is held to: arrows point down (api → flows → jobs →
deploys, intake, ai → db → ports), SDKs and HTTP clients only in bot/adapters/, and the
webhook handlers never import one another (what they share is in `bot.flows.outcomes`).
Tests likewise share code through plain modules (`tests/bot/events.py`, ...), never by
importing another test module."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

BOT = REPO_ROOT / "bot"
TESTS = REPO_ROOT / "tests"

# Higher may import lower or equal, never the other way round. Adapters are the edge: only
# the composition (wiring, app) and the command line choose them.
LAYERS = {
    "ports": 0,
    "logs": 0,
    "settings": 0,
    "db": 1,
    "ai": 2,
    "intake": 2,
    "deploys": 2,
    "jobs": 3,
    "flows": 4,
    "adapters": 5,
    "api": 6,
    "wiring": 7,
    "app": 8,
    "cli": 9,
    "__main__": 9,
}
SDKS = frozenset({"githubkit", "openai", "boto3", "botocore", "httpx", "httpx2", "requests"})
HANDLERS = frozenset(
    {
        "commands",
        "spec_issues",
        "pushed_specs",
        "deploy_events",
        "infra_events",
        "installations",
        "web_builds",
        "fleet_events",
    }
)


def modules() -> list[Path]:
    return sorted(path for path in BOT.rglob("*.py") if "migrations" not in path.parts)


def top_part(path: Path) -> str:
    relative = path.relative_to(BOT)
    return relative.parts[0].removesuffix(".py")


def imported_modules(path: Path) -> Iterator[str]:
    """Every module `path` imports, at the top or inside a function; a relative import as the
    absolute name it stands for, so that `from . import x` cannot slip past a rule."""
    package = path.relative_to(REPO_ROOT).parent.parts
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def test_every_part_of_bot_has_a_layer() -> None:
    parts = {top_part(path) for path in modules()} - {"__init__"}

    assert parts <= set(LAYERS), f"give {sorted(parts - set(LAYERS))} a layer in LAYERS"


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_imports_point_down(path: Path) -> None:
    here = top_part(path)
    if here == "__init__":
        return
    upward = sorted(
        {
            name
            for name in imported_modules(path)
            if name.startswith("bot.")
            and name.split(".")[1] in LAYERS
            and LAYERS[name.split(".")[1]] > LAYERS[here]
        }
    )

    assert upward == [], f"bot/{here} (layer {LAYERS[here]}) imports from above: {upward}"


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_only_adapters_import_sdks_and_http_clients(path: Path) -> None:
    if top_part(path) == "adapters":
        return
    sdks = sorted({name for name in imported_modules(path) if name.split(".")[0] in SDKS})

    assert sdks == [], f"{path.relative_to(REPO_ROOT)} imports {sdks}: put it behind a port"


def test_webhook_handlers_do_not_import_one_another() -> None:
    for name in HANDLERS:
        path = BOT / "flows" / f"{name}.py"
        others = {
            module
            for module in imported_modules(path)
            if module.startswith("bot.flows.") and module.split(".")[2] in HANDLERS - {name}
        }

        assert others == set(), f"bot/flows/{name}.py imports the handlers {sorted(others)}"


def borrowed_from_test_modules(path: Path) -> list[str]:
    """The test modules under tests/, and the names in them, that `path` imports."""
    return sorted(
        name
        for name in set(imported_modules(path))
        if name.startswith("tests.") and any(part.startswith("test_") for part in name.split("."))
    )


def test_tests_share_code_through_plain_modules_never_through_a_test_module() -> None:
    # A test module holds the tests of one thing and changes with them. Importing from one ties
    # another test file to it and loads all it sets up, and pytest collects and runs again any
    # test it hands over. What tests share goes in a plain module beside them, named for what
    # it holds (tests/bot/events.py, tests/renderers/checking.py, ...).
    borrowed = {
        str(path.relative_to(REPO_ROOT)): borrowed_from_test_modules(path)
        for path in sorted(TESTS.rglob("*.py"))
    }

    offenders = {path: names for path, names in borrowed.items() if names}
    assert offenders == {}, f"put what these share in a plain module: {offenders}"
