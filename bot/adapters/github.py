"""`GitHubPort` on githubkit: the only module that talks to GitHub's REST API.

Every call has a timeout, a bounded retry of server errors, and goes through
`bot.adapters.github_limits` (GitHub's rate limits: waits, write queue, webhook priority);
a rate limit SBH will not wait out leaves as `GitHubRateLimited`, a failure to retry later.
Right after a repository is created its git data can answer 404/409 for a few seconds:
those calls retry with backoff. Any other 4xx except a rate limit is GitHub's answer, not a
passing failure: it leaves as `GitHubRefused`. Writes that an earlier run of the same work
may have made already find what it made instead of failing. The API base URL comes from
settings, so GitHub Enterprise Server works too.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import time
import urllib.request
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import datetime
from http import HTTPStatus
from typing import Any, Literal, ParamSpec, TypeVar

import httpx
from githubkit import AppAuthStrategy, AppInstallationAuthStrategy, GitHub
from githubkit.exception import RateLimitExceeded, RequestError, RequestFailed
from githubkit.retry import RetryServerError

from bot.adapters.github_limits import GitHubLimits, GitHubRateLimited, GovernedTransport
from bot.ports import (
    Annotation,
    GitHubPort,
    GitHubRefused,
    IssueComment,
    Permission,
    RepositoryInfo,
    WorkflowJob,
)
from bot.settings import Settings

T = TypeVar("T")
P = ParamSpec("P")
ANNOTATIONS_PER_REQUEST = 50  # GitHub's limit for check run annotations
_PERMISSIONS: frozenset[str] = frozenset({"admin", "maintain", "write", "triage", "read", "none"})
PAGE = 100  # GitHub's largest page


def make_client(
    settings: Settings,
    *,
    transport: httpx.BaseTransport | None = None,
    event_hooks: dict[str, list[Callable[..., Any]]] | None = None,
    limits: GitHubLimits | None = None,
) -> GitHub[AppAuthStrategy]:
    """The App's client: JWT auth with the App id and private key. Every request goes
    through `limits` (GitHub's rate limits; one per process) over `transport` (the network by
    default). Server errors are retried twice by githubkit; rate limits are the governor's."""
    if settings.github_app_id is None or settings.github_private_key is None:
        raise ValueError("GITHUB_APP_ID and GITHUB_PRIVATE_KEY are required to act on GitHub")
    governor = limits or GitHubLimits.from_settings(settings)
    return GitHub(
        AppAuthStrategy(
            str(settings.github_app_id), settings.github_private_key.get_secret_value()
        ),
        base_url=settings.github_api_url.rstrip("/") + "/",
        timeout=httpx.Timeout(settings.github_timeout_seconds),
        auto_retry=RetryServerError(max_retry=2),
        http_cache=False,
        # The client must not mount proxies of its own: they would go around the governor.
        trust_env=False,
        transport=governor.transport(transport or _network(settings.github_api_url)),
        event_hooks=event_hooks,
        user_agent="system-builder-hub",
    )


def as_installation(
    app: GitHub[AppAuthStrategy], installation_id: int
) -> GitHub[AppInstallationAuthStrategy]:
    """The App's client acting as one installation, on that installation's lane of the
    governor (its own primary budget and write queue)."""
    transport = app.config.transport
    if isinstance(transport, GovernedTransport):
        transport = transport.for_lane(f"installation {installation_id}")
    return GitHub(
        app.auth.as_installation(installation_id),
        config=dataclasses.replace(app.config, transport=transport),
    )


def installation_clients(
    settings: Settings, limits: GitHubLimits | None = None
) -> Callable[[int], GitHubPort] | None:
    """installation id -> adapter acting as that installation; None when the App's
    credentials are not configured (development without GitHub)."""
    if settings.github_app_id is None or settings.github_private_key is None:
        return None
    app = make_client(settings, limits=limits)

    def for_installation(installation_id: int) -> GitHubPort:
        return GitHubAdapter(as_installation(app, installation_id))

    return for_installation


