"""What an sbh/v2 system costs on AWS a month: `estimate_cost_v2(spec)`, by the same rules and
from the same price table as sbh/v1's estimate (`renderers.cost`), service by service.

What each kind is billed for (template-system/TEMPLATE_GUIDE.md, "Kinds"):
- web and backend: Fargate tasks at `desired_count` all month (at `max_count` for the
  autoscaling figure); web services share the environment's one load balancer, which exists
  only when there is a web service (and with it the access-log bucket);
- worker: Fargate tasks at `min_count` (at `max_count` for the autoscaling figure) and its
  queue's requests: a stated number of messages, each sent, received and deleted, plus the
  long polls (20 s each) of the tasks that run all month;
- job: Fargate time of every run the schedule makes in a month, each run lasting its full
  `timeout_minutes` (an upper bound, said so in the line), and its Scheduler invocations;
- static-site: the site's files in S3 and CloudFront's transfer and requests, at stated usage.
Shared: the network, the database, secrets (each name once: they live under one prefix),
workspace buckets, logs, alarms and Container Insights, as in v1.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from renderers.complete_v2 import (
    BackendWorkload,
    EnvironmentV2,
    JobWorkload,
    SpecV2,
    StaticSiteWorkload,
    WebWorkload,
    WorkerWorkload,
)
from renderers.cost import (
    _HOURS,
    _ZERO,
    AUTOSCALING_ALARMS,
    HOURS_PER_MONTH,
    SERVICE_ALARM_METRICS,
    CostEstimate,
    CostLine,
    EnvironmentCost,
    _access_log_lines,
    _assumed,
    _bucket_lines,
    _count,
    _database_lines,
    _fargate_lines,
    _line,
    _load_balancer_lines,
    _network_lines,
    _number,
    _secret_lines,
    _total,
    _why_unpriced,
)
from renderers.fields import runs_per_month
from renderers.prices import (
    Baseline,
    Baselines,
    GlobalPrices,
    PriceTable,
    RegionPrices,
    price_table,
)

# The alarm metrics of each kind: a web service has v1's alarms and autoscaling; a backend
# has no target group to count unhealthy hosts or 5xx of; a worker adds its dead-letter alarm
# and scales in steps on its queue's depth (an alarm each way); a job has its failed-run alarm.
ALARM_METRICS_BY_KIND = {
    "web": sum(SERVICE_ALARM_METRICS.values()) + AUTOSCALING_ALARMS,
    "backend": SERVICE_ALARM_METRICS["cpu_high"]
    + SERVICE_ALARM_METRICS["memory_high"]
    + AUTOSCALING_ALARMS,
    "worker": SERVICE_ALARM_METRICS["cpu_high"] + SERVICE_ALARM_METRICS["memory_high"] + 1 + 2,
    "job": 1,
}
# A worker's task long-polls its queue for 20 seconds at a time: 3 receives a minute when idle.
IDLE_RECEIVES_PER_TASK_HOUR = 3 * 60
REQUESTS_PER_MESSAGE = 3  # send, receive, delete
_MILLION = Decimal(1_000_000)


def estimate_cost_v2(spec: SpecV2) -> CostEstimate:
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


def _environment_cost(
    spec: SpecV2, environment: EnvironmentV2, table: PriceTable
) -> EnvironmentCost:
    reason = _why_unpriced(spec, environment, table)
    lines, extra_at_max_tasks = ((), _ZERO) if reason else _priced(spec, environment, table)
    return EnvironmentCost(
        environment=environment.name,
        region=environment.region,
        production=environment.production,
        tasks=sum(_tasks(service)[0] for service in spec.container_services),
        max_tasks=sum(_tasks(service)[1] for service in spec.container_services),
        lines=lines,
        extra_at_max_tasks=extra_at_max_tasks,
        unavailable=reason,
    )


def _tasks(service: object) -> tuple[int, int]:
    """(tasks all month, tasks with autoscaling at its maximum) of a long-running service."""
    if isinstance(service, WebWorkload | BackendWorkload):
        return service.desired_count, service.max_count
    if isinstance(service, WorkerWorkload):
        return service.min_count, service.max_count
    return 0, 0


def _priced(
    spec: SpecV2, environment: EnvironmentV2, table: PriceTable
) -> tuple[tuple[CostLine, ...], Decimal]:
    prices, baselines, worldwide = (
        table.regions[environment.region],
        table.baselines,
        table.global_prices,
    )
    has_web = bool(spec.of_kind("web"))
    lines: list[CostLine] = []
    extra = _ZERO
    for service in spec.services.values():
        label = f"{service.name}: "
        if isinstance(service, JobWorkload):
            lines += _job_lines(service, prices, worldwide, label)
        elif isinstance(service, StaticSiteWorkload):
            lines += _site_lines(prices, baselines, worldwide, label)
        else:
            running, most = _tasks(service)
            at_desired = _fargate_lines(service, running, prices, label)
            lines += at_desired
            extra += _total(_fargate_lines(service, most, prices, label)) - _total(at_desired)
            if isinstance(service, WorkerWorkload):
                lines += _queue_lines(service, prices, baselines, label)
    if has_web:
        lines += _load_balancer_lines(prices, baselines)
    lines += _network_lines(environment.production, prices, baselines, load_balancer=has_web)
    lines += _database_lines(spec, prices)
    secrets = {secret for service in spec.container_services for secret in service.secrets}
    lines += _secret_lines(sorted(secrets), spec.database is not None, prices)
    lines += _bucket_lines(spec.buckets, prices, baselines)
    if has_web:
        lines += _access_log_lines(prices, baselines)
    lines += _image_lines(len(spec.container_services), prices, baselines)
    lines += _monitoring_lines(spec, prices, baselines)
    return tuple(lines), extra


def _job_lines(
    job: JobWorkload, prices: RegionPrices, worldwide: GlobalPrices, label: str
) -> tuple[CostLine, ...]:
    runs = runs_per_month(job.schedule).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    hours = runs * job.timeout_minutes / 60
    vcpu, gigabytes = Decimal(job.cpu) / 1024, Decimal(job.memory) / 1024
    bound = Baseline(
        value=runs,
        notes=f"each run of a job lasts its full timeout_minutes (an upper bound; {job.name}: "
        f"{_number(runs)} runs a month of {job.schedule}, up to {job.timeout_minutes} minutes "
        "each)",
    )
    return (
        _line(
            f"{label}Fargate vCPU ({_number(runs)} runs of up to {job.timeout_minutes} min, "
            f"{_number(vcpu)} vCPU)",
            hours * vcpu,
            "vCPU-hour",
            prices.fargate_vcpu_hour,
            (bound,),
        ),
        _line(
            f"{label}Fargate memory ({_number(runs)} runs of up to {job.timeout_minutes} min, "
            f"{_number(gigabytes)} GB)",
            hours * gigabytes,
            "GB-hour",
            prices.fargate_gb_hour,
            (bound,),
        ),
        _line(
            f"{label}EventBridge Scheduler invocations ({_number(runs)} a month)",
            runs / _MILLION,
            "million invocations",
            worldwide.scheduler_million_invocations,
        ),
    )


def _queue_lines(
    worker: WorkerWorkload, prices: RegionPrices, baselines: Baselines, label: str
) -> tuple[CostLine, ...]:
    messages = baselines.queue_messages_per_month
    polls = worker.min_count * IDLE_RECEIVES_PER_TASK_HOUR * _HOURS
    requests = messages.value * REQUESTS_PER_MESSAGE + polls
    return (
        _line(
            f"{label}SQS requests (messages, and the long polls of "
            f"{_count(worker.min_count, 'task')} running all month)",
            requests / _MILLION,
            "million requests",
            prices.sqs_million_requests,
            (messages,),
        ),
    )


def _site_lines(
    prices: RegionPrices, baselines: Baselines, worldwide: GlobalPrices, label: str
) -> tuple[CostLine, ...]:
    requests = baselines.cdn_requests_per_month
    return (
        _assumed(
            f"{label}S3 Standard, site files",
            baselines.site_gb,
            "GB-month",
            prices.s3_standard_gb_month,
        ),
        _assumed(
            f"{label}CloudFront data transfer out",
            baselines.cdn_gb_per_month,
            "GB",
            worldwide.cloudfront_gb_out,
        ),
        _line(
            f"{label}CloudFront HTTPS requests",
            requests.value / 10_000,
            "10,000 requests",
            worldwide.cloudfront_https_10k_requests,
            (requests,),
        ),
    )


def _image_lines(
    repositories: int, prices: RegionPrices, baselines: Baselines
) -> tuple[CostLine, ...]:
    """Each container service has its own ECR repository, each holding its baseline."""
    if not repositories:
        return ()
    plural = "repository" if repositories == 1 else "repositories"
    return (
        _line(
            f"ECR image storage ({repositories} {plural})",
            baselines.ecr_gb.value * repositories,
            "GB-month",
            prices.ecr_gb_month,
            (baselines.ecr_gb,),
        ),
    )


def _monitoring_lines(
    spec: SpecV2, prices: RegionPrices, baselines: Baselines
) -> tuple[CostLine, ...]:
    containers = spec.container_services
    ecs_services = [service for service in containers if not isinstance(service, JobWorkload)]
    logs = baselines.service_logs_gb_per_month
    sources: dict[str, Decimal] = {
        f"{_count(len(containers), 'service')}": logs.value * len(containers),
        "VPC flow logs": baselines.flow_logs_gb_per_month.value,
        "Container Insights": baselines.container_insights_logs_gb_per_month.value,
        **({"PostgreSQL": baselines.database_logs_gb_per_month.value} if spec.database else {}),
    }
    assumed = (
        logs,
        baselines.flow_logs_gb_per_month,
        baselines.container_insights_logs_gb_per_month,
        *((baselines.database_logs_gb_per_month,) if spec.database else ()),
    )
    alarm_metrics = sum(ALARM_METRICS_BY_KIND[service.kind] for service in containers)
    insights = baselines.container_insights_metrics
    return (
        _line(
            f"CloudWatch Logs ingestion ({', '.join(sources)})",
            sum(sources.values(), _ZERO),
            "GB",
            prices.logs_ingestion_gb,
            assumed,
        ),
        _assumed(
            "CloudWatch Logs storage",
            baselines.logs_stored_gb,
            "GB-month",
            prices.logs_storage_gb_month,
        ),
        *(
            (
                _line(
                    f"CloudWatch alarm metrics ({', '.join(_alarm_parts(spec))} service)",
                    Decimal(alarm_metrics),
                    "alarm-metric-month",
                    prices.alarm_metric_month,
                ),
            )
            if alarm_metrics
            else ()
        ),
        _line(
            f"Container Insights metrics ({_count(max(1, len(ecs_services)), 'ECS service')})",
            insights.value * max(1, len(ecs_services)),
            "metric-month",
            prices.custom_metric_month,
            (insights,),
        ),
    )


def _alarm_parts(spec: SpecV2) -> list[str]:
    kinds = {service.kind for service in spec.container_services}
    return [
        f"{ALARM_METRICS_BY_KIND[kind]} per {kind}"
        for kind in ALARM_METRICS_BY_KIND
        if kind in kinds
    ]
