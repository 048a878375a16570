"""How the githubkit adapter reads GitHub's answers, through a transport that answers like
GitHub does: a 4xx other than a rate limit is GitHub's refusal (`GitHubRefused`, with its
message and documentation), and a rate limit stays a failure worth retrying."""

from __future__ import annotations

import httpx
import pytest
from githubkit.exception import RequestFailed

from bot.adapters.github import GitHubAdapter, make_client
from bot.ports import GitHubRefused
from bot.settings import Settings
from tests.bot.serving import app_settings

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

    client = make_client(
        Settings.model_validate(app_settings(API)), transport=httpx.MockTransport(answer)
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
        {("POST", comments): refused(403, "Unable to create comment because issue is locked.")}
    )

    with pytest.raises(GitHubRefused) as raised:
        github.comment("acme/hub", 7, "Started the deploy")

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
        github.create_repository("acme", "orders-api", "Orders", ["sbh-generated"])

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
def test_a_rate_limit_longer_than_the_budget_is_a_failure_to_retry_not_a_refusal(
    limited: httpx.Response,
) -> None:
    github, _ = github_answering(
        {("POST", "/repos/acme/hub/issues/comments/555/reactions"): limited}
    )

    with pytest.raises(RequestFailed):
        github.react("acme/hub", 555, "eyes")


def test_a_404_that_means_there_is_none_is_still_an_answer_of_none() -> None:
    github, _ = github_answering({})

    assert github.get_repository("acme/orders-api") is None
    assert github.read_file("acme/orders-api", ".sbh/manifest.json") is None
    assert github.permission("acme/orders-api", "mallory") == "none"
