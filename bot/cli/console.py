"""Where CLI output goes, and the exit code for "the input has problems"."""

from __future__ import annotations

from rich.console import Console

EXIT_PROBLEMS = 1

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
