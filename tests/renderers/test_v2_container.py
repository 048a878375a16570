"""`runtime: container`: a service built from the person's own Dockerfile. SBH renders no code
and no Dockerfile for it, only its README (the contract), the infrastructure and the workflows,
which build it with its Dockerfile and context and set up no language for it; every workflow
sets up each runtime only for the services that run on it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

from renderers.complete import complete_defaults
from renderers.complete_v2 import SpecV2
from renderers.render import render
from renderers.render_v2 import CONTAINER_HEALTH_CHECKS, deploy_targets_v2
from renderers.spec import load_spec
from tests.renderers.workflow_scripts import git, run_script, step_named, steps

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "specs-v2"


def fixture(name: str) -> SpecV2:
    path = FIXTURES / f"{name}.yaml"
    spec = complete_defaults(load_spec(path.read_text(), str(path)), str(path))
    assert isinstance(spec, SpecV2)
    return spec


def files_of(spec: SpecV2) -> dict[str, str]:
    return {path: file.content.decode() for path, file in render(spec).items()}


BESIDE_PYTHON = fixture("container-web-beside-python")  # legacy, legacy-pricing: own images
WORKER_AND_JOB = fixture("container-worker-and-job")  # loader, compact: context "."


def workflow(spec: SpecV2, name: str) -> dict[Any, Any]:
    document: dict[Any, Any] = yaml.safe_load(files_of(spec)[f".github/workflows/{name}.yml"])
    return document


# --- What is rendered for a container service.


def test_a_container_service_gets_only_its_readme_and_never_a_dockerfile() -> None:
    files = files_of(BESIDE_PYTHON)
    for name in ("legacy", "legacy-pricing"):
        assert [path for path in files if path.startswith(f"services/{name}/")] == [
            f"services/{name}/README.md"
        ]
    for service in ("legacy", "legacy-pricing"):
        assert BESIDE_PYTHON.services[service].dockerfile not in files  # the person's to add
    assert not any(path.startswith("pricing/") for path in files)
    assert "services/api/app/main.py" in files  # the Python service beside it is SBH's


def test_the_readme_states_the_contract_and_how_the_image_is_built() -> None:
    legacy = files_of(BESIDE_PYTHON)["services/legacy/README.md"]
    assert "docker build --file services/legacy/Dockerfile services/legacy" in legacy
    assert "`PORT` (8080)" in legacy
    assert "`HEALTH_PATH` (/status)" in legacy
    assert "status 200" in legacy
    assert "`LEGACY_LICENSE` from Secrets Manager" in legacy
    assert "`BUCKET_EXPORTS`" in legacy
    assert "`DB_HOST`" in legacy
    assert "numeric user 10001 with a read-only root" in legacy
    pricing = files_of(BESIDE_PYTHON)["services/legacy-pricing/README.md"]
    assert "docker build --file pricing/Dockerfile pricing" in pricing
    assert "http://legacy-pricing:9100" in pricing
    compact = files_of(WORKER_AND_JOB)["services/compact/README.md"]
    assert "docker build --file docker/job.Dockerfile ." in compact
    assert "`JOB_TIMEOUT_SECONDS` (2700)" in compact
    assert "`LOADER_QUEUE_URL`" in compact
    loader = files_of(WORKER_AND_JOB)["services/loader/README.md"]
    assert "`QUEUE_URL`" in loader
    assert "SIGTERM" in loader


def test_targets_carry_each_services_runtime_dockerfile_context_and_what_rebuilds_it() -> None:
    services = deploy_targets_v2(BESIDE_PYTHON)["services"]
    assert services["api"] == {
        "kind": "web",
        "directory": "services/api",
        "runtime": "python",
        "dockerfile": "services/api/Dockerfile",
        "context": "services/api",
        "watch": ["services/api"],
    }
    assert services["legacy-pricing"] == {
        "kind": "backend",
        "directory": "services/legacy-pricing",
        "runtime": "container",
        "dockerfile": "pricing/Dockerfile",
        "context": "pricing",
        "watch": ["pricing"],
    }
    loader = deploy_targets_v2(WORKER_AND_JOB)["services"]["loader"]
    assert (loader["dockerfile"], loader["context"], loader["watch"]) == (
        "docker/worker.Dockerfile",
        ".",
        ["."],
    )


def test_a_dockerfile_outside_its_context_is_watched_too() -> None:
    text = (FIXTURES / "container-web-beside-python.yaml").read_text()
    spec = complete_defaults(
        load_spec(text.replace("dockerfile: pricing/Dockerfile", "dockerfile: docker/pricing"))
    )
    assert isinstance(spec, SpecV2)
    assert deploy_targets_v2(spec)["services"]["legacy-pricing"]["watch"] == [
        "docker/pricing",
        "pricing",
    ]


# --- Infrastructure: the container-level health check only where SBH knows the image.


def composition_services(spec: SpecV2, environment: str) -> dict[str, Any]:
    text = files_of(spec)[f"infra/envs/{environment}/main.tf"]
    parsed = hcl2.loads(
        text,
        serialization_options=hcl2.SerializationOptions(
            strip_string_quotes=True, explicit_blocks=False
        ),
    )
    services: dict[str, Any] = next(
        block["services"] for block in parsed["locals"] if "services" in block
    )
    return services


def test_only_a_runtime_with_a_known_health_command_gets_a_container_health_check() -> None:
    services = composition_services(BESIDE_PYTHON, "dev")
    assert services["api"]["health_check"] == list(CONTAINER_HEALTH_CHECKS["python"])
    assert services["legacy"]["health_check"] is None
    assert services["legacy-pricing"]["health_check"] is None
    assert (services["legacy"]["port"], services["legacy"]["health_path"]) == (8080, "/status")
    module = (ROOT / "infra/modules/service/main.tf").read_text()
    assert "python" not in module  # the module assumes no runtime
    assert "var.health_check_command != null" in module


# --- ci.yml: each runtime set up only for its services.


def service_job(spec: SpecV2) -> dict[Any, Any]:
    job: dict[Any, Any] = workflow(spec, "ci")["jobs"]["service"]
    return job


def test_ci_builds_every_image_with_its_dockerfile_and_context() -> None:
    job = service_job(BESIDE_PYTHON)
    include = {entry["name"]: entry for entry in job["strategy"]["matrix"]["include"]}
    assert {name: (e["runtime"], e["dockerfile"], e["context"]) for name, e in include.items()} == {
        "api": ("python", "services/api/Dockerfile", "services/api"),
        "legacy": ("container", "services/legacy/Dockerfile", "services/legacy"),
        "legacy-pricing": ("container", "pricing/Dockerfile", "pricing"),
    }
    assert job["env"]["DOCKERFILE"] == "${{ matrix.dockerfile }}"
    assert step_named(job, "Build the image")["run"] == (
        'docker build --file "$DOCKERFILE" --tag "$SERVICE:ci" "$CONTEXT"'
    )
    assert "defaults" not in job  # a container service's directory holds only its README


def test_ci_sets_up_python_and_runs_make_only_for_services_with_code() -> None:
    job = service_job(BESIDE_PYTHON)
    python = next(step for step in steps(job) if "setup-python" in step.get("uses", ""))
    assert python["if"] == "matrix.runtime == 'python'"
    for name in ("Lint", "Test"):
        step = step_named(job, name)
        assert step["if"] == "matrix.runtime != 'container'"
        assert step["working-directory"] == "${{ matrix.directory }}"
    hadolint = step_named(job, "Lint your Dockerfile")
    assert hadolint["if"] == "matrix.runtime == 'container'"
    assert 'hadolint "$DOCKERFILE"' in hadolint["run"]
    assert '! -f "$DOCKERFILE"' in hadolint["run"]  # a missing Dockerfile says so
    assert not any("setup-node" in step.get("uses", "") for step in steps(job))


def test_ci_of_container_services_only_sets_up_no_language_but_python_for_the_local_sqs() -> None:
    job = service_job(WORKER_AND_JOB)
    names = [step.get("name") or step.get("uses") for step in steps(job)]
    setups = [step for step in steps(job) if "setup-python" in step.get("uses", "")]
    # notify is Python (its own setup); loader's boot needs moto's SQS server, which is Python.
    assert [step["if"] for step in setups] == [
        "matrix.runtime == 'python'",
        "matrix.kind == 'worker' && matrix.runtime != 'python'",
    ]
    assert "Boot it against the queue and see it take one message" in names
    assert "Run it once" in names
    only_containers = WORKER_AND_JOB.model_copy(
        update={
            "services": {
                name: service
                for name, service in WORKER_AND_JOB.services.items()
                if name != "notify"
            }
        }
    )
    job = service_job(only_containers)
    assert [step["if"] for step in steps(job) if "setup-python" in step.get("uses", "")] == [
        "matrix.kind == 'worker' && matrix.runtime != 'python'"
    ]
    assert "Lint" not in [step.get("name") for step in steps(job)]


def test_ci_sets_up_node_22_for_node_services_only() -> None:
    # runtime: node renders its own services' files elsewhere; here only what ci.yml does.
    api = BESIDE_PYTHON.services["api"]
    node = BESIDE_PYTHON.model_copy(
        update={"services": {"api": api.model_copy(update={"runtime": "node"})}}
    )
    job = service_job(node)
    setup = next(step for step in steps(job) if "setup-node" in step.get("uses", ""))
    assert setup["if"] == "matrix.runtime == 'node'"
    assert setup["with"]["node-version"] == "22"
    assert setup["with"]["cache-dependency-path"] == "${{ matrix.directory }}/package-lock.json"
    assert not any("setup-python" in step.get("uses", "") for step in steps(job))
    assert step_named(job, "Test")["run"] == "make test"


# --- build.yml: the image from its Dockerfile and context, rebuilt when they change.


def test_build_pushes_each_image_from_its_dockerfile_and_context() -> None:
    image = workflow(BESIDE_PYTHON, "build")["jobs"]["image"]
    push = step_named(image, "Build and push")
    assert push["with"]["file"] == "${{ steps.image.outputs.dockerfile }}"
    assert push["with"]["context"] == "${{ steps.image.outputs.context }}"
    where = step_named(image, "Where the image goes")["run"]
    assert ".services[$service].dockerfile" in where
    assert ".services[$service].context" in where


@pytest.mark.slow
@pytest.mark.parametrize(
    ("spec", "changed", "rebuilt"),
    [
        (BESIDE_PYTHON, "pricing/main.go", ["legacy-pricing"]),
        (BESIDE_PYTHON, "services/legacy/Dockerfile", ["legacy"]),
        (BESIDE_PYTHON, "services/api/app/main.py", ["api"]),
        (BESIDE_PYTHON, "tests/test_x.py", []),
        # Context "." (the whole repository): any change rebuilds it, not the Python service.
        (WORKER_AND_JOB, "docker/worker.Dockerfile", ["loader", "compact"]),
        (WORKER_AND_JOB, "services/notify/app/handler.py", ["loader", "compact", "notify"]),
    ],
    ids=["context", "dockerfile-in-context", "python", "elsewhere", "root-1", "root-2"],
)
def test_build_rebuilds_the_images_whose_context_or_dockerfile_changed(
    spec: SpecV2, changed: str, rebuilt: list[str], tmp_path: Path
) -> None:
    build = workflow(spec, "build")
    script = step_named(build["jobs"]["changes"], "Which services changed")["run"]
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "t@example.com")
    git(tmp_path, "config", "user.name", "t")
    (tmp_path / "seed").write_text("seed\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "seed")
    before = git(tmp_path, "rev-parse", "HEAD")
    (tmp_path / changed).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / changed).write_text("changed\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", changed)
    env = {
        "TARGETS": build["env"]["TARGETS"],
        "EVENT_NAME": "push",
        "BEFORE": before,
        "GITHUB_SHA": git(tmp_path, "rev-parse", "HEAD"),
    }
    code, log, outputs = run_script(script, env, tmp_path)
    assert code == 0, log
    assert sorted(json.loads(outputs["images"])) == sorted(rebuilt)


@pytest.mark.slow
def test_building_without_the_persons_dockerfile_fails_naming_it(tmp_path: Path) -> None:
    image = workflow(BESIDE_PYTHON, "build")["jobs"]["image"]
    script = step_named(image, "Where the image goes")["run"]
    (tmp_path / "image-tags").write_text("registry/repo:abc\n")
    env = {
        "TARGETS": workflow(BESIDE_PYTHON, "build")["env"]["TARGETS"],
        "SERVICE": "legacy-pricing",
        "RUNNER_TEMP": str(tmp_path),
    }
    code, log, _ = run_script(script, env, tmp_path)
    assert code == 1
    assert "::error file=sbh.yaml::pricing/Dockerfile is not in the repository" in log
    (tmp_path / "pricing").mkdir()
    (tmp_path / "pricing" / "Dockerfile").write_text("FROM scratch\n")
    code, log, outputs = run_script(script, env, tmp_path)
    assert code == 0, log
    assert (outputs["dockerfile"], outputs["context"]) == ("pricing/Dockerfile", "pricing")


# --- Local commands.


def test_make_run_builds_and_runs_a_container_web_service_with_docker() -> None:
    makefile = files_of(BESIDE_PYTHON)["Makefile"]
    assert (
        "docker build --quiet --file pricing/Dockerfile --tag storeroom-legacy-pricing:local pricing"
        in makefile
    )
    assert "--publish 127.0.0.1:8080:8080 --env PORT=8080" in makefile
    assert "$(MAKE) -C services/api test" in makefile
    assert "-C services/legacy " not in makefile  # it has no Makefile
