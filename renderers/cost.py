"""What a spec's infrastructure costs on AWS a month: an estimate from list prices.

`estimate_cost(spec)` prices, environment by environment, every billed item the generated
Terraform creates (`infra/modules/`, composed by `template-repo/infra/envs/`) from the price
table of `renderers.prices`, for 730 hours a month. Usage that only traffic decides (load balancer
capacity, data through NAT, logs, stored gigabytes) is priced at a stated baseline, named in the
line that rests on it. A region or database class the table lacks leaves that environment
unpriced with the reason, never guessed.

The models serialise to the JSON an API answers (money as decimal strings); `format_cost_markdown`
and `cost_difference` with `format_cost_difference_markdown` give the text of a plan comment, a
pull request body or the command line.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import BaseModel, ConfigDict, computed_field

from renderers.complete import AnySpec, Environment, Spec, SpecV2
from renderers.prices import Baseline, Baselines, PriceTable, RegionPrices, price_table

if TYPE_CHECKING:
    from renderers.complete_v2 import EnvironmentV2

HOURS_PER_MONTH = 730
# infra/modules/network spans two zones (az_count) with an interface endpoint of each of these
# services in every zone; infra/modules/alb's internet-facing load balancer has an address in each.
AVAILABILITY_ZONES = 2
INTERFACE_ENDPOINTS = ("ecr.api", "ecr.dkr", "logs", "secretsmanager")
# infra/modules/alarms: each alarm and the metrics it reads (a metric-math alarm bills each one).
SERVICE_ALARM_METRICS = {"unhealthy_hosts": 1, "cpu_high": 1, "memory_high": 1, "error_rate": 3}
# ECS target tracking (infra/modules/ecs) keeps a scale-out and a scale-in alarm of its own.
AUTOSCALING_ALARMS = 2

_ZERO = Decimal(0)
_HOURS = Decimal(HOURS_PER_MONTH)


class _Priced(BaseModel):
    model_config = ConfigDict(frozen=True)


class CostLine(_Priced):
    """One billed item: `monthly` is exactly `quantity` times `unit_price`."""

    item: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    monthly: Decimal
    assumption: str | None = None


class EnvironmentCost(_Priced):
    """One environment's lines and total; without lines and totals when it cannot be priced."""

    environment: str
    region: str
    production: bool
    tasks: int
    max_tasks: int
    lines: tuple[CostLine, ...]
    extra_at_max_tasks: Decimal
    unavailable: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def monthly(self) -> Decimal | None:
        """The sum of the lines, or None when the environment is not priced."""
        if self.unavailable is not None:
            return None
        return sum((line.monthly for line in self.lines), _ZERO)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def monthly_at_max_tasks(self) -> Decimal | None:
        """The month with autoscaling at `max_tasks` all along."""
        return None if self.monthly is None else self.monthly + self.extra_at_max_tasks


class CostEstimate(_Priced):
    system: str
    currency: str
    hours_per_month: int
    prices_as_of: str
    prices_source: str
    environments: tuple[EnvironmentCost, ...]
    not_priced: tuple[str, ...]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def monthly(self) -> Decimal:
        """The sum of the priced environments' totals."""
        return sum((env.monthly for env in self.environments if env.monthly is not None), _ZERO)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def complete(self) -> bool:
        """Every environment is priced, so `monthly` is the whole system's."""
        return all(env.unavailable is None for env in self.environments)


def estimate_cost(spec: AnySpec) -> CostEstimate:
    """The estimate of a spec of either version (sbh/v2's in `renderers.cost_v2`)."""
    if isinstance(spec, SpecV2):
        from renderers.cost_v2 import estimate_cost_v2

        return estimate_cost_v2(spec)
    table = price_table()
    return CostEstimate(
        system=spec.name,
        currency=table.currency,
        hours_per_month=HOURS_PER_MONTH,
        prices_as_of=table.as_of,
        prices_source=table.source,
        environments=tuple(
            _environment_cost(spec, environment, table)
            for environment in spec.environments.values()
        ),
        not_priced=table.not_priced,
    )


