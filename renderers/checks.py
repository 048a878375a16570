"""`check_repository(directory)`: every validator we have, run on one rendered repository.

Pure rules (Terraform references and provider schema, security policy) run in process; the
real linters (actionlint, check-jsonschema, zizmor, hadolint, shellcheck, checkov, terraform
fmt) run as subprocesses from SBH_TOOLS_BIN, `.venv-tools/bin` or PATH; the generated app's own
tests run, and the app is booted and its health path called. A validator whose tool is not
installed is reported as skipped with the command that installs it, never as passed.

An sbh/v2 repository (its `sbh.yaml` says `apiVersion: sbh/v2`) is checked per service:
every service's tests in its directory, each service booted or run as its kind allows, every
service's Dockerfile linted. A service built from the person's own Dockerfile (`runtime:
container`) has no tests SBH wrote: its Dockerfile is linted, and where a container engine
answers, its image is built and booted or run as its kind allows; a Dockerfile not in the
repository yet, or no engine, makes those parts "not run" (the validator skipped, never passed).
A `runtime: node` service is installed (`npm ci`), type-checked,
linted and tested in a copy of its directory, and booted from a build there; without node and
npm on PATH it is reported skipped, never passed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
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
# The test suites of an sbh/v2 repository's services run side by side, this many at once.
SUITES_IN_PARALLEL = 4
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


class Findings(list[str]):
    """What a validator found, and the parts of it that could not run here (a tool missing for
    one service): with no finding, those make the validator skipped, never passed."""

    def __init__(self, findings: Iterable[str] = (), not_run: Iterable[str] = ()) -> None:
        super().__init__(findings)
        self.not_run = list(not_run)


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
    services = system_services(directory)
    not_run: list[str] = []
    if services is None:
        dockerfiles = ["Dockerfile"]
    else:
        containers = [service for service in services if service.runs_a_container]
        missing = {service.name: service.missing_dockerfile(directory) for service in containers}
        not_run = [reason for reason in missing.values() if reason]
        # One Dockerfile may build several services (each its own target or arguments).
        dockerfiles = list(
            dict.fromkeys(
                service.dockerfile for service in containers if missing[service.name] is None
            )
        )
        if not dockerfiles:
            return Findings(not_run=not_run)
    process = _run_tool(tools, "hadolint", ["--no-color", *dockerfiles], directory)
    return Findings([] if process.returncode == 0 else _output_lines(process), not_run)


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


# The runtime of a service built from the person's own Dockerfile (SBH writes no code for it).
OWN_IMAGE_RUNTIME = "container"


@dataclass(frozen=True)
class SystemService:
    """One service of an sbh/v2 repository, as its `sbh.yaml` lists it."""

    name: str
    kind: str
    directory: str
    settings: Mapping[str, Any]

    @property
    def runs_a_container(self) -> bool:
        return self.kind != "static-site"

    @property
    def serves_http(self) -> bool:
        return self.kind in ("web", "backend")

    @property
    def builds_own_image(self) -> bool:
        """Built from the person's own Dockerfile: no code or tests of SBH's in its directory."""
        return self.settings.get("runtime") == OWN_IMAGE_RUNTIME

    @property
    def dockerfile(self) -> str:
        """Its Dockerfile, from the repository root."""
        if self.builds_own_image:
            return str(self.settings["dockerfile"])
        return f"{self.directory}/Dockerfile"

    @property
    def context(self) -> str:
        """Its image's build context, from the repository root ("." is the root)."""
        if self.builds_own_image:
            return str(self.settings["context"])
        return self.directory

    def missing_dockerfile(self, directory: Path) -> str | None:
        """Why its own image cannot be checked here: its Dockerfile is not in the repository
        yet (only the person can add it). None when it is there, or SBH writes it."""
        if not self.builds_own_image or (directory / self.dockerfile).is_file():
            return None
        return (
            f"{self.directory} (runtime: container): {self.dockerfile} is not in the repository "
            "yet; add your Dockerfile there"
        )

    @property
    def runtime(self) -> str | None:
        runtime = self.settings.get("runtime")
        return str(runtime) if runtime else None

    def sends_or_receives_sqs(self, services: Sequence[SystemService]) -> bool:
        """A worker, or a service that uses one (its tests need a local SQS server)."""
        workers = {service.name for service in services if service.kind == "worker"}
        return self.kind == "worker" or bool(workers & set(self.settings.get("uses") or ()))


