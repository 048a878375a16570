"""What an AI may propose for a spec, and how a proposal is merged: pure functions.

The proposal model has no field for what only a person may decide — the owner, account ids,
domains, hosted zones, approval and production safeguards, new environments — so a model
cannot invent them, whatever an issue's text tells it. A person's written values always win;
the proposal only fills gaps, and the merged result goes through the same validation as a
spec a person wrote.

An sbh/v2 spec has its own proposal (`SpecProposalV2`): besides the shared parts it may
propose the services themselves — names, kinds and their main fields — when the person wrote
none, and fill the gaps of the services they wrote; it never changes a written kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from renderers.complete import AnySpec, spec_as_raw_data
from renderers.spec import AnyRawSpec, RawSpec
from renderers.spec_v2 import RawSpecV2


class _Proposal(BaseModel):
    # Structured outputs need every field listed (nullable rather than optional) and no extras.
    model_config = ConfigDict(extra="forbid")


class ProposedService(_Proposal):
    port: int | None = Field(description="Container port, 1024-65535; null to keep the default.")
    health_path: str | None = Field(description="Health endpoint path such as /api/health.")
    cpu: int | None = Field(description="Fargate CPU units: 256, 512, 1024, 2048, 4096, ...")
    memory: int | None = Field(description="MiB, a valid Fargate pair with cpu.")
    desired_count: int | None = Field(description="Tasks per environment, 0-100.")


class ProposedDatabase(_Proposal):
    wanted: bool | None = Field(description="Whether the service needs a PostgreSQL database.")
    version: str | None = Field(description="PostgreSQL major version, e.g. '16'.")
    instance_class: str | None = Field(description="RDS instance class, e.g. db.t4g.micro.")
    allocated_storage: int | None = Field(description="GiB, 20 or more.")


class ProposedRegion(_Proposal):
    environment: str = Field(description="An environment the spec already names.")
    region: str = Field(description="AWS region code, e.g. us-west-2.")


class ProposedVariable(_Proposal):
    name: str = Field(description="UPPER_SNAKE_CASE setting name.")
    value: str = Field(description="A non-secret default value.")


class SpecProposal(_Proposal):
    """The fields a model may fill. Anything else is a person's decision."""

    name: str | None = Field(description="Lowercase system name with hyphens, 2-39 characters.")
    description: str | None = Field(description="One line describing the service.")
    service: ProposedService | None
    database: ProposedDatabase | None
    buckets: list[str] | None = Field(description="Logical S3 bucket names, lowercase.")
    regions: list[ProposedRegion] | None = Field(
        description="Regions for environments the spec names without one."
    )
    env: list[ProposedVariable] | None = Field(description="Plain, non-secret settings.")
    secret_names: list[str] | None = Field(
        description="Names of secrets the service needs (values are never proposed)."
    )


class ProposedWorkload(_Proposal):
    """One service of an sbh/v2 system, with the main fields of its kind (null elsewhere)."""

    name: str = Field(description="Lowercase service name with hyphens, e.g. api, mailer.")
    kind: Literal["web", "backend", "worker", "job", "static-site"] = Field(
        description=(
            "web: public HTTP behind the load balancer; backend: HTTP reached only by the "
            "other services; worker: consumes a queue; job: runs on a schedule; static-site: "
            "a built front end served from a bucket."
        )
    )
    path: str | None = Field(description="web only: the requests it answers, /* or /api/*.")
    port: int | None = Field(description="web and backend only: container port, 1024-65535.")
    health_path: str | None = Field(
        description="web and backend only: health endpoint, under the web service's path."
    )
    schedule: str | None = Field(description="job only: cron(0 3 * * ? *) or rate(1 hour), in UTC.")
    cpu: int | None = Field(description="Not static-site: Fargate CPU units, 256, 512, 1024.")
    memory: int | None = Field(description="Not static-site: MiB, a valid pair with cpu.")


