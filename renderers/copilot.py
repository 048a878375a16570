"""`import_copilot(files)`: an AWS Copilot workspace as an sbh/v2 spec, plus a report.

Pure: the input is the workspace's files (relative path → text), the output the spec's data
and the findings. What maps (after Copilot's manifest reference):

- `copilot/.workspace` `application` → the system's `name`;
- `copilot/<service>/manifest.yml` by `type`: Load Balanced Web Service → `web`, Backend
  Service → `backend`, Worker Service → `worker`, Scheduled Job → `job`, Static Site →
  `static-site`; `image.build` → `runtime: container` with its Dockerfile and context;
- `copilot/environments/<env>/manifest.yml` → `environments` (an imported certificate's ARN
  tells the account and region; an `http.alias` tells the domain);
- a pipeline stage's `requires_approval` → that environment's `approval`.

Copilot does not know the GitHub owner and usually not the accounts or domains: those are
written as `REPLACE-ME: …` placeholders, which `sbh validate` reports one by one. Everything
without an SBH equivalent is a finding with its manifest path and line, never dropped
silently.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import yaml
from pydantic import TypeAdapter, ValidationError

from renderers.fields import (
    BuildContext,
    Cpu,
    DockerfilePath,
    DomainName,
    EnvironmentName,
    HealthPath,
    HostedZoneId,
    Port,
    RoutePath,
    ServiceName,
    SiteDirectory,
    SystemName,
    VariableName,
    VariableValue,
    dockerfile_directory,
    fargate_pair_problem,
    route_matches,
    schedule_problem,
)
from renderers.problems import FieldPath
from renderers.spec import PLACEHOLDER
from renderers.yaml_source import LocatedDocument, YamlProblems, read_yaml

WORKSPACE_FILE = "copilot/.workspace"
MANIFEST = "manifest.yml"
ENVIRONMENTS_DIRECTORY = "environments"
PIPELINES_DIRECTORY = "pipelines"
LEGACY_PIPELINE_FILES = ("copilot/pipeline.yml", "copilot/buildspec.yml")

KIND_OF_TYPE = {
    "Load Balanced Web Service": "web",
    "Backend Service": "backend",
    "Worker Service": "worker",
    "Scheduled Job": "job",
    "Static Site": "static-site",
}
SBH_DEFAULT_TIMEOUT_MINUTES = 30

Category = Literal["fill in", "unsupported", "changed", "note"]
CATEGORY_TITLES: dict[Category, str] = {
    "fill in": "Still to fill in (`sbh validate` names each one until it is written)",
    "unsupported": "Not carried over (no SBH equivalent)",
    "changed": "Carried over differently",
    "note": "Notes",
}


def placeholder(what: str) -> str:
    """A value only a person can give, marked so that validation reports it as missing."""
    return f"{PLACEHOLDER}: {what}"


@dataclass(frozen=True)
class Finding:
    """One thing the import could not carry over as written, and where it was written."""

    category: Category
    where: str  # copilot/api/manifest.yml:12, or the workspace itself
    message: str
    field: str = ""  # the spec field it concerns, when there is one

    def as_dict(self) -> dict[str, str]:
        return {
            "category": self.category,
            "where": self.where,
            "field": self.field,
            "message": self.message,
        }


@dataclass(frozen=True)
class CopilotImport:
    application: str
    spec: dict[str, Any]
    findings: tuple[Finding, ...]
    sources: dict[str, str] = field(default_factory=dict)  # service → Copilot workload type

    def of(self, category: Category) -> list[Finding]:
        return [finding for finding in self.findings if finding.category == category]


class CopilotImportError(ValueError):
    """The files are not a Copilot workspace this import can read."""


# --- schedules ------------------------------------------------------------------------------

# Copilot's presets (robfig/cron's predefined schedules) as Copilot itself deploys them.
_PRESETS = {
    "@hourly": "cron(0 * * * ? *)",
    "@daily": "cron(0 0 * * ? *)",
    "@midnight": "cron(0 0 * * ? *)",
    "@weekly": "cron(0 0 ? * 1 *)",
    "@monthly": "cron(0 0 1 * ? *)",
    "@yearly": "cron(0 0 1 1 ? *)",
    "@annually": "cron(0 0 1 1 ? *)",
}
_EVERY = "@every "
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_DURATION_SECONDS = {
    "ns": Fraction(1, 10**9),
    "us": Fraction(1, 10**6),
    "µs": Fraction(1, 10**6),
    "ms": Fraction(1, 1000),
    "s": Fraction(1),
    "m": Fraction(60),
    "h": Fraction(3600),
}
_DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


def go_duration_seconds(text: str) -> Fraction | None:
    """A Go duration (`1h30m`, `45s`, `1.5h`) in seconds; None when it is not one."""
    if not text or _DURATION_PART.sub("", text) != "":
        return None
    return sum(
        (
            Fraction(number) * _DURATION_SECONDS[unit]
            for number, unit in _DURATION_PART.findall(text)
        ),
        Fraction(0),
    )


def _rate(minutes: int) -> str:
    for size, unit in ((1440, "day"), (60, "hour"), (1, "minute")):
        if minutes % size == 0:
            count = minutes // size
            return f"rate({count} {unit}{'s' if count != 1 else ''})"
    raise AssertionError("every whole number of minutes is a rate")  # pragma: no cover


@dataclass(frozen=True)
class Schedule:
    """A Copilot `on.schedule` as EventBridge Scheduler takes it, or why it cannot be one."""

    expression: str | None
    reason: str = ""


def eventbridge_schedule(written: str) -> Schedule:
    """Copilot's `@daily`, `@every 1h30m`, `0 3 * * *` or `none` → `cron(...)`/`rate(...)`.

    Standard cron is converted as Copilot converts it: a sixth field (year), `?` in
    day-of-week or day-of-month, day-of-week numbers from 0-6 (Sunday first) to 1-7."""
    text = written.strip()
    if text == "none":
        return Schedule(
            None,
            "schedule `none` (run only by hand with `copilot job run`): an SBH job always "
            "runs on a schedule",
        )
    if text in _PRESETS:
        return Schedule(_PRESETS[text])
    if text.startswith(_EVERY):
        seconds = go_duration_seconds(text[len(_EVERY) :].strip())
        if seconds is None:
            return Schedule(None, f"{text!r}: not a duration such as 30m or 1h30m")
        if seconds < 60 or seconds % 60 != 0:
            return Schedule(
                None,
                f"{text!r}: EventBridge rates are whole minutes (at least one)",
            )
        minutes = int(seconds // 60)
        if minutes >= 100_000 * 1440:
            return Schedule(None, f"{text!r}: longer than an EventBridge rate can be")
        return Schedule(_rate(minutes))
    if text.startswith(("cron(", "rate(")):
        problem = schedule_problem(text)
        return Schedule(None, f"{text!r}: {problem}") if problem else Schedule(text)
    if text.startswith(("TZ=", "CRON_TZ=")):
        return Schedule(None, f"{text!r}: SBH schedules run in UTC; convert the time by hand")
    if text.startswith("@"):
        return Schedule(None, f"{text!r}: not a schedule preset Copilot knows")
    return _from_standard_cron(text)


def _from_standard_cron(text: str) -> Schedule:
    fields = text.split()
    if len(fields) != 5:
        return Schedule(
            None,
            f"{text!r}: a cron schedule has 5 fields (minute hour day-of-month month "
            f"day-of-week), this has {len(fields)}",
        )
    minute, hour, day_of_month, month, day_of_week = fields

    def unspecified(value: str) -> bool:
        return value in ("*", "?")

    if unspecified(day_of_month) and unspecified(day_of_week):
        day_of_month, day_of_week = "*", "?"
    elif unspecified(day_of_month):
        day_of_month = "?"
    elif unspecified(day_of_week):
        day_of_week = "?"
    else:
        return Schedule(
            None,
            f"{text!r}: EventBridge cannot run on a day of the month and a day of the week "
            "at once; choose one",
        )
    if day_of_week != "?":
        converted = _aws_day_of_week(day_of_week)
        if converted is None:
            return Schedule(
                None,
                f"{text!r}: day-of-week {day_of_week!r} has no EventBridge equivalent "
                "(use 0-6 or SUN-SAT, lists and ranges, no steps)",
            )
        day_of_week = converted
    expression = f"cron({minute} {hour} {day_of_month} {month} {day_of_week} *)"
    problem = schedule_problem(expression)
    if problem:
        return Schedule(None, f"{text!r}: {problem}")
    return Schedule(expression)


def _aws_day_of_week(value: str) -> str | None:
    """Standard cron's day of week (0 or 7 = Sunday) as EventBridge's (1 = Sunday)."""
    if "/" in value:
        return None
    items = []
    for item in value.split(","):
        ends = item.split("-")
        if len(ends) > 2:
            return None
        converted = []
        for end in ends:
            if end.isdigit():
                number = int(end)
                if number > 7:
                    return None
                converted.append(str(number % 7 + 1))
            elif end.upper() in _DAY_NAMES:
                converted.append(end.upper())
            else:
                return None
        items.append("-".join(converted))
    return ",".join(items)


# --- reading the workspace ------------------------------------------------------------------


class _Manifest:
    """One manifest file: its data and where each key was written."""

    def __init__(self, path: str, document: LocatedDocument) -> None:
        self.path = path
        self.document = document
        self.data: dict[str, Any] = document.data if isinstance(document.data, dict) else {}

    def at(self, *keys: str | int) -> str:
        if not keys:
            return self.path
        position = self.document.position_of_key(tuple(keys))
        return f"{self.path}:{position.line}"

    def get(self, *keys: str | int) -> Any:
        value: Any = self.data
        for key in keys:
            if isinstance(value, dict) and isinstance(key, str):
                value = value.get(key)
            elif isinstance(value, list) and isinstance(key, int) and key < len(value):
                value = value[key]
            else:
                return None
        return value


def _valid(annotation: Any, value: object) -> bool:
    try:
        TypeAdapter(annotation).validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


def _slug(name: str, limit: int) -> str:
    slug = re.sub(r"[^a-z0-9-]+", "-", name.lower())
    slug = re.sub(r"-{2,}", "-", slug).strip("-")
    if not slug or not slug[0].isalpha():
        slug = f"x{slug}"
    return slug[:limit].rstrip("-")


def _environment_slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "", name.lower())
    if not slug or not slug[0].isalpha():
        slug = f"e{slug}"
    return slug[:10]


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _describe(value: object) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=1000).strip()
    text = text.removesuffix("...").strip()
    return text if len(text) <= 80 else text[:77] + "..."


# What each Copilot key means to SBH when it cannot be carried over.
_UNSUPPORTED_KEYS = {
    "sidecars": "sidecar containers: SBH runs one container per service",
    "publish": "SNS topics: SBH workers each consume their own SQS queue; send to a worker's "
    "queue instead (`uses: [<worker>]`)",
    "storage": "volumes, EFS, ephemeral size, read-only root: SBH tasks have no mounted "
    "volumes; keep files in a bucket (storage.buckets)",
    "network": "VPC placement, security groups, Service Connect: SBH places tasks in private "
    "subnets and connects backends by name itself",
    "logging": "the FireLens log router: SBH sends container logs to CloudWatch Logs",
    "observability": "X-Ray tracing: not provided by SBH",
    "taskdef_overrides": "task definition overrides: SBH owns the task definition; change "
    "the generated Terraform instead",
    "exec": "ECS Exec: not enabled by SBH",
    "deployment": "rolling strategy, rollback alarms: SBH's deploy workflow waits for "
    "stability, checks health and rolls back itself",
    "entrypoint": "an entrypoint override: put it in your Dockerfile (ENTRYPOINT)",
    "command": "a command override: put it in your Dockerfile (CMD)",
    "env_file": "variables from an S3 file: write them as `env` in the spec",
    "nlb": "a Network Load Balancer: SBH web services sit behind the environment's ALB",
    "platform": "SBH runs linux/x86_64 tasks (Windows and ARM are not offered)",
    "retries": "SBH runs a job once per schedule and raises an alarm when a run fails",
}
_X86 = {"linux/x86_64", "linux/amd64", "linux"}


@dataclass
class _Importer:
    files: Mapping[str, str]
    findings: list[Finding] = field(default_factory=list)
    domains: dict[str, tuple[str, str]] = field(default_factory=dict)  # env → (domain, where)
    hosted_zones: dict[str, str] = field(default_factory=dict)
    ports: dict[int, str] = field(default_factory=dict)
    routes: dict[str, str] = field(default_factory=dict)
    environment_names: dict[str, str] = field(default_factory=dict)  # Copilot → SBH name
    # Environments named in services' `environments:` overrides.
    override_names: list[str] = field(default_factory=list)
    # Aliases seen in the services: (Copilot environment or None for all, domain, where, zone).
    pending_aliases: list[tuple[str | None, str, str, object]] = field(default_factory=list)

    def find(
        self, category: Category, where: str, message: str, spec_field: FieldPath = ()
    ) -> None:
        shown = ".".join(str(part) for part in spec_field)
        self.findings.append(Finding(category, where, message, shown))

    def fill_in(self, spec_field: FieldPath, what: str, where: str = "", why: str = "") -> str:
        """A placeholder saying `what` to write; the report adds `why`."""
        message = f"{what}; {why}" if why else what
        self.find("fill in", where or "(Copilot does not know it)", message, spec_field)
        return placeholder(what)

    def manifest(self, path: str) -> _Manifest | None:
        try:
            document = read_yaml(self.files[path], path)
        except YamlProblems as unreadable:
            for problem in unreadable.problems:
                self.find(
                    "unsupported",
                    f"{path}:{problem.line}",
                    f"could not read this manifest ({problem.message}); nothing in it was imported",
                )
            return None
        for problem in document.problems:
            self.find(
                "unsupported",
                f"{path}:{problem.line}",
                f"{problem.field}: {problem.message}; this value was not imported",
            )
        if not isinstance(document.data, dict):
            self.find("unsupported", path, "not a mapping of keys; nothing in it was imported")
            return None
        return _Manifest(path, document)

    # --- the application and its environments ----------------------------------------------

    def application(self) -> str:
        if WORKSPACE_FILE not in self.files:
            raise CopilotImportError(
                f"no {WORKSPACE_FILE}: give the directory that holds the copilot/ folder of a "
                "Copilot workspace"
            )
        workspace = self.manifest(WORKSPACE_FILE)
        name = workspace.get("application") if workspace else None
        if not isinstance(name, str) or not name:
            raise CopilotImportError(f"{WORKSPACE_FILE}: no `application: <name>` in it")
        return name

    def system_name(self, application: str) -> str:
        if _valid(SystemName, application):
            return application
        name = _slug(application, 39)
        if len(name) < 2:
            name = f"{name}-app"
        self.find(
            "changed",
            WORKSPACE_FILE,
            f"application {application!r} is not an SBH system name; imported as {name}",
            ("name",),
        )
        return name

    def written_environments(self) -> list[str]:
        return sorted(
            path.split("/")[2]
            for path in self.files
            if re.fullmatch(rf"copilot/{ENVIRONMENTS_DIRECTORY}/[^/]+/{MANIFEST}", path)
        )

    def environment_list(self) -> list[str]:
        """The Copilot environments: their manifests, else the services' overrides."""
        return self.written_environments() or sorted(set(self.override_names)) or ["dev"]

    def environments(self, approvals: dict[str, str]) -> dict[str, dict[str, Any]]:
        written = self.written_environments()
        names = self.environment_list()
        if not written and not self.override_names:
            self.find(
                "changed",
                f"copilot/{ENVIRONMENTS_DIRECTORY}/",
                "no environment manifests: added an environment `dev`; rename it or add the others",
                ("environments",),
            )
        elif not written:
            self.find(
                "note",
                f"copilot/{ENVIRONMENTS_DIRECTORY}/",
                "no environment manifests: the environments are the ones the service manifests "
                f"override ({', '.join(names)})",
                ("environments",),
            )
        for name in names:
            sbh_name = name if _valid(EnvironmentName, name) else _environment_slug(name)
            while sbh_name in self.environment_names.values():
                sbh_name = f"{sbh_name[:9]}{len(self.environment_names)}"
            self.environment_names[name] = sbh_name
            if sbh_name != name:
                self.find(
                    "changed",
                    f"copilot/{ENVIRONMENTS_DIRECTORY}/{name}",
                    f"environment {name!r} is imported as {sbh_name} (SBH environment names "
                    "are 1-10 lowercase letters and digits)",
                    ("environments", sbh_name),
                )
        environments: dict[str, dict[str, Any]] = {}
        for name in names:
            environments[self.environment_names[name]] = self.environment(
                name, name in written, approvals
            )
        return environments

    def environment(
        self, name: str, has_manifest: bool, approvals: dict[str, str]
    ) -> dict[str, Any]:
        sbh_name = self.environment_names[name]
        here: FieldPath = ("environments", sbh_name)
        path = f"copilot/{ENVIRONMENTS_DIRECTORY}/{name}/{MANIFEST}"
        manifest = self.manifest(path) if has_manifest else None
        account: str | None = None
        region: str | None = None
        if manifest is not None:
            account, region = self._environment_manifest(manifest, here)
        environment: dict[str, Any] = {
            "aws_account_id": account
            or self.fill_in(
                (*here, "aws_account_id"),
                f"12-digit AWS account id of {sbh_name}",
                path if has_manifest else "",
                f"the account Copilot's {name} environment runs in, or a new one",
            ),
            "region": region
            or self.fill_in(
                (*here, "region"),
                f"AWS region of {sbh_name}, e.g. us-west-2",
                path if has_manifest else "",
                f"keep the region of Copilot's {name} environment to stay near its data",
            ),
        }
        if name in self.domains:
            environment["domain"], where = self.domains[name]
            self.find(
                "note",
                where,
                f"the domain of {sbh_name} is {environment['domain']}, from this alias",
                (*here, "domain"),
            )
        else:
            environment["domain"] = self.fill_in(
                (*here, "domain"),
                f"public domain of {sbh_name}, e.g. app.{sbh_name}.example.com",
                why="no alias in the manifests names it; a new name lets the old and the new "
                "stack run side by side until DNS moves",
            )
        if name in self.hosted_zones:
            environment["hosted_zone_id"] = self.hosted_zones[name]
        if name in approvals:
            environment["approval"] = True
            self.find(
                "note",
                approvals[name],
                f"this pipeline stage requires approval: {sbh_name} gets approval: true",
                (*here, "approval"),
            )
        return environment

    def _environment_manifest(
        self, manifest: _Manifest, here: FieldPath
    ) -> tuple[str | None, str | None]:
        account: str | None = None
        region: str | None = None
        certificates = _as_list(manifest.get("http", "public", "certificates"))
        for certificate in certificates:
            match = re.fullmatch(
                r"arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate/.+", str(certificate)
            )
            if match:
                region, account = match.group(1), match.group(2)
                self.find(
                    "note",
                    manifest.at("http", "public", "certificates"),
                    f"account {account} and region {region} read from the imported certificate's "
                    "ARN; SBH requests its own certificate for the environment's domain",
                    here,
                )
                break
        handled = {"name", "type"}
        notes = {
            "network": "the environment's VPC (imported or configured): SBH creates its own VPC "
            "per environment",
            "http": "the load balancer settings (certificates, ingress, access logs, SSL policy, "
            "private load balancer): SBH configures the environment's ALB itself",
            "cdn": "the CloudFront distribution in front of the load balancer: SBH puts "
            "CloudFront only in front of a static site",
            "observability": "Container Insights: not enabled by SBH",
        }
        for key in manifest.data:
            if key in handled:
                continue
            self.find(
                "unsupported",
                manifest.at(key),
                f"{key}: {notes.get(key, 'not carried over')}",
                here,
            )
        return account, region

    def approvals(self) -> dict[str, str]:
        """Copilot environments whose pipeline stage requires approval; every pipeline is
        reported (SBH's own GitHub Actions workflows replace it)."""
        approvals: dict[str, str] = {}
        pipelines = sorted(
            path
            for path in self.files
            if path.startswith(f"copilot/{PIPELINES_DIRECTORY}/") or path in LEGACY_PIPELINE_FILES
        )
        for path in pipelines:
            if not path.endswith(MANIFEST) and path not in LEGACY_PIPELINE_FILES:
                continue
            self.find(
                "unsupported",
                path,
                "a Copilot pipeline (CodePipeline): SBH's generated GitHub Actions workflows "
                "build and deploy instead",
            )
            if not path.endswith(".yml") or path.endswith("buildspec.yml"):
                continue
            manifest = self.manifest(path)
            if manifest is None:
                continue
            for index, stage in enumerate(_as_list(manifest.get("stages"))):
                if isinstance(stage, dict) and stage.get("requires_approval") is True:
                    approvals[str(stage.get("name"))] = manifest.at("stages", index)
        return approvals

    # --- services ---------------------------------------------------------------------------

    def service_paths(self) -> list[tuple[str, str]]:
        found = []
        for path in sorted(self.files):
            parts = path.split("/")
            if (
                len(parts) == 3
                and parts[0] == "copilot"
                and parts[2] == MANIFEST
                and parts[1] not in (ENVIRONMENTS_DIRECTORY, PIPELINES_DIRECTORY)
            ):
                found.append((parts[1], path))
        return found

    def addons(self, directory: str) -> None:
        prefix = f"copilot/{directory}/addons/"
        for path in sorted(p for p in self.files if p.startswith(prefix)):
            text = self.files[path]
            hints = [
                hint
                for resource, hint in (
                    ("AWS::RDS::", "a database: declare `database:` in the spec and move the data"),
                    (
                        "AWS::S3::Bucket",
                        "a bucket: add it to `storage.buckets` and copy the objects",
                    ),
                    ("AWS::DynamoDB::Table", "a DynamoDB table: SBH has none; keep it outside"),
                )
                if resource in text
            ]
            self.find(
                "unsupported",
                path,
                "addon (CloudFormation beside the service): not imported"
                + (f"; it defines {'; '.join(hints)}" if hints else ""),
            )

    def service(self, directory: str, path: str) -> tuple[str, dict[str, Any], str] | None:
        manifest = self.manifest(path)
        self.addons(directory)
        if manifest is None:
            return None
        written_type = manifest.get("type")
        kind = KIND_OF_TYPE.get(str(written_type))
        if kind is None:
            what = (
                "Request-Driven Web Service (App Runner): SBH has no App Runner kind; a `web` "
                "service behind the load balancer is the nearest"
                if written_type == "Request-Driven Web Service"
                else f"workload type {written_type!r}: SBH has no such kind"
            )
            self.find("unsupported", manifest.at("type"), f"{directory}: {what}; not imported")
            return None
        name = manifest.get("name") if isinstance(manifest.get("name"), str) else directory
        sbh_name = name if _valid(ServiceName, name) else _slug(name, 31)
        if sbh_name != name:
            self.find(
                "changed",
                manifest.at("name") if "name" in manifest.data else path,
                f"service {name!r} is imported as {sbh_name} (SBH service names are lowercase "
                "letters, digits and single hyphens, at most 31 characters)",
                ("services", sbh_name),
            )
        here: FieldPath = ("services", sbh_name)
        service: dict[str, Any] = {"kind": kind}
        handled = {"name", "type", "environments"}
        if kind == "static-site":
            handled |= self._static_site(manifest, here, service)
        else:
            handled |= self._container(manifest, here, service, kind)
        for key in manifest.data:
            if key in handled:
                continue
            value = manifest.data[key]
            if key == "platform" and (
                value in _X86
                or (
                    isinstance(value, dict)
                    and value.get("osfamily") == "linux"
                    and value.get("architecture") in ("x86_64", "amd64")
                )
            ):
                continue
            if key == "exec" and value is False:
                continue
            self.find(
                "unsupported",
                manifest.at(key),
                f"{key}: {_UNSUPPORTED_KEYS.get(key, 'not carried over')}",
                here,
            )
        self._overrides(manifest, here)
        return sbh_name, service, str(written_type)

    def _container(
        self, manifest: _Manifest, here: FieldPath, service: dict[str, Any], kind: str
    ) -> set[str]:
        self._image(manifest, here, service, kind)
        self._sizes(manifest, here, service)
        self._variables(manifest, here, service)
        self._secrets(manifest, here, service)
        handled = {"image", "cpu", "memory", "variables", "secrets"}
        if kind in ("web", "backend"):
            handled |= {"http", "count"}
            self._http(manifest, here, service, kind)
            self._count(manifest, here, service, kind)
        elif kind == "worker":
            handled |= {"subscribe", "count"}
            self._subscribe(manifest, here, service)
            self._count(manifest, here, service, kind)
        else:
            handled |= {"on", "timeout"}
            self._job(manifest, here, service)
        return handled

    def _image(
        self, manifest: _Manifest, here: FieldPath, service: dict[str, Any], kind: str
    ) -> None:
        image = manifest.get("image")
        if not isinstance(image, dict):
            image = {}
        build, location = image.get("build"), image.get("location")
        service["runtime"] = "container"
        dockerfile: str | None = None
        context: str | None = None
        if isinstance(build, str):
            dockerfile = build
        elif isinstance(build, dict):
            dockerfile = (
                build.get("dockerfile") if isinstance(build.get("dockerfile"), str) else None
            )
            context = build.get("context") if isinstance(build.get("context"), str) else None
            if dockerfile is None and context is not None:
                dockerfile = f"{context.rstrip('/')}/Dockerfile"
            for key in sorted(set(build) - {"dockerfile", "context"}):
                self.find(
                    "unsupported",
                    manifest.at("image", "build", key),
                    f"image.build.{key}: SBH's build workflow runs a plain `docker build` of "
                    "the Dockerfile and context (put build arguments and the target stage in "
                    "the Dockerfile)",
                    here,
                )
        if dockerfile is not None:
            service["dockerfile"] = self._repository_path(
                manifest, ("image", "build"), (*here, "dockerfile"), dockerfile, "Dockerfile"
            )
            if context is not None:
                normal = self._repository_path(
                    manifest, ("image", "build"), (*here, "context"), context, "build context"
                )
                if normal != dockerfile_directory(str(service["dockerfile"])):
                    service["context"] = normal
        elif isinstance(location, str):
            service["dockerfile"] = self.fill_in(
                (*here, "dockerfile"),
                f"a Dockerfile for this service; Copilot deployed the prebuilt image "
                f"{location} (a Dockerfile holding `FROM {location}` keeps it)",
                manifest.at("image", "location"),
            )
        else:
            service["dockerfile"] = self.fill_in(
                (*here, "dockerfile"),
                "the Dockerfile of this service (the manifest names no image.build)",
                manifest.at("image") if "image" in manifest.data else manifest.path,
            )
        if isinstance(location, str) and dockerfile is not None:
            self.find(
                "unsupported",
                manifest.at("image", "location"),
                "image.location: SBH builds the image from the Dockerfile; the prebuilt image is "
                "not used",
                here,
            )
        handled = {"build", "location", "port"}
        notes = {
            "healthcheck": "the container health check command: SBH checks the service's "
            "health path through the load balancer or the task's HEALTHCHECK in your Dockerfile",
            "depends_on": "container start order: SBH runs one container per task",
            "credentials": "private registry credentials: SBH builds and pushes to its own ECR",
        }
        for key in image:
            if key in handled:
                continue
            self.find(
                "unsupported",
                manifest.at("image", key),
                f"image.{key}: {notes.get(key, 'not carried over')}",
                here,
            )
        port = image.get("port")
        if kind in ("web", "backend"):
            if port is None:
                self.find(
                    "changed",
                    manifest.at("image") if "image" in manifest.data else manifest.path,
                    "no image.port: SBH gives this service a port of its own and passes it as "
                    "PORT; make the container listen on $PORT",
                    (*here, "port"),
                )
            elif not _valid(Port, port):
                self.find(
                    "changed",
                    manifest.at("image", "port"),
                    f"port {port}: SBH runs containers as a non-root user (ports 1024-65535); "
                    "it gives this service a port of its own and passes it as PORT: make the "
                    "container listen on $PORT",
                    (*here, "port"),
                )
            elif port in self.ports:
                self.find(
                    "changed",
                    manifest.at("image", "port"),
                    f"port {port} is also {self.ports[port]}'s: SBH gives every service its own "
                    "port (`make run` starts them side by side) and passes it as PORT; make "
                    "the container listen on $PORT",
                    (*here, "port"),
                )
            else:
                service["port"] = port
                self.ports[port] = str(here[1])
        elif port is not None:
            self.find(
                "note",
                manifest.at("image", "port"),
                f"image.port: a {kind} service takes no traffic; the port is not imported",
                here,
            )

    def _repository_path(
        self,
        manifest: _Manifest,
        keys: tuple[str, ...],
        spec_field: FieldPath,
        written: str,
        what: str,
    ) -> str:
        normal = written.strip()
        while normal.startswith("./"):
            normal = normal[2:]
        normal = normal.rstrip("/") or "."
        valid = _valid(BuildContext if what == "build context" else DockerfilePath, normal)
        if valid:
            return normal
        return self.fill_in(
            spec_field,
            f"the {what} inside the repository (Copilot had {written!r}, which SBH cannot "
            "build from: paths are relative to the repository root, without '..')",
            manifest.at(*keys),
        )

    def _sizes(self, manifest: _Manifest, here: FieldPath, service: dict[str, Any]) -> None:
        cpu, memory = manifest.get("cpu"), manifest.get("memory")
        if cpu is None and memory is None:
            return
        cpu_fits = cpu is None or _valid(Cpu, cpu)
        memory_fits = memory is None or (
            isinstance(memory, int)
            and not isinstance(memory, bool)
            and fargate_pair_problem(cpu if cpu_fits else None, memory) is None
        )
        if cpu_fits and memory_fits:
            service.update(
                {
                    key: value
                    for key, value in (("cpu", cpu), ("memory", memory))
                    if value is not None
                }
            )
            return
        self.find(
            "changed",
            manifest.at("cpu") if "cpu" in manifest.data else manifest.at("memory"),
            f"cpu {cpu} / memory {memory} is not a Fargate size; SBH's default size applies",
            here,
        )

    def _variables(self, manifest: _Manifest, here: FieldPath, service: dict[str, Any]) -> None:
        variables = manifest.get("variables")
        if not isinstance(variables, dict):
            return
        env: dict[str, str] = {}
        for name, value in variables.items():
            where = manifest.at("variables", name)
            if isinstance(value, dict):
                self.find(
                    "unsupported",
                    where,
                    f"variable {name} comes from {_describe(value)} (a CloudFormation export): "
                    "write its value in the spec's env",
                    here,
                )
                continue
            text = str(value).lower() if isinstance(value, bool) else value
            text = "" if text is None else str(text)
            if not _valid(VariableName, name):
                self.find(
                    "unsupported",
                    where,
                    f"variable {name}: not a name SBH accepts (uppercase letters, digits and "
                    "underscores; names SBH or AWS set are reserved); not imported",
                    here,
                )
                continue
            if not _valid(VariableValue, text):
                self.find("unsupported", where, f"variable {name}: value too long", here)
                continue
            if "${" in text:
                self.find(
                    "changed",
                    where,
                    f"variable {name}: Copilot substituted ${{...}} at deploy time; SBH passes "
                    "the value as written",
                    here,
                )
            env[str(name)] = text
        if env:
            service["env"] = env

    def _secrets(self, manifest: _Manifest, here: FieldPath, service: dict[str, Any]) -> None:
        secrets = manifest.get("secrets")
        if not isinstance(secrets, dict):
            return
        names: list[str] = []
        for name, source in secrets.items():
            where = manifest.at("secrets", name)
            if not _valid(VariableName, name) or name in service.get("env", {}):
                self.find(
                    "unsupported",
                    where,
                    f"secret {name}: not a name SBH accepts (or also a plain variable); not "
                    "imported",
                    here,
                )
                continue
            names.append(str(name))
            self.find(
                "note",
                where,
                f"secret {name}: Copilot read it from {_describe(source)}; SBH reads it from "
                f"Secrets Manager (see the generated README): copy the value there",
                (*here, "secrets"),
            )
        if names:
            service["secrets"] = names

    def _http(
        self, manifest: _Manifest, here: FieldPath, service: dict[str, Any], kind: str
    ) -> None:
        http = manifest.get("http")
        if http is False:
            if kind == "web":
                self.find(
                    "unsupported",
                    manifest.at("http"),
                    "http: false (a service behind a Network Load Balancer only): SBH web "
                    "services sit behind the environment's ALB",
                    here,
                )
            return
        if not isinstance(http, dict):
            http = {}
        if kind == "web":
            path = self._route(manifest, here, http.get("path"))
            if path is not None:
                service["path"] = path
        route = str(service.get("path", "/*"))
        health = http.get("healthcheck")
        health_path = health.get("path") if isinstance(health, dict) else health
        if isinstance(health, dict):
            details = sorted(set(health) - {"path"})
            if details:
                self.find(
                    "unsupported",
                    manifest.at("http", "healthcheck"),
                    f"health check settings {', '.join(details)}: SBH uses its own thresholds",
                    (*here, "health_path"),
                )
        if health_path is None and kind == "web":
            health_path = "/"  # Copilot's default
        if "healthcheck" in http:
            where = manifest.at("http", "healthcheck")
        else:
            where = manifest.at("http") if "http" in manifest.data else manifest.path
        if route.startswith(PLACEHOLDER):
            pass  # the health path is checked against the route once the route is chosen
        elif health_path is not None:
            if not _valid(HealthPath, health_path):
                self.find(
                    "changed",
                    where,
                    f"health check {health_path!r} is not a health path SBH accepts; SBH's "
                    "default applies",
                    (*here, "health_path"),
                )
            elif kind == "web" and not route_matches(route, str(health_path)):
                self.find(
                    "changed",
                    where,
                    f"health check {health_path} is outside this service's path {route}: SBH "
                    "checks a path under the route instead (its default, or set health_path); "
                    "make the service answer it",
                    (*here, "health_path"),
                )
            else:
                service["health_path"] = health_path
        elif kind == "backend":
            self.find(
                "changed",
                manifest.path,
                "no HTTP health check: SBH checks GET /health on backend services; make the "
                "service answer it or set health_path",
                (*here, "health_path"),
            )
        self._aliases(manifest, ("http",), http, None)
        for key in sorted(set(http) - {"path", "healthcheck", "alias", "hosted_zone"}):
            self.find(
                "unsupported",
                manifest.at("http", key),
                f"http.{key}: not carried over (SBH's ALB listener rule routes by path only)",
                here,
            )

    def _route(self, manifest: _Manifest, here: FieldPath, written: object) -> str | None:
        if written is None:
            written = "/"
        text = str(written).strip()
        route = "/*" if text in ("", "/") else "/" + text.strip("/") + "/*"
        if not _valid(RoutePath, route):
            self.find(
                "changed",
                manifest.at("http", "path"),
                f"http.path {written!r} is not a route SBH can write; the default /* applies",
                (*here, "path"),
            )
            return None
        if route in self.routes:
            self.find(
                "fill in",
                manifest.at("http", "path"),
                f"http.path {written!r} is also {self.routes[route]}'s: give each web service "
                "its own path",
                (*here, "path"),
            )
            return placeholder(f"a path of its own for this service (Copilot had {written!r})")
        self.routes[route] = str(here[1])
        if route != text:
            self.find(
                "note",
                manifest.at("http", "path"),
                f"http.path {written!r} routes {route} (the same requests)",
                (*here, "path"),
            )
        return route

    def _aliases(
        self, manifest: _Manifest, keys: tuple[str | int, ...], http: object, env: str | None
    ) -> None:
        """`http.alias` (a string, a list, or {name, hosted_zone}) names an environment's
        domain: the one environment given by `env` (an override), or the only one there is."""
        alias = http.get("alias") if isinstance(http, dict) else None
        if alias is None:
            return
        first = _as_list(alias)[0] if _as_list(alias) else None
        name = first.get("name") if isinstance(first, dict) else first
        zone = first.get("hosted_zone") if isinstance(first, dict) else None
        if zone is None and isinstance(http, dict):
            zone = http.get("hosted_zone")
        where = manifest.at(*keys, "alias")
        if not isinstance(name, str) or not _valid(DomainName, name):
            self.find("unsupported", where, f"alias {_describe(alias)}: not a domain SBH can use")
            return
        self.pending_aliases.append((env, name, where, zone))

    def assign_domains(self, environments: list[str]) -> None:
        taken: dict[str, str] = {}
        for env, name, where, zone in self.pending_aliases:
            targets = [env] if env is not None else environments if len(environments) == 1 else []
            if env is None and not targets:
                self.find(
                    "note",
                    where,
                    f"alias {name} applies to every Copilot environment; SBH needs one domain "
                    "per environment, so it is not used",
                )
                continue
            for target in targets:
                if target not in environments:
                    continue
                if target in self.domains:
                    if self.domains[target][0] != name:
                        self.find(
                            "changed",
                            where,
                            f"alias {name}: SBH serves every web service of {target} on one "
                            f"domain ({self.domains[target][0]}), routed by path",
                        )
                    continue
                if name in taken:
                    self.find(
                        "changed", where, f"alias {name} is already the domain of {taken[name]}"
                    )
                    continue
                self.domains[target] = (name, where)
                taken[name] = target
                if isinstance(zone, str) and _valid(HostedZoneId, zone):
                    self.hosted_zones[target] = zone

    def _count(
        self, manifest: _Manifest, here: FieldPath, service: dict[str, Any], kind: str
    ) -> None:
        count = manifest.get("count")
        if count is None:
            return
        where = manifest.at("count")
        low: int | None = None
        high: int | None = None
        if isinstance(count, int) and not isinstance(count, bool):
            low = high = count
        elif isinstance(count, dict):
            written_range = count.get("range")
            if isinstance(written_range, str):
                match = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", written_range)
                if match:
                    low, high = int(match.group(1)), int(match.group(2))
            elif isinstance(written_range, dict):
                low_value, high_value = written_range.get("min"), written_range.get("max")
                low = low_value if isinstance(low_value, int) else None
                high = high_value if isinstance(high_value, int) else None
            for rule in sorted(set(count) - {"range"}):
                self.find(
                    "unsupported",
                    manifest.at("count", rule),
                    f"count.{rule}: Copilot's scaling targets and Spot capacity are not carried "
                    "over; SBH's own scaling rules apply",
                    here,
                )
        if low is None or not 0 <= low <= 100 or (high is not None and not low <= high <= 100):
            self.find(
                "changed",
                where,
                f"count {_describe(count)}: not a task count SBH can use; its default applies",
                here,
            )
            return
        if kind == "worker":
            service["min_count"], service["max_count"] = low, high if high is not None else low
            return
        service["desired_count"] = low
        if high is not None and high != low:
            self.find(
                "changed",
                where,
                f"count range {low}-{high}: SBH starts {low} task(s) (desired_count) and scales "
                "by its own rule",
                (*here, "desired_count"),
            )

    def _subscribe(self, manifest: _Manifest, here: FieldPath, service: dict[str, Any]) -> None:
        subscribe = manifest.get("subscribe")
        if not isinstance(subscribe, dict):
            return
        for index, topic in enumerate(_as_list(subscribe.get("topics"))):
            shown = (
                f"{topic.get('service')}/{topic.get('name')}" if isinstance(topic, dict) else topic
            )
            self.find(
                "unsupported",
                manifest.at("subscribe", "topics", index),
                f"subscription to SNS topic {shown}: SBH has no SNS fan-in; the publisher "
                f"sends to this worker's queue instead (`uses: [{here[1]}]`)",
                here,
            )
        queue = subscribe.get("queue")
        if not isinstance(queue, dict):
            return
        settings: dict[str, int] = {}
        timeout = queue.get("timeout")
        if timeout is not None:
            seconds = go_duration_seconds(str(timeout))
            if seconds is not None and seconds.denominator == 1 and 0 <= seconds <= 43200:
                settings["visibility_timeout_seconds"] = int(seconds)
            else:
                self.find(
                    "changed",
                    manifest.at("subscribe", "queue", "timeout"),
                    f"queue timeout {timeout!r}: not a visibility timeout SBH can use "
                    "(whole seconds, at most 12h); its default applies",
                    here,
                )
        tries = (
            queue.get("dead_letter", {}).get("tries")
            if isinstance(queue.get("dead_letter"), dict)
            else None
        )
        if isinstance(tries, int) and 1 <= tries <= 1000:
            settings["max_receive_count"] = tries
        elif tries is not None:
            self.find(
                "changed",
                manifest.at("subscribe", "queue", "dead_letter"),
                f"dead_letter.tries {tries!r}: not a receive count SBH can use; its default "
                "applies",
                here,
            )
        elif "dead_letter" not in queue:
            self.find(
                "changed",
                manifest.at("subscribe", "queue"),
                "Copilot had no dead-letter queue; SBH always adds one (redrive after "
                "max_receive_count)",
                here,
            )
        for key in sorted(set(queue) - {"timeout", "dead_letter"}):
            self.find(
                "unsupported",
                manifest.at("subscribe", "queue", key),
                f"queue {key}: SBH's queue keeps SQS's defaults for it (standard queue)",
                here,
            )
        if settings:
            service["queue"] = settings

    def _job(self, manifest: _Manifest, here: FieldPath, service: dict[str, Any]) -> None:
        schedule = manifest.get("on", "schedule")
        where = manifest.at("on", "schedule") if schedule is not None else manifest.path
        if not isinstance(schedule, str):
            service["schedule"] = self.fill_in(
                (*here, "schedule"),
                "the schedule, cron(...) or rate(...) in UTC (the manifest has no on.schedule)",
                where,
            )
        else:
            converted = eventbridge_schedule(schedule)
            if converted.expression is None:
                service["schedule"] = self.fill_in(
                    (*here, "schedule"),
                    f"an EventBridge schedule, cron(...) or rate(...) in UTC: {converted.reason}",
                    where,
                )
            else:
                service["schedule"] = converted.expression
                if converted.expression != schedule:
                    self.find(
                        "note",
                        where,
                        f"schedule {schedule!r} is {converted.expression} in EventBridge's form",
                        (*here, "schedule"),
                    )
        timeout = manifest.get("timeout")
        if timeout is None:
            self.find(
                "changed",
                manifest.path,
                f"Copilot's job had no timeout; SBH stops a run after timeout_minutes "
                f"(default {SBH_DEFAULT_TIMEOUT_MINUTES})",
                (*here, "timeout_minutes"),
            )
            return
        seconds = go_duration_seconds(str(timeout))
        if seconds is None or seconds <= 0:
            self.find(
                "changed",
                manifest.at("timeout"),
                f"timeout {timeout!r} is not a duration; SBH's default applies",
                (*here, "timeout_minutes"),
            )
            return
        minutes = math.ceil(seconds / 60)
        if minutes > 1440:
            self.find(
                "changed",
                manifest.at("timeout"),
                f"timeout {timeout}: an SBH job runs at most 1440 minutes (a day)",
                (*here, "timeout_minutes"),
            )
            minutes = 1440
        elif minutes * 60 != seconds:
            self.find(
                "changed",
                manifest.at("timeout"),
                f"timeout {timeout} rounded up to {minutes} whole minutes",
                (*here, "timeout_minutes"),
            )
        service["timeout_minutes"] = minutes

    def _static_site(
        self, manifest: _Manifest, here: FieldPath, service: dict[str, Any]
    ) -> set[str]:
        files = _as_list(manifest.get("files"))
        sources = [item for item in files if isinstance(item, dict)]
        if not sources or not isinstance(sources[0].get("source"), str):
            service["source"] = self.fill_in(
                (*here, "source"),
                "the directory of the site's sources (the manifest lists no files)",
                manifest.at("files") if "files" in manifest.data else manifest.path,
            )
        else:
            written = str(sources[0]["source"]).strip()
            while written.startswith("./"):
                written = written[2:]
            written = written.rstrip("/")
            parent, _, leaf = written.rpartition("/")
            where = manifest.at("files", 0, "source")
            if parent and _valid(SiteDirectory, parent) and _valid(SiteDirectory, leaf):
                service["source"], service["output"] = parent, leaf
                self.find(
                    "changed",
                    where,
                    f"Copilot uploaded {written}/ as it was; SBH builds the site in {parent} "
                    f"(build: npm ci && npm run build by default) and uploads {leaf}/: check "
                    "the build command",
                    (*here, "build"),
                )
            elif _valid(SiteDirectory, written):
                service["source"] = written
                self.find(
                    "changed",
                    where,
                    f"Copilot uploaded {written}/ as it was; SBH builds the site in {written} and "
                    "uploads its output directory (dist by default): check build and output",
                    (*here, "build"),
                )
            else:
                service["source"] = self.fill_in(
                    (*here, "source"),
                    f"the directory of the site inside the repository (Copilot had {written!r})",
                    where,
                )
            for key in sorted(set(sources[0]) - {"source", "recursive"}):
                self.find(
                    "unsupported",
                    manifest.at("files", 0, key),
                    f"files[0].{key}: SBH uploads the whole output directory to the bucket's root",
                    here,
                )
            for index in range(1, len(files)):
                self.find(
                    "unsupported",
                    manifest.at("files", index),
                    "another files entry: SBH uploads one output directory",
                    here,
                )
        http = manifest.get("http")
        if isinstance(http, dict):
            self._aliases(manifest, ("http",), http, None)
            for key in sorted(set(http) - {"alias"}):
                self.find(
                    "unsupported",
                    manifest.at("http", key),
                    f"http.{key}: SBH requests the site's certificate itself (us-east-1)",
                    here,
                )
        return {"files", "http"}

    def _overrides(self, manifest: _Manifest, here: FieldPath) -> None:
        overrides = manifest.get("environments")
        if not isinstance(overrides, dict):
            return
        for env, override in overrides.items():
            self.override_names.append(str(env))
            if not isinstance(override, dict):
                continue
            for key, value in override.items():
                if key == "http" and isinstance(value, dict) and "alias" in value:
                    self._aliases(manifest, ("environments", env, "http"), value, str(env))
                    rest = {k: v for k, v in value.items() if k not in ("alias", "hosted_zone")}
                    if not rest:
                        continue
                    value = rest
                self.find(
                    "unsupported",
                    manifest.at("environments", env, key),
                    f"override for {env}: {key} {_describe(value)}; SBH has one value per "
                    "service for every environment (the spec keeps the manifest's own value)",
                    here,
                )


