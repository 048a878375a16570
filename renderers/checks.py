"""`check_repository(directory)`: every validator we have, run on one rendered repository.

Pure rules (Terraform references and provider schema, security policy) run in process; the
real linters (actionlint, check-jsonschema, zizmor, hadolint, shellcheck, checkov, terraform
fmt) run as subprocesses from SBH_TOOLS_BIN, `.venv-tools/bin` or PATH; the generated app's own
tests run, and the app is booted and its health path called. A validator whose tool is not
installed is reported as skipped with the command that installs it, never as passed.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from renderers.policy_checks import (
    PolicyFinding,
    check_checkov_skips,
    check_iam_statements,
    check_workflow,
    service_reach,
)

# The HCL parser (python-hcl2, lark), the Terraform analysis and urllib are imported by the
# validators that use them: `sbh` names VALIDATORS in its help without paying for them.

Status = Literal["passed", "failed", "skipped"]
INSTALL_HINT = "make tools"
TOOL_TIMEOUT_SECONDS = 300
BOOT_TIMEOUT_SECONDS = 30
_SKIPPED_DIRECTORIES = {
    ".git",
    ".venv",
    ".venv-tools",
    ".tools",
    "node_modules",
    "build",
    ".terraform",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
}


@dataclass(frozen=True)
class CheckResult:
    validator: str
    status: Status
    seconds: float
    findings: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class CheckReport:
    directory: Path
    results: tuple[CheckResult, ...]

    @property
    def ok(self) -> bool:
        return all(result.status != "failed" for result in self.results)

    def result(self, validator: str) -> CheckResult:
        return next(result for result in self.results if result.validator == validator)

    def as_json(self) -> dict[str, object]:
        return {
            "directory": str(self.directory),
            "ok": self.ok,
            "results": [
                {
                    "validator": result.validator,
                    "status": result.status,
                    "seconds": round(result.seconds, 3),
                    "findings": list(result.findings),
                    "note": result.note,
                }
                for result in self.results
            ],
        }


@dataclass(frozen=True)
class Tools:
    """Where the external validators are: one directory searched first, then PATH."""

    directories: tuple[Path, ...] = field(default_factory=tuple)

    @classmethod
    def from_environment(cls) -> Tools:
        configured = os.environ.get("SBH_TOOLS_BIN")
        candidates = [Path(configured).resolve()] if configured else []
        candidates.append(Path.cwd() / ".venv-tools" / "bin")
        return cls(tuple(path for path in candidates if path.is_dir()))

    def find(self, name: str) -> str | None:
        for directory in self.directories:
            candidate = directory / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
        return shutil.which(name)

    def search_path(self) -> str:
        """PATH with the tool directories first (actionlint finds shellcheck through it)."""
        return os.pathsep.join([*map(str, self.directories), os.environ.get("PATH", "")])


class _Skip(Exception):
    """A validator cannot run here (tool missing); the message says how to get it."""


Validator = Callable[[Path, "Tools"], list[str]]


def repository_files(directory: Path, suffixes: Iterable[str]) -> list[Path]:
    wanted = tuple(suffixes)
    found = []
    for root, subdirectories, files in os.walk(directory):
        subdirectories[:] = sorted(
            name for name in subdirectories if name not in _SKIPPED_DIRECTORIES
        )
        found += [Path(root) / name for name in sorted(files) if name.endswith(wanted)]
    return found


def _relative(directory: Path, path: Path) -> str:
    return path.relative_to(directory).as_posix()


def _run_tool(
    tools: Tools,
    name: str,
    arguments: Sequence[str],
    cwd: Path,
    missing: str = f"not installed (run `{INSTALL_HINT}`)",
) -> subprocess.CompletedProcess[str]:
    executable = tools.find(name)
    if executable is None:
        raise _Skip(f"{name} {missing}")
    return subprocess.run(
        [executable, *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_SECONDS,
        env={**os.environ, "PATH": tools.search_path(), "NO_COLOR": "1"},
        check=False,
    )


def _output_lines(process: subprocess.CompletedProcess[str]) -> list[str]:
    lines = (process.stdout + process.stderr).splitlines()
    return [line for line in lines if line.strip()] or [f"exit status {process.returncode}"]


# --- In-process validators.


def terraform_references(directory: Path, tools: Tools) -> list[str]:
    from renderers.terraform import analyze_terraform

    # The Terraform of a repository is its infra/ tree (elsewhere .tf files may be templates).
    files = {
        _relative(directory, path): path.read_text(encoding="utf-8")
        for path in repository_files(directory / "infra", [".tf"])
    }
    if not files:
        return ["no Terraform files"]
    return [
        f"{finding.path}:{finding.line}: {finding.message}"
        if finding.line
        else f"{finding.path}: {finding.message}"
        for finding in analyze_terraform(files)
    ]


def security_policy(directory: Path, tools: Tools) -> list[str]:
    import hcl2

    findings: list[PolicyFinding | str] = []
    workflows = repository_files(directory / ".github" / "workflows", [".yml", ".yaml"])
    if not workflows:
        findings.append(".github/workflows: no workflows")
    for path in workflows:
        findings += check_workflow(_relative(directory, path), path.read_text(encoding="utf-8"))
    for path in repository_files(directory / "infra", [".tf"]):
        relative = _relative(directory, path)
        text = path.read_text(encoding="utf-8")
        findings += check_checkov_skips(relative, text)
        try:
            parsed = hcl2.loads(
                text,
                serialization_options=hcl2.SerializationOptions(
                    strip_string_quotes=True, explicit_blocks=False
                ),
            )
        except Exception as error:
            findings.append(f"{relative}: not parsed ({type(error).__name__})")
            continue
        findings += check_iam_statements(relative, parsed)
    return [str(finding) for finding in findings]


# --- External linters.


def terraform_fmt(directory: Path, tools: Tools) -> list[str]:
    process = _run_tool(
        tools,
        "terraform",
        ["fmt", "-check", "-recursive", "-list=true", "."],
        directory,
        missing="is not on PATH: no reachable registry ships it, so fmt is not checked here",
    )
    if process.returncode == 0:
        return []
    return [
        f"{line}: not formatted (terraform fmt)" for line in process.stdout.split()
    ] or _output_lines(process)


def actionlint(directory: Path, tools: Tools) -> list[str]:
    workflows = repository_files(directory / ".github" / "workflows", [".yml", ".yaml"])
    process = _run_tool(
        tools,
        "actionlint",
        ["-no-color", *(_relative(directory, path) for path in workflows)],
        directory,
    )
    return [] if process.returncode == 0 else _output_lines(process)


def workflow_schema(directory: Path, tools: Tools) -> list[str]:
    workflows = repository_files(directory / ".github" / "workflows", [".yml", ".yaml"])
    process = _run_tool(
        tools,
        "check-jsonschema",
        [
            "--builtin-schema",
            "vendor.github-workflows",
            *(_relative(directory, path) for path in workflows),
        ],
        directory,
    )
    return [] if process.returncode == 0 else _output_lines(process)


def zizmor(directory: Path, tools: Tools) -> list[str]:
    workflows = repository_files(directory / ".github" / "workflows", [".yml", ".yaml"])
    process = _run_tool(
        tools,
        "zizmor",
        # Offline (no token, no network), and neither a configuration file nor an ignore
        # comment in the checked tree can silence a finding.
        [
            "--offline",
            "--no-config",
            "--no-ignores",
            "--format",
            "json",
            *(_relative(directory, path) for path in workflows),
        ],
        directory,
    )
    try:
        reported = json.loads(process.stdout)
    except json.JSONDecodeError:
        return _output_lines(process)
    findings = [_zizmor_finding(finding) for finding in reported]
    # zizmor exits 10 and up when it found something, 1 when it could not audit.
    if process.returncode not in (0, *range(10, 20)) and not findings:
        return _output_lines(process)
    return findings


def _zizmor_finding(finding: Mapping[str, Any]) -> str:
    """`path:line: audit: description (what is wrong there)`, at the finding's primary location."""
    what = f"{finding['ident']}: {finding['desc']}"
    locations = finding.get("locations") or []
    primary = next(
        (location for location in locations if location["symbolic"].get("kind") == "Primary"),
        locations[0] if locations else None,
    )
    if primary is None:
        return what
    symbolic = primary["symbolic"]
    path = next(iter(symbolic["key"].values()))["verbatim_path"]
    line = primary["concrete"]["location"]["start_point"]["row"] + 1
    return f"{path}:{line}: {what} ({symbolic.get('annotation')})"


