"""`sbh check` over every fixture spec: each rendered repository passes every validator, and
each validator fails when the thing it guards is broken."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from renderers.checks import VALIDATORS, CheckReport, Tools, check_repository
from tests.renderers.checking import MAY_BE_ABSENT, render_and_check, render_into, tools_or_skip

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted(
    [ROOT / "examples" / "orders-api.yaml", *(ROOT / "tests/fixtures/specs").glob("*.yaml")]
)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CheckReport]:
    tools = tools_or_skip()
    root = tmp_path_factory.mktemp("checked")
    # Two processes (python-hcl2's parser is not safe to share between threads): checkov and
    # the app boot are the slow parts, and they wait on subprocesses.
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(render_and_check, path, root, tools) for path in SPECS]
        return dict(future.result() for future in futures)


@pytest.mark.parametrize("spec_path", SPECS, ids=[path.stem for path in SPECS])
def test_every_fixture_spec_renders_a_repository_that_passes_every_validator(
    spec_path: Path, reports: dict[str, CheckReport]
) -> None:
    report = reports[spec_path.stem]

    failures = {r.validator: r.findings for r in report.results if r.status == "failed"}
    assert failures == {}
    skipped = {r.validator for r in report.results if r.status == "skipped"}
    assert skipped <= MAY_BE_ABSENT
    assert [r.validator for r in report.results] == list(VALIDATORS)


def test_there_are_at_least_eight_varied_fixture_specs() -> None:
    assert len(list((ROOT / "tests/fixtures/specs").glob("*.yaml"))) >= 8


# --- Each validator catches what it guards. One rendered repository, one breakage each.


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_into(
        ROOT / "examples" / "orders-api.yaml", tmp_path_factory.mktemp("pristine") / "repo"
    )


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count))


def break_run_injection(repo: Path) -> None:
    edit(
        repo / ".github/workflows/build.yml",
        'run: echo "tag=${GITHUB_SHA::7}"',
        'run: echo "${{ github.event.head_commit.message }}"',
    )


def break_unpinned_action(repo: Path) -> None:
    edit(
        repo / ".github/workflows/ci.yml",
        "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1",
        "actions/checkout@v7",
    )


def break_oidc_token_without_a_role(repo: Path) -> None:
    edit(
        repo / ".github/workflows/ci.yml",
        "permissions:\n  contents: read\n",
        "permissions:\n  contents: read\n  id-token: write\n",
    )


def break_dangerous_trigger(repo: Path) -> None:
    edit(
        repo / ".github/workflows/deploy.yml",
        '  push:\n    tags: ["v*"]\n',
        '  push:\n    tags: ["v*"]\n  workflow_run:\n    workflows: [build]\n    types: [completed]\n',
    )


def break_wildcard_iam(repo: Path) -> None:
    edit(
        repo / "infra/modules/iam/main.tf",
        'actions   = ["ecr:GetAuthorizationToken"]',
        'actions   = ["*"]',
    )


def break_wildcard_trust(repo: Path) -> None:
    edit(
        repo / "infra/modules/iam/main.tf",
        '''      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"''',
        '''      test     = "StringLike"
      variable = "${local.oidc_host}:sub"''',
    )


def break_skip_without_reason(repo: Path) -> None:
    text = (repo / "infra/modules/ecr/main.tf").read_text()
    (repo / "infra/modules/ecr/main.tf").write_text(
        re.sub(r"(#checkov:skip=CKV_AWS_136):.*", r"\1", text)
    )


def break_undeclared_variable(repo: Path) -> None:
    edit(repo / "infra/modules/ecr/main.tf", "var.force_delete", "var.force_delete_everything")


def break_module_call(repo: Path) -> None:
    edit(
        repo / "infra/envs/dev/main.tf",
        '  name = "orders-api-repo-dev"\n',
        '  nmae = "orders-api-repo-dev"\n',
    )


def break_unknown_argument(repo: Path) -> None:
    edit(
        repo / "infra/modules/ecr/main.tf",
        '  image_tag_mutability = "IMMUTABLE"',
        '  image_tag_mutable = "IMMUTABLE"',
    )


def break_checkov(repo: Path) -> None:
    edit(
        repo / "infra/modules/db/main.tf",
        "  publicly_accessible    = false",
        "  publicly_accessible    = true",
    )


def break_workflow_schema(repo: Path) -> None:
    edit(
        repo / ".github/workflows/ci.yml",
        "    runs-on: ubuntu-latest",
        "    runs_on: ubuntu-latest",
    )


def break_dockerfile(repo: Path) -> None:
    edit(repo / "Dockerfile", "USER 10001", "USER root")


def break_shell_script(repo: Path) -> None:
    edit(
        repo / "infra/scripts/setup-oidc.sh",
        'echo "== $ENVIRONMENT',
        'echo == $ENVIRONMENT $(ls *.tf)"',
    )


def break_app_test(repo: Path) -> None:
    edit(
        repo / "tests/test_health.py",
        'assert response.json()["status"] == "healthy"',
        'assert response.json()["status"] == "sick"',
    )


def break_health(repo: Path) -> None:
    edit(repo / "app/main.py", '"status": "healthy",', '"status": "starting",')


def break_formatting(repo: Path) -> None:
    edit(
        repo / "infra/modules/ecr/main.tf",
        "  force_delete         = var.force_delete",
        "  force_delete = var.force_delete",
    )


BREAKAGES: list[tuple[Callable[[Path], None], str, str]] = [
    (break_run_injection, "security-policy", "inside `run:`"),
    (break_run_injection, "actionlint", "github.event.head_commit.message"),
    (break_unpinned_action, "security-policy", "not pinned to a commit SHA"),
    (break_oidc_token_without_a_role, "security-policy", "jobs.container: may request an OIDC"),
    (break_dangerous_trigger, "zizmor", "deploy.yml:35: dangerous-triggers"),
    (break_wildcard_iam, "security-policy", "allows every action"),
    (break_wildcard_trust, "security-policy", "StringEquals"),
    (break_skip_without_reason, "security-policy", "CKV_AWS_136 has no reason"),
    (break_undeclared_variable, "terraform-references", "force_delete_everything"),
    (break_module_call, "terraform-references", "nmae"),
    (break_unknown_argument, "terraform-references", "image_tag_mutable"),
    (break_checkov, "checkov", "CKV_AWS_17"),
    (break_workflow_schema, "workflow-schema", "ci.yml"),
    (break_dockerfile, "hadolint", "DL3002"),
    (break_shell_script, "shellcheck", "SC2"),
    (break_app_test, "app-tests", "failed"),
    (break_health, "boot", "starting"),
    (break_formatting, "terraform-fmt", "infra/modules/ecr/main.tf"),
]


@pytest.mark.parametrize(
    ("breakage", "validator", "expected"),
    BREAKAGES,
    ids=[f"{validator}:{breakage.__name__}" for breakage, validator, _ in BREAKAGES],
)
def test_each_validator_fails_on_what_it_guards(
    breakage: Callable[[Path], None], validator: str, expected: str, pristine: Path, tmp_path: Path
) -> None:
    tools = tools_or_skip()
    if validator == "terraform-fmt" and tools.find("terraform") is None:
        pytest.skip("no terraform binary on PATH")
    repo = tmp_path / "repo"
    shutil.copytree(pristine, repo, ignore=shutil.ignore_patterns(".git"))
    assert check_repository(repo, tools=tools, only=[validator]).ok, "passes before the breakage"

    breakage(repo)
    result = check_repository(repo, tools=tools, only=[validator]).result(validator)

    assert result.status == "failed"
    assert any(expected in finding for finding in result.findings), result.findings


def test_a_missing_tool_is_skipped_with_the_command_that_installs_it(
    pristine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no tool anywhere

    report = check_repository(pristine, tools=Tools(()), only=["hadolint"])

    assert report.result("hadolint").status == "skipped"
    assert "make tools" in report.result("hadolint").note


def test_an_unknown_validator_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown validator"):
        check_repository(Path("."), only=["lintall"])
