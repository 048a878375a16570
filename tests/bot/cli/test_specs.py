"""`sbh` as a person runs it: exit codes, compiler-style problems, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.bot.cli.running_sbh import assert_no_traceback, sbh_locally
from tests.conftest import EXAMPLE_SPEC


def test_version() -> None:
    from renderers.version import __version__

    result = sbh_locally("--version")

    assert result.returncode == 0
    assert result.stdout.strip() == f"sbh {__version__}"


def test_validate_a_valid_spec() -> None:
    result = sbh_locally("validate", str(EXAMPLE_SPEC))

    assert result.returncode == 0
    assert "valid — acme/orders-api (dev, prod)" in result.stdout


def test_validate_prints_problems_like_a_compiler(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        EXAMPLE_SPEC.read_text().replace(
            "region: us-west-2, domain: orders.dev", "region: us-west-9, domain: orders.dev"
        )
    )

    result = sbh_locally("validate", "spec.yaml", cwd=tmp_path)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "spec.yaml:11:50: environments.dev.region: 'us-west-9' is not an AWS region (did you mean us-west-2?)",
        "1 problem in spec.yaml",
    ]
    assert_no_traceback(result)


def test_validate_reports_missing_decisions(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("apiVersion: sbh/v1\nname: shop\n")

    result = sbh_locally("validate", str(spec))

    assert result.returncode == 1
    assert "owner: required" in result.stderr
    assert "environments: required" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"\xff\xfe\x00", "not UTF-8 text"),
    ],
)
def test_unreadable_spec_files_are_one_clear_line(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    spec = tmp_path / "spec.yaml"
    if content is not None:
        spec.write_bytes(content)

    result = sbh_locally("validate", str(spec))

    assert result.returncode == 1
    assert message in result.stderr
    assert_no_traceback(result)


def test_a_directory_is_not_a_spec(tmp_path: Path) -> None:
    result = sbh_locally("validate", str(tmp_path))

    assert result.returncode == 1
    assert "is a directory" in result.stderr


def test_usage_errors_exit_2() -> None:
    assert sbh_locally("validate").returncode == 2
    assert sbh_locally("no-such-command").returncode == 2
    assert sbh_locally("build", str(EXAMPLE_SPEC)).returncode == 2


def test_complete_prints_yaml_with_defaults() -> None:
    result = sbh_locally("complete", str(EXAMPLE_SPEC))

    assert result.returncode == 0
    assert "allocated_storage: 20" in result.stdout
    assert "approval: false" in result.stdout


def test_complete_prints_the_specs_text_as_it_is(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        EXAMPLE_SPEC.read_text().replace(
            "description: Order intake service for the shop",
            'description: "Orders [bold]fast[/bold] :rocket:"',
        )
    )

    result = sbh_locally("complete", str(spec))

    assert result.returncode == 0, result.stderr
    assert "description: 'Orders [bold]fast[/bold] :rocket:'" in result.stdout


def test_schema_is_json_schema_for_the_spec() -> None:
    result = sbh_locally("schema")

    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    v1 = schema["else"]
    assert {"apiVersion", "name", "environments", "service"} <= set(v1["properties"])
    assert v1["additionalProperties"] is False


def test_build_writes_a_git_repository_with_one_commit(tmp_path: Path) -> None:
    out = tmp_path / "orders-api"

    result = sbh_locally("build", str(EXAMPLE_SPEC), "--out", str(out))

    assert result.returncode == 0, result.stderr
    assert "Built acme/orders-api" in result.stdout
    assert "make run" in result.stdout
    log = subprocess.run(
        ["git", "log", "--oneline"], cwd=out, capture_output=True, text=True, check=True
    )
    assert len(log.stdout.splitlines()) == 1
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=out, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""
    assert (out / "sbh.yaml").is_file()
    assert (out / ".sbh" / "manifest.json").is_file()


def test_build_refuses_a_non_empty_directory_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")

    refused = sbh_locally("build", str(EXAMPLE_SPEC), "--out", str(out))
    forced = sbh_locally("build", str(EXAMPLE_SPEC), "--out", str(out), "--force")

    assert refused.returncode == 1
    assert "is not empty" in refused.stderr
    assert forced.returncode == 0
    assert not (out / "keep.txt").exists()


def test_build_of_an_invalid_spec_writes_nothing(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("name: Bad\n")
    out = tmp_path / "out"

    result = sbh_locally("build", str(spec), "--out", str(out))

    assert result.returncode == 1
    assert not out.exists()


def test_build_will_not_clear_the_current_directory(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("x")

    result = sbh_locally("build", str(EXAMPLE_SPEC), "--out", ".", "--force", cwd=tmp_path)

    assert result.returncode == 1
    assert "refusing to clear" in result.stderr
    assert (tmp_path / "precious.txt").exists()


def test_check_refuses_a_directory_sbh_did_not_render(tmp_path: Path) -> None:
    result = sbh_locally("check", str(tmp_path))

    assert result.returncode == 1
    assert "not a repository rendered by sbh (no sbh.yaml)" in result.stderr
    assert_no_traceback(result)


def test_check_names_unknown_validators(tmp_path: Path) -> None:
    assert sbh_locally("build", str(EXAMPLE_SPEC), "--out", str(tmp_path / "repo")).returncode == 0

    result = sbh_locally("check", str(tmp_path / "repo"), "--only", "lintall")

    assert result.returncode == 1
    assert "unknown validator(s) lintall" in result.stderr
    assert_no_traceback(result)


def test_check_reports_json_and_fails_on_a_finding(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    assert sbh_locally("build", str(EXAMPLE_SPEC), "--out", str(repo)).returncode == 0
    workflow = repo / ".github" / "workflows" / "ci.yml"
    workflow.write_text(
        workflow.read_text().replace("@3d3c42e5aac5ba805825da76410c181273ba90b1", "@v7")
    )

    result = sbh_locally("check", str(repo), "--only", "security-policy", "--json")

    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["results"][0]["validator"] == "security-policy"
    assert any("not pinned" in finding for finding in report["results"][0]["findings"])


def test_complete_with_ai_falls_back_when_openai_cannot_be_reached() -> None:
    environment = {
        "PATH": os.environ["PATH"],
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",  # nothing listens on the discard port
        "OPENAI_TIMEOUT_SECONDS": "2",
        "OPENAI_MAX_RETRIES": "0",
    }

    result = subprocess.run(
        [sys.executable, "-m", "bot", "complete", str(EXAMPLE_SPEC), "--ai"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert "completed without AI: OpenAI: APIConnectionError" in result.stderr
    assert "name: orders-api" in result.stdout
    assert_no_traceback(result)


def test_cost_prints_each_environments_lines_and_the_total() -> None:
    result = sbh_locally("cost", str(EXAMPLE_SPEC))

    assert result.returncode == 0, result.stderr
    assert "dev (us-west-2): $171.50 a month with 2 tasks" in result.stdout
    assert "prod (us-west-2, production): $208.00 a month" in result.stdout
    assert "Total: $379.51 a month" in result.stdout
    assert "An estimate, not a quote" in result.stdout


def test_cost_as_json_is_the_estimate_whose_totals_are_the_sums_of_their_lines() -> None:
    result = sbh_locally("cost", str(EXAMPLE_SPEC), "--json")

    estimate = json.loads(result.stdout)
    environments = estimate["environments"]
    for environment in environments:
        lines = sum(Decimal(line["monthly"]) for line in environment["lines"])
        assert Decimal(environment["monthly"]) == lines
    assert Decimal(estimate["monthly"]) == sum(Decimal(env["monthly"]) for env in environments)
    assert estimate["prices_as_of"]


def test_cost_of_an_invalid_spec_prints_its_problems(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(EXAMPLE_SPEC.read_text().replace("cpu: 256", "cpu: 300"))

    result = sbh_locally("cost", str(spec))

    assert result.returncode == 1
    assert "service.cpu" in result.stderr
