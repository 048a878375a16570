"""`sbh check DIR`: every validator on a rendered repository, one report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.console import EXIT_PROBLEMS, err, out
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
        err.print(f"{directory}: not a repository rendered by sbh (no sbh.yaml)", markup=False)
        raise typer.Exit(EXIT_PROBLEMS)
    chosen = [name.strip() for name in only.split(",") if name.strip()] if only else None
    try:
        report = check_repository(directory.resolve(), only=chosen)
    except ValueError as error:
        err.print(f"error: {error}", markup=False)
        raise typer.Exit(EXIT_PROBLEMS) from None
    if as_json:
        out.print(json.dumps(report.as_json(), indent=2), markup=False)
    else:
        for result in report.results:
            line = f"{_MARKS[result.status]} {result.validator:<22} {result.seconds:6.2f} s"
            out.print(f"{line}  {result.note}" if result.note else line, markup=False)
            for finding in result.findings:
                out.print(f"       {finding}", markup=False)
        failed = [result.validator for result in report.results if result.status == "failed"]
        skipped = [result.validator for result in report.results if result.status == "skipped"]
        summary = f"{len(report.results) - len(failed) - len(skipped)} passed"
        summary += f", {len(failed)} failed ({', '.join(failed)})" if failed else ""
        summary += f", {len(skipped)} skipped ({', '.join(skipped)})" if skipped else ""
        out.print(summary, markup=False)
    if not report.ok:
        raise typer.Exit(EXIT_PROBLEMS)
