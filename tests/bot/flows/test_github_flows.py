"""The GitHub flows as specifications: given this event, SBH made exactly these calls and left
GitHub in this state. Payloads are GitHub's published examples with our issue body and
comment text in them; GitHub itself is the recording fake of `GitHubPort`."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from bot.db.database import Database
from bot.db.models import Build, Deployment, System
from bot.flows.build import TOPICS, BuildFailed
from bot.flows.status_comments import MARKER
from bot.intake.router import WebhookEvent
from bot.jobs.context import HandlerContext
from tests.bot.events import HUB, ISSUE_BODY, SPEC_TEXT, comment_event, example, handle, issue_event
from tests.fakes.github_port import FakeGitHubPort

# --- Spec issues


def test_a_spec_issue_gets_one_sticky_plan(context: HandlerContext, github: FakeGitHubPort) -> None:
    handle(issue_event("opened"), context)
    handle(issue_event("edited"), context)

    comments = github.comment_bodies(HUB, 7)
    assert len(comments) == 1
    assert comments[0].startswith(MARKER)
    assert "SBH will **create** `acme/orders-api`" in comments[0]
    assert "/sbh build" in comments[0]
    assert (
        github.calls
        == [
            "get_repository",
            "upsert_status_comment",
            "set_labels",
            "read_file",  # the hub's .github/sbh.yml: plans only, by default
        ]
        * 2
    )
    assert github.repositories == {}


def test_a_hub_that_auto_builds_issues_builds_the_spec_when_the_issue_opens(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    github.add_repository(HUB, {".github/sbh.yml": b"auto_build:\n  issues: true\n"})

    handle(issue_event("opened"), context)

    assert github.repositories["acme/orders-api"].commits == [
        ("main", "Generate orders-api from its SBH spec")
    ]
    (comment,) = github.comment_bodies(HUB, 7)
    assert "SBH built" in comment


def test_an_invalid_spec_gets_its_problems_on_issue_body_lines(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    body = ISSUE_BODY.replace("region: us-west-2", "region: us-wset-2", 1)
    line = next(number for number, text in enumerate(body.splitlines(), 1) if "us-wset-2" in text)

    handle(issue_event("opened", body), context)

    (comment,) = github.comment_bodies(HUB, 7)
    assert f"line {line} of the issue body, `environments.dev.region`" in comment
    assert github.labels[(HUB, 7)] == {"sbh:invalid"}


def test_fixing_the_spec_replaces_the_problems_with_a_plan(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(issue_event("opened", ISSUE_BODY.replace("owner: acme", "owner: -acme")), context)
    handle(issue_event("edited"), context)

    (comment,) = github.comment_bodies(HUB, 7)
    assert "SBH plan" in comment
    assert github.labels[(HUB, 7)] == set()


def test_issues_without_a_spec_or_label_are_left_alone(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(issue_event("opened", "The build is broken, please help"), context)

    assert github.calls == []


# --- Commands


def test_build_creates_the_repository_with_one_commit_and_reports_it(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    handle(comment_event("/sbh build", comment_id=555), context)

    repository = github.repositories["acme/orders-api"]
    assert repository.commits == [("main", "Generate orders-api from its SBH spec")]
    tree = repository.branches["main"]
    assert "README.md" in tree
    assert "infra/modules/ecs/main.tf" in tree
    assert tree["infra/scripts/setup-oidc.sh"][1] == 0o755
    assert set(repository.environments) == {"dev", "prod"}
    assert repository.variables["prod"]["ECS_SERVICE"] == "orders-api-service-prod"
    assert repository.variables["dev"]["OIDC_ROLE_ARN"].endswith(
        ":role/orders-api-dev-github-deploy"
    )
    assert github.reactions == [(HUB, 555, "eyes")]
    (comment,) = github.comment_bodies(HUB, 7)
    assert "SBH built acme/orders\\-api" in comment
    assert "https://github.test/acme/orders-api" in comment
    assert github.labels[(HUB, 7)] == {"sbh:built"}
    with database.session() as session:
        system = session.query(System).one()
        build = session.query(Build).one()
        assert (system.origin_repository, system.origin_issue_number) == (HUB, 7)
        assert system.repository_id == repository.info.id
        assert (build.status, build.trigger, build.delivery_id) == (
            "created",
            "command",
            "d-comment-555",
        )


def test_the_number_of_calls_of_a_first_build_does_not_grow_with_the_files(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(comment_event("/sbh build"), context)

    build_calls = [call for call in github.calls if call not in ("react", "permission")]
    # Repository and commit: constant. Environments and variables: two per environment.
    assert build_calls.count("push_tree") == 1
    assert len(build_calls) - 2 * 2 <= 12


def test_the_same_command_twice_makes_one_repository_one_commit_one_comment(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(comment_event("/sbh build"), context)
    handle(comment_event("/sbh build"), context)

    assert len(github.repositories["acme/orders-api"].commits) == 1
    (comment,) = github.comment_bodies(HUB, 7)
    assert "is up to date" in comment


def test_a_changed_spec_becomes_a_pull_request_that_keeps_the_owners_edits(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(comment_event("/sbh build"), context)
    repository = github.repositories["acme/orders-api"]
    main = repository.branches["main"]
    main["Dockerfile"] = (b"# the owner's own Dockerfile\n", 0o644)
    changed = ISSUE_BODY.replace("desired_count: 2", "desired_count: 3").replace(
        "port: 8000", "port: 8080"
    )

    handle(comment_event("/sbh build", body=changed), context)

    (pull_request,) = repository.pull_requests
    assert pull_request["base"] == "main"
    assert "`Dockerfile`" in pull_request["body"].split("**Conflicts**")[1]
    head = repository.branches[pull_request["head"]]
    assert head["Dockerfile"] == (b"# the owner's own Dockerfile\n", 0o644)
    assert b"desired_count: 3" in head["sbh.yaml"][0]
    assert b"8080" in head["app/settings.py"][0]
    assert repository.commits[-1][0] == pull_request["head"]
    assert "Opened https://github.test/acme/orders-api/pull/1" in github.comment_bodies(HUB, 7)[0]


def test_the_plan_says_what_the_system_will_cost_each_month(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(issue_event("opened"), context)

    (plan,) = github.comment_bodies(HUB, 7)
    assert "Estimated AWS cost: **$379.51 a month** (dev $171.50, prod $208.00)" in plan
    assert "<summary>Cost estimate, line by line</summary>" in plan
    assert "| RDS PostgreSQL db.t4g.micro | 730 instance-hour | $0.016 | $11.68 |" in plan


def test_an_update_pull_request_says_how_the_monthly_cost_changes(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(comment_event("/sbh build"), context)
    bigger = ISSUE_BODY.replace("desired_count: 2", "desired_count: 4")

    handle(comment_event("/sbh build", body=bigger), context)

    (pull_request,) = github.repositories["acme/orders-api"].pull_requests
    body = pull_request["body"]
    assert "#### Estimated AWS cost: $379.51 → $415.55 a month (+$36.04)" in body
    assert "| dev | $171.50 | $189.52 | +$18.02 |" in body


def test_a_foreign_repository_of_the_same_name_is_refused(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    github.add_repository("acme/orders-api", {"README.md": b"someone else's\n"})

    handle(comment_event("/sbh build"), context)

    assert github.repositories["acme/orders-api"].commits == []
    (comment,) = github.comment_bodies(HUB, 7)
    assert "was not made by SBH" in comment


def test_a_build_that_failed_half_way_is_reported_and_resumed(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    github.fail_on = "push_tree"

    with pytest.raises(BuildFailed):
        handle(comment_event("/sbh build"), context)

    (comment,) = github.comment_bodies(HUB, 7)
    assert "failed" in comment
    assert "exists but holds no generated files yet" in comment
    handle(comment_event("/sbh build"), context)
    assert len(github.repositories["acme/orders-api"].commits) == 1
    assert "SBH built" in github.comment_bodies(HUB, 7)[0]


def test_a_build_that_stopped_right_after_creating_the_repository_resumes_in_it(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    github.fail_on = "set_topics"  # the repository exists; GitHub did not answer the next step

    with pytest.raises(BuildFailed):
        handle(comment_event("/sbh build"), context)
    handle(comment_event("/sbh build"), context)

    repository = github.repositories["acme/orders-api"]
    assert repository.commits == [("main", "Generate orders-api from its SBH spec")]
    assert repository.topics == TOPICS
    assert "SBH built" in github.comment_bodies(HUB, 7)[0]


def test_a_build_github_refuses_says_what_was_refused_and_what_to_do(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    github.refuse("create_repository", 403, "Resource not accessible by integration")

    handle(comment_event("/sbh build"), context)  # returns: the job completes, no retry

    (comment,) = github.comment_bodies(HUB, 7)
    assert "### SBH did not build `acme/orders-api`" in comment
    assert "GitHub refused to create the repository" in comment
    with database.session() as session:
        build = session.query(Build).one()
        assert (build.status, build.error) == (
            "refused",
            "GitHub refused to create the repository acme/orders-api (403 Forbidden): Resource "
            "not accessible by integration. What exists now: nothing: acme/orders-api was not "
            "created. SBH's GitHub App may lack a permission this needs on acme (Administration, "
            "Contents, Workflows, Environments and Variables: write): check its installation "
            "there, then build again (`/sbh build`): SBH continues from what exists.",
        )


def test_a_command_run_again_edits_its_reply_instead_of_posting_another(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    command = comment_event("/sbh status")

    handle(command, context)
    handle(command, context)  # its job again: a retry, or `sbh replay`

    (reply,) = github.comment_bodies(HUB, 7)
    assert "has not been built yet" in reply


def test_building_needs_write_permission(context: HandlerContext, github: FakeGitHubPort) -> None:
    handle(comment_event("/sbh build", login="rita"), context)

    assert github.repositories == {}
    assert "needs write permission" in github.comment_bodies(HUB, 7)[-1]
    assert "create_repository" not in github.calls


@pytest.mark.parametrize(
    ("text", "login"),
    [("/sbh deploy prod", "alice"), ("/sbh rollback prod abc1234", "rita")],
)
def test_deploying_production_needs_admin_permission(
    text: str, login: str, context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(comment_event("/sbh build"), context)

    handle(comment_event(text, login=login), context)

    assert "needs admin permission" in github.comment_bodies(HUB, 7)[-1]
    assert "dispatch_workflow" not in github.calls


def test_whether_an_environment_is_production_comes_from_the_built_system_not_the_issue(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(comment_event("/sbh build"), context)
    # A writer opens another issue with the same system's spec, but prod marked as not
    # production, and asks for a deploy to prod there.
    relaxed = ISSUE_BODY.replace("approval: true", "approval: true, production: false", 1)
    assert relaxed != ISSUE_BODY

    handle(comment_event("/sbh deploy prod", login="alice", body=relaxed), context)

    assert "needs admin permission" in github.comment_bodies(HUB, 7)[-1]
    assert "dispatch_workflow" not in github.calls


def test_deploy_dispatches_the_generated_repositorys_workflow(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(comment_event("/sbh build"), context)

    handle(comment_event("/sbh deploy prod", login="olivia"), context)
    handle(comment_event("/sbh rollback dev 1a2b3c4"), context)

    dispatches = github.repositories["acme/orders-api"].dispatches
    assert dispatches == [
        {
            "workflow": "deploy.yml",
            "ref": "main",
            "inputs": {"environment": "prod", "image_tag": ""},
        },
        {
            "workflow": "deploy.yml",
            "ref": "main",
            "inputs": {"environment": "dev", "image_tag": "1a2b3c4"},
        },
    ]


def test_rollback_without_a_tag_uses_the_previous_successful_deploy(
    context: HandlerContext, github: FakeGitHubPort, database: Database
) -> None:
    handle(comment_event("/sbh build"), context)
    with database.session() as session:
        system = session.query(System).one()
        for tag in ("aaaaaaa", "bbbbbbb"):
            session.add(
                Deployment(system_id=system.id, environment="dev", image_tag=tag, state="success")
            )

    handle(comment_event("/sbh rollback dev"), context)

    assert github.repositories["acme/orders-api"].dispatches[-1]["inputs"] == {
        "environment": "dev",
        "image_tag": "aaaaaaa",
    }


def test_rollback_without_history_asks_for_a_tag(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(comment_event("/sbh build"), context)

    handle(comment_event("/sbh rollback dev"), context)

    assert "/sbh rollback dev <tag>" in github.comment_bodies(HUB, 7)[-1]
    assert github.repositories["acme/orders-api"].dispatches == []


def test_unknown_environment_and_unknown_command_get_helpful_replies(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    commands = [comment_event(text) for text in ("/sbh build", "/sbh deploy qa", "/sbh frobnicate")]
    for command in commands:
        handle(command, context)

    replies = github.comment_bodies(HUB, 7)[1:]
    assert replies[0] == "`qa` is not an environment of acme/orders-api (known: dev, prod)."
    assert "Unknown command `frobnicate`" in replies[1]
    assert github.reactions == [
        (HUB, command.payload["comment"]["id"], "eyes") for command in commands
    ]
    assert "dispatch_workflow" not in github.calls


def test_bots_and_ordinary_comments_are_ignored(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(comment_event("/sbh build", sender_type="Bot"), context)
    handle(comment_event("Looks good to me"), context)

    assert github.calls == []


def test_status_reports_the_last_build_and_each_environment(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(comment_event("/sbh status"), context)
    handle(comment_event("/sbh build"), context)
    handle(comment_event("/sbh status"), context)

    first, _sticky, second = [
        *github.comment_bodies(HUB, 7)[:1],
        None,
        github.comment_bodies(HUB, 7)[-1],
    ]
    assert "has not been built yet" in str(first)
    assert "Last build: created (command)" in second
    assert "| prod | | never deployed |" in second


def test_status_is_only_shown_to_people_who_can_read_the_systems_repository(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(comment_event("/sbh build"), context)

    handle(comment_event("/sbh status", login="mallory"), context)

    reply = github.comment_bodies(HUB, 7)[-1]
    assert reply.startswith(
        "Sorry @mallory, `/sbh status` needs read permission on acme/orders-api"
    )
    assert "never deployed" not in reply


def test_status_and_deploys_never_reach_a_system_of_another_installation(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(comment_event("/sbh build"), context)
    # The same spec pasted on another organisation's hub (another installation of the App).
    elsewhere = dataclasses.replace(comment_event("/sbh status"), installation_id=99)
    deploy_elsewhere = dataclasses.replace(
        comment_event("/sbh deploy dev", login="olivia"), installation_id=99
    )

    handle(elsewhere, context)
    handle(deploy_elsewhere, context)

    status_reply, deploy_reply = github.comment_bodies(HUB, 7)[-2:]
    assert status_reply == "`acme/orders-api` has not been built yet. `/sbh build` builds it."
    assert deploy_reply == "acme/orders-api does not exist yet: `/sbh build` first."
    assert "dispatch_workflow" not in github.calls


def test_help_lists_the_commands(context: HandlerContext, github: FakeGitHubPort) -> None:
    handle(comment_event("/sbh help"), context)

    assert "`/sbh rollback <env> [<tag>]`" in github.comment_bodies(HUB, 7)[0]


# --- Pushed specs


def push_event(
    files: dict[str, str], added: list[str], *, ref: str = "refs/heads/main"
) -> WebhookEvent:
    payload = copy.deepcopy(example("push", None))
    payload.update(ref=ref, after="c0ffee" * 6 + "c0ff", deleted=False)
    payload["repository"]["default_branch"] = "main"
    payload["commits"] = [{"id": "1", "added": added, "modified": [], "removed": []}]
    return WebhookEvent("d-push", "push", None, payload, 42, HUB)


@pytest.fixture
def hub(github: FakeGitHubPort) -> FakeGitHubPort:
    github.add_repository(HUB)
    return github


def push_files(github: FakeGitHubPort, files: dict[str, str]) -> None:
    # The fake serves every ref from its branch contents; the pushed commit is on main.
    github.repositories[HUB].branches["c0ffee" * 6 + "c0ff"] = {
        path: (text.encode(), 0o644) for path, text in files.items()
    }


def test_a_pushed_valid_spec_gets_a_green_check_and_is_built(
    context: HandlerContext, hub: FakeGitHubPort
) -> None:
    push_files(hub, {"specs/orders.yaml": SPEC_TEXT})

    handle(push_event({}, ["specs/orders.yaml", "docs/readme.md"]), context)

    (check,) = hub.checks
    assert (check["name"], check["conclusion"], check["sha"]) == (
        "sbh/spec",
        "success",
        "c0ffee" * 6 + "c0ff",
    )
    assert hub.repositories["acme/orders-api"].commits == [
        ("main", "Generate orders-api from its SBH spec")
    ]


def test_a_pushed_invalid_spec_gets_annotations_on_its_lines_and_no_build(
    context: HandlerContext, hub: FakeGitHubPort
) -> None:
    broken = SPEC_TEXT.replace("cpu: 256", "cpu: 300").replace("owner: acme", "owner: -acme")
    push_files(hub, {"spec.yaml": broken})

    handle(push_event({}, ["spec.yaml"]), context)

    (check,) = hub.checks
    assert check["conclusion"] == "failure"
    lines = {annotation.line for annotation in check["annotations"]}
    expected = {
        n for n, text in enumerate(broken.splitlines(), 1) if "cpu: 300" in text or "-acme" in text
    }
    assert lines == expected
    assert all(annotation.path == "spec.yaml" for annotation in check["annotations"])
    assert "acme/orders-api" not in hub.repositories


def test_auto_build_can_be_turned_off_in_the_hub_settings(
    context: HandlerContext, hub: FakeGitHubPort
) -> None:
    push_files(hub, {"spec.yaml": SPEC_TEXT, ".github/sbh.yml": "auto_build: false\n"})

    handle(push_event({}, ["spec.yaml"]), context)

    assert hub.checks[0]["conclusion"] == "success"
    assert "acme/orders-api" not in hub.repositories


def test_a_pushed_spec_whose_build_github_refuses_gets_a_failing_build_check(
    context: HandlerContext, hub: FakeGitHubPort
) -> None:
    push_files(hub, {"spec.yaml": SPEC_TEXT})
    hub.refuse("create_repository", 422, "Repository creation failed. (name already exists)")

    handle(push_event({}, ["spec.yaml"]), context)  # returns: the job completes, no retry

    spec_check, build_check = hub.checks
    assert (spec_check["name"], spec_check["conclusion"]) == ("sbh/spec", "success")
    assert (build_check["name"], build_check["conclusion"]) == ("sbh/build", "failure")
    assert build_check["title"] == "SBH did not build acme/orders-api"
    assert build_check["summary"].startswith(
        "GitHub refused to create the repository acme/orders-api (422 Unprocessable Entity): "
        "Repository creation failed. (name already exists). What exists now:"
    )


def test_a_pushed_spec_is_built_even_when_github_refuses_its_check_run(
    context: HandlerContext, hub: FakeGitHubPort
) -> None:
    push_files(hub, {"spec.yaml": SPEC_TEXT})
    hub.refuse("report_check", 403, "Resource not accessible by integration")

    handle(push_event({}, ["spec.yaml"]), context)

    assert hub.repositories["acme/orders-api"].commits == [
        ("main", "Generate orders-api from its SBH spec")
    ]


def test_pushes_elsewhere_or_without_specs_are_ignored(
    context: HandlerContext, hub: FakeGitHubPort
) -> None:
    push_files(hub, {"spec.yaml": SPEC_TEXT})

    handle(push_event({}, ["spec.yaml"], ref="refs/heads/feature"), context)
    handle(push_event({}, ["src/app.py"]), context)

    assert hub.calls == []


def pull_request_comment(text: str, login: str = "alice") -> WebhookEvent:
    event = comment_event(text, login=login, body="Adds our orders service spec.")
    event.payload["issue"]["pull_request"] = {"url": f"https://api.github.test/repos/{HUB}/pulls/7"}
    return event


def test_on_a_pull_request_the_spec_is_the_spec_yaml_at_its_head(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    github.add_repository(HUB)
    github.repositories[HUB].branches["pr-7-head"] = {"spec.yaml": (SPEC_TEXT.encode(), 0o644)}

    handle(pull_request_comment("/sbh plan"), context)
    handle(pull_request_comment("/sbh build"), context)

    assert "pull_request_head" in github.calls
    assert github.repositories["acme/orders-api"].commits == [
        ("main", "Generate orders-api from its SBH spec")
    ]
    (sticky,) = github.comment_bodies(HUB, 7)
    assert "SBH built" in sticky


def test_a_pull_request_without_a_spec_gets_told_where_to_put_one(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    github.add_repository(HUB)
    github.repositories[HUB].branches["pr-7-head"] = {}

    handle(pull_request_comment("/sbh build"), context)

    assert "in `spec.yaml`" in github.comment_bodies(HUB, 7)[-1]
    assert "acme/orders-api" not in github.repositories
