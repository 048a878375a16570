"""The render engine: pure, deterministic, strict about escaping, complete with its manifest."""

from __future__ import annotations

import hashlib
import json

import pytest
from jinja2 import TemplateError, UndefinedError

from renderers.complete import Spec, complete_defaults, spec_hash
from renderers.fields import IMAGE_TAG
from renderers.render import (
    MANIFEST_PATH,
    SPEC_PATH,
    render,
    template_environment,
    template_version,
)
from renderers.spec import load_spec


def test_templates_become_files_without_their_suffix(example_spec: Spec) -> None:
    files = render(example_spec)

    assert {"app/main.py", "Dockerfile", "README.md", "Makefile", SPEC_PATH, MANIFEST_PATH} <= set(
        files
    )
    assert not [path for path in files if path.endswith(".jinja")]


def test_rendering_twice_gives_the_same_bytes(example_spec: Spec) -> None:
    assert render(example_spec) == render(example_spec)


def test_paths_come_out_sorted(example_spec: Spec) -> None:
    paths = list(render(example_spec))

    assert paths == sorted(paths)


def test_the_health_path_of_the_spec_is_served(example_spec: Spec) -> None:
    settings = render(example_spec)["app/settings.py"].content.decode()

    assert "HEALTH_PATH = '/api/health'" in settings


def test_the_manifest_hashes_every_other_file(example_spec: Spec) -> None:
    files = render(example_spec)

    manifest = json.loads(files[MANIFEST_PATH].content)

    assert manifest["spec_hash"] == spec_hash(example_spec)
    assert manifest["template_version"] == template_version()
    assert set(manifest["files"]) == set(files) - {MANIFEST_PATH}
    for path, entry in manifest["files"].items():
        assert entry["sha256"] == hashlib.sha256(files[path].content).hexdigest()
        assert entry["mode"] == f"{files[path].mode:o}"


def test_sbh_yaml_reads_back_to_the_same_spec(example_spec: Spec) -> None:
    text = render(example_spec)[SPEC_PATH].content.decode()

    assert text.startswith("# yaml-language-server: $schema=.sbh/spec.schema.json\n")
    assert complete_defaults(load_spec(text)) == example_spec


def test_a_spec_change_changes_the_manifest(example_spec: Spec, example_spec_text: str) -> None:
    other = complete_defaults(
        load_spec(example_spec_text.replace("LOG_LEVEL: info", "LOG_LEVEL: debug"))
    )

    assert render(other)[MANIFEST_PATH] != render(example_spec)[MANIFEST_PATH]


def test_unescaped_values_are_refused() -> None:
    with pytest.raises(TemplateError, match="reached the output unescaped"):
        template_environment().from_string("{{ value }}").render(value="${{ github.token }}")


def test_numbers_may_be_written_bare_but_booleans_may_not() -> None:
    environment = template_environment()

    assert environment.from_string("{{ port }}").render(port=8000) == "8000"
    with pytest.raises(TemplateError):
        environment.from_string("{{ flag }}").render(flag=True)


def test_undefined_names_are_errors() -> None:
    with pytest.raises(UndefinedError):
        template_environment().from_string("{{ nope | ident }}").render()


def test_the_sandbox_blocks_python_internals() -> None:
    with pytest.raises(TemplateError):
        template_environment().from_string("{{ ''.__class__.__mro__ | ident }}").render()


def test_the_template_version_names_the_sbh_version() -> None:
    from renderers.version import __version__

    assert template_version().startswith(f"{__version__}+")


def test_an_environment_directory_is_repeated_for_every_environment(example_spec: Spec) -> None:
    from renderers.render import PER_ENVIRONMENT, _render_source, _Source, template_context

    source = _Source(
        relative=f"infra/envs/{PER_ENVIRONMENT}/backend.tf.jinja",
        content=b"region = {{ environment.region | hcl }} # {{ environment.name | ident }}\n",
        mode=0o644,
    )

    rendered = _render_source(source, example_spec, template_context(example_spec))

    assert rendered == [
        ("infra/envs/dev/backend.tf", b'region = "us-west-2" # dev\n'),
        ("infra/envs/prod/backend.tf", b'region = "us-west-2" # prod\n'),
    ]


def test_the_deploy_workflow_accepts_exactly_the_image_tags_sbh_accepts(example_spec: Spec) -> None:
    # `/sbh deploy <env> <tag>` and the web app check tags with renderers.fields.IMAGE_TAG;
    # the generated workflow checks its own input with the same pattern.
    workflow = render(example_spec)[".github/workflows/deploy.yml"].content.decode()

    assert f'"$image_tag" =~ {IMAGE_TAG.pattern} ]]' in workflow
