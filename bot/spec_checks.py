"""Spec text → a complete `Spec`, or every problem with the line it is on (pure)."""

from __future__ import annotations

from collections.abc import Callable

from bot.status_comments import LocatedProblem
from renderers.complete import Spec, complete_defaults
from renderers.problems import SpecError
from renderers.spec import load_spec


def complete_spec(
    text: str, source: str, line_of: Callable[[int], int] = lambda line: line
) -> Spec | list[LocatedProblem]:
    """`line_of` maps a line of `text` to where it is shown (e.g. a line of an issue body)."""
    try:
        return complete_defaults(load_spec(text, source), source)
    except SpecError as error:
        return [
            LocatedProblem(
                line=line_of(problem.line) if problem.line else None,
                field=problem.field or "(spec)",
                message=problem.message,
            )
            for problem in error.problems
        ]
