"""`sbh` starts fast because a command loads only what it uses: registering the commands and
running the offline ones never imports an SDK, the web framework or the database layer.
(What this buys in seconds is measured by `bench/cli_bench.py`, not asserted here.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_SPEC, REPO_ROOT

# What only `serve`, `worker`, the operator commands, `check` and `complete --ai` need.
HEAVY = frozenset(
    {
        "alembic",
        "boto3",
        "botocore",
        "fastapi",
        "githubkit",
        "hcl2",
        "httpx",
        "lark",
        "openai",
        "pydantic_settings",
        "rich",
        "sqlalchemy",
        "starlette",
        "uvicorn",
    }
)

# Runs `sbh ARGUMENTS...` in this interpreter as the console script would, then writes the
# top-level packages it imported to the file named by the first argument.
RUN_AND_LIST_IMPORTS = """
import json, runpy, sys
listing, sys.argv, code = sys.argv[1], ["sbh", *sys.argv[2:]], 0
try:
    runpy.run_module("bot", run_name="__main__")
except SystemExit as exit:
    code = exit.code
with open(listing, "w") as handle:
    json.dump({"exit": code, "modules": sorted({name.split(".")[0] for name in sys.modules})}, handle)
"""


def heavy_imports_of(*arguments: str, tmp_path: Path) -> tuple[object, list[str]]:
    listing = tmp_path / "imports.json"
    subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_IMPORTS, str(listing), *arguments],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
        timeout=60,
    )
    result = json.loads(listing.read_text())
    return result["exit"], sorted(HEAVY.intersection(result["modules"]))


def test_registering_every_command_imports_nothing_heavy() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys; from bot.cli import app; "
            "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    assert HEAVY.isdisjoint(json.loads(result.stdout))


@pytest.mark.parametrize(
    "arguments",
    [
        ("--version",),
        ("--help",),
        ("validate", str(EXAMPLE_SPEC)),
        ("complete", str(EXAMPLE_SPEC)),
        ("schema",),
        ("cost", str(EXAMPLE_SPEC)),
    ],
    ids=lambda arguments: arguments[0].strip("-"),
)
def test_offline_commands_run_without_importing_anything_heavy(
    arguments: tuple[str, ...], tmp_path: Path
) -> None:
    exit_code, heavy = heavy_imports_of(*arguments, tmp_path=tmp_path)

    assert exit_code == 0
    assert heavy == []


def test_build_runs_without_importing_anything_heavy(tmp_path: Path) -> None:
    out = tmp_path / "orders-api"

    exit_code, heavy = heavy_imports_of(
        "build", str(EXAMPLE_SPEC), "--out", str(out), tmp_path=tmp_path
    )

    assert exit_code == 0
    assert (out / "sbh.yaml").is_file()
    assert heavy == []