def _environment_cost(spec: Spec, environment: Environment, table: PriceTable) -> EnvironmentCost:
    reason = _why_unpriced(spec, environment, table)
    lines, extra_at_max_tasks = ((), _ZERO) if reason else _priced(spec, environment, table)
    return EnvironmentCost(
        environment=environment.name,
        region=environment.region,
        production=environment.production,
        tasks=spec.service.desired_count,
        max_tasks=spec.service.max_count,
        lines=lines,
        extra_at_max_tasks=extra_at_max_tasks,
        unavailable=reason,
    )


def _priced(
    spec: Spec, environment: Environment, table: PriceTable
) -> tuple[tuple[CostLine, ...], Decimal]:
    """The environment's lines, and what autoscaling at its maximum would add to them."""
    service = spec.service
    prices, baselines = table.regions[environment.region], table.baselines
    at_desired = _fargate_lines(service, service.desired_count, prices)
    at_max = _fargate_lines(service, service.max_count, prices)
    lines = (
        *at_desired,
        *_load_balancer_lines(prices, baselines),
        *_network_lines(environment.production, prices, baselines),
        *_database_lines(spec, prices),
        *_secret_lines(spec.secrets, spec.database is not None, prices),
        *_storage_lines(spec, prices, baselines),
        *_monitoring_lines(spec, prices, baselines),
    )
    return lines, _total(at_max) - _total(at_desired)


def _why_unpriced(
    spec: AnySpec, environment: Environment | EnvironmentV2, table: PriceTable
) -> str | None:
    prices = table.regions.get(environment.region)
    if prices is None:
        return (
            f"{environment.region} is not in SBH's price table (as of {table.as_of}), so this "
            f"environment is not priced; the table has {', '.join(sorted(table.regions))}"
        )
    if spec.database and spec.database.instance_class not in prices.rds_postgres_hour:
        return (
            f"{spec.database.instance_class} in {environment.region} is not in SBH's price table "
            f"(as of {table.as_of}), so this environment is not priced; the classes priced there "
            f"are {', '.join(sorted(prices.rds_postgres_hour))}"
        )
    return None


def _line(
    item: str,
    quantity: Decimal,
    unit: str,
    unit_price: Decimal,
    baselines: tuple[Baseline, ...] = (),
) -> CostLine:
    return CostLine(
        item=item,
        quantity=quantity,
        unit=unit,
        unit_price=unit_price,
        monthly=quantity * unit_price,
        assumption="; ".join(baseline.notes for baseline in baselines) or None,
    )


def _assumed(item: str, baseline: Baseline, unit: str, unit_price: Decimal) -> CostLine:
    return _line(item, baseline.value, unit, unit_price, (baseline,))


def _total(lines: tuple[CostLine, ...]) -> Decimal:
    return sum((line.monthly for line in lines), _ZERO)


class _Sized(Protocol):
    @property
    def cpu(self) -> int: ...
    @property
    def memory(self) -> int: ...


def _fargate_lines(
    service: _Sized,
    tasks: int,
    prices: RegionPrices,
    label: str = "",
) -> tuple[CostLine, ...]:
    """`tasks` running all month; `label` names the service when a system has several."""
    vcpu = Decimal(service.cpu) / 1024
    gigabytes = Decimal(service.memory) / 1024
    running = f"{_count(tasks, 'task')} of "
    return (
        _line(
            f"{label}Fargate vCPU ({running}{_number(vcpu)} vCPU)",
            tasks * vcpu * _HOURS,
            "vCPU-hour",
            prices.fargate_vcpu_hour,
        ),
        _line(
            f"{label}Fargate memory ({running}{_number(gigabytes)} GB)",
            tasks * gigabytes * _HOURS,
            "GB-hour",
            prices.fargate_gb_hour,
        ),
    )


def _load_balancer_lines(prices: RegionPrices, baselines: Baselines) -> tuple[CostLine, ...]:
    capacity = baselines.alb_lcu_per_hour
    return (
        _line("Application Load Balancer", _HOURS, "hour", prices.alb_hour),
        _line(
            "Load balancer capacity units",
            capacity.value * _HOURS,
            "LCU-hour",
            prices.alb_lcu_hour,
            (capacity,),
        ),
    )


