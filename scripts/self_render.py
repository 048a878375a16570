"""Render SBH's own deployment from `deploy/sbh.yaml` with the templates every generated
system gets: `infra/envs/<env>/`, `infra/scripts/` and the build, deploy, infra and drift
workflows. (`infra/modules/` is already the source those templates copy.)

    python scripts/self_render.py          # write the files
    python scripts/self_render.py --check  # exit 1 if a committed file differs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from renderers.complete import complete_defaults
from renderers.render import File, render
from renderers.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "deploy" / "sbh.yaml"
PREFIXES = ("infra/envs/", "infra/scripts/")
WORKFLOWS = tuple(f".github/workflows/{name}.yml" for name in ("build", "deploy", "infra", "drift"))


def self_files() -> dict[str, File]:
    spec = complete_defaults(load_spec(SPEC.read_text(), "deploy/sbh.yaml"), "deploy/sbh.yaml")
    return {
        path: file
        for path, file in render(spec).items()
        if path.startswith(PREFIXES) or path in WORKFLOWS
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="report differences, write nothing")
    arguments = parser.parse_args()
    stale = []
    for relative, file in self_files().items():
        target = ROOT / relative
        if target.exists() and target.read_bytes() == file.content:
            continue
        stale.append(relative)
        if not arguments.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.content)
            target.chmod(file.mode)
    if arguments.check and stale:
        print("out of date (run make self-render):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
