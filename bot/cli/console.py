"""Where CLI output goes, and the exit code for "the input has problems".

Text is written as it is: no markup, no emoji codes, no wrapping, so what a command prints
(a spec, JSON, a delivery id) is exactly what it means. Only `sbh deliveries` on a terminal
draws a table (rich, imported there)."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

EXIT_PROBLEMS = 1


def out(text: str, *, end: str = "\n") -> None:
    sys.stdout.write(text + end)


def err(text: str) -> None:
    sys.stderr.write(text + "\n")


def fail(message: str) -> NoReturn:
    """Print `message` on stderr and exit 1."""
    err(message)
    raise typer.Exit(EXIT_PROBLEMS)
