"""Keep the Inputs and Outputs tables of every `infra/modules/*/README.md` in sync with the
module's `variables.tf` and `outputs.tf` (like terraform-docs, which no registry here ships).

    python scripts/module_readmes.py          # rewrite the tables
    python scripts/module_readmes.py --check  # exit 1 if any README is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import hcl2

MODULES = Path(__file__).resolve().parent.parent / "infra" / "modules"
BEGIN, END = "<!-- BEGIN GENERATED: inputs and outputs -->", "<!-- END GENERATED -->"


def _load(path: Path) -> dict[str, object]:
    with path.open(encoding="utf-8") as handle:
        options = hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False)
        parsed: dict[str, object] = hcl2.load(handle, serialization_options=options)
    return parsed


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def tables(module: Path) -> str:
    lines = [
        BEGIN,
        "",
        "## Inputs",
        "",
        "| name | type | default | description |",
        "|---|---|---|---|",
    ]
    for block in _load(module / "variables.tf").get("variable", []):  # type: ignore[union-attr]
        for name, body in block.items():
            default = f"`{_cell(json.dumps(body['default']))}`" if "default" in body else "required"
            kind = _cell(body.get("type", "any")).removeprefix("${").removesuffix("}")
            lines.append(
                f"| `{name}` | `{kind}` | {default} | {_cell(body.get('description', ''))} |"
            )
    lines += ["", "## Outputs", "", "| name | description |", "|---|---|"]
    for block in _load(module / "outputs.tf").get("output", []):  # type: ignore[union-attr]
        for name, body in block.items():
            lines.append(f"| `{name}` | {_cell(body.get('description', ''))} |")
    return "\n".join([*lines, "", END]) + "\n"


def updated(readme: str, generated: str) -> str:
    if BEGIN in readme and END in readme:
        head, rest = readme.split(BEGIN, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        return head + generated + tail
    return readme.rstrip("\n") + "\n\n" + generated


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="report stale READMEs, change nothing")
    arguments = parser.parse_args()
    stale = []
    for module in sorted(path for path in MODULES.iterdir() if path.is_dir()):
        readme = module / "README.md"
        current = readme.read_text(encoding="utf-8") if readme.exists() else f"# {module.name}\n"
        wanted = updated(current, tables(module))
        if wanted != current:
            stale.append(readme)
            if not arguments.check:
                readme.write_text(wanted, encoding="utf-8")
    if arguments.check and stale:
        print("out of date (run python scripts/module_readmes.py):", *map(str, stale), sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
