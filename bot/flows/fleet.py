"""The fleet: every system SBH built, the template version its default branch was generated
with, and template upgrades as pull requests.

An upgrade re-renders a system's own spec (its `sbh.yaml`, else the spec SBH recorded) with
the templates SBH has now, and proposes the result the way a spec change is proposed
(`bot.flows.build.three_way_update`: files the owner changed are left alone and listed as
conflicts) in ONE pull request per system, from the branch `sbh/upgrade`: a later upgrade
moves that branch and rewrites the same pull request's description instead of opening a
second one. Its description quotes the template changelog between the two versions
(`template_changelog.md` beside this module), the files it touches and the cost change.

Upgrades are jobs on the queue (`JOB_KIND`), one per system and target version (the job's
idempotency key), so replicas share them, a run stopped half-way continues where it stopped,
and nothing is opened twice. Their GitHub calls are background work
(`bot.adapters.github_limits`): webhook-driven writes go first.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from bot.db.systems import BuildRecord, SystemRecord, SystemsRepository
from bot.deploys.records import DeployRecords, DeployRow
from bot.flows.build import ThreeWayUpdate, spec_on_branch, three_way_update
from bot.jobs.context import HandlerContext
from bot.jobs.queue import ClaimedJob, JobQueue, Keyed
from bot.ports import GitHubPort, GitHubRefused, RepositoryInfo
from renderers.complete import AnySpec
from renderers.complete_v2 import SpecV2
from renderers.cost import (
    cost_difference,
    estimate_cost,
    format_cost_difference_markdown,
    format_cost_summary,
)
from renderers.render import MANIFEST_PATH, render, template_version
from renderers.render_v2 import template_version_v2

JOB_KIND = "fleet_upgrade"
UPGRADE_BRANCH = "sbh/upgrade"
CHANGELOG = Path(__file__).with_name("template_changelog.md")
MARKER = "<!-- sbh:fleet-upgrade -->"

Standing = Literal["current", "behind", "upgrading", "unknown"]
STANDINGS: tuple[Standing, ...] = ("current", "behind", "upgrading", "unknown")
PlanOutcome = Literal["upgrade", "current", "skipped"]
UpgradeOutcome = Literal["opened", "updated", "current", "skipped"]


def current_template_version(spec: AnySpec) -> str:
    """The template version SBH renders `spec` with now."""
    return template_version_v2() if isinstance(spec, SpecV2) else template_version()


def api_version(spec: AnySpec) -> str:
    return "sbh/v2" if isinstance(spec, SpecV2) else "sbh/v1"


# -- The changelog


@dataclass(frozen=True)
class ChangelogEntry:
    version: str
    api_version: str
    date: str
    notes: str  # the entry's Markdown, without its heading


_HEADING = re.compile(
    r"^## (?P<version>\S+) — (?P<api>sbh/v\d+) — (?P<date>\d{4}-\d{2}-\d{2})\s*$", re.MULTILINE
)


def parse_changelog(text: str) -> tuple[ChangelogEntry, ...]:
    """The entries of the changelog, in its order (newest first)."""
    headings = list(_HEADING.finditer(text))
    ends = [heading.start() for heading in headings[1:]] + [len(text)]
    return tuple(
        ChangelogEntry(
            heading["version"], heading["api"], heading["date"], text[heading.end() : end].strip()
        )
        for heading, end in zip(headings, ends, strict=True)
    )


@lru_cache(maxsize=1)
def template_changelog() -> tuple[ChangelogEntry, ...]:
    return parse_changelog(CHANGELOG.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class ChangelogSpan:
    """The entries after `old` up to `new` of one apiVersion; whether both were listed."""

    entries: tuple[ChangelogEntry, ...]
    old_listed: bool
    new_listed: bool


def changes_between(
    changelog: Sequence[ChangelogEntry], api: str, old: str | None, new: str
) -> ChangelogSpan:
    series = [entry for entry in changelog if entry.api_version == api]
    versions = [entry.version for entry in series]
    start = versions.index(new) if new in versions else 0
    stop = versions.index(old) if old in versions else len(series)
    return ChangelogSpan(tuple(series[start:stop]), old in versions, new in versions)


def changelog_markdown(span: ChangelogSpan, old: str | None, new: str) -> str:
    lines = []
    if not span.new_listed:
        lines.append(f"SBH's template changelog has no entry for {new} yet.")
    if not span.old_listed:
        lines.append(
            f"The changelog does not list {old or 'the version this repository was built with'}"
            ": every entry up to the new version follows."
        )
    for entry in span.entries:
        lines += ["", f"#### {entry.version} ({entry.date})", "", entry.notes]
    if not span.entries:
        lines.append("No changelog entry lies between the two versions.")
    return "\n".join(lines).strip()


# -- The fleet as SBH recorded it


@dataclass(frozen=True)
class UpgradeState:
    """The system's last upgrade: queued or running (its job), or what its build ended in."""

    target_version: str
    status: str  # queued, running, parked, or a build's: updated, unchanged, skipped, failed
    pull_request: int | None = None
    pull_request_url: str | None = None
    note: str | None = None  # why it was skipped or failed


