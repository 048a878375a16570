"""The cost estimate: every billed item the generated Terraform creates, priced per environment
from SBH's dated price table, totals that are the sums of their lines, and an honest "not priced"
where the table has no figure."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renderers.aws import AWS_REGIONS, FARGATE_MEMORY_BY_CPU
from renderers.complete import DEFAULT_INSTANCE_CLASS, Spec, complete_defaults
from renderers.cost import (
    AUTOSCALING_ALARMS,
    AVAILABILITY_ZONES,
    INTERFACE_ENDPOINTS,
    SERVICE_ALARM_METRICS,
    CostEstimate,
    CostLine,
    EnvironmentCost,
    cost_difference,
    estimate_cost,
    format_cost_difference_markdown,
    format_cost_markdown,
)
from renderers.prices import price_table
from renderers.spec import validate_spec_data
from tests.conftest import REPO_ROOT

TABLE = price_table()
PRICED_REGIONS = sorted(TABLE.regions)
CLASSES_PRICED_EVERYWHERE = sorted(
    set.intersection(*(set(prices.rds_postgres_hour) for prices in TABLE.regions.values()))
)
SIZES = ("micro", "small", "medium", "large", "xlarge", "2xlarge")
FARGATE_SIZES = sorted(
    (cpu, memory) for cpu, memories in FARGATE_MEMORY_BY_CPU.items() for memory in memories
)


def spec_from(data: dict[str, Any]) -> Spec:
    return complete_defaults(validate_spec_data(data))


def a_spec(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "apiVersion": "sbh/v1",
        "name": "shop",
        "owner": "acme",
        "service": {"cpu": 256, "memory": 512, "desired_count": 2},
        "database": {"instance_class": "db.t4g.micro", "allocated_storage": 20},
        "storage": {"buckets": []},
        "environments": {
            "dev": {"aws_account_id": "111111111111", "region": "us-east-1", "domain": "d.shop.io"}
        },
        "secrets": [],
    }
    data.update(changes)
    return data


def only_environment(data: dict[str, Any]) -> EnvironmentCost:
    [environment] = estimate_cost(spec_from(data)).environments
    return environment


def line(environment: EnvironmentCost, starting: str) -> CostLine:
    [found] = [line for line in environment.lines if line.item.startswith(starting)]
    return found


def monthly(environment: EnvironmentCost) -> Decimal:
    assert environment.monthly is not None, environment.unavailable
    return environment.monthly


def at_max_tasks(environment: EnvironmentCost) -> Decimal:
    assert environment.monthly_at_max_tasks is not None, environment.unavailable
    return environment.monthly_at_max_tasks


def items(environment: EnvironmentCost) -> list[str]:
    return [line.item for line in environment.lines]


# --- What is priced, line by line.


def test_the_demo_spec_is_priced_in_each_environment_from_its_regions_prices(
    example_spec: Spec,
) -> None:
    estimate = estimate_cost(example_spec)

    dev, prod = estimate.environments
    assert (dev.environment, dev.region, prod.environment) == ("dev", "us-west-2", "prod")
    vcpu = line(dev, "Fargate vCPU")
    assert (vcpu.item, vcpu.quantity, vcpu.unit) == (
        "Fargate vCPU (2 tasks of 0.25 vCPU)",
        Decimal(365),
        "vCPU-hour",
    )
    assert (vcpu.unit_price, vcpu.monthly) == (Decimal("0.04048"), Decimal("14.7752"))
    memory = line(dev, "Fargate memory")
    assert (memory.quantity, memory.monthly) == (Decimal(730), Decimal("3.24485"))
    database = line(dev, "RDS PostgreSQL db.t4g.micro")
    assert (database.quantity, database.unit_price) == (Decimal(730), Decimal("0.016"))
    assert line(dev, "RDS gp3 storage").quantity == 20
    assert line(dev, "Secrets Manager").quantity == 2
    assert line(dev, "S3 Standard, 1 workspace bucket").quantity == 5
    assert estimate.complete
    assert estimate.monthly == monthly(dev) + monthly(prod)


def test_every_environment_pays_its_load_balancer_network_logs_and_alarms() -> None:
    environment = only_environment(a_spec(database=None))

    assert items(environment) == [
        "Fargate vCPU (2 tasks of 0.25 vCPU)",
        "Fargate memory (2 tasks of 0.5 GB)",
        "Application Load Balancer",
        "Load balancer capacity units",
        "NAT gateway, shared by both zones",
        "NAT gateway data processed",
        "Public IPv4 addresses (2 of the load balancer, 1 of NAT)",
        "VPC interface endpoints (ecr.api, ecr.dkr, logs, secretsmanager) in 2 zones",
        "VPC endpoint data processed",
        "S3 Standard, load balancer access logs",
        "ECR image storage",
        "CloudWatch Logs ingestion (service, VPC flow logs, Container Insights)",
        "CloudWatch Logs storage",
        "CloudWatch alarms (4 of the service, 2 of autoscaling; the 5xx rate reads 3 metrics)",
        "Container Insights metrics",
    ]
    assert line(environment, "VPC interface endpoints").quantity == 4 * 2 * 730
    assert line(environment, "CloudWatch alarms").quantity == 8


def test_usage_only_traffic_decides_is_priced_at_a_baseline_named_in_its_line() -> None:
    environment = only_environment(a_spec(storage={"buckets": ["uploads", "exports"]}))
    baselines = TABLE.baselines

    capacity = line(environment, "Load balancer capacity units")
    assert capacity.quantity == baselines.alb_lcu_per_hour.value * 730
    assert capacity.assumption == baselines.alb_lcu_per_hour.notes
    assert line(environment, "NAT gateway data").assumption == (
        baselines.nat_gateway_gb_per_month.notes
    )
    buckets = line(environment, "S3 Standard, 2 workspace buckets")
    assert buckets.quantity == 2 * baselines.bucket_gb.value
    logs = line(environment, "CloudWatch Logs ingestion")
    assert logs.item.endswith("Container Insights, PostgreSQL)")
    assert logs.assumption is not None
    assert baselines.database_logs_gb_per_month.notes in logs.assumption
    assert line(environment, "Application Load Balancer").assumption is None


def test_production_runs_a_nat_gateway_in_each_zone_each_with_a_public_address() -> None:
    production = only_environment(
        a_spec(
            environments={
                "live": {
                    "aws_account_id": "111111111111",
                    "region": "us-east-1",
                    "domain": "shop.io",
                    "production": True,
                }
            }
        )
    )

    gateways = line(production, "NAT gateways, one per zone")
    assert gateways.quantity == 2 * 730
    assert line(production, "Public IPv4 addresses").item == (
        "Public IPv4 addresses (2 of the load balancer, 2 of NAT)"
    )
    assert line(production, "Public IPv4 addresses").quantity == 4 * 730


def test_multi_az_bills_the_standby_instance_and_its_copy_of_the_storage() -> None:
    environment = only_environment(
        a_spec(
            database={"instance_class": "db.t4g.small", "allocated_storage": 50, "multi_az": True}
        )
    )

    instance = line(environment, "RDS PostgreSQL")
    assert instance.item == "RDS PostgreSQL db.t4g.small, Multi-AZ (primary and standby)"
    assert instance.quantity == 2 * 730
    storage = line(environment, "RDS gp3 storage")
    assert (storage.item, storage.quantity) == (
        "RDS gp3 storage (50 GB on each of 2 instances)",
        100,
    )


def test_without_a_database_there_is_no_instance_storage_password_or_database_log() -> None:
    environment = only_environment(a_spec(database=None, secrets=["STRIPE_KEY"]))

    assert not [item for item in items(environment) if item.startswith("RDS")]
    secrets = line(environment, "Secrets Manager")
    assert (secrets.item, secrets.quantity) == ("Secrets Manager secrets (1 of the spec)", 1)
    assert "PostgreSQL" not in line(environment, "CloudWatch Logs ingestion").item


def test_secrets_are_the_specs_and_the_database_password_rds_manages() -> None:
    environment = only_environment(a_spec(secrets=["STRIPE_KEY", "SMTP_PASSWORD"]))

    secrets = line(environment, "Secrets Manager")
    assert secrets.item == (
        "Secrets Manager secrets (2 of the spec, the database password RDS manages)"
    )
    assert (secrets.quantity, secrets.unit, secrets.unit_price) == (
        3,
        "secret-month",
        Decimal("0.40"),
    )


def test_autoscaling_at_its_maximum_adds_only_the_extra_tasks() -> None:
    environment = only_environment(a_spec())
    fargate = sum(line.monthly for line in environment.lines if line.item.startswith("Fargate"))

    assert (environment.tasks, environment.max_tasks) == (2, 4)
    assert environment.extra_at_max_tasks == fargate
    assert environment.monthly_at_max_tasks == monthly(environment) + fargate


def test_the_counts_priced_are_the_ones_the_terraform_creates() -> None:
    modules = REPO_ROOT / "infra" / "modules"
    network = (modules / "network" / "main.tf").read_text()
    network_variables = (modules / "network" / "variables.tf").read_text()
    alarms = (modules / "alarms" / "main.tf").read_text()
    environment = (
        REPO_ROOT / "template-repo" / "infra" / "envs" / "__environment__" / "main.tf.jinja"
    ).read_text()

    endpoints = re.search(r"interface_endpoints = .*?toset\(\[(.*?)\]\)", network, re.DOTALL)
    assert endpoints is not None
    assert sorted(re.findall(r'"([^"]+)"', endpoints.group(1))) == sorted(INTERFACE_ENDPOINTS)
    zones = re.search(r'variable "az_count" \{.*?default\s*=\s*(\d+)', network_variables, re.DOTALL)
    assert zones is not None
    assert int(zones.group(1)) == AVAILABILITY_ZONES
    assert "az_count" not in environment
    assert "single_nat_gateway = !local.production" in environment
    assert re.search(r"nat_count\s*=\s*var.single_nat_gateway \? 1 : var.az_count", network)
    alarm = r'resource "aws_cloudwatch_metric_alarm" "(\w+)"'
    names = re.findall(alarm, alarms)
    bodies = re.split(alarm, alarms)[2::2]
    metrics_read = {
        name: body.count("metric {") or 1 for name, body in zip(names, bodies, strict=True)
    }
    assert metrics_read == SERVICE_ALARM_METRICS
    ecs = (modules / "ecs" / "main.tf").read_text()
    assert ecs.count('policy_type        = "TargetTrackingScaling"') == 1
    assert AUTOSCALING_ALARMS == 2  # a target-tracking policy keeps a high and a low alarm


# --- What is not priced says so.


def test_a_region_missing_from_the_table_leaves_that_environment_unpriced_and_says_why() -> None:
    assert "ap-southeast-2" not in TABLE.regions
    estimate = estimate_cost(
        spec_from(
            a_spec(
                environments={
                    "dev": {
                        "aws_account_id": "111111111111",
                        "region": "us-east-1",
                        "domain": "d.io",
                    },
                    "prod": {
                        "aws_account_id": "222222222222",
                        "region": "ap-southeast-2",
                        "domain": "p.io",
                    },
                }
            )
        )
    )

    dev, prod = estimate.environments
    assert prod.unavailable == (
        f"ap-southeast-2 is not in SBH's price table (as of {TABLE.as_of}), so this environment "
        f"is not priced; the table has {', '.join(PRICED_REGIONS)}"
    )
    assert (prod.lines, prod.monthly, prod.monthly_at_max_tasks) == ((), None, None)
    assert not estimate.complete
    assert estimate.monthly == dev.monthly
    markdown = format_cost_markdown(estimate)
    assert "a month for the priced environments" in markdown
    assert f"**prod** (ap-southeast-2, production): {prod.unavailable}." in markdown


def test_a_database_class_the_regions_table_lacks_leaves_the_environment_unpriced() -> None:
    environment = only_environment(
        a_spec(
            database={"instance_class": "db.x2g.large"},
            environments={
                "dev": {"aws_account_id": "111111111111", "region": "eu-west-1", "domain": "d.io"}
            },
        )
    )

    assert environment.monthly is None
    assert environment.unavailable is not None
    assert environment.unavailable.startswith(
        "db.x2g.large in eu-west-1 is not in SBH's price table"
    )
    assert "db.t4g.micro" in environment.unavailable


# --- Properties.

bucket_names = st.lists(st.sampled_from(["uploads", "exports", "media"]), unique=True)
secret_names = st.lists(st.sampled_from(["STRIPE_KEY", "API_TOKEN", "SMTP_PASSWORD"]), unique=True)


@st.composite
def priced_specs(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(["dev", "staging", "prod"]), min_size=1, unique=True))
    cpu, memory = draw(st.sampled_from(FARGATE_SIZES))
    database = draw(
        st.none()
        | st.fixed_dictionaries(
            {
                "instance_class": st.sampled_from(CLASSES_PRICED_EVERYWHERE),
                "allocated_storage": st.integers(20, 1000),
                "multi_az": st.booleans(),
            }
        )
    )
    return a_spec(
        service={"cpu": cpu, "memory": memory, "desired_count": draw(st.integers(0, 20))},
        database=database,
        storage={"buckets": draw(bucket_names)},
        secrets=draw(secret_names),
        environments={
            name: {
                "aws_account_id": "111111111111",
                "region": draw(st.sampled_from(PRICED_REGIONS)),
                "domain": f"{name}.shop.io",
                "production": draw(st.booleans()),
            }
            for name in names
        },
    )


def more_tasks(data: dict[str, Any]) -> None:
    data["service"]["desired_count"] += 1


def a_bigger_task(data: dict[str, Any]) -> None:
    service = data["service"]
    bigger = [
        (cpu, memory)
        for cpu, memory in FARGATE_SIZES
        if cpu >= service["cpu"]
        and memory >= service["memory"]
        and (cpu, memory) != (service["cpu"], service["memory"])
    ]
    if bigger:
        service["cpu"], service["memory"] = bigger[0]


def a_bigger_class(data: dict[str, Any]) -> None:
    if data["database"] is None:
        return
    family, size = data["database"]["instance_class"].rsplit(".", 1)
    larger = [f"{family}.{bigger}" for bigger in SIZES[SIZES.index(size) + 1 :]]
    priced = [name for name in larger if name in CLASSES_PRICED_EVERYWHERE]
    if priced:
        data["database"]["instance_class"] = priced[0]


def multi_az(data: dict[str, Any]) -> None:
    if data["database"] is not None:
        data["database"]["multi_az"] = True


def more_database_storage(data: dict[str, Any]) -> None:
    if data["database"] is not None:
        data["database"]["allocated_storage"] += 10


def production(data: dict[str, Any]) -> None:
    for environment in data["environments"].values():
        environment["production"] = True


def a_database_at_all(data: dict[str, Any]) -> None:
    if data["database"] is None:
        data["database"] = {"instance_class": DEFAULT_INSTANCE_CLASS}


def more_buckets(data: dict[str, Any]) -> None:
    data["storage"]["buckets"].append("archive")


def more_secrets(data: dict[str, Any]) -> None:
    data["secrets"].append("EXTRA_SECRET")


GROWTHS: list[Callable[[dict[str, Any]], None]] = [
    more_tasks,
    a_bigger_task,
    a_bigger_class,
    multi_az,
    more_database_storage,
    production,
    a_database_at_all,
    more_buckets,
    more_secrets,
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(priced_specs())
def test_every_line_is_its_quantity_times_its_price_and_every_total_the_sum_below_it(
    data: dict[str, Any],
) -> None:
    estimate = estimate_cost(spec_from(data))

    for environment in estimate.environments:
        assert environment.unavailable is None
        for each in environment.lines:
            assert each.monthly == each.quantity * each.unit_price
            assert each.monthly >= 0
        assert environment.monthly == sum(each.monthly for each in environment.lines)
        assert environment.monthly_at_max_tasks is not None
        assert environment.monthly_at_max_tasks >= environment.monthly
    assert estimate.monthly == sum(monthly(env) for env in estimate.environments)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(priced_specs(), st.sampled_from(GROWTHS))
def test_asking_for_more_never_costs_less(
    data: dict[str, Any], grow: Callable[[dict[str, Any]], None]
) -> None:
    grown = copy.deepcopy(data)
    grow(grown)

    before = estimate_cost(spec_from(data)).environments
    after = estimate_cost(spec_from(grown)).environments

    for smaller, bigger in zip(before, after, strict=True):
        assert monthly(bigger) >= monthly(smaller), grow.__name__
        assert at_max_tasks(bigger) >= at_max_tasks(smaller), grow.__name__


@pytest.mark.parametrize("grow", GROWTHS, ids=lambda grow: grow.__name__)
def test_each_kind_of_growth_costs_strictly_more_for_the_demo_shape(
    grow: Callable[[dict[str, Any]], None],
) -> None:
    data = a_spec(
        database={"instance_class": "db.t4g.micro", "allocated_storage": 20, "multi_az": False}
    )
    if grow is a_database_at_all:
        data["database"] = None
    grown = copy.deepcopy(data)
    grow(grown)

    assert monthly(only_environment(grown)) > monthly(only_environment(data))


# --- The price table.


def test_the_price_table_is_dated_sourced_and_says_it_is_an_estimate() -> None:
    assert re.fullmatch(r"20\d\d-\d\d", TABLE.as_of)
    assert "list prices" in TABLE.source
    assert all(url.startswith("https://") for url in TABLE.source_urls)
    assert any("aws.amazon.com/fargate/pricing" in url for url in TABLE.source_urls)
    assert any("estimate" in note for note in TABLE.notes)
    assert all(baseline.notes for baseline in TABLE.baselines.__dict__.values())


def test_the_table_prices_at_least_the_main_regions_and_only_real_ones() -> None:
    assert {"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"} <= set(
        TABLE.regions
    )
    assert set(TABLE.regions) <= AWS_REGIONS


@pytest.mark.parametrize("region", PRICED_REGIONS)
def test_every_region_in_the_table_prices_the_demo_spec(example_spec: Spec, region: str) -> None:
    environments = {
        name: environment.model_copy(update={"region": region})
        for name, environment in example_spec.environments.items()
    }
    estimate = estimate_cost(example_spec.model_copy(update={"environments": environments}))

    assert estimate.complete
    assert all(env.region == region for env in estimate.environments)
    assert estimate.monthly > 0


@pytest.mark.parametrize("region", PRICED_REGIONS)
def test_a_bigger_class_of_a_family_costs_more_in_every_region(region: str) -> None:
    classes = TABLE.regions[region].rds_postgres_hour
    families: dict[str, list[tuple[int, Decimal]]] = {}
    for name, price in classes.items():
        family, size = name.rsplit(".", 1)
        families.setdefault(family, []).append((SIZES.index(size), price))

    for family, sizes in families.items():
        prices = [price for _, price in sorted(sizes)]
        assert prices == sorted(set(prices)), f"{family} in {region}"


def test_sbhs_default_database_class_is_priced_everywhere() -> None:
    assert DEFAULT_INSTANCE_CLASS in CLASSES_PRICED_EVERYWHERE


# --- Markdown and JSON.


def test_the_markdown_says_estimate_with_the_tables_date_and_source_and_every_total(
    example_spec: Spec,
) -> None:
    estimate = estimate_cost(example_spec)

    markdown = format_cost_markdown(estimate)

    assert markdown.startswith(
        f"#### Estimated AWS cost: ${estimate.monthly.quantize(Decimal('0.01'))} a month\n"
    )
    assert f"An estimate, not a quote: {TABLE.source}, as of {TABLE.as_of}" in markdown
    assert "**dev** (us-west-2): $" in markdown
    assert "**prod** (us-west-2, production): $" in markdown
    assert "| Fargate vCPU (2 tasks of 0.25 vCPU) | 365 vCPU-hour | $0.04048 | $14.78 |" in markdown
    assert "| Secrets Manager secrets (1 of the spec, the database password RDS manages) |" in (
        markdown
    )
    assert "| 2 secret-month | $0.40 | $0.80 |" in markdown
    assert markdown.count("| **total** |") == 2
    assert f"Assumed: {TABLE.baselines.alb_lcu_per_hour.notes};" in markdown
    assert f"Not included: {TABLE.not_priced[0]};" in markdown


def test_the_estimate_serialises_to_json_with_money_as_exact_decimal_strings(
    example_spec: Spec,
) -> None:
    estimate = estimate_cost(example_spec)

    data = json.loads(estimate.model_dump_json())

    assert Decimal(data["monthly"]) == estimate.monthly
    assert data["complete"] is True
    assert data["prices_as_of"] == TABLE.as_of
    first = data["environments"][0]
    assert Decimal(first["monthly"]) == estimate.environments[0].monthly
    assert first["lines"][0]["unit_price"] == "0.04048"
    assert CostEstimate.model_validate_json(estimate.model_dump_json()) == estimate


# --- Before and after.


def two_environments(**changes: Any) -> dict[str, Any]:
    return a_spec(
        environments={
            "dev": {"aws_account_id": "111111111111", "region": "us-east-1", "domain": "d.io"},
            "qa": {"aws_account_id": "111111111111", "region": "us-east-1", "domain": "q.io"},
        },
        **changes,
    )


def test_a_difference_shows_each_environment_before_and_after_and_added_and_removed_ones() -> None:
    before = estimate_cost(spec_from(two_environments()))
    grown = a_spec(
        service={"cpu": 256, "memory": 512, "desired_count": 3},
        environments={
            "dev": {"aws_account_id": "111111111111", "region": "us-east-1", "domain": "d.io"},
            "prod": {"aws_account_id": "222222222222", "region": "us-east-2", "domain": "p.io"},
        },
    )
    after = estimate_cost(spec_from(grown))

    difference = cost_difference(before, after)

    dev, prod, qa = difference.environments
    assert (dev.environment, dev.status) == ("dev", "changed")
    assert dev.change == monthly(after.environments[0]) - monthly(before.environments[0])
    assert (prod.environment, prod.status, prod.before, prod.change) == (
        "prod",
        "added",
        None,
        after.environments[1].monthly,
    )
    assert (qa.environment, qa.status, qa.after) == ("qa", "removed", None)
    assert qa.change == -monthly(before.environments[1])
    assert difference.change == after.monthly - before.monthly
    assert difference.change == sum(env.change or 0 for env in difference.environments)
    markdown = format_cost_difference_markdown(difference)
    assert markdown.startswith(
        f"#### Estimated AWS cost: ${before.monthly.quantize(Decimal('0.01'))} → "
        f"${after.monthly.quantize(Decimal('0.01'))} a month (+$"
    )
    assert f"as of {TABLE.as_of}" in markdown
    assert "| prod | — | $" in markdown
    assert "| added (+$" in markdown
    assert "| removed (-$" in markdown


def test_an_unchanged_spec_makes_no_difference() -> None:
    estimate = estimate_cost(spec_from(two_environments()))

    difference = cost_difference(estimate, estimate)

    assert [env.status for env in difference.environments] == ["unchanged", "unchanged"]
    assert difference.change == 0
    assert "| dev | $" in format_cost_difference_markdown(difference)
    assert "| no change |" in format_cost_difference_markdown(difference)


def test_an_environment_unpriced_before_or_after_has_no_change_and_the_total_says_so() -> None:
    before = estimate_cost(spec_from(two_environments()))
    moved = two_environments()
    moved["environments"]["qa"]["region"] = "sa-east-1"
    after = estimate_cost(spec_from(moved))

    difference = cost_difference(before, after)

    qa = difference.environments[1]
    assert (qa.status, qa.after, qa.change) == ("not priced", None, None)
    assert not difference.complete
    markdown = format_cost_difference_markdown(difference)
    assert "for the priced environments" in markdown
    assert "| qa | $" in markdown
    assert "| not priced | — |" in markdown
