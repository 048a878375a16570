"""Deterministic completion: defaults, derived names, and what only a person may decide."""

from __future__ import annotations

import re

import pytest

from renderers.complete import (
    Spec,
    bounded_name,
    complete_defaults,
    spec_hash,
    spec_to_yaml,
)
from renderers.problems import SpecError
from renderers.spec import load_spec

MINIMAL = """\
name: shop
owner: acme
environments:
  dev: {aws_account_id: "111111111111", domain: shop.dev.acme.io}
"""


def complete(text: str) -> Spec:
    return complete_defaults(load_spec(text, "spec.yaml"), "spec.yaml")


def test_a_minimal_spec_gets_every_default() -> None:
    spec = complete(MINIMAL)

    assert spec.api_version == "sbh/v1"
    assert spec.description == "shop service"
    assert spec.runtime == "python-fastapi"
    assert spec.service.model_dump() == {
        "port": 8000,
        "health_path": "/api/health",
        "cpu": 256,
        "memory": 512,
        "desired_count": 2,
    }
    assert spec.database is not None
    assert spec.database.model_dump() == {
        "engine": "postgres",
        "version": "16",
        "instance_class": "db.t4g.micro",
        "allocated_storage": 20,
        "multi_az": False,
    }
    assert spec.buckets == ()
    assert spec.env == {}
    assert spec.secrets == ()
    dev = spec.environments["dev"]
    assert (dev.region, dev.approval, dev.production, dev.partition) == (
        "us-east-1",
        False,
        False,
        "aws",
    )


def test_derived_names_follow_the_system_and_environment() -> None:
    spec = complete(
        MINIMAL.replace("environments:", "storage: {buckets: [uploads]}\nenvironments:")
    )

    names = spec.environments["dev"].names
    assert names.ecr_repository == "shop-repo-dev"
    assert (names.cluster, names.service, names.task_family) == (
        "shop-cluster-dev",
        "shop-service-dev",
        "shop-task-dev",
    )
    assert names.log_group == "/ecs/shop-dev"
    assert names.secrets_prefix == "shop/dev/"
    assert names.deploy_role == "shop-dev-github-deploy"
    assert names.buckets == {"uploads": "shop-dev-uploads-111111111111-us-east-1"}
    assert names.state_bucket == "shop-dev-tfstate-111111111111-us-east-1"
    assert names.build_role == "shop-dev-github-build"
    assert (names.plan_role, names.apply_role) == ("shop-dev-github-plan", "shop-dev-github-apply")
    assert names.state_key == "shop/dev/terraform.tfstate"
    assert names.access_logs_bucket == "shop-dev-alb-logs-111111111111-us-east-1"


def test_database_null_means_no_database() -> None:
    assert complete(MINIMAL + "database: null\n").database is None


def test_memory_alone_picks_the_smallest_cpu_that_fits() -> None:
    spec = complete(MINIMAL + "service: {memory: 4096}\n")

    assert (spec.service.cpu, spec.service.memory) == (512, 4096)


def test_cpu_alone_picks_its_smallest_memory() -> None:
    assert complete(MINIMAL + "service: {cpu: 1024}\n").service.memory == 2048


@pytest.mark.parametrize(
    ("env_name", "production"), [("prod", True), ("production", True), ("staging", False)]
)
def test_production_follows_the_environment_name_unless_written(
    env_name: str, production: bool
) -> None:
    spec = complete(MINIMAL.replace("  dev:", f"  {env_name}:"))

    environment = spec.environments[env_name]
    assert environment.production is production
    assert environment.approval is production


def test_written_values_win_over_defaults() -> None:
    spec = complete(
        MINIMAL.replace(
            "domain: shop.dev.acme.io}",
            "domain: shop.dev.acme.io, production: true, approval: false, region: eu-west-1}",
        )
    )

    dev = spec.environments["dev"]
    assert (dev.production, dev.approval, dev.region) == (True, False, "eu-west-1")


def test_govcloud_regions_use_their_partition() -> None:
    spec = complete(MINIMAL.replace("domain:", "region: us-gov-west-1, domain:"))

    assert spec.environments["dev"].partition == "aws-us-gov"


def test_what_a_person_must_decide_is_never_invented() -> None:
    text = "environments:\n  dev: {region: us-west-2}\n"

    with pytest.raises(SpecError) as caught:
        complete(text)

    assert [(p.field, p.line) for p in caught.value.problems] == [
        ("name", 1),
        ("owner", 1),
        ("environments.dev.aws_account_id", 2),
        ("environments.dev.domain", 2),
    ]
    assert (
        "required: the 12-digit AWS account that dev deploys to" in caught.value.problems[2].message
    )


def test_an_empty_spec_asks_for_an_environment() -> None:
    with pytest.raises(SpecError) as caught:
        complete("name: shop\nowner: acme\n")

    [problem] = caught.value.problems
    assert problem.field == "environments"
    assert "at least one environment" in problem.message


LONGEST = "a" + "b" * 37 + "c"


@pytest.mark.parametrize(
    "region", ["us-east-1", "ap-southeast-4", "us-gov-west-1", "eusc-de-east-1"]
)
def test_bucket_names_always_fit_s3_rules(region: str) -> None:
    spec = complete(
        f"name: {LONGEST}\nowner: acme\nstorage: {{buckets: [{'u' * 20}, {'u' * 19}]}}\n"
        f'environments:\n  staging123: {{aws_account_id: "111111111111", region: {region}, domain: a.example.com}}\n'
    )

    names = spec.environments["staging123"].names
    for bucket in [*names.buckets.values(), names.state_bucket, names.access_logs_bucket]:
        assert len(bucket) <= 63
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*[a-z0-9]", bucket)
        assert "--" not in bucket
        assert bucket.endswith(f"-111111111111-{region}")
    assert len(set(names.buckets.values())) == 2


def test_names_with_service_limits_stay_within_them() -> None:
    spec = complete(
        f'name: {LONGEST}\nowner: acme\nenvironments:\n  staging123: {{aws_account_id: "111111111111", domain: a.example.com}}\n'
    )

    names = spec.environments["staging123"].names
    assert len(names.load_balancer) <= 32
    assert len(names.target_group) <= 32
    roles = [
        names.execution_role,
        names.task_role,
        names.deploy_role,
        names.build_role,
        names.plan_role,
        names.apply_role,
    ]
    assert max(len(role) for role in roles) <= 64
    assert len(names.db_identifier) <= 63


def test_bounded_names_that_share_a_prefix_still_differ() -> None:
    first, second = bounded_name("x" * 40 + "-dev", 32), bounded_name("x" * 40 + "-prod", 32)

    assert first != second
    assert len(first) == len(second) == 32


def test_completion_is_deterministic(example_spec_text: str) -> None:
    first = complete(example_spec_text)
    second = complete(example_spec_text)

    assert first == second
    assert spec_hash(first) == spec_hash(second)


def test_the_completed_spec_reads_back_to_itself(example_spec: Spec) -> None:
    again = complete(spec_to_yaml(example_spec))

    assert again == example_spec


def test_the_spec_hash_changes_with_any_field(example_spec: Spec) -> None:
    changed = complete(spec_to_yaml(example_spec).replace("LOG_LEVEL: info", "LOG_LEVEL: debug"))

    assert spec_hash(changed) != spec_hash(example_spec)
