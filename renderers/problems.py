"""Problems found in a spec, reported like a compiler: file, line, column, field, message."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

FieldPath = tuple[str | int, ...]


def format_path(path: FieldPath) -> str:
    """`('environments', 'prod', 'region')` -> `environments.prod.region`; list items as `[0]`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(spec)"


@dataclass(frozen=True)
class SpecProblem:
    """One thing wrong with a spec, located precisely enough to jump to it in an editor."""

    source: str
    line: int
    column: int
    path: FieldPath
    message: str

    @property
    def field(self) -> str:
        return format_path(self.path)

    def __str__(self) -> str:
        return f"{self.source}:{self.line}:{self.column}: {self.field}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
        }


class SpecError(ValueError):
    """Every problem of a spec at once, in source order."""

    def __init__(self, problems: Iterable[SpecProblem]) -> None:
        self.problems: Sequence[SpecProblem] = sorted(set(problems), key=_source_order)
        if not self.problems:
            raise ValueError("SpecError needs at least one problem")
        super().__init__("\n".join(str(problem) for problem in self.problems))


def _source_order(problem: SpecProblem) -> tuple[str, int, int, str, str]:
    return (problem.source, problem.line, problem.column, problem.field, problem.message)
