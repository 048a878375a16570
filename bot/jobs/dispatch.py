"""The `delivery` job: load a stored delivery and route it to its handlers."""

from __future__ import annotations

import json

from sqlalchemy import bindparam, select

from bot.db.models import Delivery
from bot.intake.router import Router, WebhookEvent
from bot.jobs.context import HandlerContext
from bot.jobs.queue import ClaimedJob
from bot.jobs.worker import JobRunner

# A read, on every delivery job: Core, built once; no write lock or transaction to commit.
_STORED = select(
    Delivery.id,
    Delivery.event,
    Delivery.action,
    Delivery.body,
    Delivery.installation_id,
    Delivery.repository,
).where(Delivery.id == bindparam("delivery_id"))


def delivery_runner(router: Router[HandlerContext]) -> JobRunner:
    def run_delivery(job: ClaimedJob, context: HandlerContext) -> str:
        if job.delivery_id is None:
            raise ValueError(f"job {job.id} has no delivery")
        with context.database.read() as connection:
            delivery = connection.execute(_STORED, {"delivery_id": job.delivery_id}).first()
        if delivery is None:
            raise LookupError(f"delivery {job.delivery_id} is gone")
        event = WebhookEvent(
            delivery_id=delivery.id,
            name=delivery.event,
            action=delivery.action,
            payload=json.loads(delivery.body),
            installation_id=delivery.installation_id,
            repository=delivery.repository,
        )
        return "processed" if router.dispatch(event, context) else "ignored"

    return run_delivery
