"""What the checks report: one finding per problem, and the "did you mean" hints that end many
of their messages.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class TerraformFinding:
    """One problem in one file, worded so that it says what to change."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


def listing(name: str, names: Iterable[str]) -> str:
    """` (did you mean b? declared: a, b)`: close match first, then every declared name."""
    ordered = sorted(set(names))
    declared = f"declared: {', '.join(ordered)}" if ordered else "none declared"
    matches = difflib.get_close_matches(name, ordered, n=1, cutoff=0.75)
    return f" (did you mean {matches[0]}? {declared})" if matches else f" ({declared})"


def suggestion(name: str, candidates: Iterable[str]) -> str:
    matches = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.75)
    return f" (did you mean {matches[0]}?)" if matches else ""
