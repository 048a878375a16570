"""sbh/v2 systems in the GitHub flows: the plan lists the services, `/sbh deploy <env>
[<service>]` dispatches deploy.yml with the service, and a system built from an sbh/v1 spec
moves to sbh/v2 in one update pull request that deletes what v2 no longer generates.
GitHub is the recording fake of `GitHubPort`; files are whatever `render` returns."""

from __future__ import annotations

from bot.flows.build import repository_variables
from bot.flows.command_parser import HELP
from bot.jobs.context import HandlerContext
from renderers.complete import complete_defaults
from renderers.render import render
from renderers.spec import load_spec
from tests.bot.events import (
    HUB,
    ISSUE_BODY,
    SPEC_TEXT,
    comment_event,
    handle,
    issue_event,
    status_event,
)
from tests.fakes.github_port import FakeGitHubPort

SPEC_V2 = """\
apiVersion: sbh/v2
name: orders-api
description: Order intake service for the shop
owner: acme
services:
  api:      {kind: web, port: 8000, health_path: /api/health, path: "/api/*"}
  catalog:  {kind: backend, port: 8001}
  mailer:   {kind: worker, queue: {max_receive_count: 3}}
  nightly:  {kind: job, schedule: "cron(0 3 * * ? *)"}
  shopfront: {kind: static-site, source: shopfront}
database: {engine: postgres, version: "16", instance_class: db.t4g.micro}
storage: {buckets: [uploads]}
environments:
  dev:  {aws_account_id: "111111111111", region: us-west-2, domain: orders.dev.acme.io}
  prod: {aws_account_id: "222222222222", region: us-west-2, domain: orders.acme.io, approval: true}
"""
BODY_V2 = f"A shop with a worker and a nightly job.\n\n```yaml\n{SPEC_V2}```\n"


