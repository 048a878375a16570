"""What the generated workflows, bootstrap script and guide promise, read from the rendered
files: OIDC only, one deploy per environment, rollback on failure, exact trust subjects."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from renderers.checks import VALIDATORS
from renderers.complete import Spec, complete_defaults
from renderers.render import render
from renderers.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "template-repo" / "TEMPLATE_GUIDE.md"
GUIDE_V2 = ROOT / "template-system" / "TEMPLATE_GUIDE.md"
FIXTURE_SPECS = ROOT / "tests" / "fixtures" / "specs"


@pytest.fixture(scope="module")
def files(example_spec: Spec) -> dict[str, str]:
    return {path: file.content.decode() for path, file in render(example_spec).items()}


def workflow(files: dict[str, str], name: str) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(files[f".github/workflows/{name}.yml"])
    return loaded


def rendered_fixture(name: str) -> dict[str, str]:
    path = FIXTURE_SPECS / f"{name}.yaml"
    spec = complete_defaults(load_spec(path.read_text(), str(path)), str(path))
    return {path: file.content.decode() for path, file in render(spec).items()}


def permissions_by_job(document: dict[Any, Any]) -> dict[str, dict[str, str]]:
    return {name: job.get("permissions") for name, job in document["jobs"].items()}


def assumed_role(job: dict[Any, Any]) -> str:
    step = next(s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", ""))
    role: str = step["with"]["role-to-assume"]
    return role


def test_build_pushes_through_oidc_with_the_short_sha(files: dict[str, str]) -> None:
    build = workflow(files, "build")

    assert build["permissions"] == {}
    assert build["jobs"]["image"]["permissions"] == {"contents": "read", "id-token": "write"}
    assert build[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads `on` as True
    steps = build["jobs"]["image"]["steps"]
    roles = [
        s["with"]["role-to-assume"]
        for s in steps
        if "configure-aws-credentials" in s.get("uses", "")
    ]
    assert len(roles) == 2  # one per environment: dev and prod
    push = next(s for s in steps if "build-push-action" in s.get("uses", ""))
    assert push["with"]["tags"].count("${{ steps.tag.outputs.tag }}") == 2
    assert 'echo "tag=${GITHUB_SHA::7}"' in files[".github/workflows/build.yml"]


def test_deploy_is_dispatchable_tag_triggered_and_one_at_a_time_per_environment(
    files: dict[str, str],
) -> None:
    deploy = workflow(files, "deploy")

    triggers = deploy[True]
    assert set(triggers) == {"workflow_dispatch", "push"}
    assert triggers["workflow_dispatch"]["inputs"]["environment"]["options"] == ["dev", "prod"]
    assert triggers["workflow_dispatch"]["inputs"]["image_tag"]["default"] == ""
    assert triggers["push"]["tags"] == ["v*"]
    job = deploy["jobs"]["deploy"]
    assert job["environment"]["name"] == "${{ needs.target.outputs.environment }}"
    assert job["concurrency"] == {
        "group": "deploy-${{ needs.target.outputs.environment }}",
        "cancel-in-progress": False,
    }
    assert job["permissions"]["id-token"] == "write"


def test_a_green_build_on_main_starts_the_deploy_of_its_image_without_workflow_run(
    files: dict[str, str],
) -> None:
    job = workflow(files, "build")["jobs"]["deploy"]
    step = job["steps"][0]

    assert job["needs"] == "image"
    assert job["if"] == "github.ref == 'refs/heads/main'"
    assert job["permissions"] == {"actions": "write"}
    assert step["env"]["ENVIRONMENT"] == "dev"
    assert step["env"]["TAG"] == "${{ needs.image.outputs.tag }}"
    assert "gh workflow run deploy.yml" in step["run"]
    assert '-f environment="$ENVIRONMENT" -f image_tag="$TAG"' in step["run"]
    assert "workflow_run" not in workflow(files, "deploy")[True]


def test_without_a_non_production_environment_a_build_deploys_nothing() -> None:
    build = yaml.safe_load(rendered_fixture("prod-only")[".github/workflows/build.yml"])

    assert list(build["jobs"]) == ["image"]


def test_deploy_waits_checks_health_and_rolls_back_on_failure(files: dict[str, str]) -> None:
    steps = workflow(files, "deploy")["jobs"]["deploy"]["steps"]
    by_name = {step["name"]: step for step in steps}

    deploy = by_name["Deploy and wait for the service to be stable"]
    assert deploy["with"]["wait-for-service-stability"] is True
    assert "jq -e '.status == \"healthy\"'" in by_name["Check the public health endpoint"]["run"]
    rollback = by_name["Roll back to the previous revision"]
    assert rollback["if"].startswith("failure()")
    assert '--task-definition "$PREVIOUS"' in rollback["run"]
    names = list(by_name)
    assert names.index("Check the public health endpoint") < names.index(
        "Roll back to the previous revision"
    )


def test_deploy_puts_the_image_and_the_rollback_on_githubs_deployment(
    files: dict[str, str],
) -> None:
    job = workflow(files, "deploy")["jobs"]["deploy"]
    step = next(s for s in job["steps"] if s["name"] == "Record the image on the deployment")

    assert job["permissions"]["deployments"] == "write"
    assert step["if"].startswith("always()")
    assert "/deployments/$deployment/statuses" in step["run"]
    assert 'description="image ${TAG:-$ROLLBACK_TO}"' in step["run"]
    assert "rolled back to" in step["run"]


def test_no_workflow_holds_aws_keys_or_secrets(files: dict[str, str]) -> None:
    for path, text in files.items():
        if path.startswith(".github/"):
            assert "aws-access-key-id" not in text
            assert "secrets." not in text


def test_the_bootstrap_script_and_terraform_trust_the_same_exact_subjects(
    files: dict[str, str], tmp_path: Path
) -> None:
    script = tmp_path / "setup-oidc.sh"
    script.write_text(files["infra/scripts/setup-oidc.sh"])

    dry_run = subprocess.run(
        ["bash", str(script), "prod", "--dry-run"], capture_output=True, text=True, check=False
    )

    assert dry_run.returncode == 0, dry_run.stderr
    assert "github-deploy (trusts repo:acme/orders-api:environment:prod)" in dry_run.stdout
    assert "github-build (trusts repo:acme/orders-api:ref:refs/heads/main)" in dry_run.stdout
    assert (
        "github-plan (trusts repo:acme/orders-api:pull_request "
        "repo:acme/orders-api:ref:refs/heads/main)" in dry_run.stdout
    )
    assert "github-apply (trusts repo:acme/orders-api:environment:prod)" in dry_run.stdout
    terraform = files["infra/envs/prod/main.tf"]
    assert 'default_branch_subject = "${local.repository_subject}:ref:refs/heads/main"' in terraform
    assert "github_build_subjects       = [local.default_branch_subject]" in terraform
    assert (
        'github_plan_subjects  = ["${local.repository_subject}:pull_request", '
        "local.default_branch_subject]" in terraform
    )
    environment_subject = '["${local.repository_subject}:environment:${local.environment}"]'
    assert f"github_deploy_subjects      = {environment_subject}" in terraform
    assert f"github_apply_subjects = {environment_subject}" in terraform
    assert re.search(r'\n  environment\s+= "prod"\n', terraform)


def test_the_bootstrap_script_explains_itself_and_refuses_what_it_does_not_know(
    files: dict[str, str], tmp_path: Path
) -> None:
    script = tmp_path / "setup-oidc.sh"
    script.write_text(files["infra/scripts/setup-oidc.sh"])

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(script), *arguments], capture_output=True, text=True, check=False
        )

    assert run("--help").returncode == 0
    assert "--dry-run" in run("--help").stdout
    assert run().returncode == 2
    unknown = run("qa", "--dry-run")
    assert unknown.returncode == 1
    assert "unknown environment 'qa' (known: dev, prod)" in unknown.stderr
    immutable = run("dev", "--dry-run", "--owner-id", "12", "--repository-id", "34")
    assert "repo:acme@12/orders-api@34:environment:dev" in immutable.stdout


def _validators_named(guide: Path) -> set[str]:
    text = guide.read_text()
    table = text.split("## Guarantees and the validator that checks each")[1].split("\n## ")[0]
    return set(
        re.findall(
            r"`([a-z-]+)`",
            "".join(
                row.rsplit("|", 2)[-2]
                for row in table.splitlines()
                if row.startswith("| ") and not row.startswith("| guarantee")
            ),
        )
    )


def test_the_guides_name_every_validator_and_only_those() -> None:
    # sbh/v2's guide lists what it adds to v1's; v1's guide ships unchanged in v1 repositories.
    v1, v2 = _validators_named(GUIDE), _validators_named(GUIDE_V2)

    assert v1 | v2 == set(VALIDATORS)
    assert v2 == {"service-reach"}


# --- Infrastructure through pull requests: infra.yml plans and applies, drift.yml checks.


def test_infrastructure_changes_are_planned_on_pull_requests_and_applied_on_main(
    files: dict[str, str],
) -> None:
    infra = workflow(files, "infra")

    paths = ["infra/**", "sbh.yaml"]
    assert infra[True] == {
        "pull_request": {"paths": paths},
        "push": {"branches": ["main"], "paths": paths},
    }
    assert infra["permissions"] == {}
    assert list(infra["jobs"]) == [
        "plan-dev",
        "plan-prod",
        "apply-dev",
        "apply-prod",
        "plan-comment",
        "report-dev",
        "report-prod",
    ]


def test_each_environment_is_planned_with_its_read_only_role_and_never_for_a_fork(
    files: dict[str, str],
) -> None:
    job = workflow(files, "infra")["jobs"]["plan-prod"]
    runs = "\n".join(step.get("run", "") for step in job["steps"])

    assert job["if"] == (
        "github.event_name == 'pull_request' && "
        "github.event.pull_request.head.repo.full_name == github.repository"
    )
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert "environment" not in job  # the plan role trusts pull_request, not an environment
    assert assumed_role(job) == (
        "${{ vars.AWS_PLAN_ROLE_ARN_PROD || "
        "'arn:aws:iam::222222222222:role/orders-api-prod-github-plan' }}"
    )
    assert job["defaults"]["run"]["working-directory"] == "infra/envs/prod"
    assert "terraform init" in runs
    assert "terraform plan -lock-timeout=10m -out=tfplan" in runs
    assert "terraform show -json tfplan > plan.json" in runs
    assert 'infra/scripts/plan_summary.py" --env "$ENVIRONMENT"' in runs
    assert '--max-chars "$MAX_CHARS" plan.json' in runs
    assert '>> "$GITHUB_STEP_SUMMARY"' in runs
    assert "terraform apply" not in runs


def test_one_sticky_comment_holds_every_environments_plan(files: dict[str, str]) -> None:
    job = workflow(files, "infra")["jobs"]["plan-comment"]
    step = job["steps"][0]

    assert job["needs"] == ["plan-dev", "plan-prod"]
    assert job["if"] == "always() && github.event_name == 'pull_request'"
    assert job["permissions"] == {"pull-requests": "write"}
    assert step["env"]["PLANS"] == "${{ toJSON(needs) }}"
    assert step["env"]["ENVIRONMENTS"] == "dev prod"
    # Found by its hidden marker among the bot's own comments, then edited: never a second one.
    assert 'marker="<!-- sbh:infra-plan -->"' in step["run"]
    assert (
        'select(.user.login == "github-actions[bot]" and (.body | startswith($marker)))'
        in (step["run"])
    )
    assert '-X PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$comment"' in step["run"]
    assert 'cat comment.md >> "$GITHUB_STEP_SUMMARY"' in step["run"]
    assert "comes from a fork" in step["run"]


def test_applies_run_in_their_environment_one_at_a_time_production_after_the_others() -> None:
    infra = yaml.safe_load(rendered_fixture("three-environments")[".github/workflows/infra.yml"])
    jobs = infra["jobs"]

    assert "needs" not in jobs["apply-dev"]
    assert "needs" not in jobs["apply-staging"]
    assert jobs["apply-prod"]["needs"] == ["apply-dev", "apply-staging"]
    for environment in ("dev", "staging", "prod"):
        job = jobs[f"apply-{environment}"]
        runs = [step.get("run", "") for step in job["steps"]]
        assert job["if"] == "github.event_name == 'push'"
        assert job["environment"]["name"] == environment
        assert job["concurrency"] == {"group": f"infra-{environment}", "cancel-in-progress": False}
        assert job["permissions"] == {"contents": "read", "id-token": "write"}
        assert "github-apply' }}" in assumed_role(job)
        assert f"AWS_APPLY_ROLE_ARN_{environment.upper()}" in assumed_role(job)
        plan = runs.index("terraform plan -lock-timeout=10m -out=tfplan")
        assert runs.index("terraform apply -lock-timeout=10m tfplan") > plan


def test_an_apply_is_reported_on_the_merged_pull_request_and_the_merge_commit(
    files: dict[str, str],
) -> None:
    job = workflow(files, "infra")["jobs"]["report-prod"]
    run = job["steps"][0]["run"]

    assert job["needs"] == "apply-prod"
    assert job["if"] == "always() && github.event_name == 'push'"
    assert job["permissions"] == {"pull-requests": "write", "statuses": "write"}
    assert job["steps"][0]["env"]["RESULT"] == "${{ needs.apply-prod.result }}"
    assert '"repos/$GITHUB_REPOSITORY/statuses/$GITHUB_SHA"' in run
    assert '-f context="sbh/infra $ENVIRONMENT"' in run
    assert '"repos/$GITHUB_REPOSITORY/commits/$GITHUB_SHA/pulls"' in run
    assert '"repos/$GITHUB_REPOSITORY/issues/$pull_request/comments"' in run


def test_drift_is_checked_daily_with_the_plan_role_outside_any_environment(
    files: dict[str, str],
) -> None:
    drift = workflow(files, "drift")
    job = drift["jobs"]["drift-prod"]
    plan = next(step for step in job["steps"] if step.get("id") == "plan")

    assert set(drift[True]) == {"schedule", "workflow_dispatch"}
    assert drift["permissions"] == {}
    assert "environment" not in job  # its OIDC subject is main's, which the plan role trusts
    assert job["if"] == "github.ref == 'refs/heads/main'"
    assert job["permissions"] == {"contents": "read", "id-token": "write", "issues": "write"}
    assert "github-plan' }}" in assumed_role(job)
    assert "terraform plan -lock-timeout=10m -detailed-exitcode -out=tfplan" in plan["run"]
    summary = next(step for step in job["steps"] if step.get("id") == "summary")
    assert summary["if"] == "steps.plan.outputs.exit_code == '2'"
    assert '--env "$ENVIRONMENT" --drift' in summary["run"]


def test_drift_keeps_one_issue_per_environment_and_a_clean_run_closes_it(
    files: dict[str, str],
) -> None:
    for environment in ("dev", "prod"):
        job = workflow(files, "drift")["jobs"][f"drift-{environment}"]
        issue = next(step for step in job["steps"] if step.get("name", "").startswith("Open, up"))
        run = issue["run"]

        assert job["permissions"] == {
            "contents": "read",
            "id-token": "write",
            "issues": "write",
        }
        assert issue["if"] == (
            "steps.plan.outputs.exit_code == '0' || steps.plan.outputs.exit_code == '2'"
        )
        assert 'title="Drift in $ENVIRONMENT"' in run
        assert "labels=$LABEL" in run
        assert issue["env"]["LABEL"] == "sbh:drift"
        assert '-X PATCH "repos/$GITHUB_REPOSITORY/issues/$issue" -F body=@drift.md' in run
        assert '-X POST "repos/$GITHUB_REPOSITORY/issues" \\\n' in run
        assert "-f state=closed" in run


def test_a_drift_job_fails_when_it_finds_drift_which_is_how_sbh_reads_it(
    files: dict[str, str],
) -> None:
    # SBH (bot/flows/infra_events.py) takes a failed `drift (<env>)` job as drift found.
    for environment in ("dev", "prod"):
        job = workflow(files, "drift")["jobs"][f"drift-{environment}"]
        last = job["steps"][-1]

        assert job["name"] == f"drift ({environment})"
        assert last["if"] == "steps.plan.outputs.exit_code == '2'"
        assert last["run"].rstrip().endswith("exit 1")


def test_each_write_permission_is_granted_only_to_the_jobs_that_write(
    files: dict[str, str],
) -> None:
    granted: dict[str, set[str]] = {}
    for name in ("build", "deploy", "infra", "drift"):
        for job, permissions in permissions_by_job(workflow(files, name)).items():
            for scope, level in (permissions or {}).items():
                if level == "write":
                    granted.setdefault(scope, set()).add(f"{name}:{job}")

    assert granted == {
        "id-token": {
            "build:image",
            "deploy:deploy",
            "infra:plan-dev",
            "infra:plan-prod",
            "infra:apply-dev",
            "infra:apply-prod",
            "drift:drift-dev",
            "drift:drift-prod",
        },
        "actions": {"build:deploy"},
        "deployments": {"deploy:deploy"},
        "pull-requests": {"infra:plan-comment", "infra:report-dev", "infra:report-prod"},
        "statuses": {"infra:report-dev", "infra:report-prod"},
        "issues": {"drift:drift-dev", "drift:drift-prod"},
    }