@dataclass(frozen=True)
class FleetEntry:
    system: SystemRecord
    api_version: str | None  # None: SBH can no longer read the recorded spec
    template_version: str
    target_version: str | None
    standing: Standing
    upgrade: UpgradeState | None
    last_deploy: DeployRow | None
    health: dict[str, bool]  # environment -> up, from the last probes


@dataclass(frozen=True)
class FleetView:
    entries: list[FleetEntry]
    counts: dict[str, int]  # per standing, over the systems the filter's owner selects


def upgrade_key(system_id: int, target_version: str) -> str:
    """The idempotency key of a system's upgrade to a template version."""
    return f"{JOB_KIND}:{system_id}:{target_version}"


def _upgrade_state(
    key_status: str | None, last: tuple[str, BuildRecord] | None, target: str, pulls_url: str
) -> UpgradeState | None:
    if key_status in ("pending", "running", "parked"):
        status = "queued" if key_status == "pending" else key_status
        return UpgradeState(target, status)
    if last is None:
        return None
    version, build = last
    number = build.pull_request_number
    return UpgradeState(
        version,
        build.status,
        number,
        f"{pulls_url}/{number}" if number is not None else None,
        build.error,
    )


def _standing(record_version: str, target: str | None, upgrade: UpgradeState | None) -> Standing:
    if target is None:
        return "unknown"
    if record_version == target:
        return "current"
    in_flight = upgrade is not None and upgrade.target_version == target
    if in_flight and upgrade is not None and upgrade.status in ("queued", "running", "updated"):
        return "upgrading"
    return "behind"


def fleet_view(
    systems: SystemsRepository,
    deploys: DeployRecords,
    queue: JobQueue,
    *,
    web_url: str,
    owner: str | None = None,
    behind_only: bool = False,
    visible: frozenset[str] | None = None,
) -> FleetView:
    """Every system (of `owner`, among the lower-case `owner/name`s `visible`: all when None)
    with its template version, standing, upgrade, last deploy and health; `behind_only` keeps
    those not current. The counts are over every system selected, whatever `behind_only`."""
    records = [
        record
        for record in systems.every(owner)
        if visible is None or record.full_name.lower() in visible
    ]
    ids = [record.id for record in records]
    targets = {
        record.id: current_template_version(record.spec) if record.spec else None
        for record in records
    }
    keys = {
        record.id: upgrade_key(record.id, target)
        for record in records
        if (target := targets[record.id]) is not None
    }
    job_status = queue.statuses(list(keys.values()))
    upgrades = systems.last_upgrades(ids)
    deployed = deploys.latest_deployments(ids)
    probed = deploys.health(ids)
    entries = []
    for record in records:
        target = targets[record.id]
        upgrade = _upgrade_state(
            job_status.get(keys.get(record.id, "")),
            upgrades.get(record.id),
            target or "",
            f"{web_url.rstrip('/')}/{record.full_name}/pull",
        )
        latest = [row for (system_id, _), row in deployed.items() if system_id == record.id]
        entries.append(
            FleetEntry(
                system=record,
                api_version=api_version(record.spec) if record.spec else None,
                template_version=record.template_version,
                target_version=target,
                standing=_standing(record.template_version, target, upgrade),
                upgrade=upgrade,
                last_deploy=max(latest, key=lambda row: row.updated_at, default=None),
                health={
                    environment: row.up
                    for (system_id, environment), row in sorted(probed.items())
                    if system_id == record.id
                },
            )
        )
    counts = Counter(entry.standing for entry in entries)
    shown = [entry for entry in entries if entry.standing != "current"] if behind_only else entries
    return FleetView(shown, {standing: counts.get(standing, 0) for standing in STANDINGS})


# -- One system's upgrade


@dataclass(frozen=True)
class UpgradePlan:
    """What an upgrade of one system would do, found with reads only (the dry run)."""

    system: SystemRecord
    outcome: PlanOutcome
    reason: str = ""
    repository: RepositoryInfo | None = None
    from_version: str | None = None
    to_version: str | None = None
    changes: ThreeWayUpdate | None = None
    changelog: ChangelogSpan | None = None
    cost: str = ""

    @property
    def files(self) -> list[str]:
        return sorted(self.changes.changed) if self.changes else []

    @property
    def conflicts(self) -> list[str]:
        return list(self.changes.conflicts) if self.changes else []


