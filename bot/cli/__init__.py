"""`sbh`: the command line. Problems print like a compiler's and exit 1; usage errors exit 2;
no command ever shows a traceback. Each concern's commands live in their own module and are
registered here.

Registering a command costs only Typer and cheap modules: each command imports what it
needs when it runs, so `sbh validate` never loads the SDKs, FastAPI or SQLAlchemy (a test
holds every command module to that)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from bot.cli import check, fleet, github_app, importing, operations, service, specs
from bot.cli.console import err, out
from renderers.version import __version__

app = typer.Typer(
    name="sbh",
    help="System Builder Hub: turn a spec into a bootable repository that deploys itself to AWS.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.registered_commands += specs.app.registered_commands
app.registered_commands += check.app.registered_commands
app.registered_commands += github_app.app.registered_commands
app.registered_commands += service.app.registered_commands
app.registered_commands += operations.app.registered_commands
app.add_typer(importing.app, name="import")
app.add_typer(fleet.app, name="fleet")


def _version(value: bool) -> None:
    if value:
        out(f"sbh {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """System Builder Hub."""


def main() -> None:
    """Entry point: run the CLI; turn anything unexpected into one line, never a traceback."""
    try:
        app(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err("interrupted")
        sys.exit(130)
    except Exception as error:  # the last line of defence: report, don't dump a traceback
        err(f"internal error: {type(error).__name__}: {error}")
        err("This is a bug in SBH; please report it with the command you ran.")
        sys.exit(70)