def _network(api_url: str) -> httpx.HTTPTransport:
    """The connection pool to GitHub, through the proxy the environment names for its host."""
    url = httpx.URL(api_url)
    bypass = bool(urllib.request.proxy_bypass(url.host))
    proxy = None if bypass else urllib.request.getproxies().get(url.scheme)
    return httpx.HTTPTransport(proxy=proxy, trust_env=True)


def convert_manifest_code(settings: Settings, code: str) -> dict[str, Any]:
    """Finish GitHub's App manifest flow: the one-time `code` -> the new App's id, slug,
    private key, webhook secret and OAuth client (no authentication: the code is the
    credential)."""
    client = GitHub(
        base_url=settings.github_api_url.rstrip("/") + "/",
        timeout=httpx.Timeout(settings.github_timeout_seconds),
        auto_retry=False,
        http_cache=False,
    )
    converted: dict[str, Any] = _json(client.rest.apps.create_from_manifest(code))
    return {
        "id": int(converted["id"]),
        "slug": str(converted.get("slug", "")),
        "pem": str(converted["pem"]),
        "webhook_secret": str(converted.get("webhook_secret") or ""),
        "client_id": str(converted.get("client_id") or ""),
        "client_secret": str(converted.get("client_secret") or ""),
        "html_url": str(converted.get("html_url", "")),
    }


def _body(data: Mapping[str, Any]) -> Any:
    # githubkit types request bodies as TypedDicts per endpoint; ours are plain dicts built
    # here and checked against GitHub's OpenAPI description by the Prism tests.
    return dict(data)


def _json(response: Any) -> Any:
    """The response body as plain JSON (githubkit's TypedDicts rename some keys)."""
    return response.json()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _moment(value: object) -> datetime | None:
    """GitHub's ISO 8601 timestamp ("2026-12-05T10:38:16Z"); None when absent or unreadable."""
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _workflow_job(entry: object) -> WorkflowJob | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        return None
    return WorkflowJob(
        name=entry["name"],
        conclusion=_text(entry.get("conclusion")),
        html_url=_text(entry.get("html_url")),
        completed_at=_moment(entry.get("completed_at")),
    )


def _status(error: Exception) -> int | None:
    return error.response.status_code if isinstance(error, RequestFailed) else None


def _refusal(error: RequestFailed) -> GitHubRefused | None:
    """GitHub's answer as `GitHubRefused`, or None when it is worth asking again later: a
    server error, or a rate limit (429, or 403 with rate-limit headers or wording)."""
    status = error.response.status_code
    if not 400 <= status < 500 or status == 429 or isinstance(error, RateLimitExceeded):
        return None
    try:
        body = error.response.raw_response.json()
    except ValueError:
        body = None
    answer: dict[str, Any] = body if isinstance(body, dict) else {}
    message = str(answer.get("message") or HTTPStatus(status).phrase)
    if status == 403 and "rate limit" in message.lower():
        return None
    details = [
        str(detail.get("message") or detail.get("code"))
        if isinstance(detail, dict)
        else str(detail)
        for detail in answer.get("errors") or []
    ]
    if details:
        message += f" ({'; '.join(details)})"
    documentation = answer.get("documentation_url")
    return GitHubRefused(status, message, str(documentation) if documentation else None)


def _refusals_typed(method: Callable[P, T]) -> Callable[P, T]:
    """A port method whose refusals by GitHub leave it as `GitHubRefused` (after whatever
    4xx the method handles itself, like a 404 meaning "there is none")."""

    @functools.wraps(method)
    def call(*arguments: P.args, **options: P.kwargs) -> T:
        try:
            return method(*arguments, **options)
        except RequestFailed as error:
            refusal = _refusal(error)
            if refusal is None:
                raise
            raise refusal from error
        except RequestError as error:
            if isinstance(error.exc, GitHubRateLimited):
                raise error.exc from error  # githubkit wraps what its transport raises
            raise

    return call


