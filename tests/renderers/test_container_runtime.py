"""`runtime: container` in an sbh/v2 spec: a service built from the person's own Dockerfile."""

from __future__ import annotations

import pytest

from renderers.complete import complete_defaults, spec_to_yaml
from renderers.complete_v2 import SpecV2, WebWorkload
from renderers.problems import SpecError
from renderers.spec import load_spec

SPEC = """\
apiVersion: sbh/v2
name: shop
owner: acme
services:
{services}
environments:
  dev: {{aws_account_id: "111111111111", region: us-west-2, domain: shop.dev.acme.io}}
"""


def spec_with(services: str) -> str:
    return SPEC.format(services=services)


def completed(services: str) -> SpecV2:
    spec = complete_defaults(load_spec(spec_with(services)))
    assert isinstance(spec, SpecV2)
    return spec


def problems_of(services: str) -> list[str]:
    with pytest.raises(SpecError) as raised:
        complete_defaults(load_spec(spec_with(services)))
    return [str(problem) for problem in raised.value.problems]


def test_a_container_service_keeps_its_dockerfile_and_context() -> None:
    spec = completed(
        "  api: {kind: web, runtime: container, dockerfile: api/docker/Dockerfile, context: api}"
    )

    api = spec.services["api"]
    assert isinstance(api, WebWorkload)
    assert (api.runtime, api.dockerfile, api.context) == (
        "container",
        "api/docker/Dockerfile",
        "api",
    )


@pytest.mark.parametrize(
    ("dockerfile", "context"),
    [("api/Dockerfile", "api"), ("Dockerfile", "."), ("a/b/c/Dockerfile.prod", "a/b/c")],
)
def test_the_context_defaults_to_the_dockerfile_directory(dockerfile: str, context: str) -> None:
    spec = completed(f"  worker: {{kind: worker, runtime: container, dockerfile: {dockerfile}}}")

    assert spec.services["worker"].context == context  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", ["web", "backend", "worker", "job"])
def test_every_container_kind_accepts_runtime_container(kind: str) -> None:
    spec = completed(f"  one: {{kind: {kind}, runtime: container, dockerfile: Dockerfile}}")

    assert spec.services["one"].runtime == "container"  # type: ignore[union-attr]


def test_python_services_have_no_dockerfile_of_their_own() -> None:
    spec = completed("  api: {kind: web}")

    api = spec.services["api"]
    assert isinstance(api, WebWorkload)
    assert (api.runtime, api.dockerfile, api.context) == ("python", None, None)


def test_a_container_service_without_a_dockerfile_is_refused_at_its_runtime() -> None:
    assert problems_of("  api: {kind: web, runtime: container}") == [
        "spec.yaml:5:29: services.api.runtime: runtime: container builds your own image: add "
        "dockerfile: path/to/Dockerfile (relative to the repository root)"
    ]


@pytest.mark.parametrize(
    ("service", "key", "runtime"),
    [
        ("{kind: web, dockerfile: Dockerfile}", "dockerfile", "python (the default)"),
        ("{kind: job, runtime: python, context: jobs}", "context", "python"),
    ],
)
def test_dockerfile_and_context_belong_to_runtime_container_only(
    service: str, key: str, runtime: str
) -> None:
    (problem,) = problems_of(f"  api: {service}")

    assert problem.startswith("spec.yaml:5:")
    assert f"services.api.{key}: {key} is only for runtime: container" in problem
    assert f"this service's runtime is {runtime}" in problem


def test_a_static_site_has_no_dockerfile() -> None:
    (problem,) = problems_of("  site: {kind: static-site, dockerfile: Dockerfile}")

    assert "services.site.dockerfile: unknown key 'dockerfile'" in problem


@pytest.mark.parametrize(
    "path",
    ["../Dockerfile", "/etc/Dockerfile", "./Dockerfile", "api/../../x", "a//b", "api/ Dockerfile"],
)
def test_paths_stay_inside_the_repository(path: str) -> None:
    (problem,) = problems_of(f'  api: {{kind: web, runtime: container, dockerfile: "{path}"}}')

    assert "services.api.dockerfile:" in problem
    assert "is not a file in this repository" in problem


def test_the_context_may_be_the_repository_root_but_not_above_it() -> None:
    assert (
        completed("  api: {kind: web, runtime: container, dockerfile: api/Dockerfile, context: .}")
        .services["api"]
        .context
        == "."
    )  # type: ignore[union-attr]

    (problem,) = problems_of(
        "  api: {kind: web, runtime: container, dockerfile: api/Dockerfile, context: ..}"
    )
    assert "services.api.context: '..' is not a directory in this repository" in problem


def test_a_runtime_sbh_does_not_offer_is_refused_naming_those_it_does() -> None:
    (problem,) = problems_of("  api: {kind: web, runtime: ruby}")

    assert (
        "services.api.runtime: 'ruby' is not allowed; use 'python', 'node' or 'container'"
        in problem
    )


def test_the_completed_spec_reads_back_to_itself() -> None:
    spec = completed(
        "  api: {kind: web, runtime: container, dockerfile: api/Dockerfile}\n"
        "  mailer: {kind: worker}"
    )

    written = spec_to_yaml(spec)

    assert complete_defaults(load_spec(written)) == spec
    assert "dockerfile: api/Dockerfile" in written
    assert "context: api" in written
    assert written.count("dockerfile") == 1  # the python worker writes none


def test_a_placeholder_is_reported_as_still_to_fill_in() -> None:
    text = spec_with("  api: {kind: web}").replace(
        '"111111111111"', '"REPLACE-ME: 12-digit AWS account id of dev"'
    )

    with pytest.raises(SpecError) as raised:
        load_spec(text)

    assert [str(problem) for problem in raised.value.problems] == [
        "spec.yaml:7:25: environments.dev.aws_account_id: still to fill in: "
        "12-digit AWS account id of dev"
    ]
