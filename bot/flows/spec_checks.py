"""Spec text → a complete spec, sbh/v1 or sbh/v2 (through a `Drafter`, AI or not), or every
problem with the line it is on.

Reading the text is work on what anyone may write: it runs in a `SpecWorkPool`, within its
time limit. The `Drafter` (which waits on OpenAI) and completing the spec it read, which is
validated and so bounded, run in the caller's thread."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.ai.drafting import DeterministicDrafter, Draft, Drafter
from bot.flows.status_comments import LocatedProblem
from bot.jobs.spec_work import SpecWorkPool
from renderers.complete import AnySpec, complete_defaults
from renderers.from_text import written_spec
from renderers.problems import SpecError, SpecProblem
from renderers.spec import AnyRawSpec


@dataclass(frozen=True)
class Completed:
    spec: AnySpec
    draft: Draft
    written: AnyRawSpec  # what the person wrote, before any proposal


def complete_written(
    raw: AnyRawSpec, source: str, *, drafter: Drafter | None = None, context: str = ""
) -> Completed:
    """What a person wrote (`written_spec`) → a complete spec through `drafter`, whose
    proposal is validated like any spec."""
    draft = (drafter or DeterministicDrafter()).complete(raw, context)
    return Completed(complete_defaults(draft.raw, source), draft, raw)


def complete_spec(
    text: str,
    source: str,
    line_of: Callable[[int], int] = lambda line: line,
    *,
    work: SpecWorkPool,
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
        raw = work.run(written_spec, text, source)
        return complete_written(raw, source, drafter=drafter, context=context)
    except SpecError as error:
        return located(error.problems)
