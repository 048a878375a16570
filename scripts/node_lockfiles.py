"""Regenerate `template-system/runtimes/node/package-lock.json.jinja`: the package-lock.json of
every `runtime: node` service, whichever npm packages it needs.

A node service's dependencies depend on what it is and uses (fastify for web and backend, pg
with the database, @aws-sdk/client-sqs for a worker or a service that uses one), so there are
a few dependency sets (`NPM_DEPENDENCY_GROUPS` in renderers/render_v2.py; the service's set is
`npm_dependency_set`). For each, this script renders the package.json a service of that set
gets, lets npm resolve it (`npm install --package-lock-only`, registry needed), and writes
one template holding every set's lockfile: one line per package, each line that not every set
shares guarded by the sets it belongs to. Rendering stays pure and offline; what a service
receives is exactly what npm resolved for its package.json.

    python scripts/node_lockfiles.py           # re-resolve within package.json's ranges
    python scripts/node_lockfiles.py --check   # `npm ci` of every set's rendered service

Run it after changing `runtimes/node/package.json.jinja` (a version range, a package), then
`pytest tests/renderers/test_v2_node.py`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from renderers.complete import SpecV2, complete_defaults
from renderers.render import File, render
from renderers.render_v2 import NPM_DEPENDENCY_GROUPS, service_context
from renderers.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template-system" / "runtimes" / "node" / "package-lock.json.jinja"
# The name every set's package.json is resolved under; a service's lockfile gets its own name.
PLACEHOLDER_NAME = "sbh-node-service"

# One node service per dependency set ("http", "database", "sqs" and their combinations).
SPEC_OF_EVERY_SET = """
apiVersion: sbh/v2
name: lockfiles
owner: sbh
services:
  job:             {kind: job, runtime: node, uses: []}
  job-db:          {kind: job, runtime: node, uses: [database]}
  worker:          {kind: worker, runtime: node, uses: []}
  worker-db:       {kind: worker, runtime: node, uses: [database]}
  web:             {kind: web, runtime: node, path: "/a/*", uses: []}
  backend-db:      {kind: backend, runtime: node, uses: [database]}
  web-sender:      {kind: web, runtime: node, path: "/b/*", uses: [worker]}
  web-db-sender:   {kind: web, runtime: node, path: "/c/*", uses: [database, worker]}
environments:
  dev: {aws_account_id: "111111111111", region: us-west-2, domain: lockfiles.example.com}
"""


def services_of_every_set() -> tuple[dict[str, str], dict[str, File]]:
    """{dependency set: the service of SPEC_OF_EVERY_SET that has it}, and what it renders."""
    spec = complete_defaults(load_spec(SPEC_OF_EVERY_SET, "lockfiles.yaml"), "lockfiles.yaml")
    assert isinstance(spec, SpecV2)
    services = {
        service_context(spec, service)["npm_dependency_set"]: name
        for name, service in spec.services.items()
    }
    missing = {
        "+".join(group for group, bit in zip(NPM_DEPENDENCY_GROUPS, bits, strict=True) if bit)
        or "base"
        for bits in itertools.product((False, True), repeat=len(NPM_DEPENDENCY_GROUPS))
    } - set(services)
    if missing:
        raise SystemExit(f"SPEC_OF_EVERY_SET has no service of {sorted(missing)}")
    return services, render(spec)


def package_json_of_every_set() -> dict[str, str]:
    """{dependency set: the package.json a service of that set gets}, under one name."""
    services, files = services_of_every_set()
    packages: dict[str, str] = {}
    for dependency_set, name in services.items():
        package = json.loads(files[f"services/{name}/package.json"].content)
        package["name"] = PLACEHOLDER_NAME
        packages[dependency_set] = json.dumps(package, indent=2) + "\n"
    return packages


def resolve(package_json: str, directory: Path) -> dict[str, Any]:
    """npm's package-lock.json for `package_json`."""
    directory.mkdir(parents=True)
    (directory / "package.json").write_text(package_json)
    subprocess.run(
        [
            "npm",
            "install",
            "--package-lock-only",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            # The tarball URLs stay in the lockfile (npm ci fetches them without a metadata
            # lookup; a configured mirror replaces the registry host).
            "--no-omit-lockfile-registry-resolved",
        ],
        cwd=directory,
        check=True,
        capture_output=True,
    )
    lock: dict[str, Any] = json.loads((directory / "package-lock.json").read_text())
    return lock