def import_copilot(files: Mapping[str, str]) -> CopilotImport:
    """The sbh/v2 spec data and the findings of a Copilot workspace's `files`
    (relative path → text). Raises `CopilotImportError` when it is not a workspace."""
    importer = _Importer(files)
    application = importer.application()
    name = importer.system_name(application)
    approvals = importer.approvals()
    services: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for directory, path in importer.service_paths():
        imported = importer.service(directory, path)
        if imported is None:
            continue
        service_name, service, written_type = imported
        if service_name in services:
            importer.find(
                "unsupported",
                path,
                f"a second service named {service_name}: not imported",
            )
            continue
        services[service_name] = service
        sources[service_name] = written_type
    if not services:
        importer.find(
            "fill in",
            "copilot/",
            "no service could be imported: add at least one under services",
            ("services",),
        )
    _share_the_domain_with_the_site(importer, services)
    importer.assign_domains(importer.environment_list())
    environments = importer.environments(approvals)
    spec: dict[str, Any] = {
        "apiVersion": "sbh/v2",
        "name": name,
        "description": f"Imported from the AWS Copilot application {application}",
        "owner": importer.fill_in(
            ("owner",), "GitHub organization or user that will own the repository"
        ),
        **({"services": services} if services else {}),
        "database": None,
        "environments": environments,
    }
    order = {"fill in": 0, "unsupported": 1, "changed": 2, "note": 3}
    findings = tuple(sorted(importer.findings, key=lambda finding: order[finding.category]))
    return CopilotImport(application, spec, findings, sources)


