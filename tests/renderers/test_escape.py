"""Context filters fed hostile strings: each result parses back to exactly the input, as data."""

from __future__ import annotations

import ast
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import hcl2
import pytest
import yaml as pyyaml
from hypothesis import given
from hypothesis import strategies as st

from renderers import escape

HOSTILE = [
    "${{ github.token }}",
    "${{ secrets.AWS_SECRET_ACCESS_KEY }}",
    "${jndi:ldap://evil.example/a}",
    "${var.db_password}",
    "%{ for x in y }boom%{ endfor }",
    'say "hi"',
    "it's",
    "line one\nline two",
    "carriage\rreturn",
    "tab\tcharacter",
    "`id` and $(id) and ${HOME}",
    "'; rm -rf / #",
    "back\\slash\\",
    "# not a comment",
    "key: value",
    "- list item",
    "{flow: map}",
    "*alias &anchor !tag",
    "<script>alert(1)</script>",
    "[link](https://evil.example)",
    "**bold** _em_ ~~strike~~ | pipe",
    "emoji 😀 and ünïcødé",
    "right-to-left \u202e override",
    "next line \x85 and line separator \u2028 paragraph \u2029",
    "bell \x07 escape \x1b[31m",
    "",
    " leading and trailing ",
    "null",
    "true",
    "0x10",
]

# python-hcl2 8.x cannot lex a template escape (`$${`, `%%{`) that is not followed by an
# interpolation-like body, although Terraform reads it fine; these go to Terraform only.
TEMPLATE_EDGES = ["${", "%{", "x%{ y", "$${", "a ${ b", "%%{ if"]

HCL_OPTIONS = hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False)


def hcl_literal_value(parsed: str) -> str:
    # python-hcl2 keeps Terraform's template escapes; Terraform reads `$${` as `${`.
    return parsed.replace("$${", "${").replace("%%{", "%{")


@pytest.mark.parametrize("value", HOSTILE)
def test_hcl_strings_parse_back_without_interpolation(value: str) -> None:
    written = escape.hcl(value)

    parsed = hcl2.load(io.StringIO(f"x = {written}\n"), serialization_options=HCL_OPTIONS)["x"]

    assert hcl_literal_value(parsed) == value
    assert "${" not in parsed.replace("$${", "")
    assert "%{" not in parsed.replace("%%{", "")
    assert "\n" not in written


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("terraform") is None, reason="no terraform binary on PATH")
def test_terraform_itself_evaluates_hcl_strings_to_the_input(tmp_path: Path) -> None:
    values = {f"v{index}": value for index, value in enumerate(HOSTILE + TEMPLATE_EDGES)}
    body = "\n".join(f"  {key} = {escape.hcl(value)}" for key, value in values.items())
    (tmp_path / "main.tf").write_text(f"locals {{\n{body}\n}}\n")
    (tmp_path / "cli.tfrc").write_text("")
    keys = ", ".join(f"{key} = local.{key}" for key in values)

    result = subprocess.run(
        ["terraform", "console"],
        input=f"jsonencode({{ {keys} }})\n",
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "TF_CLI_CONFIG_FILE": str(tmp_path / "cli.tfrc"),
            "TF_IN_AUTOMATION": "1",
        },
        check=True,
    )

    assert json.loads(json.loads(result.stdout.strip())) == values


@pytest.mark.parametrize("value", HOSTILE)
def test_yaml_scalars_load_back_to_the_input(value: str) -> None:
    written = escape.yaml(value)

    assert pyyaml.safe_load(f"key: {written}  # trailing comment\n") == {"key": value}
    assert "\n" not in written


@pytest.mark.parametrize("value", HOSTILE)
def test_workflow_values_cannot_open_an_actions_expression(value: str) -> None:
    loaded = pyyaml.safe_load(f"run-name: {escape.workflow(value)}\n")["run-name"]

    # Every `${{` left is the escape expression, which Actions evaluates to a literal `${{`.
    assert "${{" not in loaded.replace("${{ '${{' }}", "")
    assert loaded.replace("${{ '${{' }}", "${{") == value


@pytest.mark.parametrize("value", [v for v in HOSTILE if "\x00" not in v])
def test_shell_words_reach_the_program_intact(value: str) -> None:
    result = subprocess.run(
        ["sh", "-c", f"printf %s {escape.shell(value)}"], capture_output=True, check=True
    )

    assert result.stdout.decode("utf-8", "surrogateescape") == value


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_text_has_no_markup_left(value: str) -> None:
    written = escape.markdown(value)

    assert "\n" not in written
    assert "<" not in written
    assert ">" not in written
    unescaped = written.replace("\\\\", "")
    for special in "`*_[]()#|~":
        assert all(
            unescaped[i - 1] == "\\" for i, ch in enumerate(unescaped) if ch == special and i > 0
        )
        assert not unescaped.startswith(special)


@pytest.mark.parametrize("value", HOSTILE)
def test_json_and_python_literals_round_trip(value: str) -> None:
    assert json.loads(escape.json(value)) == value
    assert ast.literal_eval(escape.py(value)) == value


@pytest.mark.parametrize("value", HOSTILE)
def test_identifiers_refuse_anything_that_needs_quoting(value: str) -> None:
    if value == "null" or value == "true" or value == "0x10" or value == "":
        assert escape.ident(value) == value
    else:
        with pytest.raises(escape.UnsafeIdentifier):
            escape.ident(value)


@given(st.text())
def test_any_text_round_trips_through_yaml_json_and_python(value: str) -> None:
    assert pyyaml.safe_load(f"k: {escape.yaml(value)}") == {"k": value}
    assert json.loads(escape.json(value)) == value
    assert ast.literal_eval(escape.py(value)) == value


@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",))).filter(
        lambda text: "${" not in text and "%{" not in text
    )
)
def test_any_text_round_trips_through_hcl(value: str) -> None:
    parsed = hcl2.load(
        io.StringIO(f"x = {escape.hcl(value)}\n"), serialization_options=HCL_OPTIONS
    )["x"]

    assert hcl_literal_value(parsed) == value


def test_hcl_writes_lists_maps_and_scalars() -> None:
    assert escape.hcl(["a", 1, True, None]) == '["a", 1, true, null]'
    assert escape.hcl({"Name": "x${y}"}) == '{ "Name" = "x$${y}" }'
    assert escape.hcl({}) == "{}"