def _line(path: str, entry: Mapping[str, Any]) -> str:
    text = json.dumps(entry, separators=(", ", ": "), ensure_ascii=True)
    if any(marker in text for marker in ("{{", "{%", "{#")):
        raise ValueError(f"{path}: its entry would read as Jinja: {text[:200]}")
    return f"    {json.dumps(path)}: {text}"


def _condition(sets: list[str]) -> str:
    return "npm_dependency_set in [" + ", ".join(json.dumps(name) for name in sets) + "]"


def lock_template(locks: Mapping[str, Mapping[str, Any]]) -> str:
    """One template for every set's lockfile; the root package ("") last, so that every
    package line ends with a comma whichever lines a set keeps."""
    every_set = sorted(locks)
    versions: dict[str, dict[str, list[str]]] = {}
    for dependency_set in every_set:
        for path, entry in locks[dependency_set]["packages"].items():
            if path:
                versions.setdefault(path, {}).setdefault(_line(path, entry), []).append(
                    dependency_set
                )
    lines = [
        "{",
        '  "name": {{ service.name | json }},',
        '  "version": "1.0.0",',
        '  "lockfileVersion": 3,',
        '  "requires": true,',
        '  "packages": {',
    ]
    guard: str | None = None
    for path in sorted(versions):
        for line, sets in sorted(versions[path].items()):
            wanted = None if sets == every_set else _condition(sets)
            if wanted != guard:
                if guard is not None:
                    lines.append("{% endif %}")
                if wanted is not None:
                    lines.append("{% if " + wanted + " %}")
                guard = wanted
            lines.append(line + ",")
    if guard is not None:
        lines.append("{% endif %}")
    for index, dependency_set in enumerate(every_set):
        root = dict(locks[dependency_set]["packages"][""])
        root.pop("name", None)
        rest = json.dumps(root, separators=(", ", ": "), ensure_ascii=True)
        keyword = "if" if index == 0 else "elif"
        lines.append(
            "{% " + keyword + " npm_dependency_set == " + json.dumps(dependency_set) + " %}"
        )
        lines.append('    "": {"name": {{ service.name | json }}, ' + rest[1:])
    lines += ["{% endif %}", "  }", "}", ""]
    return "\n".join(lines)


def check(scratch: Path) -> list[str]:
    """`npm ci` of every set's rendered package.json with the rendered lockfile."""
    services, files = services_of_every_set()
    problems = []
    for name in services.values():
        directory = scratch / name
        directory.mkdir(parents=True)
        for file in ("package.json", "package-lock.json", ".npmrc"):
            (directory / file).write_bytes(files[f"services/{name}/{file}"].content)
        process = subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--prefer-offline"],
            cwd=directory,
            capture_output=True,
            text=True,
            check=False,
        )
        if process.returncode != 0:
            problems.append(f"{name}: npm ci failed: {process.stderr[-1000:]}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="npm ci every set's service")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sbh-node-locks-") as scratch:
        if arguments.check:
            problems = check(Path(scratch))
            for problem in problems:
                print(problem, file=sys.stderr)
            return 1 if problems else 0
        locks = {
            dependency_set: resolve(package_json, Path(scratch) / dependency_set)
            for dependency_set, package_json in package_json_of_every_set().items()
        }
    TEMPLATE.write_text(lock_template(locks))
    print(f"wrote {TEMPLATE.relative_to(ROOT)} ({len(locks)} dependency sets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
