"""A spec whose free-text fields hold HCL, Actions expressions, shell, YAML and template syntax
renders files that still parse, where each hostile value is only a string."""

from __future__ import annotations

import ast
import json
import re
import subprocess
from pathlib import Path

import hcl2
import pytest
import yaml

from renderers.complete import Spec, complete_defaults
from renderers.render import render
from renderers.spec import load_spec

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "hostile-values.yaml"
# Every expression a generated workflow may evaluate starts with one of these contexts.
ALLOWED_EXPRESSION = re.compile(
    r"^\$\{\{ (github\.(ref|run_id|token|event_name|"
    r"event\.pull_request\.(number|head\.sha|head\.repo\.full_name))|inputs\.\w+|"
    r"steps\.[\w-]+\.outputs\.[\w-]+|needs\.[\w-]+\.(outputs\.\w+|result)|toJSON\(needs\)|"
    r"vars\.\w+ \|\| |job\.status|fromJSON\(needs\.target\.outputs\.target\)\.\w+)"
)


@pytest.fixture(scope="module")
def spec() -> Spec:
    return complete_defaults(load_spec(HOSTILE.read_text(), str(HOSTILE)), str(HOSTILE))


@pytest.fixture(scope="module")
def files(spec: Spec) -> dict[str, str]:
    return {path: file.content.decode("utf-8") for path, file in render(spec).items()}


def test_the_fixture_really_is_hostile(spec: Spec) -> None:
    assert "${{ secrets.TOKEN }}" in spec.description
    assert 'resource "aws_iam_user"' in spec.description
    assert "${{ github.event.issue.title }}" in spec.env["GREETING"]
    assert "\n" in spec.env["MULTILINE"]


def test_every_workflow_parses_and_evaluates_only_its_own_expressions(
    files: dict[str, str],
) -> None:
    workflows = {path: text for path, text in files.items() if path.startswith(".github/")}
    assert len(workflows) == 5
    for path, text in workflows.items():
        assert isinstance(yaml.safe_load(text), dict), path
        for expression in re.findall(r"\$\{\{.*?\}\}", text):
            assert ALLOWED_EXPRESSION.match(expression), f"{path}: {expression}"


def test_terraform_parses_and_holds_the_settings_as_strings(
    spec: Spec, files: dict[str, str]
) -> None:
    for path, text in files.items():
        if path.endswith(".tf"):
            hcl2.loads(text)  # raises on a syntax error
    parsed = hcl2.loads(files["infra/envs/dev/main.tf"])

    settings = parsed["locals"][0]["app_settings"]
    # python-hcl2 keeps the HCL literal: its escapes are JSON's, plus $${ and %%{ for ${ and %{.
    unescaped = {
        key.strip('"'): json.loads(value).replace("$${", "${").replace("%%{", "%{")
        for key, value in settings.items()
    }
    assert unescaped == dict(spec.env)
    resource_types = {kind for block in parsed.get("resource", []) for kind in block}
    assert "aws_iam_user" not in resource_types
    assert '"aws_iam_user"' not in resource_types


def test_markdown_shows_the_description_as_text(files: dict[str, str]) -> None:
    readme = files["README.md"]

    assert "<script>" not in readme
    assert "&lt;script&gt;" in readme
    assert "\n#" not in readme.split("\n", 2)[2].split("## Run it locally")[0]


def test_python_and_shell_files_parse(files: dict[str, str], tmp_path: Path) -> None:
    for path, text in files.items():
        if path.endswith(".py"):
            ast.parse(text, filename=path)
    script = tmp_path / "setup-oidc.sh"
    script.write_text(files["infra/scripts/setup-oidc.sh"])
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0


def test_the_committed_spec_reads_back_to_the_same_spec(spec: Spec, files: dict[str, str]) -> None:
    assert complete_defaults(load_spec(files["sbh.yaml"], "sbh.yaml")) == spec
    json.loads(files[".sbh/manifest.json"])
