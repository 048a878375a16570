"""The committed AWS provider schema extract answers what the checks ask of it."""

from __future__ import annotations

from renderers.provider_schema import (
    data_source_schema,
    provider_schema_source,
    resource_schema,
    resource_type_count,
)


def test_the_extract_is_of_aws_provider_6_and_complete() -> None:
    assert "AWS provider 6." in provider_schema_source()
    assert resource_type_count() > 1400


def test_a_vpc_requires_nothing_and_exports_id_and_arn() -> None:
    vpc = resource_schema("aws_vpc")

    assert vpc is not None
    assert vpc.arguments["cidr_block"] is False
    assert not [name for name, required in vpc.arguments.items() if required]
    assert {"id", "arn"} <= vpc.attributes


def test_nested_blocks_keep_their_required_arguments() -> None:
    service = resource_schema("aws_ecs_service")
    versioning = resource_schema("aws_s3_bucket_versioning")

    assert service is not None
    assert versioning is not None
    breaker = service.blocks["deployment_circuit_breaker"]
    assert dict(breaker.arguments) == {"enable": True, "rollback": True}
    assert versioning.blocks["versioning_configuration"].arguments["status"] is True


def test_terraform_names_are_kept_exactly() -> None:
    database = resource_schema("aws_db_instance")
    repository = resource_schema("aws_ecr_repository")
    listener = resource_schema("aws_lb_listener")

    assert database is not None
    assert repository is not None
    assert listener is not None
    assert "manage_master_user_password" in database.arguments
    assert "master_user_secret" in database.attributes
    assert "repository_url" in repository.attributes
    assert "default_action" in listener.blocks


def test_data_sources_are_separate_from_resources() -> None:
    document = data_source_schema("aws_iam_policy_document")

    assert document is not None
    assert set(document.blocks["statement"].blocks) >= {"principals", "condition"}
    assert resource_schema("aws_iam_policy_document") is None


def test_unknown_types_are_none() -> None:
    assert resource_schema("aws_made_up_thing") is None
    assert data_source_schema("aws_made_up_thing") is None
