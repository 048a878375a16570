"""A recording, stateful fake of our `GitHubPort` protocol: it keeps repositories, files,
comments, labels and the jobs of workflow runs like GitHub would, and every call in `calls`, so a flow test reads "given
this payload, SBH made exactly these calls". A test can make one call fail once as if GitHub
did not answer (`fail_on`), or have GitHub refuse a call every time (`refuse`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.ports import (
    Annotation,
    GitHubRefused,
    IssueComment,
    Permission,
    RepositoryInfo,
    WorkflowJob,
)
from tests.fakes.git_objects import git_blob_id, git_object_id


@dataclass
class FakeRepository:
    info: RepositoryInfo
    description: str = ""
    topics: tuple[str, ...] = ()
    branches: dict[str, dict[str, tuple[bytes, int]]] = field(default_factory=dict)
    commits: list[tuple[str, str]] = field(default_factory=list)  # (branch, message)
    environments: dict[str, int] = field(default_factory=dict)
    variables: dict[str | None, dict[str, str]] = field(default_factory=dict)
    pull_requests: list[dict[str, Any]] = field(default_factory=list)
    dispatches: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class FakeComment:
    id: int
    body: str
    key: str | None = None  # what `comment` was keyed by


class FakeGitHubPort:
    def __init__(self, permissions: Mapping[str, Permission] | None = None) -> None:
        self.repositories: dict[str, FakeRepository] = {}
        self.comments: dict[tuple[str, int], list[FakeComment]] = {}
        self.labels: dict[tuple[str, int], set[str]] = {}
        self.issues: dict[tuple[str, int], dict[str, Any]] = {}
        self.reactions: list[tuple[str, int, str]] = []
        self.checks: list[dict[str, Any]] = []
        self.workflow_runs: dict[tuple[str, int], list[WorkflowJob]] = {}  # (repo, run id)
        self.permissions = dict(permissions or {})
        self.calls: list[str] = []
        self.fail_on: str | None = None  # a method name that raises once
        self.refusals: dict[str, GitHubRefused] = {}
        self._next_id = 1000

    def _record(self, name: str) -> None:
        self.calls.append(name)
        if self.fail_on == name:
            self.fail_on = None
            raise ConnectionError(f"GitHub did not answer {name}")
        if name in self.refusals:
            raise self.refusals[name]

    def refuse(self, name: str, status: int, message: str) -> None:
        """GitHub answers every call of the method `name` with `status` from now on."""
        self.refusals[name] = GitHubRefused(status, message, "https://docs.github.com/rest")

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    # -- setup helpers for tests
    def add_repository(self, full_name: str, files: Mapping[str, bytes] | None = None) -> None:
        info = RepositoryInfo(self._id(), full_name, "main", f"https://github.test/{full_name}")
        repository = FakeRepository(info)
        repository.branches["main"] = {
            path: (content, 0o644) for path, content in (files or {}).items()
        }
        self.repositories[full_name] = repository

    def comment_bodies(self, full_name: str, number: int) -> list[str]:
        return [comment.body for comment in self.comments.get((full_name, number), [])]

    def add_comment(self, full_name: str, number: int, body: str) -> str:
        """Someone else's comment on the issue or pull request; its URL."""
        comment = FakeComment(self._id(), body)
        self.comments.setdefault((full_name, number), []).append(comment)
        return self._comment_url(full_name, number, comment)

    @staticmethod
    def _comment_url(full_name: str, number: int, comment: FakeComment) -> str:
        return f"https://github.test/{full_name}/pull/{number}#issuecomment-{comment.id}"

    # -- GitHubPort
    def get_repository(self, full_name: str) -> RepositoryInfo | None:
        self._record("get_repository")
        found = self.repositories.get(full_name)
        return found.info if found else None

    def create_repository(self, owner: str, name: str, description: str) -> RepositoryInfo:
        self._record("create_repository")
        full_name = f"{owner}/{name}"
        assert full_name not in self.repositories, "created twice"
        self.add_repository(full_name, {"README.md": b"# auto_init\n"})
        repository = self.repositories[full_name]
        repository.description = description
        return repository.info

    def set_topics(self, full_name: str, topics: Sequence[str]) -> None:
        self._record("set_topics")
        self.repositories[full_name].topics = tuple(topics)

    def read_file(self, full_name: str, path: str, ref: str | None = None) -> str | None:
        self._record("read_file")
        repository = self.repositories.get(full_name)
        if repository is None:
            return None
        found = repository.branches.get(ref or "main", {}).get(path)
        return found[0].decode() if found else None

    def pull_request_head(self, full_name: str, number: int) -> str:
        self._record("pull_request_head")
        return f"pr-{number}-head"

    def tree_blobs(self, full_name: str, ref: str) -> dict[str, str]:
        self._record("tree_blobs")
        files = self.repositories[full_name].branches[ref]
        return {path: git_blob_id(content) for path, (content, _) in files.items()}

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
        self._record("push_tree")
        repository = self.repositories[full_name]
        if new_branch_from is not None:
            repository.branches[branch] = dict(repository.branches[new_branch_from])
        tree = {} if replace_tree else dict(repository.branches[branch])
        tree.update(files)
        for path in deleted:
            tree.pop(path, None)
        repository.branches[branch] = tree
        repository.commits.append((branch, message))
        return git_object_id("commit", f"{full_name}{len(repository.commits)}".encode())

    def open_pull_request(
        self, full_name: str, head: str, base: str, title: str, body: str
    ) -> tuple[int, str]:
        self._record("open_pull_request")
        repository = self.repositories[full_name]
        for number, opened in enumerate(repository.pull_requests, start=1):
            if (opened["head"], opened["base"]) == (head, base):
                return number, f"{repository.info.html_url}/pull/{number}"
        number = len(repository.pull_requests) + 1
        repository.pull_requests.append({"head": head, "base": base, "title": title, "body": body})
        return number, f"{repository.info.html_url}/pull/{number}"

    def update_pull_request(self, full_name: str, number: int, title: str, body: str) -> None:
        self._record("update_pull_request")
        self.repositories[full_name].pull_requests[number - 1].update(title=title, body=body)

    def upsert_status_comment(
        self, full_name: str, issue_number: int, marker: str, body: str
    ) -> int:
        self._record("upsert_status_comment")
        assert body.startswith(marker)
        comments = self.comments.setdefault((full_name, issue_number), [])
        for comment in comments:
            if marker in comment.body:
                comment.body = body
                return comment.id
        comments.append(FakeComment(self._id(), body))
        return comments[-1].id

    def comment(self, full_name: str, issue_number: int, body: str, *, key: str) -> None:
        self._record("comment")
        comments = self.comments.setdefault((full_name, issue_number), [])
        for comment in comments:
            if comment.key == key:
                comment.body = body
                return
        comments.append(FakeComment(self._id(), body, key))

    def comments_containing(
        self, full_name: str, issue_number: int, text: str
    ) -> list[IssueComment]:
        self._record("comments_containing")
        return [
            IssueComment(comment.id, self._comment_url(full_name, issue_number, comment), body)
            for comment in self.comments.get((full_name, issue_number), [])
            if text in (body := comment.body)
        ]

    def open_issue(self, full_name: str, title: str, body: str, labels: Sequence[str]) -> int:
        self._record("open_issue")
        number = self._id()
        self.issues[(full_name, number)] = {"title": title, "body": body, "labels": list(labels)}
        return number

    def set_labels(
        self, full_name: str, issue_number: int, add: Sequence[str], remove: Sequence[str]
    ) -> None:
        self._record("set_labels")
        labels = self.labels.setdefault((full_name, issue_number), set())
        labels.update(add)
        labels.difference_update(remove)

    def react(self, full_name: str, comment_id: int, reaction: str) -> None:
        self._record("react")
        if (full_name, comment_id, reaction) not in self.reactions:  # GitHub keeps one
            self.reactions.append((full_name, comment_id, reaction))

    def permission(self, full_name: str, username: str) -> Permission:
        self._record("permission")
        return self.permissions.get(username, "none")

    def create_environment(self, full_name: str, name: str, *, wait_minutes: int) -> None:
        self._record("create_environment")
        self.repositories[full_name].environments[name] = wait_minutes

    def set_variables(
        self, full_name: str, environment: str | None, variables: Mapping[str, str]
    ) -> None:
        self._record("set_variables")
        self.repositories[full_name].variables.setdefault(environment, {}).update(variables)

    def dispatch_workflow(
        self, full_name: str, workflow: str, ref: str, inputs: Mapping[str, str]
    ) -> None:
        self._record("dispatch_workflow")
        self.repositories[full_name].dispatches.append(
            {"workflow": workflow, "ref": ref, "inputs": dict(inputs)}
        )

    def workflow_jobs(self, full_name: str, run_id: int) -> list[WorkflowJob]:
        self._record("workflow_jobs")
        return list(self.workflow_runs.get((full_name, run_id), []))

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
        self._record("report_check")
        self.checks.append(
            {
                "repository": full_name,
                "sha": head_sha,
                "name": name,
                "conclusion": conclusion,
                "title": title,
                "summary": summary,
                "annotations": list(annotations),
            }
        )
