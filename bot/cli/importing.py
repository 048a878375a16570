"""`sbh import copilot PATH`: an AWS Copilot workspace as an sbh/v2 spec, with a report of
what did not map. Offline; reads only the workspace's `copilot/` folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.console import err, fail, out

app = typer.Typer(help="Write an SBH spec from another tool's configuration.")

# A workspace is a few manifests; anything far bigger is not one.
MAX_FILES = 500
MAX_FILE_BYTES = 256 * 1024


def read_workspace(path: Path) -> dict[str, str]:
    """The files under `path`'s copilot/ folder as {relative path: text}. `path` may be the
    workspace (the directory holding copilot/) or the copilot/ folder itself."""
    root = path
    if not (root / "copilot").is_dir() and root.name == "copilot" and root.is_dir():
        root = root.parent
    folder = root / "copilot"
    if not folder.is_dir():
        fail(f"{path}: no copilot/ folder; give the directory of a Copilot workspace")
    files: dict[str, str] = {}
    for file in sorted(folder.rglob("*")):
        if not file.is_file() or file.is_symlink():
            continue
        if len(files) >= MAX_FILES:
            fail(f"{folder}: more than {MAX_FILES} files; is this a Copilot workspace?")
        relative = file.relative_to(root).as_posix()
        if file.stat().st_size > MAX_FILE_BYTES:
            files[relative] = ""  # known to exist (an addon, say); too large to read
            continue
        try:
            files[relative] = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            files[relative] = ""
    return files


@app.command("copilot")
def copilot(
    path: Annotated[
        Path, typer.Argument(help="The Copilot workspace (the directory holding copilot/).")
    ],
    out_file: Annotated[
        Path | None,
        typer.Option("--out", help="Write the spec here (the report goes to standard output)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the spec and the report as one JSON document.")
    ] = False,
) -> None:
    """Import an AWS Copilot workspace: write an sbh/v2 spec and report what did not map.

    Values Copilot does not know (AWS accounts, domains, the GitHub owner) are written as
    REPLACE-ME placeholders; `sbh validate` names each one until it is filled in. Without
    --out the spec goes to standard output and the report to standard error."""
    from renderers.copilot import (
        CopilotImportError,
        import_copilot,
        report_json,
        report_markdown,
        spec_yaml,
    )

    try:
        imported = import_copilot(read_workspace(path))
    except CopilotImportError as error:
        fail(f"{path}: {error}")
    command = f"sbh import copilot {path}"
    spec_text = spec_yaml(imported, command)
    if out_file is not None:
        try:
            out_file.write_text(spec_text, encoding="utf-8")
        except OSError as error:
            fail(f"{out_file}: cannot write: {error.strerror}")
    if as_json:
        out(json.dumps(report_json(imported), indent=2))
        return
    if out_file is None:
        out(spec_text, end="")
        err(report_markdown(imported).rstrip("\n"))
        return
    out(report_markdown(imported), end="")
    missing = len(imported.of("fill in"))
    out(
        f"\nWrote {out_file}"
        + (
            f"; fill in its {missing} REPLACE-ME value(s), then run sbh validate {out_file}"
            if missing
            else f"; run sbh validate {out_file}"
        )
    )