def _network_lines(
    production: bool, prices: RegionPrices, baselines: Baselines, load_balancer: bool = True
) -> tuple[CostLine, ...]:
    # Production runs a NAT gateway in each zone so that losing one zone keeps the other online.
    gateways = AVAILABILITY_ZONES if production else 1
    balancer_addresses = AVAILABILITY_ZONES if load_balancer else 0
    addresses = balancer_addresses + gateways
    holders = (
        f"{AVAILABILITY_ZONES} of the load balancer, {gateways} of NAT"
        if load_balancer
        else f"{gateways} of NAT"
    )
    endpoints = len(INTERFACE_ENDPOINTS) * AVAILABILITY_ZONES
    return (
        _line(
            "NAT gateways, one per zone" if production else "NAT gateway, shared by both zones",
            gateways * _HOURS,
            "gateway-hour",
            prices.nat_gateway_hour,
        ),
        _assumed(
            "NAT gateway data processed",
            baselines.nat_gateway_gb_per_month,
            "GB",
            prices.nat_gateway_gb,
        ),
        _line(
            f"Public IPv4 addresses ({holders})",
            addresses * _HOURS,
            "address-hour",
            prices.public_ipv4_hour,
        ),
        _line(
            f"VPC interface endpoints ({', '.join(INTERFACE_ENDPOINTS)}) "
            f"in {AVAILABILITY_ZONES} zones",
            endpoints * _HOURS,
            "endpoint-hour",
            prices.interface_endpoint_az_hour,
        ),
        _assumed(
            "VPC endpoint data processed",
            baselines.endpoint_gb_per_month,
            "GB",
            prices.interface_endpoint_gb,
        ),
    )


def _database_lines(spec: AnySpec, prices: RegionPrices) -> tuple[CostLine, ...]:
    database = spec.database
    if database is None:
        return ()
    # Multi-AZ keeps a standby instance with its own copy of the storage: both are billed.
    instances = 2 if database.multi_az else 1
    standby = ", Multi-AZ (primary and standby)" if database.multi_az else ""
    each = f" on each of {instances} instances" if database.multi_az else ""
    return (
        _line(
            f"RDS PostgreSQL {database.instance_class}{standby}",
            instances * _HOURS,
            "instance-hour",
            prices.rds_postgres_hour[database.instance_class],
        ),
        _line(
            f"RDS gp3 storage ({database.allocated_storage} GB{each})",
            Decimal(database.allocated_storage * instances),
            "GB-month",
            prices.rds_gp3_gb_month,
        ),
    )


def _secret_lines(
    secrets: Collection[str], database: bool, prices: RegionPrices
) -> tuple[CostLine, ...]:
    kinds = ([f"{len(secrets)} of the spec"] if secrets else []) + (
        ["the database password RDS manages"] if database else []
    )
    count = len(secrets) + (1 if database else 0)
    if not count:
        return ()
    return (
        _line(
            f"Secrets Manager secrets ({', '.join(kinds)})",
            Decimal(count),
            "secret-month",
            prices.secret_month,
        ),
    )


def _bucket_lines(
    buckets: Collection[str], prices: RegionPrices, baselines: Baselines
) -> tuple[CostLine, ...]:
    if not buckets:
        return ()
    return (
        _line(
            f"S3 Standard, {_count(len(buckets), 'workspace bucket')}",
            len(buckets) * baselines.bucket_gb.value,
            "GB-month",
            prices.s3_standard_gb_month,
            (baselines.bucket_gb,),
        ),
    )


def _access_log_lines(prices: RegionPrices, baselines: Baselines) -> tuple[CostLine, ...]:
    return (
        _assumed(
            "S3 Standard, load balancer access logs",
            baselines.access_logs_gb,
            "GB-month",
            prices.s3_standard_gb_month,
        ),
    )


def _storage_lines(spec: Spec, prices: RegionPrices, baselines: Baselines) -> tuple[CostLine, ...]:
    return (
        *_bucket_lines(spec.buckets, prices, baselines),
        *_access_log_lines(prices, baselines),
        _assumed("ECR image storage", baselines.ecr_gb, "GB-month", prices.ecr_gb_month),
    )