@dataclass(frozen=True)
class UpgradeResult:
    system: SystemRecord
    outcome: UpgradeOutcome
    reason: str = ""
    to_version: str | None = None
    pull_request: tuple[int, str] | None = None
    conflicts: tuple[str, ...] = field(default_factory=tuple)


def _skipped(system: SystemRecord, reason: str) -> UpgradePlan:
    return UpgradePlan(system, "skipped", reason)


def plan_upgrade(github: GitHubPort | None, system: SystemRecord) -> UpgradePlan:
    """Read what `system`'s repository holds and what the templates would change there.
    `github` is None when the App's installation is known to be gone."""
    if github is None or system.installation_id is None:
        return _skipped(system, f"the SBH App is no longer installed on {system.owner}")
    try:
        repository = github.get_repository(system.full_name)
    except GitHubRefused as refused:
        return _skipped(system, f"GitHub refused to show {system.full_name} ({refused})")
    if repository is None:
        return _skipped(
            system,
            f"{system.full_name} is gone: deleted, or the App's installation on "
            f"{system.owner} no longer reaches it",
        )
    if repository.archived:
        return _skipped(system, f"{system.full_name} is archived (read-only)")
    manifest_text = github.read_file(repository.full_name, MANIFEST_PATH)
    try:
        manifest = json.loads(manifest_text) if manifest_text is not None else None
    except ValueError:
        manifest = None
    if not isinstance(manifest, dict):
        return _skipped(
            system, f"{repository.full_name} has no readable {MANIFEST_PATH} on its default branch"
        )
    recorded = str(manifest.get("template_version") or "") or None
    on_branch = spec_on_branch(github, repository)
    spec = on_branch or system.spec
    if spec is None:
        return _skipped(system, "neither its sbh.yaml nor the spec SBH recorded can be read")
    target = current_template_version(spec)
    if recorded == target:
        return UpgradePlan(system, "current", "", repository, recorded, target)
    changes = three_way_update(
        manifest, github.tree_blobs(repository.full_name, repository.default_branch), render(spec)
    )
    return UpgradePlan(
        system,
        "upgrade",
        "",
        repository,
        recorded,
        target,
        changes,
        changes_between(template_changelog(), api_version(spec), recorded, target),
        _cost_text(on_branch, spec),
    )


def _cost_text(before: AnySpec | None, after: AnySpec) -> str:
    estimate = estimate_cost(after)
    if before is None:
        return format_cost_summary(estimate) + "."
    difference = cost_difference(estimate_cost(before), estimate)
    if difference.change == 0 and all(env.status == "unchanged" for env in difference.environments):
        return f"The cost estimate does not change: {format_cost_summary(estimate)}."
    return format_cost_difference_markdown(difference)


def pull_request_title(plan: UpgradePlan) -> str:
    return f"SBH: upgrade {plan.system.name} to template {plan.to_version}"


def pull_request_body(plan: UpgradePlan) -> str:
    assert plan.changes is not None and plan.changelog is not None and plan.to_version
    changed, conflicts, retired = plan.files, plan.conflicts, plan.changes.retired
    lines = [
        MARKER,
        f"SBH's templates changed since this repository was generated: template "
        f"{plan.from_version or 'unknown'} → {plan.to_version}. These are the re-rendered "
        "files; the spec is unchanged. SBH keeps this one pull request up to date with its "
        f"newest templates (branch `{UPGRADE_BRANCH}`).",
        "",
        "### What changed in the templates",
        "",
        changelog_markdown(plan.changelog, plan.from_version, plan.to_version),
        "",
        "### Cost",
        "",
        plan.cost.rstrip(),
        "",
        f"### Changed or added ({len(changed)})",
        "",
        *(f"- `{path}`" for path in changed),
    ]
    if conflicts:
        lines += [
            "",
            f"### Conflicts ({len(conflicts)})",
            "",
            "You changed these since SBH generated them, and the new templates change them "
            "too. Your version is kept; compare with a fresh `sbh build` of `sbh.yaml` and "
            "merge by hand:",
            *(f"- `{path}`" for path in conflicts),
        ]
    if retired.deleted:
        lines += [
            "",
            f"### Deleted ({len(retired.deleted)})",
            "",
            "No longer generated, and unchanged since SBH generated them:",
            *(f"- `{path}`" for path in retired.deleted),
        ]
    if retired.kept:
        lines += [
            "",
            "No longer generated, but you changed them (left in place; delete them if you do "
            "not need them):",
            *(f"- `{path}`" for path in retired.kept),
        ]
    return "\n".join(lines) + "\n"


