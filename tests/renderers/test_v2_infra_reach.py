"""`sbh check`'s service-reach validator: in an sbh/v2 repository no service's role or
network reaches what it does not `use`. A faithful rendering passes; each way of widening a
service's reach in the rendered Terraform is caught."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from renderers.checks import VALIDATORS
from renderers.complete import complete_defaults
from renderers.policy_checks import check_service_reach, service_reach
from renderers.render import render
from renderers.spec import load_spec
from tests.renderers.v2_infra_specs import SPECS

ROOT = Path(__file__).resolve().parents[2]
ENV = "infra/envs/dev/main.tf"
SERVICE_MODULE = "infra/modules/service/main.tf"
NETWORK_MODULE = "infra/modules/service_network/main.tf"


@cache
def rendered_files(spec_text: str) -> dict[str, str]:
    files = render(complete_defaults(load_spec(spec_text)))
    return {
        path: file.content.decode("utf-8")
        for path, file in files.items()
        if path == "sbh.yaml"
        or (path.startswith("infra/envs/") and path.endswith("/main.tf"))
        or path in (SERVICE_MODULE, NETWORK_MODULE)
    }


def findings_after(spec_name: str, path: str, old: str, new: str) -> list[str]:
    files = dict(rendered_files(SPECS[spec_name]))
    assert old in files[path], f"the rendering no longer holds {old!r}"
    files[path] = files[path].replace(old, new, 1)
    spec_text = files.pop("sbh.yaml")
    return [str(finding) for finding in check_service_reach(spec_text, files)]


def test_the_validator_runs_in_sbh_check() -> None:
    assert VALIDATORS["service-reach"] is service_reach


@pytest.mark.parametrize("spec_name", sorted(SPECS))
def test_a_faithful_rendering_reaches_only_what_each_service_uses(spec_name: str) -> None:
    files = dict(rendered_files(SPECS[spec_name]))
    spec_text = files.pop("sbh.yaml")

    assert check_service_reach(spec_text, files) == []


def test_a_v1_repository_has_nothing_to_compare(tmp_path: Path) -> None:
    spec = complete_defaults(load_spec((ROOT / "examples" / "orders-api.yaml").read_text()))
    for path, file in render(spec).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(file.content)

    assert service_reach(tmp_path, None) == []


def test_a_bucket_the_service_does_not_use_is_caught() -> None:
    # In static-site-and-web, api uses nothing at all.
    findings = findings_after(
        "static-site-and-web",
        ENV,
        '"api" = {\n      kind            = "web"',
        '"api" = {\n      kind            = "web"\n      extra = 1',
    )
    assert findings == []  # an unrelated attribute widens nothing

    findings = findings_after(
        "many-buckets",
        ENV,
        'buckets         = ["exports"]',
        'buckets         = ["exports", "audit"]',
    )
    assert findings == [
        f"{ENV}: local.services.archive.buckets: reaches bucket audit, which archive does not use"
    ]


def test_every_bucket_in_a_services_policy_is_caught() -> None:
    findings = findings_after(
        "many-buckets",
        ENV,
        "bucket_arns          = [for bucket in each.value.buckets : module.storage.bucket_arns[bucket]]",
        "bucket_arns          = values(module.storage.bucket_arns)",
    )
    assert [finding.split(": must be")[0] for finding in findings] == [
        f'{ENV}: module "web".bucket_arns'
    ]


def test_an_extra_bucket_arn_in_the_task_policy_is_caught() -> None:
    findings = findings_after(
        "shop",
        SERVICE_MODULE,
        "resources = var.bucket_arns",
        'resources = concat(var.bucket_arns, ["arn:aws:s3:::someone-elses-bucket"])',
    )
    assert findings == [
        f"{SERVICE_MODULE}: task statement ListTheBucketsItUses: resource "
        '${concat(var.bucket_arns, ["arn:aws:s3:::someone-elses-bucket"])} is not what the '
        "service uses"
    ]


def test_the_database_for_a_service_that_does_not_use_it_is_caught() -> None:
    findings = findings_after(
        "no-database-for-the-web",
        ENV,
        "uses_database   = false",
        "uses_database   = true",
    )
    assert findings == [f"{ENV}: local.services.api: reaches the database, which it does not use"]


def test_admitting_every_service_to_the_database_is_caught() -> None:
    findings = findings_after(
        "shop",
        ENV,
        "client_security_group_ids = [for name, service in local.services : "
        "module.service_network.security_group_ids[name] if service.uses_database]",
        "client_security_group_ids = values(module.service_network.security_group_ids)",
    )
    assert findings == [
        f"{ENV}: module.db.client_security_group_ids: not derived from each service's uses"
    ]


def test_a_backend_open_to_an_address_range_is_caught() -> None:
    findings = findings_after(
        "shop",
        NETWORK_MODULE,
        "referenced_security_group_id = aws_security_group.this[each.value.caller].id",
        'cidr_ipv4 = "10.0.0.0/8"',
    )
    assert findings == [
        f"{NETWORK_MODULE}: ingress rule from_caller: admits something other than the load "
        "balancer or the services that use this one"
    ]


def test_a_queue_for_a_service_that_is_not_its_worker_is_caught() -> None:
    findings = findings_after(
        "shop",
        ENV,
        "  schedule_expression = each.value.schedule",
        '  schedule_expression = each.value.schedule\n  queue = { name = "x", arn = "y" }',
    )
    assert findings == [
        f'{ENV}: module "job".queue: only a worker receives, and only on its own queue'
    ]


def test_another_services_secret_is_caught() -> None:
    findings = findings_after(
        "shop",
        ENV,
        'secrets         = []\n      uses_database   = true\n      buckets         = ["uploads"]\n'
        "      backends        = []",
        'secrets         = ["STRIPE_KEY"]\n      uses_database   = true\n'
        '      buckets         = ["uploads"]\n      backends        = []',
    )
    assert findings == [
        f"{ENV}: local.services.catalog.secrets: reads STRIPE_KEY, not one of its secrets"
    ]