def system_services(directory: Path) -> list[SystemService] | None:
    """The services of an sbh/v2 repository (by its `sbh.yaml`), None for an sbh/v1 one."""
    spec_path = directory / "sbh.yaml"
    if not spec_path.is_file():
        return None
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    if not isinstance(spec, dict) or spec.get("apiVersion") != "sbh/v2":
        return None
    return [
        SystemService(
            name=name,
            kind=str(settings["kind"]),
            directory=str(settings["source"])
            if settings["kind"] == "static-site"
            else f"services/{name}",
            settings=settings,
        )
        for name, settings in (spec.get("services") or {}).items()
    ]


def _pytest(cwd: Path, arguments: Sequence[str] = ()) -> list[str]:
    process = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_SECONDS,
        env={**_clean_environment(), "PYTHONDONTWRITEBYTECODE": "1"},
        check=False,
    )
    return [] if process.returncode == 0 else _output_lines(process)[-30:]


def app_tests(directory: Path, tools: Tools) -> list[str]:
    services = system_services(directory)
    if services is None:
        return _pytest(directory)
    return _system_tests(directory, services, tools)


def _system_tests(directory: Path, services: list[SystemService], tools: Tools) -> Findings:
    """The repository's own tests and every service's, each service in its own directory (each
    has its own `app` package), the Python ones side by side."""
    suites: dict[str, Callable[[], list[str]]] = {"tests": partial(_pytest, directory, ["tests"])}
    not_run: list[str] = []
    for service in services:
        where = directory / service.directory
        if service.builds_own_image:
            # No tests of SBH's: its image is what `boot` builds and runs.
            continue
        if service.runtime == NODE_RUNTIME:
            # Its tests start moto's SQS server when it receives from or sends to a queue.
            reason = _node_unavailable(service, tools, service.sends_or_receives_sqs(services))
            if reason:
                not_run.append(reason)
            else:
                suites[service.directory] = partial(_node_tests, directory, service)
        elif service.runs_a_container:
            suites[service.directory] = partial(_pytest, where)
        elif tools.find("npm") is None or tools.find("node") is None:
            not_run.append(f"{service.directory} (static site): node and npm are not on PATH")
        else:
            suites[service.directory] = partial(_site_tests, directory, service)
    with ThreadPoolExecutor(max_workers=SUITES_IN_PARALLEL) as pool:
        outcomes = {name: pool.submit(suite) for name, suite in suites.items()}
        findings = [
            f"{name}: {line}" for name, outcome in outcomes.items() for line in outcome.result()
        ]
    return Findings(findings, not_run)


def _site_tests(directory: Path, site: SystemService) -> list[str]:
    """`npm ci`, `npm test` and the site's `build` in a copy of its sources (the checked tree
    is left as it was); the build must write `output/index.html`."""
    with tempfile.TemporaryDirectory(prefix="sbh-site-") as scratch:
        copy = Path(scratch) / "site"
        output = str(site.settings["output"])
        source = directory / site.directory
        # What `npm ci` and the build write is left behind: they must recreate it.
        left_behind = {"node_modules", output.split("/")[0]}
        shutil.copytree(
            source,
            copy,
            ignore=lambda folder, names: [
                name for name in names if Path(folder) == source and name in left_behind
            ],
        )
        for command in ("npm ci", "npm test", str(site.settings["build"])):
            process = subprocess.run(
                ["sh", "-c", command],
                cwd=copy,
                capture_output=True,
                text=True,
                timeout=TOOL_TIMEOUT_SECONDS,
                env={**_clean_environment(), "NO_COLOR": "1", "npm_config_audit": "false"},
                check=False,
            )
            if process.returncode != 0:
                return [f"`{command}` failed", *_output_lines(process)[-30:]]
        if not (copy / output / "index.html").is_file():
            return [f"the build wrote no {output}/index.html"]
    return []