def _monitoring_lines(
    spec: Spec, prices: RegionPrices, baselines: Baselines
) -> tuple[CostLine, ...]:
    sources = {
        "service": baselines.service_logs_gb_per_month,
        "VPC flow logs": baselines.flow_logs_gb_per_month,
        "Container Insights": baselines.container_insights_logs_gb_per_month,
        **({"PostgreSQL": baselines.database_logs_gb_per_month} if spec.database else {}),
    }
    alarm_metrics = sum(SERVICE_ALARM_METRICS.values()) + AUTOSCALING_ALARMS
    return (
        _line(
            f"CloudWatch Logs ingestion ({', '.join(sources)})",
            sum((baseline.value for baseline in sources.values()), _ZERO),
            "GB",
            prices.logs_ingestion_gb,
            tuple(sources.values()),
        ),
        _assumed(
            "CloudWatch Logs storage",
            baselines.logs_stored_gb,
            "GB-month",
            prices.logs_storage_gb_month,
        ),
        _line(
            f"CloudWatch alarms ({len(SERVICE_ALARM_METRICS)} of the service, "
            f"{AUTOSCALING_ALARMS} of autoscaling; the 5xx rate reads "
            f"{SERVICE_ALARM_METRICS['error_rate']} metrics)",
            Decimal(alarm_metrics),
            "alarm-metric-month",
            prices.alarm_metric_month,
        ),
        _assumed(
            "Container Insights metrics",
            baselines.container_insights_metrics,
            "metric-month",
            prices.custom_metric_month,
        ),
    )


class EnvironmentChange(_Priced):
    """An environment before and after a spec change. `before`/`after` are None where it is
    absent (added, removed) or not priced."""

    environment: str
    status: Literal["added", "removed", "changed", "unchanged", "not priced"]
    before: Decimal | None
    after: Decimal | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def change(self) -> Decimal | None:
        if self.status == "not priced":
            return None
        return (self.after or _ZERO) - (self.before or _ZERO)


class CostDifference(_Priced):
    prices_as_of: str
    prices_source: str
    environments: tuple[EnvironmentChange, ...]
    before: Decimal
    after: Decimal
    complete: bool

    @computed_field  # type: ignore[prop-decorator]
    @property
    def change(self) -> Decimal:
        return self.after - self.before


def cost_difference(before: CostEstimate, after: CostEstimate) -> CostDifference:
    """The cost of a spec change: each environment then and now, new and removed ones too."""
    earlier = {env.environment: env for env in before.environments}
    later = {env.environment: env for env in after.environments}
    names = [*later, *(name for name in earlier if name not in later)]
    return CostDifference(
        prices_as_of=after.prices_as_of,
        prices_source=after.prices_source,
        environments=tuple(_change(earlier.get(name), later.get(name), name) for name in names),
        before=before.monthly,
        after=after.monthly,
        complete=before.complete and after.complete,
    )


def _change(
    before: EnvironmentCost | None, after: EnvironmentCost | None, name: str
) -> EnvironmentChange:
    then = before.monthly if before else None
    now = after.monthly if after else None
    unpriced = (before is not None and then is None) or (after is not None and now is None)
    status: Literal["added", "removed", "changed", "unchanged", "not priced"]
    if unpriced:
        status = "not priced"
    elif before is None:
        status = "added"
    elif after is None:
        status = "removed"
    else:
        status = "unchanged" if then == now else "changed"
    return EnvironmentChange(environment=name, status=status, before=then, after=now)


def format_cost_markdown(estimate: CostEstimate) -> str:
    """The estimate as Markdown: a table per environment, the total, what it assumes and omits."""
    scope = "" if estimate.complete else " for the priced environments"
    parts = [
        f"#### Estimated AWS cost: {_dollars(estimate.monthly)} a month{scope}",
        "",
        _provenance(estimate.prices_source, estimate.prices_as_of),
    ]
    for env in estimate.environments:
        parts += ["", _environment_heading(env)]
        if env.monthly is None:
            continue
        parts += [
            "",
            "| item | quantity | unit price | a month |",
            "|---|--:|--:|--:|",
            *(
                f"| {line.item} | {_number(line.quantity)} {line.unit} | "
                f"{_unit_price(line.unit_price)} | {_dollars(line.monthly)} |"
                for line in env.lines
            ),
            f"| **total** | | | **{_dollars(env.monthly)}** |",
        ]
    assumptions = dict.fromkeys(
        line.assumption for env in estimate.environments for line in env.lines if line.assumption
    )
    if assumptions:
        parts += ["", f"Assumed: {'; '.join(assumptions)}."]
    parts += ["", f"Not included: {'; '.join(estimate.not_priced)}."]
    return "\n".join(parts) + "\n"