def _share_the_domain_with_the_site(importer: _Importer, services: dict[str, Any]) -> None:
    """Copilot gives a static site its own distribution; SBH serves it and the web services
    from one domain, the site at /*. A web service Copilot routed at / must get a prefix of
    its own, which only a person can choose."""
    if not any(service.get("kind") == "static-site" for service in services.values()):
        return
    for name, service in services.items():
        if service.get("kind") == "web" and service.get("path", "/*") == "/*":
            importer.find(
                "fill in",
                f"copilot/{name}/manifest.yml",
                "the static site serves the domain's /*: this web service needs a path prefix "
                "of its own (e.g. /api/*), and its code must answer under it",
                ("services", name, "path"),
            )
            service["path"] = placeholder("a path prefix such as /api/* (the site serves /*)")
            service.pop("health_path", None)


# --- output ---------------------------------------------------------------------------------


def spec_yaml(imported: CopilotImport, command: str = "sbh import copilot") -> str:
    """The spec as YAML, headed by a comment that points at the report."""
    fill_in = len(imported.of("fill in"))
    header = [
        f"# sbh/v2 spec imported from the AWS Copilot application {imported.application}.",
        f"# The import report (`{command}` prints it) lists what was not carried over.",
    ]
    if fill_in:
        header.append(
            f"# {fill_in} value{'s are' if fill_in != 1 else ' is'} still {PLACEHOLDER}: "
            "`sbh validate` names each one until it is filled in."
        )
    header.append(
        "# No database: Copilot declares databases in addons; add `database:` if you use one."
    )
    body = yaml.safe_dump(imported.spec, sort_keys=False, allow_unicode=True, width=1000)
    return "\n".join(header) + "\n" + body


def report_markdown(imported: CopilotImport) -> str:
    """The report a person reads before deploying: what to fill in, what did not map."""
    lines = [f"# Import of the AWS Copilot application `{imported.application}`", ""]
    services = imported.spec.get("services", {})
    for name, service in services.items():
        lines.append(f"- `{name}`: {service['kind']} (from {imported.sources.get(name, '?')})")
    environments = imported.spec.get("environments", {})
    lines.append(f"- environments: {', '.join(environments) or 'none'}")
    for category, title in CATEGORY_TITLES.items():
        found = imported.of(category)
        if not found:
            continue
        lines += ["", f"## {title}", ""]
        for finding in found:
            subject = f" `{finding.field}`:" if finding.field else ""
            lines.append(f"- {finding.where}:{subject} {finding.message}")
    return "\n".join(lines) + "\n"


def report_json(imported: CopilotImport) -> dict[str, Any]:
    return {
        "application": imported.application,
        "spec": imported.spec,
        "spec_yaml": spec_yaml(imported),
        "findings": [finding.as_dict() for finding in imported.findings],
    }
