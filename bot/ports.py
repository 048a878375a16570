"""The narrow interfaces the core needs from the outside world, in the core's words.
Each has one adapter in `bot/adapters/` (the only modules that import an SDK or an HTTP
client)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Literal, Protocol


class SecretSource(Protocol):
    """Where `<NAME>_SECRET_ARN` settings are read from (AWS Secrets Manager)."""

    def secret_value(self, reference: str) -> str:
        """The secret's value; `reference` is an ARN, optionally with a JSON key as ECS
        writes it (`arn:…:secret:name:json-key::`). Raises LookupError when unavailable."""
        ...


@dataclass(frozen=True)
class RepositoryInfo:
    id: int
    full_name: str
    default_branch: str
    html_url: str
    archived: bool = False  # read-only: nothing can be pushed or opened there


@dataclass(frozen=True)
class Annotation:
    """One problem on one line of a file, for a check run."""

    path: str
    line: int
    message: str
    title: str = "sbh spec"


@dataclass(frozen=True)
class WorkflowJob:
    """One job of a workflow run, as GitHub lists the run's jobs."""

    name: str
    # success, failure, cancelled, skipped, timed_out, ...; None while it runs
    conclusion: str | None
    html_url: str | None
    completed_at: datetime | None


@dataclass(frozen=True)
class IssueComment:
    id: int
    html_url: str
    body: str


Permission = Literal["admin", "maintain", "write", "triage", "read", "none"]


class GitHubRefused(Exception):
    """GitHub answered a request with a 4xx other than a rate limit: the repository, file or
    workflow is not there, the App may not do it, the issue is locked, the request is invalid.
    An answer, not a passing failure — asking again gets the same one — so the flows say it
    to the person and the job completes instead of being retried."""

    def __init__(self, status: int, message: str, documentation_url: str | None = None) -> None:
        self.status = status
        self.message = message
        self.documentation_url = documentation_url
        super().__init__(f"{self.status_text}: {message}")

    @property
    def status_text(self) -> str:
        """ "404 Not Found"."""
        try:
            return f"{self.status} {HTTPStatus(self.status).phrase}"
        except ValueError:
            return str(self.status)


class GitHubPort(Protocol):
    """Everything SBH does on GitHub, in SBH's words. One adapter: bot/adapters/github.py.
    Any call may raise `GitHubRefused`; reads that ask whether something exists answer None
    instead of raising it for a 404."""

    def get_repository(self, full_name: str) -> RepositoryInfo | None: ...

    def create_repository(self, owner: str, name: str, description: str) -> RepositoryInfo:
        """A new repository in `owner` (an organization), initialized with one commit."""
        ...

    def set_topics(self, full_name: str, topics: Sequence[str]) -> None:
        """Replace the repository's topics."""
        ...

    def read_file(self, full_name: str, path: str, ref: str | None = None) -> str | None: ...

    def pull_request_head(self, full_name: str, number: int) -> str:
        """The commit SHA at the head of a pull request."""
        ...

    def tree_blobs(self, full_name: str, ref: str) -> dict[str, str]:
        """{path: git blob id} of every file at `ref`, in one request."""
        ...

    def push_tree(
        self,
        full_name: str,
        branch: str,
        files: Mapping[str, tuple[bytes, int]],
        message: str,
        *,
        replace_tree: bool,
        new_branch_from: str | None = None,
        deleted: Collection[str] = (),
    ) -> str:
        """One commit holding `files` ({path: (content, mode)}) on `branch`; with
        `replace_tree` the commit holds exactly `files`, else they are laid over the branch.
        `new_branch_from` puts the commit on that branch's head and creates `branch` there
        (or moves it there, when an earlier run of the same work created it). `deleted`
        paths are removed from the branch's tree (only without `replace_tree`). Returns the
        commit SHA."""
        ...

    def open_pull_request(
        self, full_name: str, head: str, base: str, title: str, body: str
    ) -> tuple[int, str]:
        """(number, html_url) of the new pull request, or of the open one from `head` to
        `base` that an earlier run of the same work opened."""
        ...

    def update_pull_request(self, full_name: str, number: int, title: str, body: str) -> None:
        """Replace the title and body of a pull request SBH opened (one it keeps up to date,
        like a fleet upgrade's)."""
        ...

    def upsert_status_comment(
        self, full_name: str, issue_number: int, marker: str, body: str
    ) -> int:
        """Edit the comment holding `marker` on the issue, or create it; returns its id."""
        ...

    def comment(self, full_name: str, issue_number: int, body: str, *, key: str) -> None:
        """Post `body` on the issue once per `key` (say, the command it answers): when SBH's
        comment with that key is there already — the same work ran before — it is edited
        instead of a second one being posted."""
        ...

    def comments_containing(
        self, full_name: str, issue_number: int, text: str
    ) -> list[IssueComment]:
        """The comments on the issue or pull request whose body contains `text`, oldest
        first."""
        ...

    def open_issue(self, full_name: str, title: str, body: str, labels: Sequence[str]) -> int:
        """Open an issue; returns its number."""
        ...

    def set_labels(
        self, full_name: str, issue_number: int, add: Sequence[str], remove: Sequence[str]
    ) -> None: ...

    def react(self, full_name: str, comment_id: int, reaction: str) -> None: ...

    def permission(self, full_name: str, username: str) -> Permission: ...

    def create_environment(self, full_name: str, name: str, *, wait_minutes: int) -> None: ...

    def set_variables(
        self, full_name: str, environment: str | None, variables: Mapping[str, str]
    ) -> None: ...

    def dispatch_workflow(
        self, full_name: str, workflow: str, ref: str, inputs: Mapping[str, str]
    ) -> None: ...

    def workflow_jobs(self, full_name: str, run_id: int) -> list[WorkflowJob]:
        """The jobs of the workflow run's latest attempt."""
        ...

    def report_check(
        self,
        full_name: str,
        head_sha: str,
        name: str,
        conclusion: Literal["success", "failure", "neutral"],
        title: str,
        summary: str,
        annotations: Sequence[Annotation],
    ) -> None:
        """A completed check run on `head_sha` (annotations sent 50 per request)."""
        ...


@dataclass(frozen=True)
class GitHubIdentity:
    """Who signed in, and the repositories (lower-case `owner/name`) they can reach through
    the App's installations."""

    login: str
    user_id: int
    repositories: frozenset[str]


class SignInFailed(Exception):
    """GitHub did not confirm the sign-in; the message says why, for the person signing in."""


class GitHubUserAuth(Protocol):
    """Sign-in with GitHub through the App's OAuth (user-to-server) flow. One adapter:
    bot/adapters/github_oauth.py."""

    def identify(self, code: str, redirect_uri: str) -> GitHubIdentity:
        """Exchange the one-time `code` GitHub sent to `redirect_uri` and find who it belongs
        to and what they can reach. The user's token stays inside the adapter. Raises
        `SignInFailed`."""
        ...


@dataclass(frozen=True)
class ProbeResult:
    """One request to a deployed environment's public health URL."""

    up: bool
    status_code: int | None
    latency_ms: float | None
    error: str | None


class RefusedTarget(ValueError):
    """The URL may not be probed (not https, or not a public address)."""


class HealthProber(Protocol):
    """Asks a deployed system's public health endpoint how it is. One adapter:
    bot/adapters/http_prober.py."""

    def probe(self, url: str) -> ProbeResult:
        """Up when the URL answers 200 with `{"status": "healthy"}`. Raises `RefusedTarget`
        for a URL SBH must not request (a spec's domain is user input)."""
        ...
