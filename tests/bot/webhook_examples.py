"""GitHub's published example payloads (npm `@octokit/webhooks-examples`), installed into the
gitignored `.tools/` on first use."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO_ROOT

PACKAGE = "@octokit/webhooks-examples"
VERSION = "7.6.1"  # 58 events, 329 examples for api.github.com
TOOLS = REPO_ROOT / ".tools" / "webhooks-examples"
INDEX = TOOLS / "node_modules" / "@octokit" / "webhooks-examples" / "api.github.com" / "index.json"


@dataclass(frozen=True)
class Example:
    event: str
    index: int
    body: bytes

    @property
    def id(self) -> str:
        return f"{self.event}-{self.index}"


def install() -> Path:
    if not INDEX.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed to fetch GitHub's webhook examples (install Node.js)")
        TOOLS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                npm,
                "install",
                "--no-audit",
                "--no-fund",
                "--silent",
                "--prefix",
                str(TOOLS),
                f"{PACKAGE}@{VERSION}",
            ],
            check=True,
            timeout=300,
        )
    return INDEX


def load_examples() -> list[Example]:
    events = json.loads(install().read_text())
    return [
        Example(event["name"], index, json.dumps(example).encode())
        for event in events
        for index, example in enumerate(event["examples"])
    ]
