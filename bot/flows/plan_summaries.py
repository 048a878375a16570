"""Reading the plan comment a generated repository's `infra.yml` posts on a pull request (pure).

Each environment's summary starts at the line `<!-- sbh:plan:<env> -->` and ends before the
next line that starts with `<!--` (its closing marker, or another environment's). In it,
Terraform's counts line — `Plan: 3 to add, 1 to change, 0 to destroy.` (with imports and
forgets when there are some), `No changes.`, or `Changes to Outputs only.` — gives the counts.
The marker and the counts line are the contract with the template's
`infra/scripts/plan_summary.py`; nothing else of the comment is read.
"""

from __future__ import annotations

import re

from bot.deploys.infra_records import PlanChanges

PLAN_MARKER = "<!-- sbh:plan:"  # what every environment's summary starts with
# At most nine digits: a count beyond that is not a plan, and would not fit the column.
_COUNTS = re.compile(
    r"Plan: (?:\d{1,9} to import, )?(\d{1,9}) to add, (\d{1,9}) to change, (\d{1,9}) to destroy"
)
_NOTHING_TO_CHANGE = ("No changes.", "Changes to Outputs only.")


def plan_section(comment: str, environment: str) -> str | None:
    """The summary of `environment` in the comment, without its marker; None when it has
    none."""
    lines = comment.splitlines()
    opening = f"{PLAN_MARKER}{environment} -->"
    for index, line in enumerate(lines):
        if line.strip() == opening:
            section = []
            for following in lines[index + 1 :]:
                if following.lstrip().startswith("<!--"):
                    break
                section.append(following)
            return "\n".join(section)
    return None


def plan_changes(section: str) -> PlanChanges | None:
    """Terraform's counts in an environment's summary; None when it holds no counts line (a
    plan that failed, or text of another shape)."""
    counts = _COUNTS.search(section)
    if counts:
        return PlanChanges(*(int(count) for count in counts.groups()))
    if any(words in section for words in _NOTHING_TO_CHANGE):
        return PlanChanges(0, 0, 0)
    return None