class SpecProposalV2(_Proposal):
    """The fields a model may fill in an sbh/v2 spec. Anything else is a person's decision."""

    name: str | None = Field(description="Lowercase system name with hyphens, 2-39 characters.")
    description: str | None = Field(description="One line describing the system.")
    services: list[ProposedWorkload] | None = Field(
        description="The system's services: all of them when the spec has none yet, else only "
        "the spec's own services (by name) with values for their missing fields."
    )
    database: ProposedDatabase | None
    buckets: list[str] | None = Field(description="Logical S3 bucket names, lowercase.")
    regions: list[ProposedRegion] | None = Field(
        description="Regions for environments the spec names without one."
    )


AnyProposal = SpecProposal | SpecProposalV2
# The fields of a proposed workload that each kind has (the rest must stay null).
_KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "web": ("path", "port", "health_path", "cpu", "memory"),
    "backend": ("port", "health_path", "cpu", "memory"),
    "worker": ("cpu", "memory"),
    "job": ("schedule", "cpu", "memory"),
    "static-site": (),
}


def proposal_model(raw: AnyRawSpec) -> type[SpecProposal] | type[SpecProposalV2]:
    """The structured-output model a spec of this version is completed with."""
    return SpecProposalV2 if isinstance(raw, RawSpecV2) else SpecProposal


def raw_spec_data(raw: AnyRawSpec) -> dict[str, Any]:
    """A RawSpec as the data a person wrote (explicit nulls kept, defaults left out)."""
    data: dict[str, Any] = raw.model_dump(by_alias=True, exclude_unset=True, mode="json")
    return data


Fill = Callable[[dict[str, Any], str, object, str], None]


def _filler(taken: list[str]) -> Fill:
    """`fill(container, key, value, label)`: sets a missing key and notes `label` in
    `taken`."""

    def fill(container: dict[str, Any], key: str, value: object, label: str) -> None:
        if value is not None and container.get(key) is None:
            container[key] = value
            taken.append(label)

    return fill


def merge_any_proposal(raw: AnyRawSpec, proposal: AnyProposal) -> tuple[dict[str, Any], list[str]]:
    """`merge_proposal` or `merge_proposal_v2`, as the spec's version and the proposal's
    model agree (a proposal of the other version fills nothing)."""
    if isinstance(raw, RawSpecV2):
        if isinstance(proposal, SpecProposalV2):
            return merge_proposal_v2(raw, proposal)
        return raw_spec_data(raw), []
    if isinstance(proposal, SpecProposal):
        return merge_proposal(raw, proposal)
    return raw_spec_data(raw), []


def merge_proposal_v2(raw: RawSpecV2, proposal: SpecProposalV2) -> tuple[dict[str, Any], list[str]]:
    """Fill the gaps of an sbh/v2 `raw` from `proposal`: its services when the person wrote
    none, else the missing fields of the services they wrote (same name and kind; a proposed
    service they did not write is left out, and so is any field its kind does not have)."""
    data = raw_spec_data(raw)
    taken: list[str] = []
    fill = _filler(taken)
    fill(data, "name", proposal.name, "name")
    fill(data, "description", proposal.description, "description")
    written: dict[str, Any] | None = data.get("services")
    services: dict[str, Any] = dict(written or {})
    for proposed in proposal.services or []:
        current = services.get(proposed.name)
        if written:
            if not isinstance(current, dict) or current.get("kind") != proposed.kind:
                continue
        elif current is None:
            current = services[proposed.name] = {"kind": proposed.kind}
            taken.append(f"services.{proposed.name}.kind")
        for key in _KIND_FIELDS[proposed.kind]:
            fill(current, key, getattr(proposed, key), f"services.{proposed.name}.{key}")
    if services:
        data["services"] = services
    _merge_shared(raw, data, proposal.database, proposal.buckets, proposal.regions, taken)
    return data, taken


