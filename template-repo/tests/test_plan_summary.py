"""infra/scripts/plan_summary.py: what a reviewer reads about a Terraform plan in a pull request.

The plans in tests/fixtures/plans/ are `terraform show -json` output for this system's own
modules; the plans built here are the same format, cut down to what each test is about.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "infra" / "scripts" / "plan_summary.py"
PLANS = Path(__file__).resolve().parent / "fixtures" / "plans"
AWS = "registry.terraform.io/hashicorp/aws"


def summarize(*arguments: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


def summary_of(plan: str | Path, *arguments: str) -> str:
    result = summarize("--env", "dev", str(plan), *arguments)
    assert (result.returncode, result.stderr) == (0, "")
    return result.stdout


def resource_change(
    address: str,
    actions: list[str],
    *,
    importing: dict[str, str] | None = None,
    **keys: str,
) -> dict[str, object]:
    """One entry of `resource_changes` with the keys Terraform writes for it, and `keys`
    (previous_address, deposed, action_reason) when a test needs them."""
    path = address.split("[")[0].split(".")
    change: dict[str, object] = {
        "actions": actions,
        "before": None if actions[0] in ("create", "read") else {},
        "after": None if actions == ["delete"] else {},
        "after_unknown": {},
        "before_sensitive": False if actions[0] in ("create", "read") else {},
        "after_sensitive": False if actions == ["delete"] else {},
    }
    if importing is not None:
        change["importing"] = importing
    return {
        "address": address,
        "mode": "data" if len(path) > 2 and path[-3] == "data" else "managed",
        "type": path[-2],
        "name": path[-1],
        "provider_name": AWS,
        "change": change,
        **keys,
    }


def plan_file(directory: Path, changes: list[dict[str, object]], **top: object) -> Path:
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "variables": {},
        "planned_values": {"root_module": {}},
        "resource_changes": changes,
        "configuration": {"provider_config": {}, "root_module": {}},
        "timestamp": "2025-06-02T09:14:03Z",
        "applyable": bool(changes),
        "complete": True,
        "errored": False,
        **top,
    }
    path = directory / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


def test_only_additions_are_counted_and_listed_without_a_warning() -> None:
    assert summary_of(PLANS / "additions.json") == (
        "<!-- sbh:plan:dev -->\n"
        "### Terraform plan for `dev`\n"
        "\n"
        "**Plan: 7 to add, 0 to change, 0 to destroy.**\n"
        "\n"
        "**Create** (7)\n"
        '- `module.storage.aws_s3_bucket.this["reports"]`\n'
        '- `module.storage.aws_s3_bucket_lifecycle_configuration.this["reports"]`\n'
        '- `module.storage.aws_s3_bucket_ownership_controls.this["reports"]`\n'
        '- `module.storage.aws_s3_bucket_policy.this["reports"]`\n'
        '- `module.storage.aws_s3_bucket_public_access_block.this["reports"]`\n'
        '- `module.storage.aws_s3_bucket_server_side_encryption_configuration.this["reports"]`\n'
        '- `module.storage.aws_s3_bucket_versioning.this["reports"]`\n'
        "\n"
        "**Read (data sources)** (1)\n"
        '- `module.storage.data.aws_iam_policy_document.deny_insecure_transport["reports"]`\n'
        "\n"
        "<!-- /sbh:plan:dev -->\n"
    )


def test_an_rds_replacement_is_a_data_loss_warning_above_everything_else() -> None:
    lines = summary_of(PLANS / "rds-replacement.json").splitlines()

    assert lines[:9] == [
        "<!-- sbh:plan:dev -->",
        "### Terraform plan for `dev`",
        "",
        "> [!WARNING]",
        (
            "> **Data loss:** applying this plan to `dev` destroys 2 resources and everything "
            "they hold:"
        ),
        "> - `module.db.aws_db_instance.this`: RDS database (replace)",
        '> - `module.storage.aws_s3_bucket.this["reports"]`: S3 bucket (destroy)',
        "",
        "**Plan: 2 to add, 1 to change, 9 to destroy.**",
    ]
    assert "**Replace** (2)" in lines
    assert "- `module.db.aws_db_instance.this` (destroy, then create; forced by `db_name`)" in lines
    assert (
        "- `module.db.aws_db_parameter_group.this` (create, then destroy; forced by `family`)"
        in lines
    )
    assert '- `module.storage.aws_s3_bucket.this["reports"]` (key no longer in `for_each`)' in lines


def test_a_deleted_data_source_is_left_out_as_terraform_leaves_it_out() -> None:
    summary = summary_of(PLANS / "rds-replacement.json")

    assert "deny_insecure_transport" not in summary


def test_delete_then_create_and_create_then_delete_are_each_one_replace(tmp_path: Path) -> None:
    plan = plan_file(
        tmp_path,
        [
            resource_change("module.db.aws_db_instance.this", ["delete", "create"]),
            resource_change("module.alb.aws_lb_target_group.this", ["create", "delete"]),
        ],
    )

    summary = summary_of(plan)

    assert "**Plan: 2 to add, 0 to change, 2 to destroy.**" in summary
    assert "**Replace** (2)" in summary
    assert summary.count("`module.db.aws_db_instance.this`") == 2  # the warning and the list
    assert summary.count("`module.alb.aws_lb_target_group.this`") == 1
    assert "**Create**" not in summary
    assert "**Destroy**" not in summary


def test_sensitive_values_and_every_other_value_never_reach_the_summary() -> None:
    text = (PLANS / "sensitive.json").read_text(encoding="utf-8")
    values = [
        "pw-BEFORE-SENSITIVE-7f3a9c",
        "pw-AFTER-SENSITIVE-9c2e4b",
        "sk_live_51Hx9SENSITIVEstripe4242",
        "db.t4g.small",
        "orders-api/dev/STRIPE_KEY",
    ]
    assert all(value in text for value in values)

    result = summarize("--env", "dev", str(PLANS / "sensitive.json"))

    assert result.returncode == 0
    assert "**Plan: 1 to add, 1 to change, 0 to destroy.**" in result.stdout
    assert "- `module.db.aws_db_instance.this`" in result.stdout
    assert "- `aws_secretsmanager_secret_version.stripe_key`" in result.stdout
    for value in values:
        assert value not in result.stdout + result.stderr


def test_the_script_never_reads_a_key_that_holds_values() -> None:
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    constants = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }

    value_keys = {
        "before",
        "after",
        "after_unknown",
        "before_sensitive",
        "after_sensitive",
        "values",
        "sensitive_values",
        "variables",
        "prior_state",
        "configuration",
        "value",
        "id",
    }
    assert constants.isdisjoint(value_keys)


def test_three_thousand_resources_are_cut_to_the_budget_and_say_what_was_left_out(
    tmp_path: Path,
) -> None:
    changes = [resource_change("module.db.aws_db_instance.this", ["delete"])]
    changes += [
        resource_change(f'module.settings.aws_ssm_parameter.this["setting-{n:04}"]', ["create"])
        for n in range(2999)
    ]
    plan = plan_file(tmp_path, changes)

    summary = summary_of(plan)

    assert len(summary) <= 60_000
    lines = summary.splitlines()
    assert lines[3:6] == [
        "> [!WARNING]",
        "> **Data loss:** applying this plan to `dev` destroys 1 resource and everything it holds:",
        "> - `module.db.aws_db_instance.this`: RDS database (destroy)",
    ]
    assert "**Plan: 2999 to add, 0 to change, 1 to destroy.**" in lines
    assert "**Create** (2999)" in lines
    listed = [line for line in lines if line.startswith("- ")]
    assert listed[0] == "- `module.db.aws_db_instance.this`"
    assert (
        listed[-1] == f'- `module.settings.aws_ssm_parameter.this["setting-{len(listed) - 2:04}"]`'
    )
    left_out = 3000 - len(listed)
    assert lines[-3:] == [
        (
            f"**{left_out} more resources are not listed here.** The full plan is in the "
            "workflow run's log."
        ),
        "",
        "<!-- /sbh:plan:dev -->",
    ]


def test_a_warning_longer_than_the_budget_keeps_its_first_line_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    changes = [
        resource_change(f'module.storage.aws_s3_bucket.this["bucket-{n:04}"]', ["delete"])
        for n in range(3000)
    ]

    summary = summary_of(plan_file(tmp_path, changes))

    assert len(summary) <= 60_000
    lines = summary.splitlines()
    assert lines[3] == "> [!WARNING]"
    assert lines[4] == (
        "> **Data loss:** applying this plan to `dev` destroys 3000 resources and everything "
        "they hold:"
    )
    named = [line for line in lines if line.startswith("> - `")]
    assert f"> - and {3000 - len(named)} more, named in the full plan" in lines
    assert "**Plan: 0 to add, 0 to change, 3000 to destroy.**" in lines
    assert not [line for line in lines if line.startswith("- ")]
    assert lines[-3].startswith("**3000 more resources are not listed here.**")


def test_the_budget_is_an_option_and_the_left_out_line_links_the_run(tmp_path: Path) -> None:
    changes = [
        resource_change(f'module.settings.aws_ssm_parameter.this["setting-{n:04}"]', ["update"])
        for n in range(3000)
    ]
    run = "https://github.com/acme/orders-api/actions/runs/15012345678"

    summary = summary_of(plan_file(tmp_path, changes), "--max-chars", "5000", "--plan-url", run)

    assert len(summary) <= 5000
    assert "**Plan: 0 to add, 3000 to change, 0 to destroy.**" in summary
    assert summary.splitlines()[-3].endswith(
        f"not listed here.** The full plan is in the log of [the workflow run](<{run}>)."
    )


def test_a_plan_that_fits_is_never_cut() -> None:
    summary = summary_of(PLANS / "rds-replacement.json")

    assert len(summary) < 60_000
    assert "not listed here" not in summary
    assert summary_of(PLANS / "rds-replacement.json", "--max-chars", str(len(summary))) == summary


def test_no_changes_is_said_in_terraforms_words() -> None:
    assert summary_of(PLANS / "no-changes.json") == (
        "<!-- sbh:plan:dev -->\n"
        "### Terraform plan for `dev`\n"
        "\n"
        "**No changes.** Your infrastructure matches the configuration.\n"
        "\n"
        "<!-- /sbh:plan:dev -->\n"
    )


def test_a_plan_that_only_changes_outputs_says_so(tmp_path: Path) -> None:
    outputs = {
        "url": {
            "actions": ["update"],
            "before": "https://old.example.com",
            "after": "https://orders.dev.acme.io",
            "after_unknown": False,
            "before_sensitive": False,
            "after_sensitive": False,
        }
    }

    summary = summary_of(plan_file(tmp_path, [], output_changes=outputs))

    assert (
        "**Changes to Outputs only.** You can apply this plan to save these new output values "
        "to the Terraform state, without changing any real infrastructure."
    ) in summary
    assert "orders.dev.acme.io" not in summary


def test_imports_moves_forgets_and_reads_are_listed_and_counted_as_terraform_counts_them(
    tmp_path: Path,
) -> None:
    plan = plan_file(
        tmp_path,
        [
            resource_change(
                "module.ecr.aws_ecr_repository.this",
                ["no-op"],
                importing={"id": "orders-api-repo-dev"},
            ),
            resource_change(
                'module.storage.aws_s3_bucket.this["uploads"]',
                ["no-op"],
                previous_address="aws_s3_bucket.uploads",
            ),
            resource_change("aws_sns_topic.legacy", ["forget"]),
            resource_change("data.aws_caller_identity.current", ["read"]),
            resource_change("module.ecs.aws_ecs_service.this", ["no-op"]),
        ],
    )

    summary = summary_of(plan)

    assert "**Plan: 1 to import, 0 to add, 0 to change, 0 to destroy, 1 to forget.**" in summary
    assert "**Import** (1)\n- `module.ecr.aws_ecr_repository.this`\n" in summary
    assert (
        '**Move** (1)\n- `module.storage.aws_s3_bucket.this["uploads"]` '
        "(moved from `aws_s3_bucket.uploads`)\n"
    ) in summary
    assert "**Forget (removed from the state, not destroyed)** (1)\n" in summary
    assert "**Read (data sources)** (1)\n- `data.aws_caller_identity.current`\n" in summary
    assert "aws_ecs_service" not in summary
    assert "orders-api-repo-dev" not in summary  # the import id is a value too
    assert "WARNING" not in summary


def test_a_deposed_object_and_a_tainted_replace_say_why_they_go(tmp_path: Path) -> None:
    plan = plan_file(
        tmp_path,
        [
            resource_change("module.db.aws_db_instance.this", ["delete"], deposed="a1b2c3d4"),
            resource_change(
                "module.ecs.aws_ecs_service.this",
                ["delete", "create"],
                action_reason="replace_because_tainted",
            ),
        ],
    )

    lines = summary_of(plan).splitlines()

    assert (
        "- `module.db.aws_db_instance.this` "
        "(deposed object `a1b2c3d4`, left over from a failed replace)"
    ) in lines
    assert "- `module.ecs.aws_ecs_service.this` (destroy, then create; tainted)" in lines
    assert "> - `module.db.aws_db_instance.this`: RDS database (destroy)" in lines


def test_a_replace_that_keeps_the_old_object_adds_one_and_destroys_nothing(
    tmp_path: Path,
) -> None:
    plan = plan_file(
        tmp_path, [resource_change("module.db.aws_db_instance.this", ["create", "forget"])]
    )

    summary = summary_of(plan)

    assert "**Plan: 1 to add, 0 to change, 0 to destroy.**" in summary
    assert (
        "**Replace, keeping the old object** (1)\n- `module.db.aws_db_instance.this`\n" in summary
    )
    assert "WARNING" not in summary


def test_actions_a_later_terraform_may_add_are_listed_as_they_are_and_counted_nowhere(
    tmp_path: Path,
) -> None:
    plan = plan_file(
        tmp_path,
        [resource_change('module.storage.aws_s3_bucket.this["uploads"]', ["delete", "archive"])],
    )

    summary = summary_of(plan)

    assert "**Plan: 0 to add, 0 to change, 0 to destroy.**" in summary
    assert (
        '**Other actions: `delete, archive`** (1)\n- `module.storage.aws_s3_bucket.this["uploads"]`'
    ) in summary
    assert (  # it deletes, so it may lose data
        '> - `module.storage.aws_s3_bucket.this["uploads"]`: S3 bucket (`delete, archive`)'
    ) in summary


def test_drift_reports_what_changed_outside_terraform() -> None:
    assert summary_of(PLANS / "drift.json", "--drift") == (
        "<!-- sbh:drift:dev -->\n"
        "### Drift in `dev`\n"
        "\n"
        "**Drift: 3 resources changed outside Terraform.**\n"
        "\n"
        "**Deleted outside Terraform** (1)\n"
        '- `module.db.aws_vpc_security_group_ingress_rule.clients["sg-0a1b2c3d4e5f60718"]`\n'
        "\n"
        "**Changed outside Terraform** (2)\n"
        "- `module.ecs.aws_ecs_service.this`\n"
        '- `module.storage.aws_s3_bucket.this["uploads"]`\n'
        "\n"
        "<!-- /sbh:drift:dev -->\n"
    )


def test_the_same_plan_without_drift_summarises_the_planned_changes() -> None:
    summary = summary_of(PLANS / "drift.json")

    assert "**Plan: 1 to add, 1 to change, 0 to destroy.**" in summary
    assert "outside Terraform" not in summary


def test_no_drift_says_so() -> None:
    assert "**No drift.** Nothing changed outside Terraform." in summary_of(
        PLANS / "no-changes.json", "--drift"
    )


def test_addresses_are_shown_verbatim_whatever_markdown_they_hold(tmp_path: Path) -> None:
    plan = plan_file(
        tmp_path,
        [
            resource_change(
                'module.x.aws_s3_bucket.this["up*loads_[1] | <b>@team</b>"]', ["create"]
            ),
            resource_change('module.x.aws_s3_bucket.this["a`b"]', ["create"]),
            resource_change('module.x.aws_s3_bucket.this["line\nbreak"]', ["create"]),
        ],
    )

    lines = summary_of(plan).splitlines()

    assert '- `module.x.aws_s3_bucket.this["up*loads_[1] | <b>@team</b>"]`' in lines
    assert '- ``module.x.aws_s3_bucket.this["a`b"]``' in lines
    assert '- `module.x.aws_s3_bucket.this["line\\nbreak"]`' in lines


def test_each_summary_is_between_its_environments_marker_lines() -> None:
    plan = summary_of(PLANS / "additions.json").splitlines()
    drift = summary_of(PLANS / "drift.json", "--drift").splitlines()

    assert (plan[0], plan[-1]) == ("<!-- sbh:plan:dev -->", "<!-- /sbh:plan:dev -->")
    assert (drift[0], drift[-1]) == ("<!-- sbh:drift:dev -->", "<!-- /sbh:drift:dev -->")
    assert not [line for line in plan[1:-1] + drift[1:-1] if line.startswith("<!--")]


def test_the_plan_may_come_from_standard_input() -> None:
    result = summarize("--env", "dev", "-", stdin=(PLANS / "additions.json").read_text())

    assert result.stdout == summary_of(PLANS / "additions.json")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"format_version": "1.2", "resource_chan', "is not JSON (Unterminated string"),
        ("", "is not JSON (Expecting value"),
        ("[1, 2]", "is not a Terraform JSON plan: the document is not an object"),
        (
            '{"format_version": "1.0", "terraform_version": "1.11.4", "values": {}}',
            "is not a Terraform JSON plan: it has no planned_values (is it the state?)",
        ),
        (
            '{"format_version": "2.0", "planned_values": {}}',
            "is Terraform JSON format 2.0, and this script reads 1.x",
        ),
        (
            (
                '{"format_version": "1.2", "planned_values": {}, "resource_changes": [{"address":'
                ' "aws_s3_bucket.a", "mode": "managed", "type": "aws_s3_bucket", "change": {}}]}'
            ),
            "is not a Terraform JSON plan: resource_changes[0].change.actions is not a list",
        ),
    ],
    ids=["truncated", "empty", "array", "state", "format-2", "no-actions"],
)
def test_a_file_that_is_not_a_plan_exits_2_with_one_line(
    tmp_path: Path, content: str, message: str
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(content, encoding="utf-8")

    result = summarize("--env", "dev", str(plan))

    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(f"plan_summary.py: {plan} {message}")
    assert result.stderr.endswith("; pass the output of `terraform show -json PLANFILE`.\n")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([str(PLANS / "additions.json")], "the following arguments are required: --env"),
        (["--env", "dev", "missing.json"], "cannot read missing.json: No such file or directory"),
        (["--env", "dev <!--", "plan.json"], "argument --env: 'dev <!--' is not an environment"),
        (
            ["--env", "dev", "--plan-url", "javascript:alert(1)", "plan.json"],
            "argument --plan-url: must be an http(s) URL",
        ),
        (
            ["--env", "dev", "--max-chars", "100", str(PLANS / "rds-replacement.json")],
            "--max-chars 100 is too small: the heading, counts and warning of this summary need",
        ),
    ],
    ids=["no-env", "missing-file", "bad-env", "bad-url", "tiny-budget"],
)
def test_usage_errors_exit_2_with_one_line(arguments: list[str], message: str) -> None:
    result = summarize(*arguments)

    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(f"plan_summary.py: {message}")
    assert result.stderr.count("\n") == 1