def test_the_plan_of_a_v2_spec_lists_each_service_with_its_kinds_key_facts(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(issue_event("opened", body=BODY_V2), context)

    (plan,) = github.comment_bodies(HUB, 7)
    assert "SBH will **create** `acme/orders-api` (sbh/v2, 5 services)" in plan
    assert "| service | kind | what | reached at |" in plan
    rows = {line.split(" | ")[0]: line for line in plan.splitlines() if line.startswith("| ")}
    assert "https://orders.dev.acme.io/api/<br>https://orders.acme.io/api/" in rows["| api"]
    assert "/api/\\* on port 8000, health /api/health" in rows["| api"]
    assert "`http://catalog:8001` (inside the system)" in rows["| catalog"]
    assert "dead\\-letter after 3 receives" in rows["| mailer"]
    assert "runs on cron\\(0 3 \\* \\* ? \\*\\) \\(UTC\\)" in rows["| nightly"]
    assert "https://orders.dev.acme.io/<br>" in rows["| shopfront"]
    assert "EventBridge Scheduler" in plan
    assert "SQS queue" in plan
    # Priced per service, with the parts only some kinds bring.
    assert "Estimated AWS cost: **$" in plan
    assert "mailer: SQS requests" in plan
    assert "CloudFront" in plan


def test_the_plan_of_a_v1_spec_lists_no_services(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(issue_event("opened"), context)

    (plan,) = github.comment_bodies(HUB, 7)
    assert "| service | kind |" not in plan
    assert "Estimated AWS cost:" in plan


def test_a_v2_system_gets_the_shared_variables_per_environment_and_no_per_service_ones() -> None:
    spec = complete_defaults(load_spec(SPEC_V2))

    variables = repository_variables(spec)

    assert set(variables) == {"dev", "prod"}
    assert variables["dev"] == {
        "AWS_REGION": "us-west-2",
        "AWS_ACCOUNT_ID": "111111111111",
        "ECS_CLUSTER": spec.environments["dev"].names.cluster,
        "OIDC_ROLE_ARN": "arn:aws:iam::111111111111:role/"
        + spec.environments["dev"].names.deploy_role,
        "DOMAIN_NAME": "orders.dev.acme.io",
    }


# --- /sbh deploy <env> [<service>] [<tag>]


def _built_v2(context: HandlerContext, github: FakeGitHubPort) -> None:
    handle(comment_event("/sbh build", body=BODY_V2), context)
    assert github.repositories["acme/orders-api"].commits


def test_deploying_one_service_dispatches_deploy_yml_with_that_service(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    _built_v2(context, github)

    handle(comment_event("/sbh deploy dev mailer 1a2b3c4", body=BODY_V2), context)

    (dispatched,) = github.repositories["acme/orders-api"].dispatches
    assert dispatched["workflow"] == "deploy.yml"
    assert dispatched["inputs"] == {
        "environment": "dev",
        "service": "mailer",
        "image_tag": "1a2b3c4",
    }
    reply = github.comment_bodies(HUB, 7)[-1]
    assert "Started the deploy of image `1a2b3c4` of **mailer** to **dev**" in reply


def test_deploying_without_a_service_deploys_all_of_them(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    _built_v2(context, github)

    handle(comment_event("/sbh deploy dev", body=BODY_V2), context)

    (dispatched,) = github.repositories["acme/orders-api"].dispatches
    assert dispatched["inputs"] == {"environment": "dev", "service": "all", "image_tag": ""}
    assert "of every service" in github.comment_bodies(HUB, 7)[-1]


def test_an_unknown_service_is_answered_with_the_systems_services(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    _built_v2(context, github)

    handle(comment_event("/sbh deploy dev mailr", body=BODY_V2), context)

    assert github.repositories["acme/orders-api"].dispatches == []
    reply = github.comment_bodies(HUB, 7)[-1]
    assert "`mailr` is not a service of acme/orders-api" in reply
    assert "`api`, `catalog`, `mailer`, `nightly`, `shopfront`, or `all`" in reply


def test_a_v1_system_still_deploys_as_a_whole_and_refuses_a_service(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(comment_event("/sbh build"), context)

    handle(comment_event("/sbh deploy dev 1a2b3c4"), context)
    handle(comment_event("/sbh deploy dev api 1a2b3c4"), context)

    (dispatched,) = github.repositories["acme/orders-api"].dispatches
    assert dispatched["inputs"] == {"environment": "dev", "image_tag": "1a2b3c4"}
    assert "is an sbh/v1 system: it deploys as a whole" in github.comment_bodies(HUB, 7)[-1]


def test_a_rollback_of_one_service_goes_back_to_that_services_previous_image(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    _built_v2(context, github)
    repository_id = github.repositories["acme/orders-api"].info.id
    # deploy.yml runs a job per service; each status names its service.
    for deployment_id, description in [
        (1, "api: image aaaaaaa"),
        (2, "mailer: image bbbbbbb"),
        (3, "api: image ccccccc"),
        (4, "mailer: image ddddddd"),
    ]:
        handle(
            status_event(
                repository_id,
                "success",
                environment="dev",
                deployment_id=deployment_id,
                description=description,
            ),
            context,
        )

    handle(comment_event("/sbh rollback dev api", body=BODY_V2), context)

    (dispatched,) = github.repositories["acme/orders-api"].dispatches
    assert dispatched["inputs"] == {"environment": "dev", "service": "api", "image_tag": "aaaaaaa"}


def test_a_rollback_of_every_service_at_once_needs_a_service(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    _built_v2(context, github)

    handle(comment_event("/sbh rollback dev", body=BODY_V2), context)

    assert github.repositories["acme/orders-api"].dispatches == []
    assert "roll back one" in github.comment_bodies(HUB, 7)[-1]


def test_help_lists_the_service_forms() -> None:
    assert "`/sbh deploy <env> [<service>] [<tag>]`" in HELP
    assert "`/sbh rollback <env> [<service>] [<tag>]`" in HELP


# --- From sbh/v1 to sbh/v2: one update pull request


def test_a_v1_system_whose_spec_becomes_v2_gets_one_pull_request_that_retires_v1_files(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(comment_event("/sbh build"), context)
    repository = github.repositories["acme/orders-api"]
    v1_files = render(complete_defaults(load_spec(SPEC_TEXT)))
    v2_files = render(complete_defaults(load_spec(SPEC_V2)))
    retired = sorted(set(v1_files) - set(v2_files))
    assert retired, "a v2 render no longer has some of the v1 files"
    owned = retired[0]  # the owner edits one of them: it is kept
    repository.branches["main"][owned] = (b"# the owner's version\n", 0o644)

    handle(comment_event("/sbh build", body=BODY_V2), context)

    (pull_request,) = repository.pull_requests
    head = repository.branches[pull_request["head"]]
    assert {path: head[path][0] for path in v2_files} == {
        path: file.content for path, file in v2_files.items()
    }
    assert [path for path in retired if path in head] == [owned]
    body = pull_request["body"]
    assert f"Deleted ({len(retired) - 1})" in body
    assert f"- `{retired[1]}`" in body.split("Deleted")[1]
    assert f"- `{owned}`" in body.split("you changed them")[1]
    assert repository.commits[-1][0] == pull_request["head"]
    assert len(repository.commits) == 2  # the first commit, then the pull request's one


def test_an_update_within_v1_still_keeps_every_file_it_generates(
    context: HandlerContext, github: FakeGitHubPort
) -> None:
    handle(comment_event("/sbh build"), context)
    bigger = ISSUE_BODY.replace("desired_count: 2", "desired_count: 4")

    handle(comment_event("/sbh build", body=bigger), context)

    repository = github.repositories["acme/orders-api"]
    (pull_request,) = repository.pull_requests
    assert set(repository.branches[pull_request["head"]]) == set(repository.branches["main"])
    assert "Deleted" not in pull_request["body"]
