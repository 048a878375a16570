"""`sbh import copilot`: Copilot workspaces (manifests written after Copilot's manifest
reference for each workload type and for environments) become sbh/v2 specs that validate once
their placeholders are filled, with everything else named in the report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import app
from renderers.complete import complete_defaults
from renderers.complete_v2 import SpecV2
from renderers.copilot import (
    CopilotImport,
    CopilotImportError,
    Finding,
    eventbridge_schedule,
    import_copilot,
    report_markdown,
    spec_yaml,
)
from renderers.problems import SpecError
from renderers.spec import PLACEHOLDER, load_spec
from tests.conftest import REPO_ROOT

FRONTEND = """\
# The Load Balanced Web Service manifest of `copilot svc init`, grown over time.
name: frontend
type: Load Balanced Web Service

http:
  path: '/'
  healthcheck:
    path: '/healthz'
    healthy_threshold: 3
    interval: 15s

image:
  build:
    dockerfile: frontend/Dockerfile
    context: frontend
    args:
      NODE_ENV: production
  port: 8080

cpu: 512
memory: 1024
count:
  range: 1-10
  cpu_percentage: 70
exec: true

variables:
  LOG_LEVEL: info
  FEATURE_X: true
  WORKERS: 4
  STAGE: ${COPILOT_ENVIRONMENT_NAME}
  port: "8080"
secrets:
  STRIPE_KEY: /copilot/shop/${COPILOT_ENVIRONMENT_NAME}/secrets/stripe
  GITHUB_TOKEN:
    secretsmanager: 'shop/github-token'

sidecars:
  nginx:
    image: public.ecr.aws/nginx/nginx:latest
    port: 80

environments:
  test:
    http:
      alias: test.shop.example.com
  prod:
    count: 3
    http:
      alias: shop.example.com
      hosted_zone: Z0123456789ABCDEFGHIJ
    variables:
      LOG_LEVEL: warn
"""

API = """\
name: api
type: Load Balanced Web Service
http:
  path: api
  healthcheck: /api/health
image:
  build: api/Dockerfile
  port: 8080
platform: linux/arm64
publish:
  topics:
    - name: orders
storage:
  volumes:
    data:
      efs: true
      path: /data
logging:
  destination:
    Name: cloudwatch
network:
  vpc:
    placement: private
taskdef_overrides:
  - path: ContainerDefinitions[0].Ulimits[-].HardLimit
    value: 2048
"""

CATALOG = """\
name: catalog
type: Backend Service
image:
  build: Dockerfile
  port: 9000
  healthcheck:
    command: ["CMD-SHELL", "curl -f http://localhost:9000/ || exit 1"]
count: 2
"""

MAILER = """\
name: mailer
type: Worker Service
image:
  build: mailer/Dockerfile
subscribe:
  topics:
    - name: orders
      service: api
  queue:
    timeout: 45s
    retention: 96h
    dead_letter:
      tries: 7
count:
  range:
    min: 0
    max: 5
  queue_delay:
    acceptable_latency: 1m
    msg_processing_time: 250ms
"""

NIGHTLY = """\
name: nightly
type: Scheduled Job
image:
  build: jobs/Dockerfile
on:
  schedule: "0 3 * * 1-5"
timeout: 1h30m
retries: 2
"""

REINDEX = """\
name: reindex
type: Scheduled Job
image:
  location: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/reindex:1.4
on:
  schedule: "@every 1h30m"
timeout: 90s
"""

BY_HAND = """\
name: by-hand
type: Scheduled Job
image:
  build: jobs/Dockerfile
on:
  schedule: none
"""

SITE = """\
name: site
type: Static Site
files:
  - source: site/dist
    recursive: true
    destination: assets
    exclude: '*.map'
"""

LEGACY = """\
name: legacy
type: Request-Driven Web Service
image:
  build: legacy/Dockerfile
  port: 8080
"""

PROD = """\
name: prod
type: Environment
network:
  vpc:
    id: vpc-0123456789abcdef0
http:
  public:
    certificates:
      - arn:aws:acm:eu-west-1:123456789012:certificate/3b6c4f1e-0000-4000-8000-000000000000
observability:
  container_insights: true
"""

PIPELINE = """\
name: release
version: 1
source:
  provider: GitHub
  properties:
    branch: main
    repository: https://github.com/acme/shop
