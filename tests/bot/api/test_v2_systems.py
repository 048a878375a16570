"""An sbh/v2 system as the API, `sbh system` and the health monitor see it: its services with
each kind's key facts, and a health probe per web service."""

from __future__ import annotations

import json

from bot.db.database import Database
from bot.db.models import Deployment, System
from bot.ports import ProbeResult
from tests.bot.api.systems_api import AUTH, TOKEN, api, probe_all
from tests.bot.cli.running_sbh import sbh_in_production
from tests.conftest import EXAMPLE_SPEC
from tests.fakes.health_prober_port import FakeHealthProberPort

SPEC_V2 = """\
apiVersion: sbh/v2
name: shop
owner: acme
services:
  site:    {kind: web, path: "/*", health_path: /health}
  api:     {kind: web, path: "/api/*", health_path: /api/health, port: 8100}
  catalog: {kind: backend, port: 8001}
  mailer:  {kind: worker}
  nightly: {kind: job, schedule: "rate(1 day)"}
environments:
  dev: {aws_account_id: "111111111111", region: us-west-2, domain: shop.dev.acme.io}
"""


def _recorded(database: Database, deployed: bool = False) -> None:
    with database.session() as session:
        system = System(
            name="shop",
            owner="acme",
            spec=SPEC_V2,
            spec_hash="0" * 64,
            template_version="test",
        )
        session.add(system)
        session.flush()
        if deployed:
            session.add(
                Deployment(
                    system_id=system.id, environment="dev", image_tag="1a2b3c4", state="success"
                )
            )


def test_the_system_view_lists_the_services_with_their_kinds_facts(database: Database) -> None:
    _recorded(database)

    with api(database, SBH_API_TOKEN=TOKEN) as client:
        detail = client.get("/api/systems/shop", headers=AUTH).json()

    assert detail["api_version"] == "sbh/v2"
    services = {service["name"]: service for service in detail["services"]}
    assert list(services) == ["site", "api", "catalog", "mailer", "nightly"]
    assert services["api"]["kind"] == "web"
    assert (services["api"]["path"], services["api"]["port"]) == ("/api/*", 8100)
    assert services["api"]["urls"] == {"dev": "https://shop.dev.acme.io/api/"}
    assert services["catalog"]["reached_by"] == "http://catalog:8001"
    assert services["catalog"]["urls"] == {}
    assert services["mailer"]["queue"] == "dead-letter after 5 receives, visibility 60 s"
    assert services["nightly"]["schedule"] == "rate(1 day)"


def test_a_v1_system_lists_no_services(database: Database) -> None:
    with database.session() as session:
        session.add(
            System(
                name="orders-api",
                owner="acme",
                spec=EXAMPLE_SPEC.read_text(),
                spec_hash="0" * 64,
                template_version="test",
            )
        )

    with api(database, SBH_API_TOKEN=TOKEN) as client:
        detail = client.get("/api/systems/orders-api", headers=AUTH).json()

    assert (detail["api_version"], detail["services"]) == ("sbh/v1", [])


def test_sbh_system_prints_the_services(database: Database) -> None:
    _recorded(database)

    shown = sbh_in_production("system", "shop", database_url=database.url)
    as_json = json.loads(
        sbh_in_production("system", "shop", "--json", database_url=database.url).stdout
    )

    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert any(
        "service api" in line
        and "/api/* on port 8100" in line
        and "https://shop.dev.acme.io/api/" in line
        for line in lines
    )
    assert any("service nightly" in line and "runs on rate(1 day)" in line for line in lines)
    assert [service["kind"] for service in as_json["services"]] == [
        "web",
        "web",
        "backend",
        "worker",
        "job",
    ]


def test_each_web_service_of_a_deployed_environment_is_probed(database: Database) -> None:
    _recorded(database, deployed=True)
    prober = FakeHealthProberPort(ProbeResult(True, 200, 12.5, None))

    assert probe_all(database, prober) == 1

    assert prober.urls == ["https://shop.dev.acme.io/health", "https://shop.dev.acme.io/api/health"]
