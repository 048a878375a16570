"""A person asks to deploy or roll back a built system — by `/sbh deploy|rollback` in a
comment or with the web app's buttons — and this is the one code path both take: the
environment and whether it is production come from the system's recorded spec (never from
wherever the request was typed), the permission rule is checked, the deploy starts, and the
system's status comment shows it. An sbh/v2 system deploys one of its services, or all of
them; the service must be one the recorded spec has."""

from __future__ import annotations

from bot.db.systems import SystemRecord, SystemsRepository
from bot.deploys.records import DeployRecords
from bot.deploys.services import ALL_SERVICES, unknown_service
from bot.deploys.start import DeployVerb, Refused, Started, start_deploy
from bot.flows.outcomes import report_system_status
from bot.flows.permissions import changing, check_permission
from bot.ports import GitHubPort


def request_deploy(
    github: GitHubPort,
    systems: SystemsRepository,
    records: DeployRecords,
    system: SystemRecord,
    verb: DeployVerb,
    environment: str,
    image_tag: str | None,
    *,
    service: str | None = None,
    login: str,
    permission_on: str,
    request_key: str,
) -> Started | Refused:
    """`login` asks for `verb` of `system` to `environment`; their permission is asked of
    GitHub on `permission_on` (the repository where they asked). `request_key` names the
    request: asked again under the same key (its job retried), nothing is dispatched twice.
    `service` (an sbh/v2 system's; None there means all of them) must be left out for an
    sbh/v1 system."""
    spec = system.spec
    found = spec.environments.get(environment) if spec else None
    if found is None:
        known = ", ".join(system.environment_names) or "none SBH can read"
        return Refused(
            "unknown_environment",
            f"`{environment}` is not an environment of {system.full_name} (known: {known}).",
        )
    assert spec is not None  # it has the environment
    if service is not None and (why := unknown_service(spec, service)) is not None:
        return Refused("unknown_service", why)
    if service is None and system.services:
        service = ALL_SERVICES
    refused = check_permission(github, permission_on, login, verb, changing(found.production))
    if refused is not None:
        return refused
    outcome = start_deploy(
        github, records, system, verb, environment, image_tag, login, request_key, service
    )
    if isinstance(outcome, Started):
        report_system_status(github, systems, records, system)
    return outcome