def hadolint(directory: Path, tools: Tools) -> list[str]:
    process = _run_tool(tools, "hadolint", ["--no-color", "Dockerfile"], directory)
    return [] if process.returncode == 0 else _output_lines(process)


def shellcheck(directory: Path, tools: Tools) -> list[str]:
    scripts = [_relative(directory, path) for path in repository_files(directory, [".sh"])]
    if not scripts:
        return []
    process = _run_tool(tools, "shellcheck", ["--format=gcc", *scripts], directory)
    return [] if process.returncode == 0 else _output_lines(process)


def checkov(directory: Path, tools: Tools) -> list[str]:
    process = _run_tool(
        tools,
        "checkov",
        [
            "-d",
            "infra",
            "--framework",
            "terraform",
            "--quiet",
            "--compact",
            "--skip-download",
            "-o",
            "json",
        ],
        directory,
    )
    try:
        reports = json.loads(process.stdout)
    except json.JSONDecodeError:
        return _output_lines(process)
    findings = []
    for report in reports if isinstance(reports, list) else [reports]:
        for failed in report.get("results", {}).get("failed_checks", []):
            findings.append(
                f"infra{failed.get('file_path', '')}:{failed.get('file_line_range', [0])[0]}: "
                f"{failed.get('check_id')} {failed.get('check_name')} ({failed.get('resource')})"
            )
    if process.returncode not in (0, 1) and not findings:
        return _output_lines(process)
    return findings