def upgrade_system(
    github: GitHubPort | None, systems: SystemsRepository, system: SystemRecord
) -> UpgradeResult:
    """Open (or update in place) the system's upgrade pull request; record the outcome as an
    upgrade build. Every step is safe to repeat: the branch is moved, the open pull request
    from it found, so a run that stopped half-way leaves one pull request when run again."""
    plan = plan_upgrade(github, system)
    build_id = systems.start_upgrade(system, plan.to_version or system.template_version)
    if plan.from_version is not None:
        systems.record_template_version(system.id, plan.from_version)
    if plan.outcome == "skipped" or github is None:
        systems.finish_build(build_id, "skipped", error=plan.reason)
        return UpgradeResult(system, "skipped", plan.reason)
    if plan.outcome == "current":
        systems.finish_build(build_id, "unchanged")
        return UpgradeResult(system, "current", to_version=plan.to_version)
    assert plan.repository is not None and plan.changes is not None
    repository = plan.repository
    try:
        sha = github.push_tree(
            repository.full_name,
            UPGRADE_BRANCH,
            plan.changes.changed,
            f"Upgrade {system.name} to SBH template {plan.to_version}",
            replace_tree=False,
            new_branch_from=repository.default_branch,
            deleted=plan.changes.retired.deleted,
        )
        title, body = pull_request_title(plan), pull_request_body(plan)
        earlier = systems.upgrade_pull_request(system.id)
        number, url = github.open_pull_request(
            repository.full_name, UPGRADE_BRANCH, repository.default_branch, title, body
        )
        if number == earlier:
            github.update_pull_request(repository.full_name, number, title, body)
    except GitHubRefused as refused:
        reason = f"GitHub refused the upgrade of {repository.full_name}: {refused}"
        systems.finish_build(build_id, "skipped", error=reason)
        return UpgradeResult(system, "skipped", reason, plan.to_version)
    except Exception as error:
        systems.finish_build(build_id, "failed", error=repr(error))
        raise
    systems.finish_build(build_id, "updated", commit_sha=sha, pull_request_number=number)
    return UpgradeResult(
        system,
        "updated" if number == earlier else "opened",
        to_version=plan.to_version,
        pull_request=(number, url),
        conflicts=plan.changes.conflicts,
    )


# -- Upgrades as jobs on the queue


@dataclass(frozen=True)
class Enqueued:
    keys: list[str]  # every selected system's job key, new or not
    new: int
    unreadable: list[str]  # systems whose recorded spec SBH cannot read


def select_systems(
    systems: SystemsRepository, names: Iterable[str], *, every_behind: bool, owner: str | None
) -> tuple[list[SystemRecord], list[str]]:
    """The systems named (`owner/name` or `name`), or every one behind; and unknown names."""
    if every_behind:
        return [
            record
            for record in systems.every(owner)
            if record.spec is None
            or record.template_version != current_template_version(record.spec)
        ], []
    chosen, unknown = [], []
    for name in names:
        found_owner, _, found_name = name.rpartition("/")
        record = systems.find(found_name, found_owner or owner)
        if record is None:
            unknown.append(name)
        else:
            chosen.append(record)
    return chosen, unknown


def enqueue_upgrades(queue: JobQueue, records: Sequence[SystemRecord]) -> Enqueued:
    """One job per system and target version; a parked one (it kept failing) is given new
    attempts, one done already is not done again."""
    jobs, unreadable = [], []
    for record in records:
        if record.spec is None:
            unreadable.append(record.full_name)
            continue
        target = current_template_version(record.spec)
        jobs.append(
            Keyed(
                upgrade_key(record.id, target),
                {"system_id": record.id, "target_version": target},
            )
        )
    keys = [job.key for job in jobs]
    new = queue.enqueue_once(JOB_KIND, jobs)
    queue.retry_parked(keys)
    return Enqueued(keys, len(new), unreadable)


def progress(queue: JobQueue, keys: Sequence[str]) -> Counter[str]:
    """How many of these jobs are pending, running, done or parked."""
    return Counter(queue.statuses(list(keys)).values())


def run_fleet_upgrade(job: ClaimedJob, context: HandlerContext) -> str:
    """The `fleet_upgrade` job: one system's upgrade. The composition registers it as
    background GitHub work (`bot.adapters.github_limits.in_background`)."""
    payload = job.payload or {}
    system = context.systems.by_id(int(payload["system_id"]))
    if system is None:
        return "gone"
    installation = system.installation_id
    lost = installation is None or context.installations.lost(installation)
    github = None if lost or installation is None else context.github(installation)
    return upgrade_system(github, context.systems, system).outcome
