"""The AWS price table SBH estimates from: `renderers/data/aws_prices.json`, shipped in the package.

List prices per region, dated (`as_of`) and sourced, with the usage baselines an estimate has to
assume (traffic, stored gigabytes), each with a note saying what it stands for. Money is
`Decimal` read straight from the file's text, so no price passes through a float.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

PRICE_FILE = Path(__file__).resolve().parent / "data" / "aws_prices.json"

Price = Annotated[Decimal, Field(ge=0)]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RegionPrices(_Table):
    """One region's unit prices in USD; `_hour` per hour, `_gb` per GB, `_month` per month."""

    fargate_vcpu_hour: Price
    fargate_gb_hour: Price
    alb_hour: Price
    alb_lcu_hour: Price
    nat_gateway_hour: Price
    nat_gateway_gb: Price
    public_ipv4_hour: Price
    interface_endpoint_az_hour: Price
    interface_endpoint_gb: Price
    rds_postgres_hour: dict[str, Price] = Field(description="Single-AZ, per instance class.")
    rds_gp3_gb_month: Price
    s3_standard_gb_month: Price
    secret_month: Price
    logs_ingestion_gb: Price
    logs_storage_gb_month: Price
    alarm_metric_month: Price
    custom_metric_month: Price
    ecr_gb_month: Price
    sqs_million_requests: Price = Field(description="Standard queue requests (64 KB each).")


class GlobalPrices(_Table):
    """Prices of services that are not regional: CloudFront (North America and Europe edge
    rates) and EventBridge Scheduler."""

    cloudfront_gb_out: Price
    cloudfront_https_10k_requests: Price
    scheduler_million_invocations: Price


class Baseline(_Table):
    """A usage figure the estimate assumes, and what it stands for."""

    value: Price
    notes: str = Field(min_length=1)


class Baselines(_Table):
    alb_lcu_per_hour: Baseline
    nat_gateway_gb_per_month: Baseline
    endpoint_gb_per_month: Baseline
    bucket_gb: Baseline
    access_logs_gb: Baseline
    ecr_gb: Baseline
    service_logs_gb_per_month: Baseline
    flow_logs_gb_per_month: Baseline
    container_insights_logs_gb_per_month: Baseline
    database_logs_gb_per_month: Baseline
    logs_stored_gb: Baseline
    container_insights_metrics: Baseline
    queue_messages_per_month: Baseline
    site_gb: Baseline
    cdn_gb_per_month: Baseline
    cdn_requests_per_month: Baseline


class PriceTable(_Table):
    as_of: str = Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")
    currency: Literal["USD"]
    source: str = Field(min_length=1)
    source_urls: tuple[str, ...] = Field(min_length=1)
    notes: tuple[str, ...]
    not_priced: tuple[str, ...]
    baselines: Baselines
    global_prices: GlobalPrices = Field(alias="global")
    regions: dict[str, RegionPrices] = Field(min_length=1)


@lru_cache(maxsize=1)
def price_table() -> PriceTable:
    data = json.loads(PRICE_FILE.read_text(encoding="utf-8"), parse_float=Decimal)
    return PriceTable.model_validate(data)
