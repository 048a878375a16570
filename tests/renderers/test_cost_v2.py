"""The cost of an sbh/v2 system: each service priced by its kind from the same table as v1,
one load balancer only when there is a web service, jobs bounded by their schedule and
timeout, and every usage the estimate has to assume named in its line."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from renderers.complete import complete_defaults
from renderers.complete_v2 import SpecV2
from renderers.cost import CostLine, EnvironmentCost, estimate_cost, format_cost_markdown
from renderers.fields import runs_per_month
from renderers.from_text import spec_cost
from renderers.prices import price_table
from renderers.spec import validate_spec_data
from tests.conftest import REPO_ROOT

SHOP = REPO_ROOT / "examples" / "shop.yaml"
TABLE = price_table()
PRICES = TABLE.regions["us-east-1"]


def system(services: dict[str, Any], **top: Any) -> SpecV2:
    data = {
        "apiVersion": "sbh/v2",
        "name": "shop",
        "owner": "acme",
        "services": services,
        "environments": {
            "dev": {"aws_account_id": "111111111111", "region": "us-east-1", "domain": "a.io"}
        },
        **top,
    }
    spec = complete_defaults(validate_spec_data(data))
    assert isinstance(spec, SpecV2)
    return spec


def dev(spec: SpecV2) -> EnvironmentCost:
    [environment] = estimate_cost(spec).environments
    return environment


def items(environment: EnvironmentCost) -> list[str]:
    return [line.item for line in environment.lines]


def line(environment: EnvironmentCost, starting: str) -> CostLine:
    [found] = [line for line in environment.lines if line.item.startswith(starting)]
    return found


def test_the_example_system_is_priced_in_each_environment() -> None:
    estimate = spec_cost(SHOP.read_text(), str(SHOP))

    assert [env.environment for env in estimate.environments] == ["dev", "prod"]
    for environment in estimate.environments:
        assert environment.monthly is not None
        assert environment.monthly > 0
        assert environment.monthly == sum(line.monthly for line in environment.lines)
        for service in ("api", "catalog", "mailer", "nightly", "storefront"):
            assert any(item.startswith(f"{service}: ") for item in items(environment)), service
    assert estimate.complete


def test_one_load_balancer_serves_every_web_service() -> None:
    environment = dev(system({"api": {"kind": "web", "path": "/api/*"}, "www": {"kind": "web"}}))

    assert items(environment).count("Application Load Balancer") == 1
    assert "S3 Standard, load balancer access logs" in items(environment)
    assert line(environment, "Public IPv4").item == (
        "Public IPv4 addresses (2 of the load balancer, 1 of NAT)"
    )


def test_without_a_web_service_there_is_no_load_balancer_to_pay_for() -> None:
    environment = dev(system({"catalog": {"kind": "backend"}, "mailer": {"kind": "worker"}}))

    assert "Load balancer capacity units" not in items(environment)
    assert "Application Load Balancer" not in items(environment)
    assert "S3 Standard, load balancer access logs" not in items(environment)
    assert line(environment, "Public IPv4").item == "Public IPv4 addresses (1 of NAT)"
    assert line(environment, "Public IPv4").quantity == 730


def test_long_running_services_are_priced_at_their_counts_and_their_maximum() -> None:
    environment = dev(
        system(
            {
                "api": {"kind": "web", "desired_count": 3},
                "mailer": {"kind": "worker", "min_count": 1, "max_count": 5},
            }
        )
    )
    per_task = (
        Decimal("0.25") * PRICES.fargate_vcpu_hour + Decimal("0.5") * PRICES.fargate_gb_hour
    ) * 730

    assert (environment.tasks, environment.max_tasks) == (3 + 1, 6 + 5)
    assert line(environment, "api: Fargate vCPU").quantity == 3 * Decimal("0.25") * 730
    assert line(environment, "mailer: Fargate vCPU").quantity == 1 * Decimal("0.25") * 730
    assert environment.extra_at_max_tasks == ((6 - 3) + (5 - 1)) * per_task


def test_a_job_is_bounded_by_its_runs_and_its_timeout() -> None:
    daily = dev(
        system({"nightly": {"kind": "job", "schedule": "rate(1 day)", "timeout_minutes": 30}})
    )
    hourly = dev(
        system({"nightly": {"kind": "job", "schedule": "rate(1 hour)", "timeout_minutes": 30}})
    )
    longer = dev(
        system({"nightly": {"kind": "job", "schedule": "rate(1 day)", "timeout_minutes": 60}})
    )

    vcpu = line(daily, "nightly: Fargate vCPU")
    assert vcpu.quantity == Decimal("30.42") * Decimal("0.5") * Decimal("0.25")
    assert vcpu.assumption is not None
    assert "an upper bound" in vcpu.assumption
    assert line(hourly, "nightly: Fargate vCPU").quantity == Decimal("730.00") * Decimal(
        "0.5"
    ) * Decimal("0.25")
    assert line(longer, "nightly: Fargate vCPU").quantity == 2 * vcpu.quantity
    assert line(daily, "nightly: EventBridge Scheduler").unit_price == (
        TABLE.global_prices.scheduler_million_invocations
    )
    assert (daily.tasks, daily.max_tasks, daily.extra_at_max_tasks) == (0, 0, 0)


def test_a_workers_queue_requests_rest_on_a_stated_number_of_messages() -> None:
    idle = dev(system({"mailer": {"kind": "worker", "min_count": 0}}))
    polling = dev(system({"mailer": {"kind": "worker", "min_count": 2}}))

    messages = TABLE.baselines.queue_messages_per_month
    requests = line(idle, "mailer: SQS requests")
    assert requests.quantity == messages.value * 3 / 1_000_000
    assert requests.assumption == messages.notes
    assert (
        line(polling, "mailer: SQS requests").quantity
        == (messages.value * 3 + 2 * 180 * 730) / 1_000_000
    )


def test_a_static_site_pays_for_its_files_and_cloudfront_at_stated_usage() -> None:
    environment = dev(system({"www": {"kind": "static-site"}}))

    site_lines = [line for line in environment.lines if line.item.startswith("www: ")]
    assert [line.item for line in site_lines] == [
        "www: S3 Standard, site files",
        "www: CloudFront data transfer out",
        "www: CloudFront HTTPS requests",
    ]
    assert all(line.assumption for line in site_lines)
    assert "Application Load Balancer" not in items(environment)
    assert not any("ECR" in item for item in items(environment))


def test_a_secret_several_services_list_is_one_secret() -> None:
    environment = dev(
        system(
            {
                "api": {"kind": "web", "secrets": ["STRIPE_KEY", "MAIL_KEY"]},
                "mailer": {"kind": "worker", "secrets": ["MAIL_KEY"]},
            },
            database=None,
        )
    )

    assert line(environment, "Secrets Manager").item == "Secrets Manager secrets (2 of the spec)"
    assert line(environment, "Secrets Manager").quantity == 2


def test_each_container_service_has_its_own_image_repository_and_logs() -> None:
    environment = dev(
        system(
            {
                "api": {"kind": "web", "path": "/api/*"},
                "nightly": {"kind": "job"},
                "www": {"kind": "static-site", "source": "site"},
            }
        )
    )

    assert line(environment, "ECR image storage").item == "ECR image storage (2 repositories)"
    assert line(environment, "ECR image storage").quantity == 2 * TABLE.baselines.ecr_gb.value
    assert "2 services" in line(environment, "CloudWatch Logs ingestion").item


def test_more_of_anything_never_costs_less() -> None:
    base = {
        "api": {"kind": "web", "path": "/api/*"},
        "mailer": {"kind": "worker"},
        "nightly": {"kind": "job"},
    }
    smaller = dev(system(base)).monthly
    grown = [
        {**base, "api": {"kind": "web", "path": "/api/*", "desired_count": 4}},
        {**base, "mailer": {"kind": "worker", "min_count": 2}},
        {**base, "nightly": {"kind": "job", "schedule": "rate(5 minutes)"}},
        {**base, "catalog": {"kind": "backend"}},
        {**base, "www": {"kind": "static-site"}},
    ]

    for services in grown:
        larger = dev(system(services)).monthly
        assert smaller is not None
        assert larger is not None
        assert larger > smaller, services


def test_the_estimate_reads_as_markdown_with_its_assumptions() -> None:
    estimate = estimate_cost(system({"api": {"kind": "web"}, "nightly": {"kind": "job"}}))

    markdown = format_cost_markdown(estimate)

    assert "| nightly: Fargate vCPU (30.42 runs of up to 30 min, 0.25 vCPU) |" in markdown
    assert "an upper bound" in markdown


@pytest.mark.parametrize(
    ("schedule", "runs"),
    [
        ("rate(1 day)", Decimal(730) / 24),
        ("rate(7 days)", Decimal(730) / 24 / 7),
        ("rate(1 hour)", Decimal(730)),
        ("rate(15 minutes)", Decimal(730 * 4)),
        ("cron(0 3 * * ? *)", Decimal(730) / 24),
        ("cron(0/15 * * * ? *)", Decimal(730 * 4)),
        ("cron(0 9 ? * MON-FRI *)", Decimal(730) / 24 * 5 / 7),
        ("cron(0,30 8-17 ? * 2-6 *)", 2 * 10 * Decimal(730) / 24 * 5 / 7),
        ("cron(0 0 1,15 * ? *)", Decimal(2)),
        ("cron(0 0 L * ? *)", Decimal(1)),
        ("cron(0 9 ? * 6L *)", Decimal(1)),
        ("cron(0 9 ? * 3#2 *)", Decimal(1)),
        ("cron(0 0 1 JAN,JUL ? *)", Decimal(2) / 12),
    ],
)
def test_runs_a_month_follow_the_schedule(schedule: str, runs: Decimal) -> None:
    assert round(runs_per_month(schedule), 12) == round(runs, 12)