# --- runtime: node services.

NODE_RUNTIME = "node"
# What `npm ci` and the builds write in a node service's directory: never copied, recreated.
_NODE_OUTPUTS = {"node_modules", "dist", "build", ".venv"}


def _node_unavailable(service: SystemService, tools: Tools, needs_sqs: bool) -> str | None:
    """Why a node service cannot be tested or booted here (`needs_sqs`: with moto's SQS
    server), or None."""
    if tools.find("npm") is None or tools.find("node") is None:
        return f"{service.directory} (node): node and npm are not on PATH"
    if needs_sqs and not _LocalSqs.available():
        return (
            f"{service.directory} (node): moto's SQS server is not installed "
            "(pip install 'moto[server]')"
        )
    return None


def _npm_environment() -> dict[str, str]:
    return {
        **_clean_environment(*_SERVICE_SETTINGS),
        "NO_COLOR": "1",
        "npm_config_audit": "false",
        "npm_config_fund": "false",
        "npm_config_update_notifier": "false",
        # The tests of a worker (or of a service that sends to one) start moto's SQS server
        # with this Python, which has moto[server] (`make test` uses the service's .venv).
        "MOTO_PYTHON": sys.executable,
    }


def _npm_steps(cwd: Path, commands: Sequence[str]) -> list[str]:
    """Run each npm command in `cwd` until one fails; what failed and its output's tail."""
    for command in commands:
        process = subprocess.run(
            ["sh", "-c", command],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT_SECONDS,
            env=_npm_environment(),
            check=False,
        )
        if process.returncode != 0:
            return [f"`{command}` failed", *_output_lines(process)[-30:]]
    return []


def _node_copy(directory: Path, service: SystemService, scratch: Path) -> Path:
    """A copy of a node service's sources (what npm and tsc write is left behind)."""
    source = directory / service.directory
    copy = scratch / service.name
    shutil.copytree(
        source,
        copy,
        ignore=lambda folder, names: [
            name for name in names if Path(folder) == source and name in _NODE_OUTPUTS
        ],
    )
    return copy


# `npm ci` installs exactly the committed package-lock.json (from npm's cache when it can).
NPM_INSTALL = "npm ci --prefer-offline"
# `npm test` compiles src/ and test/ with tsc first: that is the strict type check (`npm run
# typecheck` is the same tsc without output), so it does not run twice here.
NODE_TEST_STEPS = (NPM_INSTALL, "npm run lint", "npm test")
NODE_BUILD_STEPS = (NPM_INSTALL, "npm run build")
# What the container runs (the Dockerfile's CMD), from the build in a copy.
NODE_COMMAND = ("node", "dist/main.js")


def _node_tests(directory: Path, service: SystemService) -> list[str]:
    """`npm ci`, ESLint and `npm test` (type check, then the tests) in a copy of the service's
    directory (the checked tree is left as it was)."""
    with tempfile.TemporaryDirectory(prefix="sbh-node-") as scratch:
        return _npm_steps(_node_copy(directory, service, Path(scratch)), NODE_TEST_STEPS)


def _clean_environment(*also: str) -> dict[str, str]:
    # The app must not see SBH's own settings (a DATABASE_URL would change its health).
    dropped = ("DATABASE_URL", "DB_HOST", "APP_ENV", "PORT", "HEALTH_PATH", *also)
    return {name: value for name, value in os.environ.items() if name not in dropped}