stages:
  - name: test
  - name: prod
    requires_approval: true
"""

ADDON = """\
Resources:
  db:
    Type: AWS::RDS::DBCluster
"""

SHOP = {
    "copilot/.workspace": "application: shop\n",
    "copilot/frontend/manifest.yml": FRONTEND,
    "copilot/api/manifest.yml": API,
    "copilot/api/addons/db.yml": ADDON,
    "copilot/catalog/manifest.yml": CATALOG,
    "copilot/mailer/manifest.yml": MAILER,
    "copilot/nightly/manifest.yml": NIGHTLY,
    "copilot/reindex/manifest.yml": REINDEX,
    "copilot/by-hand/manifest.yml": BY_HAND,
    "copilot/site/manifest.yml": SITE,
    "copilot/legacy/manifest.yml": LEGACY,
    "copilot/environments/test/manifest.yml": "name: test\ntype: Environment\n",
    "copilot/environments/prod/manifest.yml": PROD,
    "copilot/pipelines/release/manifest.yml": PIPELINE,
}


@pytest.fixture(scope="module")
def shop() -> CopilotImport:
    return import_copilot(SHOP)


def findings(imported: CopilotImport, category: str, where: str) -> list[Finding]:
    return [f for f in imported.findings if f.category == category and f.where == where]


def one_finding(imported: CopilotImport, category: str, where: str, words: str) -> Finding:
    matching = [f for f in findings(imported, category, where) if words in f.message]
    assert len(matching) == 1, (
        f"expected one {category} finding at {where} saying {words!r}; the report has:\n"
        + report_markdown(imported)
    )
    return matching[0]


def filled_in(text: str) -> str:
    """The spec text with every placeholder replaced the way a person would."""
    answers = {
        "owner": "acme",
        "environments.test.aws_account_id": "111111111111",
        "environments.test.region": "eu-west-1",
        "services.reindex.dockerfile": "reindex/Dockerfile",
        "services.by-hand.schedule": "rate(7 days)",
        "services.frontend.path": "/shop/*",
    }
    data = yaml.safe_load(text)
    for field_path, answer in answers.items():
        *parents, last = field_path.split(".")
        place = data
        for part in parents:
            place = place[part]
        assert str(place[last]).startswith(PLACEHOLDER), field_path
        place[last] = answer
    return yaml.safe_dump(data, sort_keys=False)


# --- what maps ------------------------------------------------------------------------------


def test_the_application_becomes_the_system(shop: CopilotImport) -> None:
    assert shop.spec["apiVersion"] == "sbh/v2"
    assert shop.spec["name"] == "shop"
    assert shop.spec["database"] is None  # Copilot's databases live in addons


def test_a_load_balanced_web_service_becomes_a_web_service(shop: CopilotImport) -> None:
    assert shop.spec["services"]["frontend"] == {
        "kind": "web",
        "runtime": "container",
        "dockerfile": "frontend/Dockerfile",  # its context, frontend, is the default
        "cpu": 512,
        "memory": 1024,
        "env": {
            "LOG_LEVEL": "info",
            "FEATURE_X": "true",
            "WORKERS": "4",
            "STAGE": "${COPILOT_ENVIRONMENT_NAME}",
        },
        "secrets": ["STRIPE_KEY", "GITHUB_TOKEN"],
        # Copilot routed it at /, but the static site serves the one domain's /* in SBH.
        "path": f"{PLACEHOLDER}: a path prefix such as /api/* (the site serves /*)",
        "desired_count": 1,
    }


def test_copilots_path_is_a_prefix_and_the_healthcheck_may_be_a_string(
    shop: CopilotImport,
) -> None:
    api = shop.spec["services"]["api"]

    assert (api["path"], api["health_path"], api["dockerfile"]) == (
        "/api/*",
        "/api/health",
        "api/Dockerfile",
    )


def test_a_port_two_services_share_is_left_to_sbh(shop: CopilotImport) -> None:
    assert shop.spec["services"]["api"]["port"] == 8080  # the first in the workspace's order
    assert "port" not in shop.spec["services"]["frontend"]
    one_finding(shop, "changed", "copilot/frontend/manifest.yml:18", "port 8080 is also api's")


def test_a_backend_service_becomes_a_backend(shop: CopilotImport) -> None:
    assert shop.spec["services"]["catalog"] == {
        "kind": "backend",
        "runtime": "container",
        "dockerfile": "Dockerfile",
        "port": 9000,
        "desired_count": 2,
    }
    one_finding(shop, "changed", "copilot/catalog/manifest.yml", "SBH checks GET /health")


def test_a_worker_service_becomes_a_worker_with_its_queue_settings(shop: CopilotImport) -> None:
    assert shop.spec["services"]["mailer"] == {
        "kind": "worker",
        "runtime": "container",
        "dockerfile": "mailer/Dockerfile",
        "queue": {"visibility_timeout_seconds": 45, "max_receive_count": 7},
        "min_count": 0,
        "max_count": 5,
    }


def test_scheduled_jobs_become_jobs_with_eventbridge_schedules(shop: CopilotImport) -> None:
    services = shop.spec["services"]

    assert services["nightly"] == {
        "kind": "job",
        "runtime": "container",
        "dockerfile": "jobs/Dockerfile",
        "schedule": "cron(0 3 ? * 2-6 *)",
        "timeout_minutes": 90,
    }
    assert services["reindex"]["schedule"] == "rate(90 minutes)"
    assert services["reindex"]["timeout_minutes"] == 2  # 90 s, rounded up to whole minutes
    one_finding(shop, "changed", "copilot/reindex/manifest.yml:7", "rounded up to 2")


def test_a_static_site_uploads_what_it_builds(shop: CopilotImport) -> None:
    assert shop.spec["services"]["site"] == {
        "kind": "static-site",
        "source": "site",
        "output": "dist",
    }
    one_finding(shop, "changed", "copilot/site/manifest.yml:4", "check the build command")


def test_environments_take_what_their_manifests_and_aliases_say(shop: CopilotImport) -> None:
    prod = shop.spec["environments"]["prod"]

    assert prod == {
        "aws_account_id": "123456789012",  # from the imported certificate's ARN
        "region": "eu-west-1",
        "domain": "shop.example.com",  # environments.prod.http.alias
        "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
        "approval": True,  # the pipeline's prod stage requires approval
    }
    assert shop.spec["environments"]["test"]["domain"] == "test.shop.example.com"


def test_what_copilot_does_not_know_is_a_placeholder_listed_in_the_report(
    shop: CopilotImport,
) -> None:
    fill_in = {finding.field for finding in shop.of("fill in")}

    assert fill_in == {
        "owner",
        "environments.test.aws_account_id",
        "environments.test.region",
        "services.reindex.dockerfile",
        "services.frontend.path",
        "services.by-hand.schedule",
    }
    test = shop.spec["environments"]["test"]
    assert test["aws_account_id"] == f"{PLACEHOLDER}: 12-digit AWS account id of test"
    assert test["region"].startswith(PLACEHOLDER)
    assert shop.spec["owner"].startswith(PLACEHOLDER)


def test_a_prebuilt_image_asks_for_a_dockerfile_that_starts_from_it(shop: CopilotImport) -> None:
    dockerfile = shop.spec["services"]["reindex"]["dockerfile"]

    assert dockerfile.startswith(PLACEHOLDER)
    assert "FROM 123456789012.dkr.ecr.eu-west-1.amazonaws.com/reindex:1.4" in dockerfile


# --- what does not map ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "words"),
    [
        ("copilot/frontend/manifest.yml:25", "exec: ECS Exec"),
        ("copilot/frontend/manifest.yml:38", "sidecars: sidecar containers"),
        ("copilot/frontend/manifest.yml:16", "image.build.args"),
        ("copilot/frontend/manifest.yml:24", "count.cpu_percentage"),
        ("copilot/frontend/manifest.yml:7", "health check settings healthy_threshold, interval"),
        ("copilot/api/manifest.yml:9", "platform: SBH runs linux/x86_64"),
        ("copilot/api/manifest.yml:10", "publish: SNS topics"),
        ("copilot/api/manifest.yml:13", "storage: volumes, EFS"),
        ("copilot/api/manifest.yml:18", "logging: the FireLens log router"),
        ("copilot/api/manifest.yml:21", "network: VPC placement"),
        ("copilot/api/manifest.yml:24", "task definition overrides"),
        ("copilot/api/addons/db.yml", "it defines a database"),
        ("copilot/catalog/manifest.yml:6", "image.healthcheck"),
        ("copilot/mailer/manifest.yml:7", "SNS topic api/orders"),
        ("copilot/mailer/manifest.yml:11", "queue retention"),
        ("copilot/mailer/manifest.yml:18", "count.queue_delay"),
        ("copilot/nightly/manifest.yml:8", "retries"),
        ("copilot/legacy/manifest.yml:2", "Request-Driven Web Service"),
        ("copilot/site/manifest.yml:6", "files[0].destination"),
        ("copilot/site/manifest.yml:7", "files[0].exclude"),
        ("copilot/environments/prod/manifest.yml:3", "network: the environment's VPC"),
        ("copilot/environments/prod/manifest.yml:10", "observability: Container Insights"),
        ("copilot/pipelines/release/manifest.yml", "a Copilot pipeline"),
    ],
)
def test_every_unsupported_feature_is_named_with_its_manifest_line(
    shop: CopilotImport, where: str, words: str
) -> None:
    one_finding(shop, "unsupported", where, words)


def test_overrides_per_environment_are_listed_unless_they_name_the_domain(
    shop: CopilotImport,
) -> None:
    one_finding(
        shop, "unsupported", "copilot/frontend/manifest.yml:48", "override for prod: count 3"
    )
    one_finding(
        shop,
        "unsupported",
        "copilot/frontend/manifest.yml:52",
        "override for prod: variables {LOG_LEVEL: warn}",
    )
    overrides = [f for f in shop.of("unsupported") if "override for" in f.message]
    assert len(overrides) == 2  # the aliases and prod's hosted zone are the environments'


def test_what_sbh_would_refuse_is_left_out_and_said(shop: CopilotImport) -> None:
    one_finding(shop, "unsupported", "copilot/frontend/manifest.yml:32", "variable port")
    one_finding(shop, "changed", "copilot/frontend/manifest.yml:31", "variable STAGE")
    assert "legacy" not in shop.spec["services"]


def test_every_finding_points_into_the_workspace(shop: CopilotImport) -> None:
    for finding in shop.findings:
        path = finding.where.split(":")[0]
        assert path in SHOP or path.startswith("copilot/") or finding.field == "owner", finding


# --- schedules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("copilot", "eventbridge"),
    [
        ("@hourly", "cron(0 * * * ? *)"),
        ("@daily", "cron(0 0 * * ? *)"),
        ("@midnight", "cron(0 0 * * ? *)"),
        ("@weekly", "cron(0 0 ? * 1 *)"),
        ("@monthly", "cron(0 0 1 * ? *)"),
        ("@yearly", "cron(0 0 1 1 ? *)"),
        ("@annually", "cron(0 0 1 1 ? *)"),
        ("@every 30m", "rate(30 minutes)"),
        ("@every 1m", "rate(1 minute)"),
        ("@every 1h", "rate(1 hour)"),
        ("@every 1h30m", "rate(90 minutes)"),
        ("@every 6h", "rate(6 hours)"),
        ("@every 24h", "rate(1 day)"),
        ("@every 48h", "rate(2 days)"),
        ("@every 120s", "rate(2 minutes)"),
        ("0 3 * * *", "cron(0 3 * * ? *)"),
        ("*/15 * * * *", "cron(*/15 * * * ? *)"),
        ("0 9 * * 1-5", "cron(0 9 ? * 2-6 *)"),
        ("0 9 * * 0", "cron(0 9 ? * 1 *)"),
        ("0 9 * * 7", "cron(0 9 ? * 1 *)"),
        ("0 9 * * 0,6", "cron(0 9 ? * 1,7 *)"),
        ("0 9 * * MON-FRI", "cron(0 9 ? * MON-FRI *)"),
        ("30 2 1 * *", "cron(30 2 1 * ? *)"),
        ("0 0 1 1,7 *", "cron(0 0 1 1,7 ? *)"),
        ("0 0 ? * 3", "cron(0 0 ? * 4 *)"),
        ("cron(0 4 * * ? *)", "cron(0 4 * * ? *)"),
        ("rate(5 minutes)", "rate(5 minutes)"),
    ],
)
def test_copilot_schedules_become_eventbridge_expressions(copilot: str, eventbridge: str) -> None:
    assert eventbridge_schedule(copilot).expression == eventbridge


@pytest.mark.parametrize(
    ("copilot", "reason"),
    [
        ("none", "an SBH job always runs on a schedule"),
        ("@every 90s", "whole minutes"),
        ("@every 30s", "whole minutes"),
        ("@every soon", "not a duration"),
        ("@fortnightly", "not a schedule preset"),
        ("0 9 1 * 1", "a day of the month and a day of the week"),
        ("0 9 * * */2", "no steps"),
        ("0 9 * *", "has 5 fields"),
        ("CRON_TZ=Europe/Paris 0 9 * * *", "UTC"),
        ("cron(0 4 * * * *)", "must be ?"),
    ],
)
def test_schedules_eventbridge_cannot_run_say_why(copilot: str, reason: str) -> None:
    converted = eventbridge_schedule(copilot)

    assert converted.expression is None
    assert reason in converted.reason


def test_every_converted_schedule_is_one_sbh_accepts() -> None:
    for written in ("@hourly", "@weekly", "@every 2h", "0 3 * * *", "5 4 * * SUN"):
        expression = eventbridge_schedule(written).expression
        assert expression is not None
        text = f"""\