class GitHubAdapter:
    def __init__(
        self,
        client: GitHub[Any],
        *,
        transient_delays: Sequence[float] = (1.0, 2.0, 4.0, 8.0),
    ) -> None:
        self.client = client
        self.transient_delays = tuple(transient_delays)

    # -- helpers

    def _after_creation(self, call: Callable[[], T]) -> T:
        """Retry the 404/409 GitHub answers for a few seconds after creating a repository."""
        for delay in self.transient_delays:
            try:
                return call()
            except RequestFailed as error:
                if _status(error) not in (404, 409):
                    raise
                time.sleep(delay)
        return call()

    @staticmethod
    def _split(full_name: str) -> tuple[str, str]:
        owner, _, name = full_name.partition("/")
        return owner, name

    @staticmethod
    def _info(data: Mapping[str, Any]) -> RepositoryInfo:
        return RepositoryInfo(
            id=int(data["id"]),
            full_name=str(data["full_name"]),
            default_branch=str(data.get("default_branch") or "main"),
            html_url=str(data["html_url"]),
            archived=bool(data.get("archived")),
        )

    # -- GitHubPort

    @_refusals_typed
    def get_repository(self, full_name: str) -> RepositoryInfo | None:
        owner, name = self._split(full_name)
        try:
            response = self.client.rest.repos.get(owner, name)
        except RequestFailed as error:
            if _status(error) == 404:
                return None
            raise
        return self._info(response.json())

    @_refusals_typed
    def create_repository(self, owner: str, name: str, description: str) -> RepositoryInfo:
        response = self.client.rest.repos.create_in_org(
            owner,
            data={
                "name": name,
                "description": description[:350],
                "private": True,
                "auto_init": True,  # the git data API answers 409 on an empty repository
                "has_wiki": False,
            },
        )
        return self._info(response.json())

    @_refusals_typed
    def set_topics(self, full_name: str, topics: Sequence[str]) -> None:
        owner, name = self._split(full_name)
        self._after_creation(
            lambda: self.client.rest.repos.replace_all_topics(
                owner, name, data={"names": list(topics)}
            )
        )

    @_refusals_typed
    def read_file(self, full_name: str, path: str, ref: str | None = None) -> str | None:
        owner, name = self._split(full_name)
        try:
            response = (
                self.client.rest.repos.get_content(owner, name, path, ref=ref)
                if ref is not None
                else self.client.rest.repos.get_content(owner, name, path)
            )
        except RequestFailed as error:
            if _status(error) == 404:
                return None
            raise
        data = response.json()
        if not isinstance(data, dict) or data.get("type") != "file":
            return None
        try:
            return base64.b64decode(str(data.get("content", ""))).decode("utf-8", errors="replace")
        except binascii.Error as error:
            raise ValueError(
                f"{full_name}/{path}: GitHub sent content that is not base64"
            ) from error

    @_refusals_typed
    def pull_request_head(self, full_name: str, number: int) -> str:
        owner, name = self._split(full_name)
        return str(_json(self.client.rest.pulls.get(owner, name, number))["head"]["sha"])

    @_refusals_typed
    def tree_blobs(self, full_name: str, ref: str) -> dict[str, str]:
        owner, name = self._split(full_name)
        response = self.client.rest.git.get_tree(owner, name, ref, recursive="1")
        return {
            str(entry["path"]): str(entry["sha"])
            for entry in response.json().get("tree", [])
            if entry.get("type") == "blob"
        }

    @_refusals_typed
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
        owner, name = self._split(full_name)
        git = self.client.rest.git
        base = new_branch_from or branch
        parent = self._after_creation(
            lambda: _json(git.get_ref(owner, name, f"heads/{base}"))["object"]["sha"]
        )
        tree_entries: list[dict[str, str | None]] = [
            {
                "path": path,
                "mode": "100755" if mode == 0o755 else "100644",
                "type": "blob",
                "content": content.decode("utf-8"),
            }
            for path, (content, mode) in sorted(files.items())
        ]
        # A null sha removes the path from the base tree.
        tree_entries += [
            {"path": path, "mode": "100644", "type": "blob", "sha": None}
            for path in sorted(deleted)
        ]
        tree_request: dict[str, Any] = {"tree": tree_entries}
        if not replace_tree:
            # Lay the files over the parent's tree (base_tree takes a tree, not a commit).
            tree_request["base_tree"] = _json(git.get_commit(owner, name, parent))["tree"]["sha"]
        tree = self._after_creation(
            lambda: git.create_tree(owner, name, data=_body(tree_request)).json()
        )
        commit = git.create_commit(
            owner, name, data={"message": message, "tree": tree["sha"], "parents": [parent]}
        ).json()
        if new_branch_from is not None:
            self._create_or_move_branch(owner, name, branch, str(commit["sha"]))
        else:
            git.update_ref(owner, name, f"heads/{branch}", data={"sha": commit["sha"]})
        return str(commit["sha"])

    def _create_or_move_branch(self, owner: str, name: str, branch: str, sha: str) -> None:
        """A new branch that exists already (422) was made by an earlier run of the same work
        that stopped before it was recorded: it is moved to this commit."""
        git = self.client.rest.git
        try:
            git.create_ref(owner, name, data={"ref": f"refs/heads/{branch}", "sha": sha})
        except RequestFailed as error:
            if _status(error) != 422:
                raise
            git.update_ref(owner, name, f"heads/{branch}", data={"sha": sha, "force": True})

    @_refusals_typed
    def open_pull_request(
        self, full_name: str, head: str, base: str, title: str, body: str
    ) -> tuple[int, str]:
        owner, name = self._split(full_name)
        pulls = self.client.rest.pulls
        try:
            data = pulls.create(
                owner, name, data={"title": title, "head": head, "base": base, "body": body}
            ).json()
        except RequestFailed as error:
            if _status(error) != 422:
                raise
            # "A pull request already exists": an earlier run of the same work opened it.
            opened = _json(pulls.list(owner, name, state="open", head=f"{owner}:{head}", base=base))
            if not opened:
                raise
            data = opened[0]
        return int(data["number"]), str(data["html_url"])

    @_refusals_typed
    def update_pull_request(self, full_name: str, number: int, title: str, body: str) -> None:
        owner, name = self._split(full_name)
        self.client.rest.pulls.update(owner, name, number, data={"title": title, "body": body})

    def _comments(self, owner: str, name: str, number: int) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            response = self.client.rest.issues.list_comments(
                owner, name, number, per_page=PAGE, page=page
            )
            batch: list[dict[str, Any]] = _json(response)
            yield from batch
            if len(batch) < PAGE:
                return
            page += 1

    @_refusals_typed
    def upsert_status_comment(
        self, full_name: str, issue_number: int, marker: str, body: str
    ) -> int:
        owner, name = self._split(full_name)
        issues = self.client.rest.issues
        for comment in self._comments(owner, name, issue_number):
            if marker in str(comment.get("body") or ""):
                issues.update_comment(owner, name, int(comment["id"]), data={"body": body})
                return int(comment["id"])
        created = issues.create_comment(owner, name, issue_number, data={"body": body}).json()
        return int(created["id"])

    @_refusals_typed
    def comments_containing(
        self, full_name: str, issue_number: int, text: str
    ) -> list[IssueComment]:
        owner, name = self._split(full_name)
        return [
            IssueComment(int(comment["id"]), str(comment.get("html_url") or ""), body)
            for comment in self._comments(owner, name, issue_number)
            if text in (body := str(comment.get("body") or ""))
        ]

    @_refusals_typed
    def comment(self, full_name: str, issue_number: int, body: str, *, key: str) -> None:
        # The key travels in the comment as a hidden marker, like the sticky comment's.
        marker = f"<!-- sbh:{key} -->"
        self.upsert_status_comment(full_name, issue_number, marker, f"{marker}\n{body}")

    @_refusals_typed
    def open_issue(self, full_name: str, title: str, body: str, labels: Sequence[str]) -> int:
        owner, name = self._split(full_name)
        created = self.client.rest.issues.create(
            owner, name, data={"title": title, "body": body, "labels": list(labels)}
        ).json()
        return int(created["number"])

    @_refusals_typed
    def set_labels(
        self, full_name: str, issue_number: int, add: Sequence[str], remove: Sequence[str]
    ) -> None:
        owner, name = self._split(full_name)
        issues = self.client.rest.issues
        if add:
            issues.add_labels(owner, name, issue_number, data={"labels": list(add)})
        for label in remove:
            try:
                issues.remove_label(owner, name, issue_number, label)
            except RequestFailed as error:
                if _status(error) != 404:  # the label was not there: nothing to remove
                    raise

    @_refusals_typed
    def react(self, full_name: str, comment_id: int, reaction: str) -> None:
        owner, name = self._split(full_name)
        self.client.rest.reactions.create_for_issue_comment(
            owner, name, comment_id, data=_body({"content": reaction})
        )

    @_refusals_typed
    def permission(self, full_name: str, username: str) -> Permission:
        owner, name = self._split(full_name)
        try:
            data = self.client.rest.repos.get_collaborator_permission_level(
                owner, name, username
            ).json()
        except RequestFailed as error:
            if _status(error) == 404:
                return "none"
            raise
        role = str(data.get("role_name") or data.get("permission") or "none")
        return role if role in _PERMISSIONS else "none"  # type: ignore[return-value]

    @_refusals_typed
    def create_environment(self, full_name: str, name: str, *, wait_minutes: int) -> None:
        owner, repo = self._split(full_name)
        self._after_creation(
            lambda: self.client.rest.repos.create_or_update_environment(
                owner, repo, name, data={"wait_timer": wait_minutes}
            )
        )

    @_refusals_typed
    def set_variables(
        self, full_name: str, environment: str | None, variables: Mapping[str, str]
    ) -> None:
        owner, repo = self._split(full_name)
        actions = self.client.rest.actions
        for variable, value in sorted(variables.items()):
            try:
                if environment is None:
                    actions.create_repo_variable(
                        owner, repo, data={"name": variable, "value": value}
                    )
                else:
                    actions.create_environment_variable(
                        owner, repo, environment, data={"name": variable, "value": value}
                    )
            except RequestFailed as error:
                if _status(error) != 409:  # 409: it exists; update it instead
                    raise
                if environment is None:
                    actions.update_repo_variable(owner, repo, variable, data={"value": value})
                else:
                    actions.update_environment_variable(
                        owner, repo, variable, environment, data={"value": value}
                    )

    @_refusals_typed
    def dispatch_workflow(
        self, full_name: str, workflow: str, ref: str, inputs: Mapping[str, str]
    ) -> None:
        owner, repo = self._split(full_name)
        self.client.rest.actions.create_workflow_dispatch(
            owner, repo, workflow, data={"ref": ref, "inputs": dict(inputs)}
        )

    @_refusals_typed
    def workflow_jobs(self, full_name: str, run_id: int) -> list[WorkflowJob]:
        owner, repo = self._split(full_name)
        jobs: list[WorkflowJob] = []
        page = 1
        while True:
            answer = _json(
                self.client.rest.actions.list_jobs_for_workflow_run(
                    owner, repo, run_id, filter_="latest", per_page=PAGE, page=page
                )
            )
            batch = answer.get("jobs") if isinstance(answer, dict) else None
            if not isinstance(batch, list):
                return jobs
            jobs += [job for entry in batch if (job := _workflow_job(entry)) is not None]
            if len(batch) < PAGE:
                return jobs
            page += 1

    @_refusals_typed
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
        owner, repo = self._split(full_name)
        batches = [
            [
                {
                    "path": annotation.path,
                    "start_line": annotation.line,
                    "end_line": annotation.line,
                    "annotation_level": "failure",
                    "message": annotation.message,
                    "title": annotation.title,
                }
                for annotation in annotations[start : start + ANNOTATIONS_PER_REQUEST]
            ]
            for start in range(0, len(annotations), ANNOTATIONS_PER_REQUEST)
        ] or [[]]
        output = {"title": title, "summary": summary, "annotations": batches[0]}
        created = self.client.rest.checks.create(
            owner,
            repo,
            data=_body(
                {
                    "name": name,
                    "head_sha": head_sha,
                    "status": "completed",
                    "conclusion": conclusion,
                    "output": output,
                }
            ),
        ).json()
        for batch in batches[1:]:
            self.client.rest.checks.update(
                owner,
                repo,
                int(created["id"]),
                data=_body({"output": {"title": title, "summary": summary, "annotations": batch}}),
            )
