"""The Terraform an sbh/v2 spec renders: every mix of kinds passes `sbh check`'s Terraform
validators (references and provider schema, security policy, checkov), and the composition
gives each service what its kind and its `uses` call for — nothing more."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2
import pytest

from renderers.checks import Tools, checkov, security_policy, shellcheck, terraform_references
from renderers.complete import complete_defaults
from renderers.render import render
from renderers.spec import load_spec
from tests.renderers.v2_infra_specs import SPECS

OPTIONS = hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False)


def rendered(name: str, directory: Path) -> Path:
    spec = complete_defaults(load_spec(SPECS[name]))
    for path, file in render(spec).items():
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.content)
        target.chmod(file.mode)
    return directory


@pytest.fixture(scope="module", params=sorted(SPECS))
def repository(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rendered(request.param, tmp_path_factory.mktemp(request.param))


# test_v2_checks.py runs every validator (checkov and the security policy included) on the v2
# fixture specs; these have no fixture of their shape, so the slow checks run here for them.
NOT_IN_THE_FIXTURES = ("many-buckets", "no-database", "no-database-for-the-web")


@pytest.fixture(scope="module", params=NOT_IN_THE_FIXTURES)
def unfixtured_repository(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return rendered(request.param, tmp_path_factory.mktemp(request.param))


def environment_main(repository: Path, environment: str = "dev") -> dict[str, Any]:
    with (repository / "infra" / "envs" / environment / "main.tf").open() as handle:
        parsed: dict[str, Any] = hcl2.load(handle, serialization_options=OPTIONS)
    return parsed


def module_calls(parsed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: body for block in parsed.get("module", []) for name, body in block.items()}


def services_local(parsed: dict[str, Any]) -> dict[str, Any]:
    services: dict[str, Any] = next(
        block["services"] for block in parsed["locals"] if "services" in block
    )
    return services


def test_every_reference_resolves_and_every_argument_is_in_the_provider_schema(
    repository: Path,
) -> None:
    assert terraform_references(repository, Tools()) == []


@pytest.mark.slow  # python-hcl2 takes seconds over the GitHub roles' policies
def test_no_iam_statement_allows_every_action_or_a_wildcard_subject(
    unfixtured_repository: Path,
) -> None:
    assert security_policy(unfixtured_repository, Tools()) == []


def test_each_kind_gets_its_own_module_call_over_the_services_of_that_kind(
    repository: Path,
) -> None:
    spec = complete_defaults(load_spec(SPECS[repository.name.rstrip("0123456789")]))
    calls = module_calls(environment_main(repository))
    kinds = {service.kind for service in spec.container_services}

    for kind in ("web", "backend", "worker", "job"):
        assert (kind in calls) == (kind in kinds), kind
        if kind in calls:
            assert calls[kind]["for_each"] == f"${{local.{kind}_services}}"
    assert ("load_balancer" in calls) == ("web" in kinds)
    assert ("static_site" in calls) == (spec.static_site is not None)
    assert ("db" in calls) == (spec.database is not None)
    assert ("queue" in calls) == ("worker" in kinds)


def test_the_services_local_holds_what_each_service_uses_split_by_what_it_is() -> None:
    with_buckets = complete_defaults(load_spec(SPECS["many-buckets"]))
    names = with_buckets.environments["dev"].names.services

    services = {name: service for name, service in _local_services("many-buckets").items()}

    assert services["api"]["buckets"] == ["raw", "thumbs"]
    assert services["api"]["uses_database"] is True
    assert services["thumbnailer"]["buckets"] == ["raw", "thumbs"]
    assert services["thumbnailer"]["uses_database"] is False
    assert services["archive"]["buckets"] == ["exports"]
    assert services["archive"]["names"]["schedule"] == names["archive"].schedule
    assert services["thumbnailer"]["names"]["queue"] == names["thumbnailer"].queue


def test_a_backend_is_only_called_by_the_services_that_use_it() -> None:
    services = _local_services("backend-and-web")

    assert services["api"]["backends"] == ["users"]
    assert services["users"]["backends"] == []


def test_web_paths_become_listener_priorities_most_specific_first() -> None:
    services = _local_services("static-site-and-web")

    assert services["admin"]["priority"] < services["api"]["priority"]


def test_with_a_static_site_the_load_balancer_answers_origin_and_cloudfront_the_domain(
    tmp_path: Path,
) -> None:
    calls = module_calls(environment_main(rendered("static-site-and-web", tmp_path)))

    assert calls["load_balancer"]["domain_name"] == "origin.${local.domain}"
    assert calls["static_site"]["origin_domain_name"] == "origin.${local.domain}"
    assert calls["static_site"]["domain_name"] == "${local.domain}"


def test_the_setup_script_passes_shellcheck(tmp_path: Path) -> None:
    repository = rendered("shop", tmp_path)
    tools = Tools.from_environment()
    if tools.find("shellcheck") is None:
        pytest.skip("shellcheck is not installed")

    assert shellcheck(repository, tools) == []


@pytest.mark.slow
def test_checkov_finds_nothing(unfixtured_repository: Path) -> None:
    tools = Tools.from_environment()
    if tools.find("checkov") is None:
        pytest.skip("checkov is not installed")

    assert checkov(unfixtured_repository, tools) == []


def _local_services(name: str) -> dict[str, Any]:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        return services_local(environment_main(rendered(name, Path(directory))))
