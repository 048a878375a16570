"""The fleet: every system's template version, and ONE upgrade pull request per system behind,
made the way spec-change pull requests are, run as jobs on the queue. Against the recording
fake of `GitHubPort`."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from bot.db.installations import InstallationEvent
from bot.db.systems import SystemRecord, SystemsRepository
from bot.flows.fleet import (
    UPGRADE_BRANCH,
    ChangelogEntry,
    changes_between,
    enqueue_upgrades,
    fleet_view,
    parse_changelog,
    plan_upgrade,
    progress,
    select_systems,
    template_changelog,
    upgrade_system,
)
from bot.flows.handlers import default_router
from bot.intake.router import WebhookEvent
from bot.jobs.context import HandlerContext
from bot.jobs.queue import JobQueue, QueuePolicy
from bot.jobs.worker import Worker
from bot.wiring import job_runners
from renderers.render import MANIFEST_PATH, template_version
from renderers.render_v2 import template_version_v2
from tests.bot.events import example, handle
from tests.bot.flows.fleet_systems import INSTALLATION, OLD_FILES, OLD_VERSION, age, build
from tests.fakes.github_port import FakeGitHubPort

WRITES = {
    "push_tree",
    "open_pull_request",
    "update_pull_request",
    "create_repository",
    "set_topics",
    "create_environment",
    "set_variables",
    "comment",
    "upsert_status_comment",
}


def aged_system(github: FakeGitHubPort, systems: SystemsRepository, name: str) -> SystemRecord:
    """A system SBH built, as the older template left it."""
    record = build(github, systems, name)
    main = github.repositories[record.full_name].branches["main"]

    def write(path: str, content: bytes) -> None:
        main[path] = (content, main.get(path, (b"", 0o644))[1])

    age(lambda path: main[path][0], write, systems, record)
    found = systems.by_id(record.id)
    assert found is not None
    return found


def writes(github: FakeGitHubPort) -> list[str]:
    return [call for call in github.calls if call in WRITES]


# -- the changelog

CHANGELOG = """# Changelog

## 3 — sbh/v1 — 2026-12-03
- third

## 2b — sbh/v2 — 2026-12-02
- v2 only

## 2 — sbh/v1 — 2026-12-02
- second

