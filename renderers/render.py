"""`render(spec) -> {path: File}`: the generated repository, pure and deterministic.

Sources: `template-repo/` (`*.jinja` rendered, everything else copied byte for byte, path
segments may be templated, a directory named `__environment__` is repeated for every
environment of the spec, a template that renders to nothing but whitespace is left out)
and the shared Terraform modules (`infra/modules/`, copied into
`infra/modules/` of every generated repository). Jinja runs sandboxed with StrictUndefined,
and every value printed must have passed a context filter from `renderers.escape`.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from renderers.complete import AnySpec, Spec, SpecV2, spec_hash, spec_to_yaml
from renderers.escape import FILTERS, Escaped
from renderers.resources import resource_dir
from renderers.spec import spec_json_schema
from renderers.version import __version__

TEMPLATE_SUFFIX = ".jinja"
PER_ENVIRONMENT = "__environment__"
MANIFEST_PATH = ".sbh/manifest.json"
SPEC_PATH = "sbh.yaml"
SCHEMA_PATH = ".sbh/spec.schema.json"
# GitHub refuses a comment over 65,536 characters; the plan comment shares this among the
# environments' summaries and keeps the rest for its heading and the fork notice.
PLAN_COMMENT_CHARACTERS = 60_000
_SKIPPED_NAMES = {"__pycache__", ".terraform", ".DS_Store", ".gitkeep", ".terraform.lock.hcl"}


@dataclass(frozen=True)
class File:
    content: bytes
    mode: int = 0o644

    @property
    def executable(self) -> bool:
        return self.mode == 0o755


class RenderError(Exception):
    """A template is broken (a bug in SBH, never in the spec): names the template."""


def _finalize(value: object) -> object:
    # Refuse anything that has not passed a context filter: an unescaped spec value could
    # inject code into a workflow, Terraform or shell file.
    if isinstance(value, Escaped) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise TemplateError(
        f"{value!r} reached the output unescaped; pass it through a filter "
        f"({', '.join(sorted(FILTERS))})"
    )


def template_environment() -> SandboxedEnvironment:
    """The Jinja environment every template renders in: sandboxed, strict, escape-enforcing."""
    environment = SandboxedEnvironment(
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        finalize=_finalize,
    )
    environment.filters.update(FILTERS)
    return environment


@dataclass(frozen=True)
class _Source:
    relative: str
    content: bytes
    mode: int


def _walk(root: Path) -> list[_Source]:
    sources = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(name for name in subdirectories if name not in _SKIPPED_NAMES)
        for file_name in sorted(files):
            if file_name in _SKIPPED_NAMES or file_name.endswith((".pyc", ".tfstate")):
                continue
            path = Path(directory) / file_name
            executable = bool(path.stat().st_mode & stat.S_IXUSR)
            sources.append(
                _Source(
                    relative=path.relative_to(root).as_posix(),
                    content=path.read_bytes(),
                    mode=0o755 if executable else 0o644,
                )
            )
    return sources


# The shared modules an sbh/v1 repository receives: exactly these, so that modules added for
# later spec versions change nothing a v1 spec renders.
V1_MODULES = ("alarms", "alb", "db", "ecr", "ecs", "iam", "network", "storage")


@lru_cache(maxsize=4)
def walk_resource(name: str) -> tuple[_Source, ...]:
    """Every file of a bundled resource (`template-repo`, `template-system`, `infra-modules`)."""
    return tuple(_walk(resource_dir(name)))


def modules_named(names: tuple[str, ...]) -> tuple[_Source, ...]:
    """The files of these shared Terraform modules."""
    return tuple(
        source
        for source in walk_resource("infra-modules")
        if source.relative.split("/", 1)[0] in names
    )


def _template_sources() -> tuple[tuple[_Source, ...], tuple[_Source, ...]]:
    return walk_resource("template-repo"), modules_named(V1_MODULES)


def sources_version(groups: tuple[tuple[str, tuple[_Source, ...]], ...]) -> str:
    """SBH's version plus a hash of the sources a repository is rendered from."""
    digest = hashlib.sha256()
    for prefix, sources in groups:
        for source in sources:
            digest.update(f"{prefix}/{source.relative}\0{source.mode:o}\0".encode())
            digest.update(hashlib.sha256(source.content).digest())
    return f"{__version__}+{digest.hexdigest()[:12]}"


@lru_cache(maxsize=1)
def template_version() -> str:
    """The version of what an sbh/v1 spec renders from: changes whenever that output can."""
    templates, modules = _template_sources()
    return sources_version((("template-repo", templates), ("infra-modules", modules)))


def bucket_setting(bucket: str) -> str:
    """The variable that tells the app a bucket's real name: uploads -> BUCKET_UPLOADS."""
    return "BUCKET_" + bucket.upper().replace("-", "_")