def merge_proposal(raw: RawSpec, proposal: SpecProposal) -> tuple[dict[str, Any], list[str]]:
    """Fill the gaps of `raw` from `proposal`. Returns the merged data (to be validated like
    any spec) and a line per field taken from the proposal, for the plan."""
    data = raw_spec_data(raw)
    taken: list[str] = []
    fill = _filler(taken)
    fill(data, "name", proposal.name, "name")
    fill(data, "description", proposal.description, "description")
    if proposal.service is not None:
        service: dict[str, Any] = data.get("service") or {}
        for key, value in proposal.service.model_dump().items():
            fill(service, key, value, f"service.{key}")
        if service:
            data["service"] = service
    _merge_shared(raw, data, proposal.database, proposal.buckets, proposal.regions, taken)
    secrets: list[str] = list(data.get("secrets") or [])
    variables: dict[str, Any] = dict(data.get("env") or {})
    for variable in proposal.env or []:
        if variable.name not in variables and variable.name not in secrets:
            variables[variable.name] = variable.value
            taken.append(f"env.{variable.name}")
    for secret in proposal.secret_names or []:
        if secret not in secrets and secret not in variables:
            secrets.append(secret)
            taken.append(f"secrets: {secret}")
    if variables:
        data["env"] = variables
    if secrets:
        data["secrets"] = secrets
    return data, taken


def _merge_shared(
    raw: AnyRawSpec,
    data: dict[str, Any],
    database: ProposedDatabase | None,
    buckets: list[str] | None,
    regions: list[ProposedRegion] | None,
    taken: list[str],
) -> None:
    """What both versions share: the database, the buckets, the regions of environments the
    person named (never a new environment)."""
    _merge_database(raw, data, database, taken)
    storage: dict[str, Any] = data.get("storage") or {}
    if buckets and storage.get("buckets") is None:
        data["storage"] = {**storage, "buckets": list(buckets)}
        taken.append("storage.buckets")
    environments = data.get("environments") or {}
    fill = _filler(taken)
    for proposed in regions or []:
        environment = environments.get(proposed.environment)
        if isinstance(environment, dict):
            fill(
                environment,
                "region",
                proposed.region,
                f"environments.{proposed.environment}.region",
            )


def _merge_database(
    raw: AnyRawSpec, data: dict[str, Any], proposed: ProposedDatabase | None, taken: list[str]
) -> None:
    if proposed is None or raw.says_no_database():
        return
    if raw.database is None and proposed.wanted is False:
        data["database"] = None
        taken.append("database: none")
        return
    database: dict[str, Any] = data.get("database") or {}
    for key in ("version", "instance_class", "allocated_storage"):
        value = getattr(proposed, key)
        if value is not None and database.get(key) is None:
            database[key] = value
            taken.append(f"database.{key}")
    if database:
        data["database"] = database


@dataclass(frozen=True)
class ProposedField:
    """One value a person did not write: proposed by the AI, or SBH's default."""

    field: str  # dotted path, e.g. service.port or environments.dev.region
    value: object  # the field's whole new value (a list field is proposed as the full list)
    source: Literal["ai", "default"]


_ABSENT = object()


def _leaves(data: object, prefix: str = "") -> dict[str, object]:
    """Dotted path → value; mappings are walked, anything else (lists too) is a leaf."""
    if not isinstance(data, dict):
        return {prefix: data}
    found: dict[str, object] = {}
    for key, value in data.items():
        found.update(_leaves(value, f"{prefix}.{key}" if prefix else str(key)))
    return found


def proposed_fields(
    written: AnyRawSpec, drafted: AnyRawSpec, completed: AnySpec
) -> list[ProposedField]:
    """What completion adds to what the person wrote: every field the proposal filled
    (`ai`), then every field a default filled (`default`), in spec order. Empty defaults
    (no buckets, no description) are not proposals."""
    mine = _leaves(raw_spec_data(written))
    drafted_leaves = _leaves(raw_spec_data(drafted))
    proposed = [
        ProposedField(path, value, "ai")
        for path, value in drafted_leaves.items()
        if mine.get(path, _ABSENT) != value
    ]
    for path, value in _leaves(spec_as_raw_data(completed)).items():
        if drafted_leaves.get(path) is None and value not in (None, [], {}):
            proposed.append(ProposedField(path, value, "default"))
    return proposed
