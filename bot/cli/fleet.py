"""`sbh fleet` and `sbh fleet upgrade`: every system SBH built and its template version, and
upgrade pull requests for those behind (`bot.flows.fleet`).

`sbh fleet upgrade` queues one job per system and template version on the shared queue (a
second run queues nothing new: it resumes, and retries what was parked) and follows their
progress (a bar on a terminal) until they are done; the service's workers (`sbh serve`,
`sbh worker`) do them, or this process with `--drain`. `--dry-run` reads each repository
and prints what its upgrade would change, writing nothing to GitHub and queueing nothing.
"""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.configured import operator_settings, service_settings
from bot.cli.console import err, fail, out

if TYPE_CHECKING:
    from bot.db.database import Database
    from bot.db.systems import SystemRecord, SystemsRepository
    from bot.flows.fleet import UpgradePlan
    from bot.jobs.queue import JobQueue
    from bot.settings import Settings

app = typer.Typer(help="Every system SBH built, and template upgrades for those behind.")

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON (and nothing else) on stdout.")]
Owner = Annotated[str | None, typer.Option(help="Only the systems of this owner.")]
BAR_WIDTH = 30
NO_PROGRESS_HINT_SECONDS = 30.0


@app.callback(invoke_without_command=True)
def fleet(
    context: typer.Context,
    behind: Annotated[bool, typer.Option("--behind", help="Only systems not current.")] = False,
    owner: Owner = None,
    as_json: AsJson = False,
) -> None:
    """List every system with its template version, whether it is behind, its upgrade pull
    request, last deploy and health."""
    if context.invoked_subcommand is not None:
        return
    from bot.api.fleet import fleet_page
    from bot.cli.operations import database_of

    settings = operator_settings()
    with database_of(settings) as database:
        page = fleet_page(
            database, settings.github_web_url, owner=owner, behind_only=behind
        ).model_dump(mode="json")
    if as_json:
        out(json.dumps(page, indent=2))
        return
    for system in page["systems"]:
        upgrade = system["upgrade"] or {}
        pull = upgrade.get("pull_request_url") or upgrade.get("status") or ""
        deploy = system["last_deploy"] or {}
        last = f"{deploy['environment']} {deploy['state']}" if deploy else "not deployed"
        health = " ".join(
            f"{environment}:{'up' if up else 'down'}"
            for environment, up in system["health"].items()
        )
        out(
            f"{system['repository']:<40} {system['template_version']:<20} "
            f"{system['standing']:<10} {pull:<45} {last:<20} {health}".rstrip()
        )
    counts = page["counts"]
    out(
        f"{len(page['systems'])} system(s): {counts['current']} current, {counts['behind']} "
        f"behind, {counts['upgrading']} upgrading, {counts['unknown']} unknown"
    )


@app.command()
def upgrade(
    names: Annotated[
        list[str] | None, typer.Argument(help="Systems to upgrade (owner/name or name).")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Every system behind.")] = False,
    owner: Owner = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what each would get; change nothing.")
    ] = False,
    drain: Annotated[
        bool,
        typer.Option(
            "--drain",
            help="Work the queue in this process (every kind of job, as `sbh worker` does) "
            "until these upgrades are done.",
        ),
    ] = False,
    wait: Annotated[bool, typer.Option(help="Follow the upgrades until they are done.")] = True,
    as_json: AsJson = False,
) -> None:
    """Open (or update) one upgrade pull request per system."""
    if every == bool(names):
        fail("name the systems to upgrade, or pass --all for every one behind")
    from bot.cli.operations import database_of
    from bot.db.systems import SystemsRepository
    from bot.flows.fleet import select_systems

    settings = service_settings() if dry_run or drain else operator_settings()
    with database_of(settings) as database:
        systems = SystemsRepository(database)
        records, unknown = select_systems(systems, names or [], every_behind=every, owner=owner)
        for name in unknown:
            err(f"no system named {name!r}")
        if dry_run:
            _dry_run(_as_service(settings), database, records, as_json)
            return
        _upgrade(settings, database, systems, records, drain=drain, wait=wait, as_json=as_json)
    if unknown:
        raise typer.Exit(1)


def _as_service(settings: object) -> Settings:
    from bot.settings import Settings

    assert isinstance(settings, Settings)
    return settings


def _dry_run(
    settings: Settings, database: Database, records: list[SystemRecord], as_json: bool
) -> None:
    from bot.adapters.github_limits import background_work
    from bot.db.installations import InstallationsRepository
    from bot.flows.fleet import plan_upgrade
    from bot.wiring import adapters_from_settings

    github_for = adapters_from_settings(settings, database).github_for_installation
    if github_for is None:
        fail("a dry run reads each repository: set GITHUB_APP_ID and the App's private key")
    installations = InstallationsRepository(database)
    plans = []
    with background_work():
        for number, record in enumerate(records, start=1):
            installation = record.installation_id
            lost = installation is None or installations.lost(installation)
            github = None if lost or installation is None else github_for(installation)
            plans.append(plan_upgrade(github, record))
            _progress(number, len(records), "read")
    if as_json:
        out(json.dumps([_plan_json(plan) for plan in plans], indent=2))
        return
    for plan in plans:
        out(_plan_text(plan))


