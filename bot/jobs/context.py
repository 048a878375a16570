"""What a handler or job runner may use: settings, the database and its repositories, the
queue, and the ports. Tests build one with fakes at the protocol edge; nothing here is
global."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

from bot.ai.drafting import Drafter
from bot.db.database import Database
from bot.db.installations import InstallationsRepository
from bot.db.systems import SystemsRepository
from bot.deploys.records import DeployRecords
from bot.jobs.lease import FencedGitHub, JobLease
from bot.jobs.queue import JobQueue
from bot.jobs.spec_work import SpecWorkPool
from bot.ports import GitHubPort
from bot.settings import Settings


class GitHubNotConfigured(RuntimeError):
    """The App's id and private key are not set, so SBH cannot act on GitHub."""


class WithRepositories:
    """The repositories over `self.database`, each made on first use."""

    database: Database

    @cached_property
    def systems(self) -> SystemsRepository:
        return SystemsRepository(self.database)

    @cached_property
    def deploys(self) -> DeployRecords:
        return DeployRecords(self.database)

    @cached_property
    def installations(self) -> InstallationsRepository:
        return InstallationsRepository(self.database)


@dataclass(frozen=True)
class HandlerContext(WithRepositories):
    settings: Settings
    database: Database
    queue: JobQueue
    # Where spec text is read, within the time limit (worker processes).
    spec_work: SpecWorkPool
    # installation id -> a GitHubPort acting as that installation (None: not configured).
    github_for_installation: Callable[[int], GitHubPort] | None = None
    # Completes specs: the OpenAI drafter when a key is configured, else deterministic.
    drafter: Drafter | None = None

    def github(self, installation_id: int | None) -> GitHubPort:
        if self.github_for_installation is None:
            raise GitHubNotConfigured(
                "GITHUB_APP_ID and GITHUB_PRIVATE_KEY are not set: SBH cannot act on GitHub"
            )
        if installation_id is None:
            raise GitHubNotConfigured("the event has no installation: SBH cannot act on it")
        return self.github_for_installation(installation_id)

    def fenced_by(self, lease: JobLease) -> HandlerContext:
        """This context for the job `lease` holds: its GitHub writes only while it is held."""
        unfenced = self.github_for_installation
        if unfenced is None:
            return self
        return replace(
            self,
            github_for_installation=lambda installation_id: FencedGitHub(
                unfenced(installation_id), lease
            ),
        )
