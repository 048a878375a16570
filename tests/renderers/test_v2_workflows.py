"""What the workflows of an sbh/v2 repository promise, read from the rendered files: one job
per service as its kind allows, data (TARGETS) instead of spec values in scripts, every action
pinned, OIDC roles per environment, and a README and RUNBOOK that name every service."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from renderers.complete import complete_defaults
from renderers.complete_v2 import SpecV2
from renderers.render import render
from renderers.render_v2 import deploy_targets_v2
from renderers.spec import load_spec
from tests.renderers.workflow_scripts import git, run_script, step_named, steps

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ("ci", "build", "deploy", "infra", "drift")
_PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")

ENVIRONMENTS = """
environments:
  dev:  {aws_account_id: "111111111111", region: us-west-2, domain: x.dev.acme.io}
  prod: {aws_account_id: "222222222222", region: eu-west-1, domain: x.acme.io}
"""

# Each kind alone, mixes, and systems without a web service, a database or a non-production
# environment: the workflows must hold for every one of them.
SPECS: dict[str, str] = {
    "shop": (ROOT / "examples" / "shop.yaml").read_text(),
    "web-only": "apiVersion: sbh/v2\nname: api\nowner: acme\nservices:\n  app: {kind: web}\n"
    "database: null\n" + ENVIRONMENTS,
    "backend-only": "apiVersion: sbh/v2\nname: inner\nowner: acme\nservices:\n"
    "  store: {kind: backend, port: 9000}\n" + ENVIRONMENTS,
    "worker-only": "apiVersion: sbh/v2\nname: queue\nowner: acme\nservices:\n"
    "  ingest: {kind: worker, min_count: 1}\ndatabase: null\n" + ENVIRONMENTS,
    "job-only": "apiVersion: sbh/v2\nname: nightly\nowner: acme\nservices:\n"
    '  report: {kind: job, schedule: "rate(1 hour)"}\ndatabase: null\n' + ENVIRONMENTS,
    "site-only": "apiVersion: sbh/v2\nname: brochure\nowner: acme\nservices:\n"
    "  www: {kind: static-site}\ndatabase: null\nenvironments:\n"
    '  prod: {aws_account_id: "222222222222", region: us-east-1, domain: acme.io}\n',
    "worker-and-job": "apiVersion: sbh/v2\nname: pipeline\nowner: acme\nservices:\n"
    "  ingest: {kind: worker}\n  sweep: {kind: job}\nstorage: {buckets: [raw]}\n" + ENVIRONMENTS,
    # Images built from the person's own Dockerfile, beside SBH's Python and alone.
    "container-beside-python": (
        ROOT / "tests/fixtures/specs-v2/container-web-beside-python.yaml"
    ).read_text(),
    "container-worker-and-job": (
        ROOT / "tests/fixtures/specs-v2/container-worker-and-job.yaml"
    ).read_text(),
}


def spec_named(name: str) -> SpecV2:
    spec = complete_defaults(load_spec(SPECS[name], f"{name}.yaml"), f"{name}.yaml")
    assert isinstance(spec, SpecV2)
    return spec


_RENDERED: dict[str, dict[str, str]] = {}


def rendered(name: str) -> dict[str, str]:
    if name not in _RENDERED:
        _RENDERED[name] = {
            path: file.content.decode() for path, file in render(spec_named(name)).items()
        }
    return _RENDERED[name]


def workflow(name: str, file: str) -> dict[Any, Any]:
    document: dict[Any, Any] = yaml.safe_load(rendered(name)[f".github/workflows/{file}.yml"])
    return document


# --- TARGETS: the data the workflows read.


def test_targets_name_every_environment_role_and_service_from_the_derived_names() -> None:
    spec = spec_named("shop")
    targets = deploy_targets_v2(spec)
    for env in spec.environments.values():
        target = targets["environments"][env.name]
        assert target["deploy_role_arn"] == (
            f"arn:aws:iam::{env.aws_account_id}:role/{env.names.deploy_role}"
        )
        for role in ("build", "plan", "apply"):
            assert target[f"{role}_role_arn"].endswith(
                f":role/{getattr(env.names, role + '_role')}"
            )
        assert (target["cluster"], target["url"]) == (env.names.cluster, f"https://{env.domain}")
        assert set(target["services"]) == set(spec.services)
        names = env.names.services
        assert target["services"]["api"]["health_url"] == f"https://{env.domain}/api/health"
        assert target["services"]["api"]["service"] == names["api"].service
        assert target["services"]["catalog"]["health_url"] == ""  # not public
        assert target["services"]["mailer"]["desired_count"] == 0  # its min_count
        assert target["services"]["nightly"]["schedule"] == names["nightly"].schedule
        assert "service" not in target["services"]["nightly"]
        site = target["services"]["storefront"]
        assert site == {
            "kind": "static-site",
            "site_bucket": names["storefront"].site_bucket,
            "distribution": env.names.distribution,
            "url": f"https://{env.domain}",
        }
    assert targets["services"]["storefront"] == {
        "kind": "static-site",
        "directory": "storefront",
        "build": "npm ci && npm run build",
        "output": "dist",
    }
    assert targets["services"]["api"] == {
        "kind": "web",
        "directory": "services/api",
        "runtime": "python",
        "dockerfile": "services/api/Dockerfile",
        "context": "services/api",
        "watch": ["services/api"],
    }
    assert (targets["release"], targets["continuous"]) == ("prod", "dev")


@pytest.mark.parametrize("file", ["build", "deploy"])
def test_workflows_carry_the_targets_as_one_json_value(file: str) -> None:
    assert json.loads(workflow("shop", file)["env"]["TARGETS"]) == deploy_targets_v2(
        spec_named("shop")
    )


def test_a_spec_value_that_looks_like_an_expression_stays_data() -> None:
    text = SPECS["site-only"].replace(
        "{kind: static-site}", '{kind: static-site, build: "echo ${{ secrets.STOLEN }}"}'
    )
    spec = complete_defaults(load_spec(text))
    files = {path: file.content.decode() for path, file in render(spec).items()}
    for file in ("ci", "deploy"):
        document = files[f".github/workflows/{file}.yml"]
        assert "secrets.STOLEN" in document  # the value is there, as text
        assert "${{ secrets.STOLEN" not in document  # but never opens an expression


# --- Every workflow of every spec.


@pytest.mark.parametrize("name", sorted(SPECS))
def test_no_expression_in_a_script_and_every_action_pinned_with_its_version(name: str) -> None:
    for file in WORKFLOWS:
        text = rendered(name)[f".github/workflows/{file}.yml"]
        document = yaml.safe_load(text)
        assert document["permissions"] in ({}, {"contents": "read"}), file
        for job_name, job in document["jobs"].items():
            for step in job.get("steps", []):
                assert "${{" not in step.get("run", ""), (file, job_name, step.get("name"))
                if "uses" in step:
                    assert _PINNED.fullmatch(step["uses"]), step["uses"]
        for line in text.splitlines():
            if re.match(r"^\s*(- )?uses: ", line):
                assert re.search(r"@[0-9a-f]{40} # v\d", line), line


@pytest.mark.parametrize("name", sorted(SPECS))
def test_only_jobs_that_assume_a_role_may_ask_for_an_oidc_token(name: str) -> None:
    for file in WORKFLOWS:
        for job_name, job in workflow(name, file)["jobs"].items():
            if (job.get("permissions") or {}).get("id-token") == "write":
                assert any(
                    "configure-aws-credentials" in step.get("uses", "") for step in steps(job)
                ), (file, job_name)


# --- ci.yml


def test_ci_checks_every_container_service_in_one_matrix_and_the_site_in_its_own_job() -> None:
    spec = spec_named("shop")
    jobs = workflow("shop", "ci")["jobs"]
    include = jobs["service"]["strategy"]["matrix"]["include"]
    assert [(entry["name"], entry["kind"], entry["directory"]) for entry in include] == [
        (service.name, service.kind, service.directory) for service in spec.container_services
    ]
    assert {entry["name"]: entry.get("port") for entry in include} == {
        "api": 8000,
        "catalog": 8001,
        "mailer": None,
        "nightly": None,
    }
    runs = [step.get("run", "") for step in steps(jobs["service"])]
    assert "make lint" in runs
    assert "make test" in runs
    site = jobs["site"]
    assert (site["env"]["SOURCE"], site["env"]["BUILD"]) == (
        "storefront",
        "npm ci && npm run build",
    )
    assert {"repository", "terraform"} <= set(jobs)


def test_ci_boots_each_kind_the_way_it_can_run() -> None:
    service_job = workflow("shop", "ci")["jobs"]["service"]
    assert "web" in step_named(service_job, "Boot it and call the health")["if"]
    worker = step_named(service_job, "Boot it against the queue")
    assert worker["if"] == "matrix.kind == 'worker'"
    assert "AWS_ENDPOINT_URL" in worker["env"]
    assert "send-message" in worker["run"]
    assert step_named(service_job, "Run it once")["if"] == "matrix.kind == 'job'"


def test_ci_has_no_steps_for_kinds_the_system_does_not_have() -> None:
    job_only = [
        step.get("name", "") for step in steps(workflow("job-only", "ci")["jobs"]["service"])
    ]
    assert "Run it once" in job_only
    assert not any(name.startswith(("Boot it", "Start an SQS")) for name in job_only)
    assert "service" not in workflow("site-only", "ci")["jobs"]
    assert "site" not in workflow("web-only", "ci")["jobs"]


# --- build.yml


def test_build_builds_the_changed_services_in_a_matrix_and_pushes_to_every_environment() -> None:
    spec = spec_named("shop")
    build = workflow("shop", "build")
    assert build[True]["push"]["branches"] == ["main"]
    image = build["jobs"]["image"]
    assert image["strategy"]["matrix"]["service"] == "${{ fromJSON(needs.changes.outputs.images) }}"
    roles = [
        step["with"]["role-to-assume"]
        for step in steps(image)
        if "configure-aws-credentials" in step.get("uses", "")
    ]
    assert len(roles) == len(spec.environments)
    for env, role in zip(spec.environments.values(), roles, strict=True):
        assert env.names.build_role in role
    changed = step_named(build["jobs"]["changes"], "Which services changed")["run"]
    assert "git diff --name-only" in changed
    assert "sbh\\.yaml" in changed
    push = step_named(image, "Build and push")
    assert push["with"]["tags"] == "${{ steps.image.outputs.tags }}"


def test_build_starts_deploy_for_the_first_non_production_environment_by_dispatch() -> None:
    build = workflow("shop", "build")
    deploy = build["jobs"]["deploy"]
    assert deploy["permissions"] == {"actions": "write"}
    assert deploy["steps"][0]["env"]["ENVIRONMENT"] == "dev"
    assert "gh workflow run deploy.yml" in deploy["steps"][0]["run"]
    for file in WORKFLOWS:
        assert "workflow_run" not in workflow("shop", file)[True]


def test_a_site_only_production_only_build_has_no_image_and_no_deploy() -> None:
    site_only = workflow("site-only", "build")["jobs"]
    assert set(site_only) == {"changes"}  # only production: no automatic deploy either
    assert "image" not in site_only
    assert "deploy" in workflow("job-only", "build")["jobs"]


# --- deploy.yml


def test_deploy_inputs_name_every_environment_and_service() -> None:
    spec = spec_named("shop")
    inputs = workflow("shop", "deploy")[True]["workflow_dispatch"]["inputs"]
    assert inputs["environment"]["options"] == list(spec.environments)
    assert inputs["service"]["options"] == ["all", *spec.services]
    assert inputs["service"]["default"] == "all"
    assert inputs["image_tag"]["default"] == inputs["task_definition"]["default"] == ""
    assert workflow("shop", "deploy")[True]["push"] == {"tags": ["v*"]}


def test_every_service_deploys_in_its_own_gated_job_with_the_deploy_role() -> None:
    job = workflow("shop", "deploy")["jobs"]["deploy"]
    assert job["strategy"]["matrix"]["service"] == "${{ fromJSON(needs.target.outputs.services) }}"
    assert job["strategy"]["fail-fast"] is False
    assert job["environment"]["name"] == "${{ needs.target.outputs.environment }}"
    assert "matrix.service.name" in job["concurrency"]["group"]
    assert job["concurrency"]["cancel-in-progress"] is False
    credentials = step_named(job, "AWS credentials")
    assert "deploy_role_arn" in credentials["with"]["role-to-assume"]


def test_an_ecs_deploy_waits_checks_health_and_rolls_back() -> None:
    job = workflow("shop", "deploy")["jobs"]["deploy"]
    deploy = step_named(job, "Deploy and wait")
    assert deploy["with"]["wait-for-service-stability"] is True
    assert (
        step_named(job, "Check the public health endpoint")["if"] == "matrix.service.kind == 'web'"
    )
    rollback = step_named(job, "Roll back to the previous revision")
    assert rollback["if"].startswith("failure()")
    assert '--task-definition "$PREVIOUS"' in rollback["run"]


def test_a_job_deploy_registers_a_revision_and_repoints_its_schedule() -> None:
    job = workflow("shop", "deploy")["jobs"]["deploy"]
    register = step_named(job, "Register the job's new revision")
    assert "service" not in register["with"]  # registers only
    point = step_named(job, "Point the schedule")["run"]
    assert "aws scheduler update-schedule --cli-input-json" in point
    for field in ("FlexibleTimeWindow", "ScheduleExpression", "Target", "GroupName"):
        assert field in point
    assert "update-schedule" in step_named(job, "Put the schedule back")["run"]


def test_a_site_is_built_before_any_credentials_then_synced_and_invalidated() -> None:
    job = workflow("shop", "deploy")["jobs"]["deploy"]
    names = [step.get("name") or step.get("uses") for step in steps(job)]
    assert names.index("Build the site") < names.index("AWS credentials")
    assert "aws s3 sync" in step_named(job, "Upload the site")["run"]
    assert "create-invalidation" in step_named(job, "Invalidate the CloudFront cache")["run"]


def test_deploy_has_only_the_steps_its_kinds_need() -> None:
    site = [
        step.get("name", "") for step in steps(workflow("site-only", "deploy")["jobs"]["deploy"])
    ]
    assert "Build the site" in site
    assert "What runs now" not in site
    backend = [
        step.get("name", "") for step in steps(workflow("backend-only", "deploy")["jobs"]["deploy"])
    ]
    assert "Deploy and wait for the service to be stable" in backend
    assert "Check the public health endpoint" not in backend
    assert "Point the schedule at the revision" not in backend


# --- infra.yml and drift.yml: per environment, as in sbh/v1.


def test_infra_plans_and_applies_per_environment_and_drift_checks_daily() -> None:
    jobs = workflow("shop", "infra")["jobs"]
    assert {"plan-dev", "plan-prod", "apply-dev", "apply-prod", "plan-comment"} <= set(jobs)
    assert jobs["apply-prod"]["needs"] == ["apply-dev"]
    assert "shop-prod-github-apply" in assumed_role(jobs["apply-prod"])
    assert set(workflow("shop", "drift")["jobs"]) == {"drift-dev", "drift-prod"}


def assumed_role(job: dict[Any, Any]) -> str:
    step = next(s for s in steps(job) if "configure-aws-credentials" in s.get("uses", ""))
    role: str = step["with"]["role-to-assume"]
    return role


# --- README and RUNBOOK


def test_readme_and_runbook_name_every_service_with_spec_text_escaped() -> None:
    text = SPECS["web-only"].replace(
        "owner: acme", "owner: acme\ndescription: 'A <b>bold</b> [x](y)'"
    )
    spec = complete_defaults(load_spec(text))
    files = {path: file.content.decode() for path, file in render(spec).items()}
    assert "&lt;b&gt;bold&lt;/b&gt; \\[x\\]\\(y\\)" in files["README.md"]
    shop = rendered("shop")
    for service in spec_named("shop").services:
        assert f"[{service}](" in shop["README.md"]
        assert f"| {service}" in shop["RUNBOOK.md"]
    assert "dead-letter queue not empty" in shop["RUNBOOK.md"]
    assert "failed run" in shop["RUNBOOK.md"]
    assert "dead-letter" not in rendered("web-only")["RUNBOOK.md"]
    assert "### Drift" in shop["RUNBOOK.md"]  # drift.yml's issues point there


# --- The scripts, run: bash and jq on the rendered text.


def pick(tmp_path: Path, **inputs: str) -> tuple[int, str, dict[str, str]]:
    deploy = workflow("shop", "deploy")
    script = deploy["jobs"]["target"]["steps"][0]["run"]
    env = {
        "TARGETS": deploy["env"]["TARGETS"],
        "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
        "EVENT_NAME": inputs.get("event", "workflow_dispatch"),
        "INPUT_ENVIRONMENT": inputs.get("environment", "dev"),
        "INPUT_SERVICE": inputs.get("service", "all"),
        "INPUT_IMAGE_TAG": inputs.get("image_tag", ""),
        "INPUT_TASK_DEFINITION": inputs.get("task_definition", ""),
    }
    return run_script(script, env, tmp_path)


@pytest.mark.slow
def test_the_deploy_target_picks_services_and_refuses_what_cannot_roll_back(tmp_path: Path) -> None:
    code, _, outputs = pick(tmp_path)
    assert code == 0
    chosen = json.loads(outputs["services"])
    assert [service["name"] for service in chosen] == list(spec_named("shop").services)
    assert chosen[0]["health_url"] == "https://shop.dev.acme.io/api/health"
    code, _, outputs = pick(tmp_path, event="push")
    assert (code, outputs["environment"], outputs["image_tag"]) == (0, "prod", "0123456")
    code, _, outputs = pick(tmp_path, service="nightly", task_definition="shop-nightly-task-dev:3")
    assert code == 0
    assert [s["kind"] for s in json.loads(outputs["services"])] == ["job"]
    refused = {
        "another service's family": {
            "service": "nightly",
            "task_definition": "shop-api-task-dev:3",
        },
        "all with a revision": {"task_definition": "shop-api-task-dev:3"},
        "a site with a revision": {"service": "storefront", "task_definition": "x-task:1"},
        "an unknown service": {"service": "nope"},
        "an option as a tag": {"image_tag": "-rf"},
        "an unknown environment": {"environment": "qa"},
    }
    for case, inputs in refused.items():
        code, log, _ = pick(tmp_path, **inputs)
        assert code == 1, case
        assert "::error::" in log, case


@pytest.mark.slow
def test_build_finds_the_services_whose_directory_changed(tmp_path: Path) -> None:
    build = workflow("shop", "build")
    script = step_named(build["jobs"]["changes"], "Which services changed")["run"]
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "t@example.com")
    git(tmp_path, "config", "user.name", "t")

    def commit(path: str) -> str:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        with (tmp_path / path).open("a") as file:
            file.write("changed\n")
        git(tmp_path, "add", "-A")
        git(tmp_path, "commit", "-qm", path)
        return git(tmp_path, "rev-parse", "HEAD")

    def changes(before: str, after: str, event: str = "push") -> dict[str, str]:
        env = {
            "TARGETS": build["env"]["TARGETS"],
            "EVENT_NAME": event,
            "BEFORE": before,
            "GITHUB_SHA": after,
        }
        code, log, outputs = run_script(script, env, tmp_path)
        assert code == 0, log
        return outputs

    first = commit("services/api/app.py")
    api_and_site = commit("storefront/index.html")
    git(tmp_path, "checkout", "-q", first)
    assert changes(first, api_and_site)["deploy"] == '["storefront"]'
    assert changes(first, api_and_site)["images"] == "[]"  # a site needs no image
    git(tmp_path, "checkout", "-q", "main")
    api = commit("services/api/main.py")
    outputs = changes(api_and_site, api)
    assert (outputs["images"], outputs["deploy"], outputs["tag"]) == ('["api"]', '["api"]', api[:7])
    docs = commit("tests/test_x.py")
    assert changes(api, docs)["deploy"] == "[]"
    spec_change = commit("sbh.yaml")
    everything = changes(docs, spec_change)
    assert everything["deploy"] == '["all"]'
    assert json.loads(everything["images"]) == ["api", "catalog", "mailer", "nightly"]
    assert changes("0" * 40, first)["deploy"] == '["all"]'  # the first push
    assert changes("", first, event="workflow_dispatch")["deploy"] == '["all"]'


# --- The validators `sbh check` runs on workflows. test_v2_checks.py runs them (and every
# other validator) on the v2 fixture specs; these shapes have no fixture.

NOT_IN_THE_FIXTURES = ("backend-only", "worker-and-job")


@pytest.mark.slow
@pytest.mark.parametrize("name", NOT_IN_THE_FIXTURES)
def test_rendered_workflows_pass_the_workflow_validators(name: str, tmp_path: Path) -> None:
    from renderers.checks import check_repository

    for path, content in rendered(name).items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    report = check_repository(
        tmp_path, only=["actionlint", "workflow-schema", "zizmor", "security-policy"]
    )
    for result in report.results:
        assert result.status == "passed", (result.validator, result.note, result.findings)