def _plan_json(plan: UpgradePlan) -> dict[str, object]:
    return {
        "repository": plan.system.full_name,
        "outcome": plan.outcome,
        "reason": plan.reason or None,
        "from_version": plan.from_version,
        "to_version": plan.to_version,
        "files": plan.files,
        "conflicts": plan.conflicts,
        "changelog": [entry.version for entry in plan.changelog.entries] if plan.changelog else [],
    }


def _plan_text(plan: UpgradePlan) -> str:
    name = plan.system.full_name
    if plan.outcome == "skipped":
        return f"{name}: skipped: {plan.reason}"
    if plan.outcome == "current":
        return f"{name}: current ({plan.to_version})"
    lines = [
        f"{name}: {plan.from_version} -> {plan.to_version}, {len(plan.files)} file(s)"
        + (f", conflicts: {', '.join(plan.conflicts)}" if plan.conflicts else "")
    ]
    if plan.changelog is not None:
        lines += [f"  {entry.version} ({entry.date})" for entry in plan.changelog.entries]
    lines += [f"  {path}" for path in plan.files]
    return "\n".join(lines)


def _upgrade(
    settings: object,
    database: Database,
    systems: SystemsRepository,
    records: list[SystemRecord],
    *,
    drain: bool,
    wait: bool,
    as_json: bool,
) -> None:
    from bot.flows.fleet import enqueue_upgrades
    from bot.jobs.queue import JobQueue

    queue = JobQueue(database)
    queued = enqueue_upgrades(queue, records)
    for name in queued.unreadable:
        err(f"{name}: SBH cannot read its recorded spec; not queued")
    err(f"{queued.new} upgrade(s) queued, {len(queued.keys) - queued.new} queued or done before")
    if drain:
        _drain(_as_service(settings), database, queue, queued.keys)
    elif wait:
        _follow(queue, queued.keys)
    if wait or drain:
        _report(systems, [record for record in records if record.spec is not None], as_json)


def _drain(settings: Settings, database: Database, queue: JobQueue, keys: list[str]) -> None:
    from bot.wiring import adapters_from_settings, worker_pool

    adapters = adapters_from_settings(settings, database)
    pool = worker_pool(settings, database, adapters)
    pool.start()
    try:
        _follow(queue, keys)
    finally:
        pool.stop()
    if adapters.github_limits is not None:
        report = adapters.github_limits.report()
        by_reason = ", ".join(
            f"{reason} {seconds:.1f} s"
            for reason, seconds in sorted(report.seconds_by_reason.items())
        )
        err(
            f"GitHub: {report.requests} request(s), {report.rate_limited_answers} rate-limited "
            f"answer(s); waited {report.waited_seconds:.1f} s for its limits"
            + (f" ({by_reason})" if by_reason else "")
        )


def _follow(queue: JobQueue, keys: list[str]) -> None:
    """Until every job is done or parked: a progress bar on a terminal."""
    from bot.flows.fleet import progress

    last_change, finished_before = time.monotonic(), -1
    hinted = False
    while True:
        counts = progress(queue, keys)
        finished = counts["done"] + counts["parked"]
        _progress(finished, len(keys), "done", parked=counts["parked"])
        if finished >= len(keys):
            return
        if finished != finished_before:
            last_change, finished_before = time.monotonic(), finished
        elif not hinted and time.monotonic() - last_change > NO_PROGRESS_HINT_SECONDS:
            err(
                "no upgrade finished for a while: is a worker running (`sbh serve` or "
                "`sbh worker`)? Or run again with --drain. Ctrl-C stops following; the "
                "jobs stay queued."
            )
            hinted = True
        time.sleep(0.5)


def _progress(done: int, total: int, verb: str, *, parked: int = 0) -> None:
    if not sys.stderr.isatty() or total == 0:
        return
    filled = BAR_WIDTH * done // total
    extra = f", {parked} parked" if parked else ""
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} {verb}{extra}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _report(systems: SystemsRepository, records: list[SystemRecord], as_json: bool) -> None:
    upgrades = systems.last_upgrades([record.id for record in records])
    rows = []
    for record in records:
        version, build = upgrades.get(record.id, (None, None))
        rows.append(
            {
                "repository": record.full_name,
                "target_version": version,
                "status": build.status if build else "not run",
                "pull_request": build.pull_request_number if build else None,
                "note": build.error if build else None,
            }
        )
    if as_json:
        out(json.dumps(rows, indent=2))
        return
    for row in rows:
        pull = f" #{row['pull_request']}" if row["pull_request"] else ""
        note = f": {row['note']}" if row["note"] else ""
        out(f"{row['repository']}: {row['status']}{pull}{note}")