## 1 — sbh/v1 — 2026-12-01
- first
"""


def test_the_changelog_between_two_versions_is_the_entries_after_the_old_up_to_the_new() -> None:
    entries = parse_changelog(CHANGELOG)

    span = changes_between(entries, "sbh/v1", "1", "3")

    assert [entry.version for entry in span.entries] == ["3", "2"]
    assert span.entries[1] == ChangelogEntry("2", "sbh/v1", "2026-12-02", "- second")
    assert (span.old_listed, span.new_listed) == (True, True)


def test_an_unlisted_old_version_gets_every_entry_up_to_the_new_one() -> None:
    span = changes_between(parse_changelog(CHANGELOG), "sbh/v1", "0.0.9+unknown", "2")

    assert [entry.version for entry in span.entries] == ["2", "1"]
    assert not span.old_listed


def test_the_template_versions_sbh_renders_with_are_in_the_changelog() -> None:
    listed = {(entry.api_version, entry.version) for entry in template_changelog()}

    assert ("sbh/v1", template_version()) in listed
    assert ("sbh/v2", template_version_v2()) in listed
    assert ("sbh/v1", OLD_VERSION) in listed
    # The changelog is newest first within each apiVersion.
    v1 = [entry.date for entry in template_changelog() if entry.api_version == "sbh/v1"]
    assert v1 == sorted(v1, reverse=True)


# -- one system's upgrade


def test_a_system_behind_gets_one_pull_request_with_the_changelog_its_files_and_the_cost(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    record = aged_system(github, context.systems, "orders-api")

    result = upgrade_system(github, context.systems, record)

    assert result.outcome == "opened"
    repository = github.repositories["acme/orders-api"]
    (pull_request,) = repository.pull_requests
    assert (pull_request["head"], pull_request["base"]) == (UPGRADE_BRANCH, "main")
    assert template_version() in pull_request["title"]
    body = pull_request["body"]
    assert f"template {OLD_VERSION} → {template_version()}" in body
    # The changelog entries newer than the old version, and not the old version's own.
    assert "plan on the PR" not in body
    assert "plans every environment on a" in body
    assert f"#### {OLD_VERSION}" not in body
    assert "The cost estimate does not change" in body
    assert "`RUNBOOK.md`" in body
    assert f"`{MANIFEST_PATH}`" in body
    head = repository.branches[UPGRADE_BRANCH]
    assert head["RUNBOOK.md"][0] != OLD_FILES["RUNBOOK.md"]
    assert f'"template_version": "{template_version()}"'.encode() in head[MANIFEST_PATH][0]
    # The default branch is untouched until the owner merges.
    assert repository.branches["main"]["RUNBOOK.md"][0] == OLD_FILES["RUNBOOK.md"]


def test_a_second_run_updates_the_same_pull_request_in_place(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    record = aged_system(github, context.systems, "orders-api")
    upgrade_system(github, context.systems, record)
    repository = github.repositories["acme/orders-api"]
    repository.pull_requests[0]["body"] = "stale"

    again = upgrade_system(github, context.systems, record)

    assert again.outcome == "updated"
    assert len(repository.pull_requests) == 1
    assert again.pull_request is not None
    assert again.pull_request[0] == 1
    assert repository.pull_requests[0]["body"] != "stale"
    assert github.calls.count("update_pull_request") == 1


def test_files_the_owner_changed_are_left_alone_and_listed_as_conflicts(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    record = aged_system(github, context.systems, "orders-api")
    main = github.repositories["acme/orders-api"].branches["main"]
    main["Dockerfile"] = (b"# the owner's own Dockerfile\n", 0o644)  # the template changed it too
    main["Makefile"] = (b"# the owner's own Makefile\n", 0o644)  # the template did not

    result = upgrade_system(github, context.systems, record)

    assert result.conflicts == ("Dockerfile",)
    head = github.repositories["acme/orders-api"].branches[UPGRADE_BRANCH]
    assert head["Dockerfile"][0] == b"# the owner's own Dockerfile\n"
    assert head["Makefile"][0] == b"# the owner's own Makefile\n"
    body = github.repositories["acme/orders-api"].pull_requests[0]["body"]
    assert "`Dockerfile`" in body.split("### Conflicts (1)")[1]
    assert "`Makefile`" not in body


def test_a_current_system_gets_no_pull_request(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    record = build(github, context.systems, "orders-api")

    result = upgrade_system(github, context.systems, record)

    assert result.outcome == "current"
    assert github.repositories["acme/orders-api"].pull_requests == []


def test_deleted_archived_and_uninstalled_systems_are_skipped_and_reported(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    deleted = aged_system(github, context.systems, "deleted-one")
    archived = aged_system(github, context.systems, "archived-one")
    uninstalled = aged_system(github, context.systems, "uninstalled-one")
    del github.repositories["acme/deleted-one"]
    repository = github.repositories["acme/archived-one"]
    repository.info = dataclasses.replace(repository.info, archived=True)
    context.installations.remember(
        InstallationEvent(INSTALLATION, "deleted", "acme", "Organization", 1, "all")
    )
    github.calls.clear()

    results = {
        record.name: upgrade_system(None, context.systems, record)
        if record is uninstalled
        else upgrade_system(github, context.systems, record)
        for record in (deleted, archived, uninstalled)
    }

    assert {name: result.outcome for name, result in results.items()} == dict.fromkeys(
        results, "skipped"
    )
    assert "acme/deleted-one is gone" in results["deleted-one"].reason
    assert "archived" in results["archived-one"].reason
    assert "no longer installed on acme" in results["uninstalled-one"].reason
    assert writes(github) == []
    # The reasons are recorded: the fleet view shows them.
    view = fleet_view(
        context.systems, context.deploys, context.queue, web_url="https://github.test"
    )
    notes = {entry.system.name: entry.upgrade.note for entry in view.entries if entry.upgrade}
    assert notes["archived-one"] == results["archived-one"].reason


def test_a_dry_run_says_what_each_system_would_get_and_writes_nothing(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    record = aged_system(github, context.systems, "orders-api")
    github.repositories["acme/orders-api"].branches["main"]["Dockerfile"] = (b"# mine\n", 0o644)
    github.calls.clear()

    plan = plan_upgrade(github, record)

    assert plan.outcome == "upgrade"
    assert (plan.from_version, plan.to_version) == (OLD_VERSION, template_version())
    assert "RUNBOOK.md" in plan.files
    assert plan.conflicts == ["Dockerfile"]
    assert plan.changelog is not None
    assert plan.changelog.entries
    assert writes(github) == []


# -- upgrades as jobs


def drain(context: HandlerContext, jobs: int | None = None) -> int:
    """Run due jobs until none is left (or `jobs` ran); how many ran."""
    worker = Worker(context, job_runners(default_router()), "fleet-test")
    ran = 0
    while (jobs is None or ran < jobs) and worker.run_once():
        ran += 1
    return ran


@pytest.fixture
def quick_retries(context: HandlerContext) -> HandlerContext:
    return dataclasses.replace(
        context,
        queue=JobQueue(
            context.database, QueuePolicy(backoff_base_seconds=0.001, backoff_max_seconds=0.001)
        ),
    )


def test_a_run_that_stops_half_way_continues_without_a_second_pull_request(
    quick_retries: HandlerContext, github: FakeGitHubPort
) -> None:
    context = quick_retries
    names = [f"system-{number}" for number in range(4)]
    records = [aged_system(github, context.systems, name) for name in names]
    queued = enqueue_upgrades(context.queue, records)
    assert queued.new == 4

    assert drain(context, jobs=2) == 2
    github.fail_on = "open_pull_request"  # the next system's branch is pushed, then GitHub fails
    drain(context, jobs=1)
    assert progress(context.queue, queued.keys)["done"] == 2
    # Run again: nothing is queued twice, the failed one is retried and the rest done.
    assert enqueue_upgrades(context.queue, records).new == 0
    drain(context)

    assert progress(context.queue, queued.keys) == {"done": 4}
    for name in names:
        assert len(github.repositories[f"acme/{name}"].pull_requests) == 1, name
    assert github.calls.count("open_pull_request") == 5  # one failed, then one per system
    view = fleet_view(
        context.systems, context.deploys, context.queue, web_url="https://github.test"
    )
    assert view.counts["upgrading"] == 4
    assert {entry.upgrade.status for entry in view.entries if entry.upgrade} == {"updated"}


def test_the_fleet_view_counts_and_filters_systems(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    aged_system(github, context.systems, "behind-one")
    build(github, context.systems, "current-one")
    queued = aged_system(github, context.systems, "queued-one")
    enqueue_upgrades(context.queue, [queued])

    view = fleet_view(
        context.systems, context.deploys, context.queue, web_url="https://github.test"
    )
    behind = fleet_view(
        context.systems,
        context.deploys,
        context.queue,
        web_url="https://github.test",
        behind_only=True,
    )
    nobody = fleet_view(
        context.systems, context.deploys, context.queue, web_url="x", owner="someone-else"
    )

    assert view.counts == {"current": 1, "behind": 1, "upgrading": 1, "unknown": 0}
    standing = {entry.system.name: entry.standing for entry in view.entries}
    assert standing == {"behind-one": "behind", "current-one": "current", "queued-one": "upgrading"}
    assert [entry.system.name for entry in behind.entries] == ["behind-one", "queued-one"]
    assert behind.counts == view.counts
    assert nobody.entries == []
    assert sum(nobody.counts.values()) == 0
    queued_entry = next(entry for entry in view.entries if entry.system.name == "queued-one")
    assert queued_entry.upgrade is not None
    assert queued_entry.upgrade.status == "queued"
    assert queued_entry.target_version == template_version()
    assert template_version_v2() != template_version()  # each apiVersion has its own


def test_all_behind_selects_every_system_not_current_and_names_select_by_name(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    aged_system(github, context.systems, "behind-one")
    build(github, context.systems, "current-one")

    every, _ = select_systems(context.systems, [], every_behind=True, owner=None)
    named, unknown = select_systems(
        context.systems, ["acme/current-one", "nope"], every_behind=False, owner=None
    )

    assert [record.name for record in every] == ["behind-one"]
    assert [record.name for record in named] == ["current-one"]
    assert unknown == ["nope"]


def test_an_upgrade_job_of_a_system_whose_installation_is_gone_is_skipped(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    record = aged_system(github, context.systems, "orders-api")
    context.installations.remember(
        InstallationEvent(INSTALLATION, "deleted", "acme", "Organization", 1, "all")
    )
    enqueue_upgrades(context.queue, [record])
    github.calls.clear()

    assert drain(context) == 1

    assert writes(github) == []
    assert github.calls == []
    (upgrade,) = context.systems.last_upgrades([record.id]).values()
    assert upgrade[1].status == "skipped"


def merged_upgrade_event(repository_id: int, head: str = UPGRADE_BRANCH) -> WebhookEvent:
    payload = copy.deepcopy(example("pull_request", "closed"))
    payload["pull_request"].update(merged=True)
    payload["pull_request"]["head"]["ref"] = head
    payload["repository"].update(id=repository_id, full_name="acme/orders-api")
    return WebhookEvent("d-merged", "pull_request", "closed", payload, 42, "acme/orders-api")


def test_a_merged_upgrade_pull_request_makes_the_system_current(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    record = aged_system(github, context.systems, "orders-api")
    upgrade_system(github, context.systems, record)
    repository = github.repositories["acme/orders-api"]
    other_pull = merged_upgrade_event(repository.info.id, head="feature")

    handle(other_pull, context)
    unmerged = fleet_view(context.systems, context.deploys, context.queue, web_url="x")
    repository.branches["main"] = dict(repository.branches[UPGRADE_BRANCH])  # the owner merges
    handle(merged_upgrade_event(repository.info.id), context)
    merged = fleet_view(context.systems, context.deploys, context.queue, web_url="x")

    assert [entry.standing for entry in unmerged.entries] == ["upgrading"]
    assert [entry.standing for entry in merged.entries] == ["current"]
    assert merged.entries[0].template_version == template_version()
