"""A worker's hold on the job it works on, and GitHub fenced by it.

A worker that stops for longer than its lease — paused (SIGSTOP, a frozen VM), starved — can
wake up to find that another worker took the job over and did it. From then on it must not
write to GitHub even once: every write through `FencedGitHub` first makes sure this worker
still holds the job, and raises `LeaseLost` otherwise.

Making sure is cheap. The lease runs `lease_seconds` from its last renewal (the claim, the
heartbeat, or a check here). Within the first third of that, a write goes ahead on the
queue's clock alone: the two thirds left are the margin for workers' clocks disagreeing.
Later than that — so after any pause longer than that — the write renews the lease first,
with one indexed UPDATE that matches only while the job is still this worker's, and a worker
whose lease ran out while it was stopped finds out before its next write instead of after.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Literal

from bot.jobs.queue import ClaimedJob, JobQueue
from bot.ports import (
    Annotation,
    GitHubPort,
    IssueComment,
    Permission,
    RepositoryInfo,
    WorkflowJob,
)


class LeaseLost(BaseException):
    """This worker no longer holds its job: another worker has it (or had it and finished
    it), so this one stops before its next write. A BaseException, like
    asyncio.CancelledError, so that no `except Exception` in a flow can swallow it."""


class JobLease:
    def __init__(self, queue: JobQueue, job: ClaimedJob) -> None:
        self.queue = queue
        self.job = job
        self._lock = threading.Lock()  # the heartbeat thread renews it too
        self._lost = False
        self._trusted_until = self._trust(job.lease_expires_at)

    def _trust(self, expires_at: datetime) -> datetime:
        return expires_at - timedelta(seconds=self.queue.policy.lease_seconds * 2 / 3)

    def renew(self) -> bool:
        """Extend the lease; False (for good) once the job is no longer this worker's."""
        with self._lock:
            if self._lost:
                return False
            expires_at = self.queue.extend_lease(self.job)
            if expires_at is None:
                self._lost = True
                return False
            self._trusted_until = self._trust(expires_at)
            return True

    def give_back(self) -> bool:
        """Release the job unfinished (the pool stops while it runs): from now on its work
        writes nothing, and another worker may take it. False when it was no longer ours."""
        with self._lock:
            self._lost = True
        return self.queue.release(self.job)

    def hold(self) -> None:
        """Return when this worker surely still holds the job; raise `LeaseLost` if not."""
        with self._lock:
            if not self._lost and self.queue.now() < self._trusted_until:
                return
        if not self.renew():
            raise LeaseLost(f"job {self.job.id} is no longer held by {self.job.worker_id}")


class FencedGitHub:
    """A `GitHubPort` whose every write first checks `lease.hold()`; reads go straight
    through (they change nothing, so a stale worker reading is harmless)."""

    def __init__(self, github: GitHubPort, lease: JobLease) -> None:
        self.github = github
        self.lease = lease

    # -- reads

    def get_repository(self, full_name: str) -> RepositoryInfo | None:
        return self.github.get_repository(full_name)

    def read_file(self, full_name: str, path: str, ref: str | None = None) -> str | None:
        return self.github.read_file(full_name, path, ref)

    def pull_request_head(self, full_name: str, number: int) -> str:
        return self.github.pull_request_head(full_name, number)

    def tree_blobs(self, full_name: str, ref: str) -> dict[str, str]:
        return self.github.tree_blobs(full_name, ref)

    def permission(self, full_name: str, username: str) -> Permission:
        return self.github.permission(full_name, username)

    def comments_containing(
        self, full_name: str, issue_number: int, text: str
    ) -> list[IssueComment]:
        return self.github.comments_containing(full_name, issue_number, text)

    def workflow_jobs(self, full_name: str, run_id: int) -> list[WorkflowJob]:
        return self.github.workflow_jobs(full_name, run_id)

    # -- writes

    def create_repository(self, owner: str, name: str, description: str) -> RepositoryInfo:
        self.lease.hold()
        return self.github.create_repository(owner, name, description)

    def set_topics(self, full_name: str, topics: Sequence[str]) -> None:
        self.lease.hold()
        self.github.set_topics(full_name, topics)

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
        self.lease.hold()
        return self.github.push_tree(
            full_name,
            branch,
            files,
            message,
            replace_tree=replace_tree,
            new_branch_from=new_branch_from,
            deleted=deleted,
        )

    def open_pull_request(
        self, full_name: str, head: str, base: str, title: str, body: str
    ) -> tuple[int, str]:
        self.lease.hold()
        return self.github.open_pull_request(full_name, head, base, title, body)

    def update_pull_request(self, full_name: str, number: int, title: str, body: str) -> None:
        self.lease.hold()
        self.github.update_pull_request(full_name, number, title, body)

    def upsert_status_comment(
        self, full_name: str, issue_number: int, marker: str, body: str
    ) -> int:
        self.lease.hold()
        return self.github.upsert_status_comment(full_name, issue_number, marker, body)

    def comment(self, full_name: str, issue_number: int, body: str, *, key: str) -> None:
        self.lease.hold()
        self.github.comment(full_name, issue_number, body, key=key)

    def open_issue(self, full_name: str, title: str, body: str, labels: Sequence[str]) -> int:
        self.lease.hold()
        return self.github.open_issue(full_name, title, body, labels)

    def set_labels(
        self, full_name: str, issue_number: int, add: Sequence[str], remove: Sequence[str]
    ) -> None:
        self.lease.hold()
        self.github.set_labels(full_name, issue_number, add, remove)

    def react(self, full_name: str, comment_id: int, reaction: str) -> None:
        self.lease.hold()
        self.github.react(full_name, comment_id, reaction)

    def create_environment(self, full_name: str, name: str, *, wait_minutes: int) -> None:
        self.lease.hold()
        self.github.create_environment(full_name, name, wait_minutes=wait_minutes)

    def set_variables(
        self, full_name: str, environment: str | None, variables: Mapping[str, str]
    ) -> None:
        self.lease.hold()
        self.github.set_variables(full_name, environment, variables)

    def dispatch_workflow(
        self, full_name: str, workflow: str, ref: str, inputs: Mapping[str, str]
    ) -> None:
        self.lease.hold()
        self.github.dispatch_workflow(full_name, workflow, ref, inputs)

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
        self.lease.hold()
        self.github.report_check(full_name, head_sha, name, conclusion, title, summary, annotations)