# What an sbh/v2 service must not inherit from the process running the check.
_SERVICE_SETTINGS = (
    "APP_NAME",
    "QUEUE_URL",
    "JOB_TIMEOUT_SECONDS",
    "RECEIVE_WAIT_SECONDS",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SQS",
    "AWS_PROFILE",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def boot(directory: Path, tools: Tools) -> list[str]:
    """Start the app with uvicorn as the container would and call its health path (sbh/v2: each
    service as its kind runs: web and backend answer their health path, a worker handles a
    message from a local SQS queue and stops on SIGTERM, a job runs once and exits 0)."""
    services = system_services(directory)
    if services is None:
        spec = yaml.safe_load((directory / "sbh.yaml").read_text(encoding="utf-8"))
        return _boot_http(
            directory,
            str(spec["service"]["health_path"]),
            {**_clean_environment(), "PYTHONDONTWRITEBYTECODE": "1", "APP_ENV": "check"},
        )
    return _boot_system(directory, services, tools)


def _boot_http(
    cwd: Path,
    health_path: str,
    environment: dict[str, str],
    command: Sequence[str] | None = None,
) -> list[str]:
    """Start the service (uvicorn, or `command` reading PORT) and call its health path."""

    port = _free_port()
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
        ]
        if command is None
        else list(command),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**environment, "PORT": str(port)} if "HEALTH_PATH" in environment else environment,
    )
    try:
        return _answers_health(server, port, health_path, _reports_healthy, "the app")
    finally:
        _stop(server)


def _reports_healthy(health_path: str, status: int, body: bytes) -> list[str]:
    """SBH's own services answer 200 and `{"status": "healthy", ...}`."""
    answer = json.loads(body)
    if status == 200 and answer.get("status") == "healthy":
        return []
    return [f"GET {health_path} answered {status} {answer}"]


def _answers_200(health_path: str, status: int, body: bytes) -> list[str]:
    """The person's own image: its load balancer target group expects 200, whatever the body."""
    return [] if status == 200 else [f"GET {health_path} answered {status}"]


