"""Spec text → a complete `Spec` (through a `Drafter`, AI or not), or every problem with the
line it is on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.ai.drafting import DeterministicDrafter, Draft, Drafter
from bot.flows.status_comments import LocatedProblem
from renderers.complete import Spec, complete_defaults, missing_decisions
from renderers.problems import SpecError, SpecProblem
from renderers.spec import RawSpec, load_spec


@dataclass(frozen=True)
class Completed:
    spec: Spec
    draft: Draft
    written: RawSpec  # what the person wrote, before any proposal


def draft_spec(
    text: str, source: str, *, drafter: Drafter | None = None, context: str = ""
) -> Completed:
    """Spec text → a complete `Spec` through `drafter`; raises `SpecError` with every problem.
    What only a person decides is reported before any AI sees the spec (it could not fill
    it anyway), with the lines of the text the person wrote."""
    raw = load_spec(text, source)
    missing = missing_decisions(raw, source)
    if missing:
        raise SpecError(missing)
    draft = (drafter or DeterministicDrafter()).complete(raw, context)
    return Completed(complete_defaults(draft.raw, source), draft, raw)


def complete_spec(
    text: str,
    source: str,
    line_of: Callable[[int], int] = lambda line: line,
    *,
    drafter: Drafter | None = None,
    context: str = "",
) -> Completed | list[LocatedProblem]:
    """`line_of` maps a line of `text` to where it is shown (e.g. a line of an issue body);
    `context` is what the drafter may read besides the spec (the issue text)."""

    def located(problems: Sequence[SpecProblem]) -> list[LocatedProblem]:
        return [
            LocatedProblem(
                line=line_of(problem.line) if problem.line else None,
                field=problem.field or "(spec)",
                message=problem.message,
            )
            for problem in problems
        ]

    try:
        return draft_spec(text, source, drafter=drafter, context=context)
    except SpecError as error:
        return located(error.problems)
