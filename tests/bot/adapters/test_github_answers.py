"""How the githubkit adapter reads GitHub's answers, through a transport that answers like
GitHub does: a 4xx other than a rate limit is GitHub's refusal (`GitHubRefused`, with its
message and documentation), a rate limit that outlasts SBH's waits a failure worth retrying
(`GitHubRateLimited`), and a write an earlier run of the same work already made is found
instead of failing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from bot.adapters.github import GitHubAdapter, make_client
from bot.adapters.github_limits import GitHubLimits, GitHubRateLimited
from bot.ports import GitHubRefused, IssueComment, WorkflowJob
from bot.settings import Settings
from tests.bot.serving import app_settings
from tests.fakes.github_rate_limited import FakeClock

API = "https://api.github.test"
DOCS = "https://docs.github.com/rest"

Answers = dict[tuple[str, str], httpx.Response]


def github_answering(answers: Answers) -> tuple[GitHubAdapter, list[httpx.Request]]:
    """The adapter of an installation of the App, against a GitHub that gives `answers`
    ({(method, path): response}); every other request is a 404. Also the requests made."""
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/access_tokens"):
            return httpx.Response(
                201, json={"token": "ghs_t", "expires_at": "2099-01-01T00:00:00Z"}
            )
        requests.append(request)
        return answers.get(
            (request.method, request.url.path),
            httpx.Response(404, json={"message": "Not Found", "documentation_url": DOCS}),
        )

    clock = FakeClock()  # rate limits are waited out on it, not in real time
    client = make_client(
        Settings.model_validate(app_settings(API)),
        transport=httpx.MockTransport(answer),
        limits=GitHubLimits(clock=clock, sleep=clock.sleep),
    )
    installation = client.with_auth(client.auth.as_installation(1))
    return GitHubAdapter(installation, transient_delays=()), requests


def refused(status: int, message: str, **details: object) -> httpx.Response:
    return httpx.Response(status, json={"message": message, "documentation_url": DOCS, **details})


def test_a_dispatch_of_a_workflow_the_repository_lacks_is_githubs_refusal() -> None:
    github, _ = github_answering({})  # GitHub answers 404: there is no deploy.yml

    with pytest.raises(GitHubRefused) as raised:
        github.dispatch_workflow("acme/orders-api", "deploy.yml", "main", {"environment": "dev"})

    assert (raised.value.status, raised.value.message) == (404, "Not Found")
    assert raised.value.documentation_url == DOCS
    assert str(raised.value) == "404 Not Found: Not Found"


def test_a_comment_on_a_locked_issue_is_githubs_refusal() -> None:
    comments = "/repos/acme/hub/issues/7/comments"
    github, _ = github_answering(
        {
            ("GET", comments): httpx.Response(200, json=[]),
            ("POST", comments): refused(403, "Unable to create comment because issue is locked."),
        }
    )

    with pytest.raises(GitHubRefused) as raised:
        github.comment("acme/hub", 7, "Started the deploy", key="reply-555")

    assert str(raised.value) == "403 Forbidden: Unable to create comment because issue is locked."


def test_a_refusal_says_the_details_github_lists() -> None:
    name_taken = refused(
        422,
        "Repository creation failed.",
        errors=[
            {
                "resource": "Repository",
                "code": "custom",
                "field": "name",
                "message": "name already exists on this account",
            }
        ],
    )
    github, _ = github_answering({("POST", "/orgs/acme/repos"): name_taken})

    with pytest.raises(GitHubRefused) as raised:
        github.create_repository("acme", "orders-api", "Orders")

    assert raised.value.message == (
        "Repository creation failed. (name already exists on this account)"
    )


@pytest.mark.parametrize(
    "limited",
    [
        httpx.Response(
            403,
            headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "4102444800"},
            json={"message": "API rate limit exceeded for installation ID 1."},
        ),
        httpx.Response(429, headers={"retry-after": "3600"}, json={"message": "Too many"}),
        httpx.Response(429, json={"message": "Too many requests"}),
        httpx.Response(403, json={"message": "You have exceeded a secondary rate limit."}),
    ],
    ids=["primary", "secondary-retry-after", "429", "secondary-wording"],
)
def test_a_rate_limit_that_outlasts_the_waits_is_a_failure_to_retry_not_a_refusal(
    limited: httpx.Response,
) -> None:
    github, _ = github_answering(
        {("POST", "/repos/acme/hub/issues/comments/555/reactions"): limited}
    )

    with pytest.raises(GitHubRateLimited):
        github.react("acme/hub", 555, "eyes")


def test_a_404_that_means_there_is_none_is_still_an_answer_of_none() -> None:
    github, _ = github_answering({})

    assert github.get_repository("acme/orders-api") is None
    assert github.read_file("acme/orders-api", ".sbh/manifest.json") is None
    assert github.permission("acme/orders-api", "mallory") == "none"


def test_opening_the_pull_request_an_earlier_run_opened_returns_it() -> None:
    pulls = "/repos/acme/orders-api/pulls"
    github, requests = github_answering(
        {
            ("POST", pulls): refused(
                422,
                "Validation Failed",
                errors=[{"message": "A pull request already exists for acme:sbh/spec-abc."}],
            ),
            ("GET", pulls): httpx.Response(
                200, json=[{"number": 4, "html_url": "https://github.test/acme/orders-api/pull/4"}]
            ),
        }
    )

    opened = github.open_pull_request("acme/orders-api", "sbh/spec-abc", "main", "Update", "")

    assert opened == (4, "https://github.test/acme/orders-api/pull/4")
    listed = requests[-1]
    assert (listed.method, dict(listed.url.params)) == (
        "GET",
        {"state": "open", "head": "acme:sbh/spec-abc", "base": "main"},
    )


def test_pushing_a_new_branch_an_earlier_run_created_moves_that_branch() -> None:
    repository = "/repos/acme/orders-api/git"
    answers: Answers = {
        ("GET", f"{repository}/ref/heads/main"): httpx.Response(
            200, json={"ref": "refs/heads/main", "object": {"sha": "m" * 40}}
        ),
        ("POST", f"{repository}/trees"): httpx.Response(201, json={"sha": "t" * 40}),
        ("GET", f"{repository}/commits/{'m' * 40}"): httpx.Response(
            200, json={"sha": "m" * 40, "tree": {"sha": "b" * 40}}
        ),
        ("POST", f"{repository}/commits"): httpx.Response(201, json={"sha": "c" * 40}),
        ("POST", f"{repository}/refs"): refused(422, "Reference already exists"),
        ("PATCH", f"{repository}/refs/heads/sbh/spec-abc"): httpx.Response(
            200, json={"ref": "refs/heads/sbh/spec-abc", "object": {"sha": "c" * 40}}
        ),
    }
    github, requests = github_answering(answers)

    sha = github.push_tree(
        "acme/orders-api",
        "sbh/spec-abc",
        {"sbh.yaml": (b"name: orders-api\n", 0o644)},
        "Update",
        replace_tree=False,
        new_branch_from="main",
    )

    assert sha == "c" * 40
    moved = requests[-1]
    assert (moved.method, json.loads(moved.content)) == ("PATCH", {"sha": "c" * 40, "force": True})


def test_a_runs_jobs_are_read_as_far_as_they_make_sense() -> None:
    run = "https://github.test/acme/orders-api/actions/runs/30"
    github, requests = github_answering(
        {
            ("GET", "/repos/acme/orders-api/actions/runs/30/jobs"): httpx.Response(
                200,
                json={
                    "total_count": 4,
                    "jobs": [
                        {
                            "name": "plan (dev)",
                            "conclusion": "success",
                            "html_url": f"{run}/job/1",
                            "completed_at": "2026-12-05T12:00:00Z",
                        },
                        {"name": "plan (prod)", "conclusion": None, "completed_at": "soon"},
                        {"conclusion": "failure"},
                        "not a job",
                    ],
                },
            )
        }
    )

    jobs = github.workflow_jobs("acme/orders-api", 30)

    assert jobs == [
        WorkflowJob(
            "plan (dev)", "success", f"{run}/job/1", datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
        ),
        WorkflowJob("plan (prod)", None, None, None),
    ]
    assert dict(requests[0].url.params) == {"filter": "latest", "per_page": "100", "page": "1"}


def test_the_comments_holding_a_text_are_found_with_their_links() -> None:
    pull_request = "https://github.test/acme/orders-api/pull/12"
    github, _ = github_answering(
        {
            ("GET", "/repos/acme/orders-api/issues/12/comments"): httpx.Response(
                200,
                json=[
                    {"id": 1, "html_url": f"{pull_request}#issuecomment-1", "body": "LGTM"},
                    {
                        "id": 2,
                        "html_url": f"{pull_request}#issuecomment-2",
                        "body": "<!-- sbh:plan:dev -->\nNo changes.",
                    },
                ],
            )
        }
    )

    assert github.comments_containing("acme/orders-api", 12, "<!-- sbh:plan:") == [
        IssueComment(2, f"{pull_request}#issuecomment-2", "<!-- sbh:plan:dev -->\nNo changes.")
    ]