def deploy_targets(spec: Spec) -> dict[str, Any]:
    """What the workflows need to know about each environment, as data: the workflows read it
    from one JSON value instead of having spec values written into their scripts."""
    environments = list(spec.environments.values())
    production = [env for env in environments if env.production]
    continuous = [env for env in environments if not env.production]
    targets: dict[str, Any] = {}
    for env in environments:
        role_prefix = f"arn:{env.partition}:iam::{env.aws_account_id}:role/"
        targets[env.name] = {
            "account_id": env.aws_account_id,
            "region": env.region,
            "deploy_role_arn": role_prefix + env.names.deploy_role,
            "build_role_arn": role_prefix + env.names.build_role,
            "plan_role_arn": role_prefix + env.names.plan_role,
            "apply_role_arn": role_prefix + env.names.apply_role,
            "ecr_repository": env.names.ecr_repository,
            "cluster": env.names.cluster,
            "service": env.names.service,
            "container": env.names.container,
            "desired_count": spec.service.desired_count,
            "url": f"https://{env.domain}",
            "health_url": f"https://{env.domain}{spec.service.health_path}",
            "production": env.production,
        }
    return {
        "environments": targets,
        # Release tags deploy to production (else the last environment written); a green
        # build on main deploys to the first non-production environment, if there is one.
        "release": (production or environments)[-1].name,
        "continuous": continuous[0].name if continuous else "",
    }


def apply_order(spec: Spec) -> dict[str, list[str]]:
    """What each environment's infrastructure apply waits for: production environments apply
    only after every other environment has applied."""
    others = [env.name for env in spec.environments.values() if not env.production]
    return {env.name: others if env.production else [] for env in spec.environments.values()}


def template_context(spec: Spec) -> dict[str, Any]:
    """Everything templates may read. Computed values get a name here, not logic in Jinja."""
    environments = list(spec.environments.values())
    return {
        "spec": spec,
        "environments": environments,
        "deploy_targets": deploy_targets(spec),
        "apply_order": apply_order(spec),
        "has_database": spec.database is not None,
        "bucket_settings": {bucket_setting(bucket): bucket for bucket in spec.buckets},
        "max_count": spec.service.max_count,
        "plan_summary_characters": PLAN_COMMENT_CHARACTERS // len(environments),
        "sbh_version": __version__,
        "template_version": template_version(),
    }


@lru_cache(maxsize=1024)
def _compiled(text: str) -> Template:
    # Templates are constant for a process: compile each once, not on every render.
    return _shared_environment().from_string(text)


@lru_cache(maxsize=1)
def _shared_environment() -> SandboxedEnvironment:
    return template_environment()


def render(spec: AnySpec) -> dict[str, File]:
    """The whole generated repository for `spec`. Same spec and templates, same bytes."""
    if isinstance(spec, SpecV2):
        from renderers.render_v2 import render_v2

        return render_v2(spec)
    context = template_context(spec)
    templates, modules = _template_sources()
    files: dict[str, File] = {}
    for source in templates:
        for path, content in _render_source(source, spec, context):
            files[path] = File(content, source.mode)
    for source in modules:
        files[f"infra/modules/{source.relative}"] = File(source.content, source.mode)
    files[SPEC_PATH] = File(_spec_file(spec).encode("utf-8"))
    files[SCHEMA_PATH] = File(
        (json.dumps(spec_json_schema(), indent=2, sort_keys=True) + "\n").encode("utf-8")
    )
    files[MANIFEST_PATH] = File(manifest_json(spec, files).encode("utf-8"))
    return dict(sorted(files.items()))


def _render_source(
    source: _Source, spec: AnySpec, context: dict[str, Any], output_prefix: str = ""
) -> list[tuple[str, bytes]]:
    """One output file, or one per spec environment when a path segment is `__environment__`
    (the template then sees that environment as `environment`)."""
    segments = source.relative.split("/")
    if PER_ENVIRONMENT in segments:
        targets = [
            (
                "/".join(env.name if part == PER_ENVIRONMENT else part for part in segments),
                {**context, "environment": env},
            )
            for env in spec.environments.values()
        ]
    else:
        targets = [(source.relative, context)]
    rendered = []
    for relative, target_context in targets:
        try:
            path = _compiled(relative).render(target_context)
            content = source.content
            if path.endswith(TEMPLATE_SUFFIX):
                path = path[: -len(TEMPLATE_SUFFIX)]
                text = _compiled(source.content.decode("utf-8")).render(target_context)
                content = text.encode("utf-8")
        except (TemplateError, ValueError, TypeError) as error:
            raise RenderError(f"template-repo/{source.relative}: {error}") from error
        if source.relative.endswith(TEMPLATE_SUFFIX) and not content.strip():
            continue  # a template whose whole body is conditional: this spec has no such file
        rendered.append((output_prefix + path, content))
    return rendered


def _spec_file(spec: AnySpec) -> str:
    return (
        f"# yaml-language-server: $schema={SCHEMA_PATH}\n"
        "# The completed spec this repository was generated from. Change the spec where it\n"
        "# was written (issue or spec.yaml) and SBH opens a pull request here.\n"
        + spec_to_yaml(spec)
    )


def git_blob_id(content: bytes) -> str:
    """The SHA-1 git gives a blob with this content (what the tree API lists)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


def manifest_json(spec: AnySpec, files: dict[str, File]) -> str:
    """`.sbh/manifest.json`: what was generated from what, so a later build can tell which
    files the owner changed since."""
    if isinstance(spec, SpecV2):
        from renderers.render_v2 import template_version_v2

        version = template_version_v2()
    else:
        version = template_version()
    manifest = {
        "generator": "system-builder-hub",
        "spec_hash": spec_hash(spec),
        "template_version": version,
        "files": {
            path: {
                "sha256": hashlib.sha256(file.content).hexdigest(),
                # Git's own id of the content: one tree listing tells which files changed since.
                "git_blob": git_blob_id(file.content),
                "mode": f"{file.mode:o}",
            }
            for path, file in sorted(files.items())
            if path != MANIFEST_PATH
        },
    }
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"