def format_cost_text(estimate: CostEstimate) -> str:
    """The estimate for a terminal: each environment's lines and total, then the total."""
    width = max((len(line.item) for env in estimate.environments for line in env.lines), default=0)
    parts: list[str] = []
    for env in estimate.environments:
        parts.append(_environment_heading(env).replace("**", ""))
        parts += [f"  {line.item:<{width}}  {_dollars(line.monthly):>10}" for line in env.lines]
        if env.monthly is not None:
            parts += [f"  {'total':<{width}}  {_dollars(env.monthly):>10}", ""]
    scope = "" if estimate.complete else " (the priced environments)"
    parts += [
        f"Total{scope}: {_dollars(estimate.monthly)} a month",
        _provenance(estimate.prices_source, estimate.prices_as_of).replace("`", ""),
    ]
    return "\n".join(parts)


def format_cost_summary(estimate: CostEstimate) -> str:
    """One line: the total and each environment's, for a plan comment."""
    scope = "" if estimate.complete else " for the priced environments"
    each = ", ".join(
        f"{env.environment} {_dollars(env.monthly) if env.monthly is not None else 'not priced'}"
        for env in estimate.environments
    )
    return (
        f"Estimated AWS cost: **{_dollars(estimate.monthly)} a month**{scope} ({each}), "
        f"from list prices as of {estimate.prices_as_of}"
    )


def format_cost_difference_markdown(difference: CostDifference) -> str:
    """Before → after, per environment and in total, for an update pull request."""
    scope = "" if difference.complete else " for the priced environments"
    parts = [
        f"#### Estimated AWS cost: {_dollars(difference.before)} → "
        f"{_dollars(difference.after)} a month ({_signed(difference.change)}){scope}",
        "",
        _provenance(difference.prices_source, difference.prices_as_of),
        "",
        "| environment | before | after | change |",
        "|---|--:|--:|--:|",
    ]
    for env in difference.environments:
        parts.append(
            f"| {env.environment} | {_amount(env.before, env.status == 'added')} | "
            f"{_amount(env.after, env.status == 'removed')} | {_change_text(env)} |"
        )
    return "\n".join(parts) + "\n"


def _provenance(source: str, as_of: str) -> str:
    return (
        f"An estimate, not a quote: {source}, as of {as_of}, in USD for "
        f"{HOURS_PER_MONTH} hours a month (SBH's table: `renderers/data/aws_prices.json`)."
    )


def _environment_heading(env: EnvironmentCost) -> str:
    where = f"**{env.environment}** ({env.region}{', production' if env.production else ''})"
    if env.monthly is None or env.monthly_at_max_tasks is None:
        return f"{where}: {env.unavailable}."
    return (
        f"{where}: {_dollars(env.monthly)} a month with {_count(env.tasks, 'task')}, "
        f"up to {_dollars(env.monthly_at_max_tasks)} with autoscaling at "
        f"{_count(env.max_tasks, 'task')}"
    )


def _amount(value: Decimal | None, absent: bool) -> str:
    if absent:
        return "—"
    return "not priced" if value is None else _dollars(value)


def _change_text(env: EnvironmentChange) -> str:
    if env.change is None:
        return "—"
    if env.status == "unchanged":
        return "no change"
    if env.status in ("added", "removed"):
        return f"{env.status} ({_signed(env.change)})"
    return _signed(env.change)


def _dollars(amount: Decimal) -> str:
    return f"${amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def _signed(amount: Decimal) -> str:
    return f"-{_dollars(-amount)}" if amount < 0 else f"+{_dollars(amount)}"


def _unit_price(price: Decimal) -> str:
    """Every digit of a price, and at least the cents: $0.04048, $0.40."""
    cents = price.quantize(Decimal("0.01"))
    return f"${cents if cents == price else price.normalize():,f}"


def _number(value: Decimal) -> str:
    """A quantity or unit price as written: no exponent, no trailing zeros, thousands marked."""
    return f"{value.normalize():,f}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
