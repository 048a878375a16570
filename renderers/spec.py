"""The spec a person writes (`RawSpec`) and how it is loaded: `load_spec(text, source)`.

`RawSpec` keeps exactly what was written — every field optional, unknown keys refused — and
`load_spec` reports every problem at once with file, line, column and field path.
Completion into a full `Spec` lives in `renderers.complete`.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from renderers.fields import (
    AccountId,
    BucketName,
    Cpu,
    Description,
    DesiredCount,
    DomainName,
    EnvironmentName,
    GitHubOwner,
    HealthPath,
    HostedZoneId,
    InstanceClass,
    Memory,
    Port,
    PostgresVersion,
    Region,
    StorageGiB,
    SystemName,
    VariableName,
    VariableValue,
    did_you_mean,
    fargate_pair_problem,
)
from renderers.problems import FieldPath, SpecError, SpecProblem
from renderers.yaml_source import LocatedDocument, YamlProblems, read_yaml

API_VERSION = "sbh/v1"
MAX_ENVIRONMENTS = 5
MAX_BUCKETS = 10
MAX_SECRETS = 50
MAX_VARIABLES = 100
# Marks a value a person still has to write (`sbh import` leaves what it cannot know this way):
# any field holding "REPLACE-ME: what to write" is reported as exactly that.
PLACEHOLDER = "REPLACE-ME"


class _Raw(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


class RawService(_Raw):
    """How the container runs. Sizes are Fargate CPU units and MiB."""

    port: Port | None = Field(
        default=None, description="Port the app listens on inside the container."
    )
    health_path: HealthPath | None = Field(
        default=None, description="Path answering 200 when healthy."
    )
    cpu: Cpu | None = Field(default=None, description="Fargate CPU units (256 = 0.25 vCPU).")
    memory: Memory | None = Field(default=None, description="MiB; must fit the cpu on Fargate.")
    desired_count: DesiredCount | None = Field(
        default=None, description="Tasks to run per environment."
    )


class RawDatabase(_Raw):
    """An RDS PostgreSQL instance in private subnets; its password lives in Secrets Manager."""

    engine: Literal["postgres"] | None = None
    version: PostgresVersion | None = Field(default=None, description="Major version.")
    instance_class: InstanceClass | None = None
    allocated_storage: StorageGiB | None = Field(default=None, description="GiB.")
    multi_az: bool | None = None


class RawStorage(_Raw):
    """S3 buckets: private, versioned, encrypted, TLS only."""

    buckets: list[BucketName] | None = Field(default=None, max_length=MAX_BUCKETS)


class RawEnvironment(_Raw):
    """One AWS account + region the system deploys to."""

    aws_account_id: AccountId | None = Field(default=None, description="12 digits, quoted.")
    region: Region | None = None
    domain: DomainName | None = Field(default=None, description="Public HTTPS name of the service.")
    hosted_zone_id: HostedZoneId | None = Field(
        default=None,
        description="Route 53 zone for DNS validation of the certificate and the alias record.",
    )
    approval: bool | None = Field(default=None, description="Deploys wait for a reviewer.")
    production: bool | None = Field(
        default=None,
        description="Production safeguards (deletion protection, NAT per AZ, admin to deploy).",
    )


class RawSpec(_Raw):
    """An SBH spec as a person wrote it. Every field is optional here; completion fills the rest."""

    model_config = ConfigDict(title="SBH spec (sbh/v1)")

    api_version: Literal["sbh/v1"] | None = Field(default=None, alias="apiVersion")
    name: SystemName | None = Field(
        default=None, description="Repository, ECR, ECS and bucket names derive from it."
    )
    description: Description | None = None
    owner: GitHubOwner | None = Field(
        default=None, description="GitHub organization or user that owns the repository."
    )
    runtime: Literal["python-fastapi"] | None = None
    service: RawService | None = None
    database: RawDatabase | None = Field(default=None, description="null for no database.")
    storage: RawStorage | None = None
    environments: dict[EnvironmentName, RawEnvironment] | None = Field(
        default=None, min_length=1, max_length=MAX_ENVIRONMENTS
    )
    env: dict[VariableName, VariableValue] | None = Field(
        default=None,
        max_length=MAX_VARIABLES,
        description="Plain settings, set in every environment.",
    )
    secrets: list[VariableName] | None = Field(
        default=None,
        max_length=MAX_SECRETS,
        description="Names only; values live in Secrets Manager.",
    )

    # Where each field was written, when the spec came from text (for later problems).
    _document: LocatedDocument | None = PrivateAttr(default=None)

    def problem(self, path: FieldPath, message: str, source: str = "spec.yaml") -> SpecProblem:
        """A problem located in the text this spec was loaded from, when there was one."""
        if self._document is not None:
            return self._document.problem(path, message)
        return SpecProblem(source, 1, 1, path, message)

    def says_no_database(self) -> bool:
        """`database: null` written explicitly, as opposed to left out."""
        return "database" in self.model_fields_set and self.database is None


def load_spec(text: str, source: str = "spec.yaml") -> AnyRawSpec:
    """Parse and check what a person wrote, v1 or v2 by its `apiVersion`. Raises `SpecError`
    listing every problem."""
    try:
        document = read_yaml(text, source)
    except YamlProblems as unreadable:
        raise SpecError(unreadable.problems) from None
    return _validated(document)


def validate_spec_data(data: object, source: str = "spec") -> AnyRawSpec:
    """Check data that did not come from text (a merged AI proposal, a web form) by the same
    rules as `load_spec`. Problems carry field paths but no line numbers."""
    return _validated(LocatedDocument(source=source, data=data))


def _validated(document: LocatedDocument) -> AnyRawSpec:
    if not isinstance(document.data, dict):
        raise SpecError(
            [document.problem((), "a spec is a mapping of keys (apiVersion: sbh/v1, name: ...)")]
        )
    root: type[RawSpec] | type[RawSpecV2]
    version = document.data.get("apiVersion")
    # A version SBH does not know is reported as such; the rest is checked by the version
    # the spec's shape suggests, so that a v2-shaped spec is not told `services` is unknown.
    if version == API_VERSION_V2 or (version != API_VERSION and "services" in document.data):
        root = RawSpecV2
        problems = list(document.problems) + relational_problems_v2(document)
        problems += _shared_relational_problems(document)
    else:
        root = RawSpec
        problems = list(document.problems) + relational_problems(document)
    try:
        raw = root.model_validate(document.data)
    except ValidationError as error:
        # A value YAML could not give us is already reported; don't report its absence too.
        problems += [
            problem
            for problem in (_problem_from_pydantic(document, item, root) for item in error.errors())
            if not any(problem.path[: len(path)] == path for path in document.unreadable)
        ]
    if problems:
        raise SpecError(problems)
    raw._document = document
    return raw


def relational_problems(document: LocatedDocument) -> list[SpecProblem]:
    """Rules between fields. They read the raw data defensively so that they report even
    when other fields have type errors (pydantic would skip a model validator then)."""
    data = document.data
    problems: list[SpecProblem] = []
    problems += _shared_relational_problems(document)
    service = data.get("service")
    if isinstance(service, dict):
        cpu, memory = service.get("cpu"), service.get("memory")
        if (cpu is None or _is_int(cpu)) and _is_int(memory):
            reason = fargate_pair_problem(cpu, memory)
            if reason:
                problems.append(document.problem(("service", "memory"), reason))
    problems += _duplicate_items(document, ("secrets",))
    secrets = data.get("secrets")
    env = data.get("env")
    if isinstance(secrets, list) and isinstance(env, dict):
        for index, secret in enumerate(secrets):
            if isinstance(secret, str) and secret in env and secrets.index(secret) == index:
                problems.append(
                    document.problem(
                        ("secrets", index),
                        f"{secret} is both a secret and a plain env setting; keep it in one place "
                        "(secrets for anything sensitive)",
                    )
                )
    return problems


def _shared_relational_problems(document: LocatedDocument) -> list[SpecProblem]:
    """Rules of the parts v1 and v2 share: buckets and environments."""
    data = document.data
    problems = _duplicate_items(document, ("storage", "buckets"))
    environments = data.get("environments")
    if isinstance(environments, dict):
        seen_domains: dict[str, str] = {}
        for env_name, environment in environments.items():
            if not isinstance(environment, dict) or not isinstance(environment.get("domain"), str):
                continue
            if not environment["domain"]:
                continue  # an empty domain is reported by the field's own check
            domain = environment["domain"]
            if domain in seen_domains:
                problems.append(
                    document.problem(
                        ("environments", env_name, "domain"),
                        f"{domain} is already the domain of environment {seen_domains[domain]}",
                    )
                )
            seen_domains.setdefault(domain, env_name)
    return problems


def _is_int(value: object) -> typing.TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _duplicate_items(document: LocatedDocument, path: FieldPath) -> list[SpecProblem]:
    value: Any = document.data
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    if not isinstance(value, list):
        return []
    problems = []
    first_index: dict[object, int] = {}
    for index, item in enumerate(value):
        if not isinstance(item, str):
            continue
        if item in first_index:
            first_line = document.position_of_value((*path, first_index[item])).line
            problems.append(
                document.problem(
                    (*path, index), f"{item} is listed twice (first on line {first_line})"
                )
            )
        first_index.setdefault(item, index)
    return problems


_YAML_TYPE_NAMES: dict[type, str] = {
    bool: "true/false",
    int: "a number",
    float: "a number",
    str: "a string",
    dict: "a mapping",
    list: "a list",
    type(None): "nothing (null)",
}


def _yaml_type(value: object) -> str:
    return _YAML_TYPE_NAMES.get(type(value), type(value).__name__)


def _problem_from_pydantic(
    document: LocatedDocument, error: Any, root: type[BaseModel] = RawSpec
) -> SpecProblem:
    loc: tuple[str | int, ...] = tuple(error["loc"])
    kind: str = error["type"]
    value = error.get("input")
    # A service's errors carry its kind as a step of the path (the union's tag): the text has
    # no such step, so the tag only chooses which kind's keys are allowed.
    tag: str | None = None
    if len(loc) >= 3 and loc[0] == "services" and loc[2] in KIND_NAMES:
        tag = str(loc[2])
        loc = (*loc[:2], *loc[3:])
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        written = value.get("kind") if isinstance(value, dict) else None
        where = (*loc, "kind") if written is not None else loc
        hint = did_you_mean(str(written), list(KIND_NAMES)) if written is not None else ""
        message = (
            f"{written!r} is not a kind{hint}; use one of {', '.join(KIND_NAMES)}"
            if written is not None
            else f"every service needs a kind: one of {', '.join(KIND_NAMES)}"
        )
        if not isinstance(value, dict):
            message = _message_for("dict_type", error, value)
        return document.problem(where, message, at_key=written is None)
    if loc and loc[-1] == "[key]":
        key_path = loc[:-1]
        return document.problem(key_path, error["msg"], at_key=True)
    if loc == ("apiVersion",) and kind in ("literal_error", "missing"):
        return document.problem(loc, _version_message(value, kind), at_key=kind == "missing")
    if (
        kind == "extra_forbidden"
        and len(loc) == 1
        and root is RawSpecV2
        and loc[0] in V1_KEYS_IN_V2
    ):
        return document.problem(loc, V1_KEYS_IN_V2[str(loc[0])], at_key=True)
    if kind == "extra_forbidden" and loc == ("services",):
        return document.problem(
            loc,
            "services of several kinds need apiVersion: sbh/v2 at the top; an sbh/v1 spec "
            "has one `service:`",
            at_key=True,
        )
    if kind == "too_short" and loc == ("services",):
        return document.problem(loc, "at least one service, e.g. api: {kind: web}")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = sorted(_allowed_keys(loc[:-1], root, tag))
        return document.problem(
            loc,
            f"unknown key '{key}'{did_you_mean(key, allowed)}; allowed here: {', '.join(allowed)}",
            at_key=True,
        )
    if isinstance(value, str) and value.startswith(PLACEHOLDER):
        wanted = value.removeprefix(PLACEHOLDER).lstrip(": ") or "a value"
        return document.problem(loc, f"still to fill in: {wanted}")
    message = _message_for(kind, error, value)
    if loc and loc[-1] == "aws_account_id":
        message = _account_id_hint(document, loc) or message
    return document.problem(loc, message)


def _version_message(value: object, kind: str) -> str:
    versions = f"{API_VERSION} (one web service) or {API_VERSION_V2} (services of several kinds)"
    if kind == "missing":
        return f"required: apiVersion: {API_VERSION_V2} for a spec with services"
    return f"{value!r} is not a version of the SBH spec; use {versions}"


def _message_for(kind: str, error: Any, value: object) -> str:
    context = error.get("ctx") or {}
    expected = {
        "string_type": "a string",
        "int_type": "a whole number",
        "bool_type": "true or false",
        "dict_type": "a mapping (key: value)",
        "model_type": "a mapping (key: value)",
        "model_attributes_type": "a mapping (key: value)",
        "list_type": "a list",
    }.get(kind)
    if expected:
        hint = (
            "; quote it" if kind == "string_type" and isinstance(value, int | float | bool) else ""
        )
        return f"expected {expected}, got {_yaml_type(value)}{hint}"
    if kind == "literal_error":
        return f"{value!r} is not allowed; use {context.get('expected', 'a listed value')}"
    if kind == "too_long":
        return f"too many entries: at most {context.get('max_length')}"
    if kind == "too_short":
        return f"needs at least {context.get('min_length')} entry"
    return str(error["msg"])


def _account_id_hint(document: LocatedDocument, loc: FieldPath) -> str | None:
    written = document.scalar_texts.get(loc)
    if written is None or written.quoted or not written.text.startswith("0"):
        return None
    return (
        f"YAML read the unquoted {written.text} as the octal number {document.data_at(loc)}; "
        f'quote it: aws_account_id: "{written.text}"'
    )


def _allowed_keys(loc: FieldPath, root: type[BaseModel], tag: str | None = None) -> set[str]:
    annotation: Any = root
    for part in loc:
        annotation = _unwrap(annotation, tag)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                field = next((f for f in annotation.model_fields.values() if f.alias == part), None)
            if field is None:
                return set()
            annotation = field.annotation
        elif get_origin(annotation) is dict:
            annotation = get_args(annotation)[1]
        else:
            return set()
    annotation = _unwrap(annotation, tag)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {field.alias or name for name, field in annotation.model_fields.items()}
    return set()


def _unwrap(annotation: Any, tag: str | None = None) -> Any:
    """Strip `X | None` and `Annotated[X, ...]` down to X; of a union of service kinds, the
    one whose `kind` is `tag`."""
    while True:
        origin = get_origin(annotation)
        if origin is typing.Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [arg for arg in get_args(annotation) if arg is not type(None)]
            tagged = [
                option
                for option in options
                if isinstance(option, type)
                and issubclass(option, BaseModel)
                and "kind" in option.model_fields
                and get_args(option.model_fields["kind"].annotation) == (tag,)
            ]
            if len(tagged) == 1:
                return tagged[0]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation


def spec_json_schema() -> dict[str, Any]:
    """The JSON Schema editors use to check `spec.yaml` (`sbh schema`): v1's, unchanged."""
    schema = RawSpec.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
    }


