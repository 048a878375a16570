"""The shared Terraform modules keep the four-file shape, describe every variable and output,
and their READMEs list exactly what variables.tf and outputs.tf declare; the GitHub roles of
the infrastructure workflows reach no data, and name what they cannot scope."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import hcl2
import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(path for path in (ROOT / "infra" / "modules").iterdir() if path.is_dir())
OPTIONS = hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False)


def declared(module: Path, file_name: str, kind: str) -> dict[str, dict[str, object]]:
    with (module / file_name).open() as handle:
        parsed = hcl2.load(handle, serialization_options=OPTIONS)
    return {name: body for block in parsed.get(kind, []) for name, body in block.items()}


def test_the_modules_of_the_design_exist() -> None:
    sbh_v1 = ["network", "db", "storage", "ecr", "iam", "alb", "ecs", "alarms"]
    # sbh/v2 reuses network, db, storage and ecr, and adds what many services share or repeat.
    sbh_v2 = [
        "alarm_topic",
        "cluster",
        "github_roles",
        "load_balancer",
        "queue",
        "secrets",
        "service",
        "service_network",
        "static_site",
    ]

    assert [module.name for module in MODULES] == sorted(sbh_v1 + sbh_v2)


@pytest.mark.parametrize("module", MODULES, ids=[module.name for module in MODULES])
def test_each_module_has_the_four_files_and_a_readme(module: Path) -> None:
    names = {path.name for path in module.iterdir()}

    assert {"main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"} <= names


@pytest.mark.parametrize("module", MODULES, ids=[module.name for module in MODULES])
def test_every_variable_is_typed_and_described_and_every_output_described(module: Path) -> None:
    for name, body in declared(module, "variables.tf", "variable").items():
        assert "type" in body, f"{module.name}: variable {name} has no type"
        assert str(body.get("description", "")).strip(), f"{module.name}: {name} undescribed"
    for name, body in declared(module, "outputs.tf", "output").items():
        assert str(body.get("description", "")).strip(), f"{module.name}: output {name}"


@pytest.mark.parametrize("module", MODULES, ids=[module.name for module in MODULES])
def test_each_module_pins_terraform_and_the_aws_provider(module: Path) -> None:
    text = (module / "versions.tf").read_text()

    assert 'required_version = ">= 1.10"' in text
    assert 'version = "~> 6.0"' in text


def test_module_readmes_are_in_sync_with_their_variables_and_outputs() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/module_readmes.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout


# --- The GitHub roles of the infrastructure workflows (infra/modules/iam).

IAM = ROOT / "infra" / "modules" / "iam" / "main.tf"
APPLY_DOCUMENTS = ("change_network", "change_services", "change_identity_and_data")
# What a pull request's Terraform must never reach through the plan role, nor apply change.
DATA_READS = {
    "s3:GetObject",
    "s3:GetObjectVersion",
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
    "kms:Decrypt",
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "rds:DownloadDBLogFilePortion",
}


def policy_statements(document: str) -> list[dict[str, Any]]:
    """The statements of one `aws_iam_policy_document` of the iam module, dynamic ones too."""
    with IAM.open() as handle:
        parsed = hcl2.load(handle, serialization_options=OPTIONS)
    body = next(
        block["aws_iam_policy_document"][document]
        for block in parsed["data"]
        if document in block.get("aws_iam_policy_document", {})
    )
    dynamic = [block["statement"]["content"][0] for block in body.get("dynamic", [])]
    return [*body.get("statement", []), *dynamic]


def actions_of(statements: list[dict[str, Any]]) -> set[str]:
    return {action for statement in statements for action in statement["actions"]}


def test_the_plan_role_reads_no_data_secret_value_or_key() -> None:
    statements = policy_statements("stack_read")

    assert actions_of(statements) & DATA_READS == {"s3:GetObject"}
    assert not any(action.startswith("kms:") for action in actions_of(statements))
    object_reads = [s for s in statements if "s3:GetObject" in s["actions"]]
    assert [s["resources"] for s in object_reads] == [
        ["${local.state_bucket_arn}/${var.state_key}"],
        ["${local.state_bucket_arn}/${var.state_key}.tflock"],
    ]


def test_the_plan_role_writes_nothing_but_the_state_lock() -> None:
    writes = [
        statement
        for statement in policy_statements("stack_read")
        if any(
            action.split(":")[1].startswith(("Put", "Delete", "Create", "Update", "Tag"))
            for action in statement["actions"]
        )
    ]

    assert [(s["sid"], s["resources"]) for s in writes] == [
        ("TakeTheStateLock", ["${local.state_bucket_arn}/${var.state_key}.tflock"])
    ]


def test_the_apply_role_changes_resources_but_reads_no_data_or_secret_value() -> None:
    statements = [s for document in APPLY_DOCUMENTS for s in policy_statements(document)]

    assert actions_of(statements) & DATA_READS == set()
    assert "secretsmanager:PutSecretValue" not in actions_of(statements)


def test_every_statement_on_all_resources_says_the_service_allows_nothing_narrower() -> None:
    documents = ("stack_read", *APPLY_DOCUMENTS)
    unscoped = [
        statement["sid"]
        for document in documents
        for statement in policy_statements(document)
        if statement["resources"] == ["*"]
    ]

    assert unscoped
    assert all(
        sid.endswith(("HasNoResourceLevelPermissions", "HaveNoResourceLevelPermissions"))
        for sid in unscoped
    ), unscoped


def test_network_changes_need_this_stacks_tags() -> None:
    tagging, changes, creations = policy_statements("change_network")

    assert [c["variable"] for c in creations["dynamic"][0]["condition"]["content"]] == [
        "aws:RequestTag/${condition.key}"
    ]
    assert tagging["condition"][0]["variable"] == "ec2:CreateAction"
    assert [c["variable"] for c in changes["dynamic"][0]["condition"]["content"]] == [
        "aws:ResourceTag/${condition.key}"
    ]
