"""The shared Terraform modules keep the four-file shape, describe every variable and output,
and their READMEs list exactly what variables.tf and outputs.tf declare."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import hcl2
import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(path for path in (ROOT / "infra" / "modules").iterdir() if path.is_dir())
OPTIONS = hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False)


def declared(module: Path, file_name: str, kind: str) -> dict[str, dict[str, object]]:
    with (module / file_name).open() as handle:
        parsed = hcl2.load(handle, serialization_options=OPTIONS)
    return {name: body for block in parsed.get(kind, []) for name, body in block.items()}


def test_the_eight_modules_of_the_design_exist() -> None:
    assert [module.name for module in MODULES] == sorted(
        ["network", "db", "storage", "ecr", "iam", "alb", "ecs", "alarms"]
    )


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
