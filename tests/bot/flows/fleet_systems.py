"""Systems for the fleet tests: built by SBH into a GitHub fake, then made to look as if an
older template had generated them (some files and the manifest as that template left them)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from bot.db.systems import SystemRecord, SystemsRepository
from bot.flows.build import Origin, build_system
from bot.ports import GitHubPort
from renderers.complete import Spec, complete_defaults, spec_hash
from renderers.render import MANIFEST_PATH, git_blob_id, render
from renderers.spec import load_spec
from tests.bot.events import HUB
from tests.conftest import EXAMPLE_SPEC
from tests.fakes.github_http import FakeGitHubHttp

INSTALLATION = 7
# A version the changelog lists, and what its template generated for two files.
OLD_VERSION = "0.1.0+b1914f8e527e"
OLD_FILES = {
    "RUNBOOK.md": b"# Runbook\n\nThe old runbook.\n",
    "Dockerfile": b"FROM python:3.11-slim\n",
}


def spec_named(name: str) -> Spec:
    text = (
        EXAMPLE_SPEC.read_text()
        .replace("name: orders-api", f"name: {name}")
        .replace("domain: orders.", f"domain: {name}.")
    )
    spec = complete_defaults(load_spec(text, f"{name}.yaml"))
    assert isinstance(spec, Spec)
    return spec


def build(github: GitHubPort, systems: SystemsRepository, name: str) -> SystemRecord:
    spec = spec_named(name)
    origin = Origin(HUB, "command", issue_number=1, installation_id=INSTALLATION)
    assert build_system(github, systems, spec, origin).outcome == "created"
    record = systems.find(name, spec.owner)
    assert record is not None
    return record


def aged_manifest(manifest_text: str, old_files: Mapping[str, bytes]) -> str:
    """The manifest an older template would have written for these files."""
    manifest = json.loads(manifest_text)
    manifest["template_version"] = OLD_VERSION
    for path, content in old_files.items():
        manifest["files"][path]["git_blob"] = git_blob_id(content)
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"


def age(
    read: Callable[[str], bytes],
    write: Callable[[str, bytes], None],
    systems: SystemsRepository,
    record: SystemRecord,
    old_files: Mapping[str, bytes] = OLD_FILES,
) -> None:
    """Make `record`'s default branch (read and written through `read`/`write`) look as the
    old template left it, and SBH's record of it say so."""
    for path, content in old_files.items():
        write(path, content)
    write(MANIFEST_PATH, aged_manifest(read(MANIFEST_PATH).decode(), old_files).encode())
    systems.record_template_version(record.id, OLD_VERSION)


def age_on(github: FakeGitHubHttp, systems: SystemsRepository, record: SystemRecord) -> None:
    """`age` for a repository of the fake GitHub over HTTP."""

    def read(path: str) -> bytes:
        return github.repositories[record.full_name].files("main")[path]

    def write(path: str, content: bytes) -> None:
        github.commit_files(record.full_name, {path: content}, f"Set {path}")

    age(read, write, systems, record)


def seed(github: FakeGitHubHttp, systems: SystemsRepository, name: str) -> None:
    """A system an older template generated: its repository and SBH's record of it."""
    spec = spec_named(name)
    contents = {path: file.content for path, file in render(spec).items()}
    contents.update(OLD_FILES)
    contents[MANIFEST_PATH] = aged_manifest(contents[MANIFEST_PATH].decode(), OLD_FILES).encode()
    repository = github.add_repository(spec.repository, contents)
    system_id, build_id = systems.start_build(
        spec,
        spec_hash=spec_hash(spec),
        template_version=OLD_VERSION,
        trigger="command",
        origin_repository=HUB,
        issue_number=1,
        commit_sha=None,
        installation_id=INSTALLATION,
        delivery_id=None,
        ai_usage=(0, 0),
    )
    systems.remember_repository(system_id, repository.id)
    systems.finish_build(build_id, "created")
