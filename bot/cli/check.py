"""`sbh check DIR`: every validator on a rendered repository, one report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.console import EXIT_PROBLEMS, fail, out
from renderers.checks import VALIDATORS, check_repository

app = typer.Typer()

_MARKS = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip"}


@app.command()
def check(
    directory: Annotated[Path, typer.Argument(help="A repository rendered by `sbh build`.")],
    only: Annotated[
        str | None,
        typer.Option(help=f"Comma-separated validators to run ({', '.join(VALIDATORS)})."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Run actionlint, check-jsonschema, hadolint, shellcheck, checkov, terraform fmt, the
    Terraform reference and provider-schema checks, the security rules, the app's own tests
    and a boot of the app on DIR. Exits 1 when any validator fails."""
    if not (directory / "sbh.yaml").is_file():
        fail(f"{directory}: not a repository rendered by sbh (no sbh.yaml)")
    chosen = [name.strip() for name in only.split(",") if name.strip()] if only else None
    try:
        report = check_repository(directory.resolve(), only=chosen)
    except ValueError as error:
        fail(f"error: {error}")
    if as_json:
        out(json.dumps(report.as_json(), indent=2))
    else:
        for result in report.results:
            line = f"{_MARKS[result.status]} {result.validator:<22} {result.seconds:6.2f} s"
            out(f"{line}  {result.note}" if result.note else line)
            for finding in result.findings:
                out(f"       {finding}")
        failed = [result.validator for result in report.results if result.status == "failed"]
        skipped = [result.validator for result in report.results if result.status == "skipped"]
        summary = f"{len(report.results) - len(failed) - len(skipped)} passed"
        summary += f", {len(failed)} failed ({', '.join(failed)})" if failed else ""
        summary += f", {len(skipped)} skipped ({', '.join(skipped)})" if skipped else ""
        out(summary)
    if not report.ok:
        raise typer.Exit(EXIT_PROBLEMS)