def _answers_health(
    server: subprocess.Popen[str],
    port: int,
    health_path: str,
    judge: Callable[[str, int, bytes], list[str]],
    what: str,
) -> list[str]:
    """Call `health_path` on `port` until it answers (`judge` says whether that answer is
    healthy), `server` exits, or BOOT_TIMEOUT_SECONDS pass."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + BOOT_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return [
                f"{what} exited while starting",
                *(server.stdout.read().splitlines() if server.stdout else []),
            ][-20:]
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}{health_path}", timeout=2
            ) as response:
                return judge(health_path, response.status, response.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    return [f"GET {health_path} did not answer within {BOOT_TIMEOUT_SECONDS} s"]


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _service_environment(service: SystemService, **settings: str) -> dict[str, str]:
    return {
        **_clean_environment(*_SERVICE_SETTINGS),
        "PYTHONDONTWRITEBYTECODE": "1",
        "APP_ENV": "check",
        "APP_NAME": service.name,
        **settings,
    }


def _boot_system(directory: Path, services: list[SystemService], tools: Tools) -> Findings:
    findings: list[str] = []
    not_run: list[str] = []
    own_images: dict[str, SystemService] = {}
    for service in services:
        if not service.builds_own_image:
            continue
        missing = service.missing_dockerfile(directory)
        if missing:
            not_run.append(missing)
        else:
            own_images[service.name] = service
    engine = _ContainerEngine.find(tools) if own_images else None
    if isinstance(engine, str):
        not_run += [
            f"{service.directory} (runtime: container): {engine}, so its image was not built "
            "or started"
            for service in own_images.values()
        ]
        own_images = {}
    # The services this check runs: SBH's own, and the person's images it can build here.
    services = [s for s in services if not s.builds_own_image or s.name in own_images]
    unavailable = {
        service.name: reason
        for service in services
        if service.runtime == NODE_RUNTIME
        and (reason := _node_unavailable(service, tools, service.kind == "worker")) is not None
    }
    not_run += unavailable.values()
    services = [service for service in services if service.name not in unavailable]
    workers = [service for service in services if service.kind == "worker"]
    sqs: _LocalSqs | None = None
    if workers and not _LocalSqs.available():
        not_run += [
            f"{worker.directory} (worker): moto's SQS server is not installed "
            "(pip install 'moto[server]')"
            for worker in workers
        ]
        workers = []
    try:
        if workers:
            sqs = _LocalSqs.start()
        for service in services:
            where = directory / service.directory
            if isinstance(engine, _ContainerEngine) and service.name in own_images:
                lines = engine.boot(directory, service, sqs if service in workers else None)
            elif service.runtime == NODE_RUNTIME and service.runs_a_container:
                lines = _boot_node(directory, service, sqs)
            elif service.serves_http:
                health_path = str(service.settings["health_path"])
                lines = _boot_http(
                    where, health_path, _service_environment(service, HEALTH_PATH=health_path)
                )
            elif service in workers and sqs is not None:
                lines = _boot_worker(where, service, sqs)
            elif service.kind == "job":
                lines = _run_job(where, service)
            else:
                continue
            findings += [f"{service.directory}: {line}" for line in lines]
    except _SqsUnavailable as error:
        findings.append(str(error))
    finally:
        if sqs is not None:
            sqs.stop()
    return Findings(findings, not_run)


def _boot_node(directory: Path, service: SystemService, sqs: _LocalSqs | None) -> list[str]:
    """A node service built in a copy (`npm ci`, `npm run build`), then run as its container
    runs it (`node dist/main.js`), as its kind allows."""
    with tempfile.TemporaryDirectory(prefix="sbh-node-boot-") as scratch:
        copy = _node_copy(directory, service, Path(scratch))
        failed = _npm_steps(copy, NODE_BUILD_STEPS)
        if failed:
            return failed
        if service.serves_http:
            health_path = str(service.settings["health_path"])
            environment = _service_environment(
                service, HEALTH_PATH=health_path, HOST="127.0.0.1", NODE_ENV="production"
            )
            return _boot_http(copy, health_path, environment, NODE_COMMAND)
        if service.kind == "worker":
            assert sqs is not None  # a worker is booted only with the local SQS server
            return _boot_worker(
                copy,
                service,
                sqs,
                lambda settings: (list(NODE_COMMAND), _service_environment(service, **settings)),
            )
        return _run_job(copy, service, NODE_COMMAND)


def _run_job(
    cwd: Path, service: SystemService, command: Sequence[str] = (sys.executable, "-m", "app")
) -> list[str]:
    """A job runs once, as the schedule starts it, and must exit 0."""
    try:
        process = subprocess.run(
            list(command),
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=BOOT_TIMEOUT_SECONDS + 10,
            env=_service_environment(service, JOB_TIMEOUT_SECONDS=str(BOOT_TIMEOUT_SECONDS)),
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [f"the job did not exit within {BOOT_TIMEOUT_SECONDS} s"]
    if process.returncode != 0:
        return [f"the job exited {process.returncode}", *_output_lines(process)[-20:]]
    return []


# How a worker is started given its settings: the command and the process environment.
WorkerLaunch = Callable[[dict[str, str]], tuple[list[str], dict[str, str]]]


def _python_worker(
    service: SystemService, settings: dict[str, str]
) -> tuple[list[str], dict[str, str]]:
    return [sys.executable, "-m", "app"], _service_environment(service, **settings)


def _boot_worker(
    cwd: Path, service: SystemService, sqs: _LocalSqs, launch: WorkerLaunch | None = None
) -> list[str]:
    """A worker consumes one message from its queue (with its dead-letter queue, as on AWS),
    deletes it, and exits 0 on SIGTERM."""
    queue = service.settings["queue"]
    queue_url, dead_letter_url = sqs.create_queue(
        f"{service.name}-check",
        int(queue["max_receive_count"]),
        int(queue["visibility_timeout_seconds"]),
    )
    sqs.call("SendMessage", QueueUrl=queue_url, MessageBody='{"sbh": "boot check"}')
    command, environment = (launch or partial(_python_worker, service))(
        {
            "QUEUE_URL": queue_url,
            "RECEIVE_WAIT_SECONDS": "1",
            "AWS_ENDPOINT_URL_SQS": sqs.endpoint,
            **_LOCAL_AWS,
        }
    )
    worker = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
    )
    try:
        deadline = time.monotonic() + BOOT_TIMEOUT_SECONDS
        while sqs.messages_in(queue_url) and time.monotonic() < deadline:
            if worker.poll() is not None:
                return [
                    f"the worker exited {worker.returncode} while consuming",
                    *(worker.stdout.read().splitlines() if worker.stdout else []),
                ][-20:]
            time.sleep(0.2)
        if sqs.messages_in(queue_url) or sqs.messages_in(dead_letter_url):
            return [f"the message on its queue was not handled within {BOOT_TIMEOUT_SECONDS} s"]
        worker.send_signal(signal.SIGTERM)
        try:
            output, _ = worker.communicate(timeout=BOOT_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            return [f"the worker did not stop within {BOOT_TIMEOUT_SECONDS} s of SIGTERM"]
        if worker.returncode != 0:
            return [f"the worker exited {worker.returncode} on SIGTERM", *output.splitlines()][-20:]
        return []
    finally:
        if worker.poll() is None:
            _stop(worker)


class _SqsUnavailable(Exception):
    """moto's SQS server did not start."""