def spec_json_schema_v2() -> dict[str, Any]:
    """The JSON Schema of an sbh/v2 spec (a generated system's `.sbh/spec.schema.json`)."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **_raw_spec_v2_schema()}


def _raw_spec_v2_schema() -> dict[str, Any]:
    schema = RawSpecV2.model_json_schema(by_alias=True)
    for name in ("services", "environments"):
        for option in schema["properties"][name].get("anyOf", ()):
            _close_keys(option)
    return schema


def _close_keys(mapping: dict[str, Any]) -> None:
    """pydantic writes a map with a key rule as `patternProperties`, which lets every key that
    breaks the rule through unchecked; refuse such keys as `load_spec` does."""
    patterns = mapping.pop("patternProperties", None)
    if not patterns:
        return
    [(pattern, values)] = patterns.items()
    mapping["propertyNames"] = {**mapping.get("propertyNames", {}), "pattern": pattern}
    mapping["additionalProperties"] = values


def spec_json_schema_any() -> dict[str, Any]:
    """One schema for either version, chosen by `apiVersion` (what `sbh schema` prints)."""
    v1, v2 = RawSpec.model_json_schema(by_alias=True), _raw_spec_v2_schema()
    definitions = {**v1.pop("$defs", {}), **v2.pop("$defs", {})}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "SBH spec",
        "$defs": definitions,
        "if": {"properties": {"apiVersion": {"const": API_VERSION_V2}}, "required": ["apiVersion"]},
        "then": v2,
        "else": v1,
    }


# Defined after v1's models, which v2 shares (database, storage, environments).
from renderers.spec_v2 import (  # noqa: E402
    API_VERSION_V2,
    KIND_NAMES,
    V1_KEYS_IN_V2,
    RawSpecV2,
    relational_problems_v2,
)

AnyRawSpec = RawSpec | RawSpecV2
