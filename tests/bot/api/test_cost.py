"""`POST /api/specs/cost`: what a spec's system would cost each month, as the System
Builder's finish step shows it."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.db.database import Database
from tests.bot.conftest import as_the_web_app, make_settings
from tests.conftest import EXAMPLE_SPEC


@pytest.fixture
def web(database: Database) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(), database=database)) as client:
        yield as_the_web_app(client)


def test_the_cost_of_a_spec_per_environment_and_in_total(web: TestClient) -> None:
    response = web.post("/api/specs/cost", json={"spec": EXAMPLE_SPEC.read_text()})

    assert response.status_code == 200
    estimate = response.json()
    assert [env["environment"] for env in estimate["environments"]] == ["dev", "prod"]
    assert Decimal(estimate["monthly"]).quantize(Decimal("0.01")) == Decimal("379.51")
    assert estimate["complete"] is True
    assert estimate["prices_as_of"]
    assert estimate["prices_source"]


def test_the_cost_of_a_spec_that_cannot_be_used_is_its_problems(web: TestClient) -> None:
    broken = EXAMPLE_SPEC.read_text().replace("cpu: 256", "cpu: 300")

    response = web.post("/api/specs/cost", json={"spec": broken})

    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "service.cpu"
