"""`sbh validate | complete | cost | schema | build` with sbh/v2 specs, as a person runs them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import yaml

from renderers.complete import complete_defaults
from renderers.spec import load_spec
from tests.bot.cli.running_sbh import assert_no_traceback, sbh_locally
from tests.conftest import REPO_ROOT

SHOP = REPO_ROOT / "examples" / "shop.yaml"


def test_validate_names_the_services_of_a_valid_system() -> None:
    result = sbh_locally("validate", str(SHOP))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(
        "valid — acme/shop (dev, prod); services: api (web), catalog (backend), "
        "mailer (worker), nightly (job), storefront (static-site)"
    )


def test_validate_prints_every_problem_of_a_v2_spec_like_a_compiler(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        SHOP.read_text()
        .replace('schedule: "cron(0 3 * * ? *)"', 'schedule: "cron(0 25 * * ? *)"')
        .replace("port: 8001", "port: 8000")
    )

    result = sbh_locally("validate", "spec.yaml", cwd=tmp_path)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "spec.yaml:8:54: services.catalog.port: port 8000 is already api's; `make run` starts "
        "every service on its own port",
        "spec.yaml:11:54: services.nightly.schedule: 'cron(0 25 * * ? *)' is not a schedule: "
        "hours ('25'): 25 is not 0-23",
        "2 problems in spec.yaml",
    ]
    assert_no_traceback(result)


def test_complete_prints_a_v2_spec_that_reads_back_as_itself() -> None:
    result = sbh_locally("complete", str(SHOP))

    assert result.returncode == 0, result.stderr
    printed = yaml.safe_load(result.stdout)
    assert printed["apiVersion"] == "sbh/v2"
    assert printed["services"]["catalog"]["desired_count"] == 1
    assert complete_defaults(load_spec(result.stdout)) == complete_defaults(
        load_spec(SHOP.read_text())
    )


def test_cost_prices_each_service_of_a_v2_system() -> None:
    text = sbh_locally("cost", str(SHOP))
    as_json = sbh_locally("cost", str(SHOP), "--json")

    assert text.returncode == 0, text.stderr
    assert "nightly: Fargate vCPU (30.42 runs of up to 30 min, 0.25 vCPU)" in text.stdout
    assert "storefront: CloudFront HTTPS requests" in text.stdout
    estimate = json.loads(as_json.stdout)
    assert [env["environment"] for env in estimate["environments"]] == ["dev", "prod"]
    assert estimate["complete"] is True


def test_schema_covers_both_versions() -> None:
    result = sbh_locally("schema")

    schema = json.loads(result.stdout)
    assert schema["if"] == {
        "properties": {"apiVersion": {"const": "sbh/v2"}},
        "required": ["apiVersion"],
    }
    jsonschema.validate(yaml.safe_load(SHOP.read_text()), schema)
    broken = yaml.safe_load(SHOP.read_text())
    broken["services"]["api"]["kind"] = "website"
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)


def test_build_writes_a_v2_system_and_says_how_to_reach_its_services(tmp_path: Path) -> None:
    out = tmp_path / "shop"

    result = sbh_locally("build", str(SHOP), "--out", str(out))

    assert result.returncode == 0, result.stderr
    assert "Built acme/shop" in result.stdout
    assert [line.strip() for line in result.stdout.splitlines() if "curl" in line] == [
        "curl -s http://127.0.0.1:8000/api/health",
        "curl -s http://127.0.0.1:8001/health",
    ]
    assert yaml.safe_load((out / "sbh.yaml").read_text())["apiVersion"] == "sbh/v2"
    log = subprocess.run(
        ["git", "log", "--oneline"], cwd=out, capture_output=True, text=True, check=True
    )
    assert len(log.stdout.splitlines()) == 1
