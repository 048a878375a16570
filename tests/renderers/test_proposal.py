"""An AI proposal fills only the gaps a person left, never a person's decisions, and goes
through the same validation as a written spec."""

from __future__ import annotations

import json

import pytest

from renderers.complete import complete_defaults
from renderers.problems import SpecError
from renderers.proposal import (
    ProposedDatabase,
    ProposedRegion,
    ProposedService,
    ProposedVariable,
    SpecProposal,
    merge_proposal,
    proposed_fields,
)
from renderers.spec import load_spec, validate_spec_data

WRITTEN = """\
name: shop
owner: acme
service: {port: 9000}
environments:
  dev: {aws_account_id: "111111111111", domain: shop.dev.acme.io}
  prod: {aws_account_id: "222222222222", domain: shop.acme.io, region: eu-west-1}
env: {LOG_LEVEL: info}
secrets: [STRIPE_KEY]
"""


def proposal(**fields: object) -> SpecProposal:
    empty = dict.fromkeys(SpecProposal.model_fields)
    return SpecProposal.model_validate({**empty, **fields})


def test_the_proposal_has_no_field_for_a_persons_decisions() -> None:
    schema = json.dumps(SpecProposal.model_json_schema())

    for decided_by_a_person in (
        "owner",
        "aws_account_id",
        "domain",
        "hosted_zone_id",
        "approval",
        "production",
    ):
        assert decided_by_a_person not in schema


def test_gaps_are_filled_and_written_values_win() -> None:
    raw = load_spec(WRITTEN)
    proposed = proposal(
        name="other-name",
        description="A shop",
        service=ProposedService(
            port=8080, health_path="/healthz", cpu=512, memory=1024, desired_count=None
        ),
        regions=[
            ProposedRegion(environment="dev", region="us-west-2"),
            ProposedRegion(environment="prod", region="us-east-1"),
        ],
        env=[
            ProposedVariable(name="LOG_LEVEL", value="debug"),
            ProposedVariable(name="TIMEZONE", value="UTC"),
        ],
        secret_names=["STRIPE_KEY", "SENTRY_DSN"],
    )

    data, taken = merge_proposal(raw, proposed)

    assert data["name"] == "shop"
    assert data["description"] == "A shop"
    assert data["service"] == {"port": 9000, "health_path": "/healthz", "cpu": 512, "memory": 1024}
    assert data["environments"]["dev"]["region"] == "us-west-2"
    assert data["environments"]["prod"]["region"] == "eu-west-1"
    assert data["env"] == {"LOG_LEVEL": "info", "TIMEZONE": "UTC"}
    assert data["secrets"] == ["STRIPE_KEY", "SENTRY_DSN"]
    assert taken == [
        "description",
        "service.health_path",
        "service.cpu",
        "service.memory",
        "environments.dev.region",
        "env.TIMEZONE",
        "secrets: SENTRY_DSN",
    ]


def test_a_proposal_cannot_add_environments() -> None:
    data, taken = merge_proposal(
        load_spec(WRITTEN),
        proposal(regions=[ProposedRegion(environment="staging", region="us-west-2")]),
    )

    assert set(data["environments"]) == {"dev", "prod"}
    assert taken == []


def test_a_written_no_database_stays_no_database() -> None:
    raw = load_spec(WRITTEN + "database: null\n")

    data, _ = merge_proposal(
        raw,
        proposal(
            database=ProposedDatabase(
                wanted=True, version="15", instance_class=None, allocated_storage=None
            )
        ),
    )

    assert data["database"] is None


def test_the_model_may_say_no_database_is_needed() -> None:
    data, taken = merge_proposal(
        load_spec(WRITTEN),
        proposal(
            database=ProposedDatabase(
                wanted=False, version=None, instance_class=None, allocated_storage=None
            )
        ),
    )

    assert data["database"] is None
    assert taken == ["database: none"]
    assert complete_defaults(validate_spec_data(data)).database is None


def test_the_merged_spec_is_validated_like_a_written_one() -> None:
    data, _ = merge_proposal(
        load_spec(WRITTEN),
        proposal(
            service=ProposedService(
                port=None, health_path=None, cpu=256, memory=4096, desired_count=None
            ),
            secret_names=["aws_key"],
        ),
    )

    with pytest.raises(SpecError) as caught:
        validate_spec_data(data, "proposal")

    assert [(p.field, p.line) for p in caught.value.problems] == [
        ("secrets[1]", 1),
        ("service.memory", 1),
    ]


def test_an_empty_proposal_changes_nothing() -> None:
    raw = load_spec(WRITTEN)

    data, taken = merge_proposal(raw, proposal())

    assert taken == []
    assert validate_spec_data(data).model_dump() == raw.model_dump()


def test_proposed_fields_name_what_the_ai_filled_and_what_defaults_filled() -> None:
    written = load_spec(WRITTEN)
    drafted, _ = merge_proposal(
        written,
        proposal(
            description="A shop",
            buckets=["uploads"],
            secret_names=["SENTRY_DSN"],
            service=ProposedService(
                port=8000, health_path=None, cpu=512, memory=1024, desired_count=None
            ),
        ),
    )
    drafted_raw = validate_spec_data(drafted)

    fields = {
        field.field: (field.value, field.source)
        for field in proposed_fields(written, drafted_raw, complete_defaults(drafted_raw))
    }

    assert fields["description"] == ("A shop", "ai")
    assert fields["storage.buckets"] == (["uploads"], "ai")
    assert fields["secrets"] == (["STRIPE_KEY", "SENTRY_DSN"], "ai")
    assert fields["service.cpu"] == (512, "ai")
    assert fields["service.health_path"] == ("/api/health", "default")
    assert fields["environments.dev.region"] == ("us-east-1", "default")
    assert "service.port" not in fields  # the person wrote 9000; the proposal cannot change it
    assert "environments.prod.region" not in fields
    assert "env.LOG_LEVEL" not in fields


def test_without_a_proposal_only_defaults_are_proposed_and_empty_ones_are_left_out() -> None:
    written = load_spec(WRITTEN)

    fields = proposed_fields(written, written, complete_defaults(written))

    assert {field.source for field in fields} == {"default"}
    assert "storage.buckets" not in {field.field for field in fields}
