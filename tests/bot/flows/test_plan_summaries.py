"""Reading a generated repository's plan comment: each environment's section lies between its
marker and the next marker line, and Terraform's counts line in it gives the counts."""

from __future__ import annotations

import pytest

from bot.deploys.infra_records import PlanChanges
from bot.flows.plan_summaries import plan_changes, plan_section

COMMENT = """<!-- sbh:infra-plan -->
## Terraform plans

<!-- sbh:plan:dev -->
### Terraform plan for `dev`

**Plan: 1 to import, 2 to add, 0 to change, 1 to destroy, 1 to forget.**
<!-- /sbh:plan:dev -->
<!-- sbh:plan:prod -->
### Terraform plan for `prod`

**No changes.** Your infrastructure matches the configuration.
"""


def test_each_environment_has_its_own_section_up_to_the_next_marker() -> None:
    dev = plan_section(COMMENT, "dev")

    assert dev is not None
    assert dev.startswith("### Terraform plan for `dev`")
    assert "prod" not in dev
    assert "No changes." in (plan_section(COMMENT, "prod") or "")


def test_an_environment_without_a_section_has_none() -> None:
    assert plan_section(COMMENT, "stage") is None
    assert plan_section(COMMENT, "de") is None


@pytest.mark.parametrize(
    ("section", "changes"),
    [
        ("**Plan: 3 to add, 1 to change, 0 to destroy.**", PlanChanges(3, 1, 0)),
        (
            "Plan: 1 to import, 2 to add, 0 to change, 1 to destroy, 1 to forget.",
            PlanChanges(2, 0, 1),
        ),
        ("**No changes.** Your infrastructure matches the configuration.", PlanChanges(0, 0, 0)),
        ("**Changes to Outputs only.** You can apply this plan", PlanChanges(0, 0, 0)),
        ("Error: No valid credential sources found", None),
        ("Plan: 9999999999 to add, 0 to change, 0 to destroy.", None),
    ],
)
def test_terraforms_counts_line_gives_the_counts(section: str, changes: PlanChanges | None) -> None:
    assert plan_changes(section) == changes


def test_counts_read_as_additions_changes_and_destructions() -> None:
    assert str(PlanChanges(3, 1, 0)) == "+3 ~1 \N{MINUS SIGN}0"
    assert str(PlanChanges(0, 0, 0)) == "no changes"