# --- The generated app itself.


def app_tests(directory: Path, tools: Tools) -> list[str]:
    process = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_SECONDS,
        env={**_clean_environment(), "PYTHONDONTWRITEBYTECODE": "1"},
        check=False,
    )
    return [] if process.returncode == 0 else _output_lines(process)[-30:]


def _clean_environment() -> dict[str, str]:
    # The app must not see SBH's own settings (a DATABASE_URL would change its health).
    dropped = ("DATABASE_URL", "DB_HOST", "APP_ENV", "PORT", "HEALTH_PATH")
    return {name: value for name, value in os.environ.items() if name not in dropped}


def boot(directory: Path, tools: Tools) -> list[str]:
    """Start the app with uvicorn as the container would and call its health path."""
    import urllib.error
    import urllib.request

    spec = yaml.safe_load((directory / "sbh.yaml").read_text(encoding="utf-8"))
    health_path = str(spec["service"]["health_path"])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=directory,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**_clean_environment(), "PYTHONDONTWRITEBYTECODE": "1", "APP_ENV": "check"},
    )
    try:
        deadline = time.monotonic() + BOOT_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if server.poll() is not None:
                return [
                    "the app exited while starting",
                    *(server.stdout.read().splitlines() if server.stdout else []),
                ][-20:]
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}{health_path}", timeout=2
                ) as response:
                    body = json.loads(response.read())
                    if response.status == 200 and body.get("status") == "healthy":
                        return []
                    return [f"GET {health_path} answered {response.status} {body}"]
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        return [f"GET {health_path} did not answer within {BOOT_TIMEOUT_SECONDS} s"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


VALIDATORS: dict[str, Validator] = {
    "terraform-references": terraform_references,
    "security-policy": security_policy,
    "service-reach": service_reach,
    "terraform-fmt": terraform_fmt,
    "actionlint": actionlint,
    "workflow-schema": workflow_schema,
    "zizmor": zizmor,
    "hadolint": hadolint,
    "shellcheck": shellcheck,
    "checkov": checkov,
    "app-tests": app_tests,
    "boot": boot,
}


def check_repository(
    directory: Path, *, tools: Tools | None = None, only: Iterable[str] | None = None
) -> CheckReport:
    """Run every validator (or those in `only`) on the rendered repository at `directory`."""
    chosen = list(only) if only is not None else list(VALIDATORS)
    unknown = sorted(set(chosen) - set(VALIDATORS))
    if unknown:
        raise ValueError(
            f"unknown validator(s) {', '.join(unknown)}; known: {', '.join(VALIDATORS)}"
        )
    located = tools or Tools.from_environment()
    results = []
    for name in chosen:
        started = time.perf_counter()
        try:
            findings = VALIDATORS[name](directory, located)
        except _Skip as skip:
            results.append(
                CheckResult(name, "skipped", time.perf_counter() - started, note=str(skip))
            )
            continue
        except subprocess.TimeoutExpired:
            findings = [f"timed out after {TOOL_TIMEOUT_SECONDS} s"]
        status: Status = "failed" if findings else "passed"
        results.append(CheckResult(name, status, time.perf_counter() - started, tuple(findings)))
    return CheckReport(directory, tuple(results))