apiVersion: sbh/v2
services:
  job: {{kind: job, schedule: "{expression}"}}
"""
        load_spec(text)  # raises on a schedule SBH refuses


# --- the written spec -----------------------------------------------------------------------


def test_the_written_spec_fails_validation_naming_exactly_the_placeholders(
    shop: CopilotImport,
) -> None:
    text = spec_yaml(shop)

    with pytest.raises(SpecError) as raised:
        complete_defaults(load_spec(text, "shop.yaml"), "shop.yaml")

    problems = raised.value.problems
    assert {problem.field for problem in problems} == {f.field for f in shop.of("fill in")}
    assert all("still to fill in: " in problem.message for problem in problems)


def test_the_spec_validates_once_the_placeholders_are_filled(shop: CopilotImport) -> None:
    spec = complete_defaults(load_spec(filled_in(spec_yaml(shop))))

    assert isinstance(spec, SpecV2)
    assert list(spec.services) == [
        "api",
        "by-hand",
        "catalog",
        "frontend",
        "mailer",
        "nightly",
        "reindex",
        "site",
    ]
    assert spec.environments["prod"].approval is True
    assert spec.services["frontend"].context == "frontend"  # type: ignore[union-attr]


def test_the_spec_header_points_at_the_report(shop: CopilotImport) -> None:
    header = [
        line
        for line in spec_yaml(shop, "sbh import copilot ws").splitlines()
        if line.startswith("#")
    ]

    assert "`sbh import copilot ws` prints it" in header[1]
    assert "6 values are still REPLACE-ME" in header[2]


def test_the_report_groups_findings_by_what_to_do(shop: CopilotImport) -> None:
    report = report_markdown(shop)

    assert report.startswith("# Import of the AWS Copilot application `shop`\n")
    assert "- `frontend`: web (from Load Balanced Web Service)" in report
    sections = [line for line in report.splitlines() if line.startswith("## ")]
    assert sections == [
        "## Still to fill in (`sbh validate` names each one until it is written)",
        "## Not carried over (no SBH equivalent)",
        "## Carried over differently",
        "## Notes",
    ]


# --- other workspaces -----------------------------------------------------------------------


def test_a_minimal_workspace_without_environment_manifests() -> None:
    imported = import_copilot(
        {
            "copilot/.workspace": "application: Blog_App\n",
            "copilot/web/manifest.yml": "name: web\ntype: Load Balanced Web Service\n"
            "image:\n  build: ./Dockerfile\n  port: 80\n"
            "environments:\n  pre-prod:\n    count: 2\n",
        }
    )

    assert imported.spec["name"] == "blog-app"
    assert list(imported.spec["environments"]) == ["preprod"]
    web = imported.spec["services"]["web"]
    assert web["dockerfile"] == "Dockerfile"
    assert "port" not in web  # port 80 needs root; SBH assigns one and passes PORT
    assert web["health_path"] == "/"
    fields = {finding.field for finding in imported.of("changed")}
    assert {"name", "environments.preprod", "services.web.port"} <= fields
    spec = complete_defaults(load_spec(filled_in_minimal(spec_yaml(imported))))
    assert spec.name == "blog-app"


def filled_in_minimal(text: str) -> str:
    data = yaml.safe_load(text)
    data["owner"] = "acme"
    data["environments"]["preprod"] = {
        "aws_account_id": "111111111111",
        "region": "us-east-1",
        "domain": "blog.example.com",
    }
    return yaml.safe_dump(data)


def test_two_web_services_on_the_same_path_must_be_told_apart() -> None:
    manifest = "type: Load Balanced Web Service\nimage:\n  build: {name}/Dockerfile\n"
    imported = import_copilot(
        {
            "copilot/.workspace": "application: twins\n",
            "copilot/one/manifest.yml": manifest.format(name="one"),
            "copilot/two/manifest.yml": manifest.format(name="two"),
        }
    )

    assert imported.spec["services"]["one"]["path"] == "/*"
    assert imported.spec["services"]["two"]["path"].startswith(PLACEHOLDER)
    assert "health_path" not in imported.spec["services"]["two"]
    assert "services.two.path" in {finding.field for finding in imported.of("fill in")}


def test_a_manifest_that_cannot_be_read_is_reported_not_guessed() -> None:
    imported = import_copilot(
        {
            "copilot/.workspace": "application: shop\n",
            "copilot/api/manifest.yml": "defaults: &defaults\n  cpu: 256\n<<: *defaults\n",
        }
    )

    assert "services" not in imported.spec
    unread = [f for f in imported.of("unsupported") if f.where.startswith("copilot/api/")]
    assert [f.where for f in unread] == ["copilot/api/manifest.yml:1", "copilot/api/manifest.yml:3"]
    assert all("nothing in it was imported" in f.message for f in unread)
    assert "anchor '&defaults' is not allowed" in unread[0].message


def test_a_directory_without_a_workspace_file_is_refused() -> None:
    with pytest.raises(CopilotImportError, match=r"no copilot/\.workspace"):
        import_copilot({"copilot/api/manifest.yml": "type: Backend Service\n"})


# --- the command ----------------------------------------------------------------------------


def write_workspace(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_import_writes_the_spec_and_prints_the_report(tmp_path: Path) -> None:
    workspace = write_workspace(tmp_path / "ws", SHOP)
    spec_file = tmp_path / "shop.yaml"

    result = CliRunner().invoke(app, ["import", "copilot", str(workspace), "--out", str(spec_file)])

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Import of the AWS Copilot application `shop`")
    assert f"fill in its 6 REPLACE-ME value(s), then run sbh validate {spec_file}" in result.stdout
    assert spec_file.read_text() == spec_yaml(
        import_copilot(SHOP), f"sbh import copilot {workspace}"
    )

    validated = CliRunner().invoke(app, ["validate", str(spec_file)])
    assert validated.exit_code == 1
    assert "owner: still to fill in: GitHub organization" in validated.stderr
    assert "6 problems in" in validated.stderr

    spec_file.write_text(filled_in(spec_file.read_text()))
    validated = CliRunner().invoke(app, ["validate", str(spec_file)])
    assert validated.exit_code == 0, validated.stderr
    assert "valid — acme/shop (prod, test)" in validated.stdout


def test_import_accepts_the_copilot_folder_itself_and_prints_json(tmp_path: Path) -> None:
    workspace = write_workspace(tmp_path, SHOP)

    result = CliRunner().invoke(app, ["import", "copilot", str(workspace / "copilot"), "--json"])

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["spec"]["name"] == "shop"
    assert yaml.safe_load(document["spec_yaml"]) == document["spec"]
    assert {"category", "where", "field", "message"} == set(document["findings"][0])


def test_without_out_the_spec_goes_to_stdout_and_the_report_to_stderr(tmp_path: Path) -> None:
    workspace = write_workspace(tmp_path, SHOP)

    result = CliRunner().invoke(app, ["import", "copilot", str(workspace)])

    assert result.exit_code == 0
    assert yaml.safe_load(result.stdout)["apiVersion"] == "sbh/v2"
    assert "## Not carried over" in result.stderr


def test_a_directory_that_is_not_a_workspace_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["import", "copilot", str(tmp_path)])

    assert result.exit_code == 1
    assert "no copilot/ folder" in result.stderr


@pytest.mark.slow
def test_the_installed_command_imports_a_workspace(tmp_path: Path) -> None:
    workspace = write_workspace(tmp_path / "ws", SHOP)

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "import",
            "copilot",
            str(workspace),
            "--out",
            str(tmp_path / "spec.yaml"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "spec.yaml").read_text().startswith("# sbh/v2 spec imported")