@dataclass(frozen=True)
class _ContainerEngine:
    """A container engine that answers here (`docker info` succeeds): builds the person's own
    image (`docker build --file <dockerfile> <context>`) and runs it as its kind runs."""

    docker: str

    @classmethod
    def find(cls, tools: Tools) -> _ContainerEngine | str:
        """The engine, or why there is none."""
        docker = tools.find("docker")
        if docker is None:
            return "docker is not on PATH"
        try:
            process = subprocess.run(
                [docker, "info", "--format", "{{.ServerVersion}}"],
                capture_output=True,
                text=True,
                timeout=BOOT_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"`docker info` did not answer within {BOOT_TIMEOUT_SECONDS} s"
        if process.returncode != 0:
            return f"no container engine answers `docker info` ({_output_lines(process)[-1]})"
        return cls(docker)

    def _run(
        self, *arguments: str, timeout: float = TOOL_TIMEOUT_SECONDS
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.docker, *arguments],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=_clean_environment(),
            check=False,
        )

    def boot(self, directory: Path, service: SystemService, sqs: _LocalSqs | None) -> list[str]:
        """Build the image, then: web and backend answer their health path with 200; a worker
        handles a message from the local SQS server and exits 0 on SIGTERM; a job exits 0."""
        image = f"sbh-check-{service.name}:{os.getpid()}"
        built = subprocess.run(
            [self.docker, "build", "--file", service.dockerfile, "--tag", image, service.context],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT_SECONDS,
            env=_clean_environment(),
            check=False,
        )
        if built.returncode != 0:
            return [
                f"`docker build --file {service.dockerfile} {service.context}` failed",
                *_output_lines(built)[-20:],
            ]
        container = f"sbh-check-{service.name}-{os.getpid()}"
        try:
            if service.serves_http:
                return self._answers_health(directory, service, image, container)
            if service.kind == "worker" and sqs is not None:
                return _boot_worker(
                    directory,
                    service,
                    sqs,
                    lambda settings: (
                        self._run_command(
                            service,
                            image,
                            container,
                            # The contract names the general endpoint variable too.
                            {**settings, "AWS_ENDPOINT_URL": settings["AWS_ENDPOINT_URL_SQS"]},
                            "--network=host",
                        ),
                        _clean_environment(),
                    ),
                )
            if service.kind == "job":
                return self._runs_once(service, image, container)
            return []
        finally:
            self._run("rm", "--force", container, timeout=BOOT_TIMEOUT_SECONDS)
            self._run("image", "rm", "--force", image, timeout=BOOT_TIMEOUT_SECONDS)

    def _run_command(
        self,
        service: SystemService,
        image: str,
        container: str,
        settings: Mapping[str, str],
        *options: str,
    ) -> list[str]:
        """`docker run` of the image with what ECS would set (the check's values)."""
        variables = {"APP_NAME": service.name, "APP_ENV": "check", **settings}
        flags = [f"--env={name}={value}" for name, value in variables.items()]
        return [
            self.docker,
            "run",
            "--rm",
            "--init",
            f"--name={container}",
            *options,
            *flags,
            image,
        ]

    def _answers_health(
        self, directory: Path, service: SystemService, image: str, container: str
    ) -> list[str]:
        port, health_path = int(service.settings["port"]), str(service.settings["health_path"])
        published = _free_port()
        server = subprocess.Popen(
            self._run_command(
                service,
                image,
                container,
                {"PORT": str(port), "HEALTH_PATH": health_path},
                f"--publish=127.0.0.1:{published}:{port}",
            ),
            cwd=directory,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=_clean_environment(),
        )
        try:
            return _answers_health(server, published, health_path, _answers_200, "the container")
        finally:
            self._run("rm", "--force", container, timeout=BOOT_TIMEOUT_SECONDS)
            _stop(server)

    def _runs_once(self, service: SystemService, image: str, container: str) -> list[str]:
        command = self._run_command(
            service, image, container, {"JOB_TIMEOUT_SECONDS": str(BOOT_TIMEOUT_SECONDS)}
        )
        try:
            process = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=BOOT_TIMEOUT_SECONDS + 10,
                env=_clean_environment(),
                check=False,
            )
        except subprocess.TimeoutExpired:
            return [f"the job did not exit within {BOOT_TIMEOUT_SECONDS} s"]
        if process.returncode != 0:
            return [f"the job exited {process.returncode}", *_output_lines(process)[-20:]]
        return []


# Dummy credentials and a region: a worker's AWS SDK needs them to talk to the local server.
_LOCAL_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class _LocalSqs:
    """moto's SQS server in a subprocess, spoken to in SQS's JSON protocol (no AWS SDK here)."""

    # moto picks the service by the credential scope of a (here unsigned) SigV4 header.
    _AUTHORIZATION = (
        "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sqs/aws4_request, "
        "SignedHeaders=host, Signature=0"
    )

    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process = process
        self.port = port

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @staticmethod
    def available() -> bool:
        import importlib.util

        return all(importlib.util.find_spec(module) for module in ("moto", "flask", "flask_cors"))

    @classmethod
    def start(cls) -> _LocalSqs:
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
            env=_clean_environment(),
        )
        local = cls(process, port)
        deadline = time.monotonic() + BOOT_TIMEOUT_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return local
            except OSError:
                time.sleep(0.1)
        local.stop()
        raise _SqsUnavailable(f"moto's SQS server did not start within {BOOT_TIMEOUT_SECONDS} s")

    def stop(self) -> None:
        _stop(self.process)

    def call(self, action: str, **body: Any) -> dict[str, Any]:
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(
                "POST",
                "/",
                body=json.dumps(body),
                headers={
                    "X-Amz-Target": f"AmazonSQS.{action}",
                    "Content-Type": "application/x-amz-json-1.0",
                    "Authorization": self._AUTHORIZATION,
                },
            )
            response = connection.getresponse()
            text = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise _SqsUnavailable(f"SQS {action} answered {response.status}: {text[:200]!r}")
        answer = json.loads(text or b"{}")
        return answer if isinstance(answer, dict) else {}

    def create_queue(
        self, name: str, max_receive_count: int, visibility_timeout_seconds: int
    ) -> tuple[str, str]:
        """A queue and its dead-letter queue, redriven as Terraform sets them up on AWS."""
        dead_letter_url = str(self.call("CreateQueue", QueueName=f"{name}-dlq")["QueueUrl"])
        dead_letter_arn = self.call(
            "GetQueueAttributes", QueueUrl=dead_letter_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        queue_url = self.call(
            "CreateQueue",
            QueueName=name,
            Attributes={
                "VisibilityTimeout": str(visibility_timeout_seconds),
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": max_receive_count}
                ),
            },
        )["QueueUrl"]
        return str(queue_url), dead_letter_url

    def messages_in(self, queue_url: str) -> int:
        """Messages in a queue, visible or in flight."""
        attributes = self.call(
            "GetQueueAttributes",
            QueueUrl=queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )


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
        not_run = findings.not_run if isinstance(findings, Findings) else []
        status: Status = "failed" if findings else "skipped" if not_run else "passed"
        results.append(
            CheckResult(
                name,
                status,
                time.perf_counter() - started,
                tuple(findings),
                note="; ".join(f"not run: {part}" for part in not_run),
            )
        )
    return CheckReport(directory, tuple(results))
