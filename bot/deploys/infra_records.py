"""What SBH knows about the infrastructure of the systems it built, per environment: the last
Terraform plan (on which pull request, with what counts), apply and drift check their
`infra.yml` and `drift.yml` runs reported. Recorded from those results and read back as plain
values for the status comment, the API and the CLI (database in, values out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select

from bot.db.database import Database
from bot.db.models import InfraState

Kind = Literal["plan", "apply", "drift"]
_KINDS: dict[str, Kind] = {"plan": "plan", "apply": "apply", "drift": "drift"}
PENDING = "pending"
SUCCEEDED = "succeeded"
DRIFTED = "drifted"  # a drift check's states are DRIFTED and CLEAN; the others' the rest
CLEAN = "clean"


@dataclass(frozen=True)
class PlanChanges:
    """Terraform's counts line: `Plan: 3 to add, 1 to change, 0 to destroy.`"""

    add: int
    change: int
    destroy: int

    def __str__(self) -> str:
        if not (self.add or self.change or self.destroy):
            return "no changes"
        return f"+{self.add} ~{self.change} \N{MINUS SIGN}{self.destroy}"


@dataclass(frozen=True)
class InfraResult:
    """What one run of a system's infrastructure workflows said about one environment."""

    environment: str
    kind: Kind
    state: str
    run_id: int
    run_attempt: int
    commit_sha: str | None
    url: str | None
    at: datetime
    pull_request: int | None = None
    changes: PlanChanges | None = None


@dataclass(frozen=True)
class InfraRow:
    """The last result of one kind for one environment."""

    environment: str
    kind: Kind
    state: str
    commit_sha: str | None
    url: str | None
    pull_request: int | None
    changes: PlanChanges | None
    since: datetime  # when `state` last changed
    updated_at: datetime

    def summary(self) -> str:
        """ "plan succeeded on PR #12 (+3 ~1 -0)", "applied 1a2b3c4 at 2026-12-05 10:00 UTC",
        "apply of 1a2b3c4 failed at …", "drift detected since …", "no drift (checked …)"."""
        sha = (self.commit_sha or "")[:7]
        if self.kind == "plan":
            where = f" on PR #{self.pull_request}" if self.pull_request else ""
            where = where or (f" of {sha}" if sha else "")
            return f"plan {self.state}{where}" + (f" ({self.changes})" if self.changes else "")
        if self.kind == "apply":
            if self.state == SUCCEEDED:
                return f"applied{f' {sha}' if sha else ''} at {_when(self.updated_at)}"
            of = f"apply of {sha}" if sha else "apply"
            if self.state == PENDING:
                return f"{of} pending"
            return f"{of} {self.state} at {_when(self.updated_at)}"
        if self.state == DRIFTED:
            return f"drift detected since {_when(self.since)}"
        return f"no drift (checked {_when(self.updated_at)})"


@dataclass(frozen=True)
class InfraStatus:
    """One environment's last plan, apply and drift check (None: none reported yet)."""

    plan: InfraRow | None = None
    apply: InfraRow | None = None
    drift: InfraRow | None = None

    def rows(self) -> list[InfraRow]:
        return [row for row in (self.plan, self.apply, self.drift) if row is not None]


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _row(state: InfraState) -> InfraRow:
    add, change, destroy = state.to_add, state.to_change, state.to_destroy
    return InfraRow(
        environment=state.environment,
        kind=_KINDS[state.kind],
        state=state.state,
        commit_sha=state.commit_sha,
        url=state.url,
        pull_request=state.pull_request_number,
        changes=(
            PlanChanges(add, change, destroy)
            if add is not None and change is not None and destroy is not None
            else None
        ),
        since=state.since,
        updated_at=state.updated_at,
    )


class InfraRecords:
    def __init__(self, database: Database) -> None:
        self.database = database

    def record(self, system_id: int, result: InfraResult) -> bool:
        """Keep `result` unless the row holds a later run's (or a later attempt's), or this
        run's final result and `result` is only its pending start; True when kept."""
        with self.database.session() as session:
            row = session.get(InfraState, (system_id, result.environment, result.kind))
            if row is not None:
                held, given = (row.run_id, row.run_attempt), (result.run_id, result.run_attempt)
                if held > given or (
                    held == given and result.state == PENDING and row.state != PENDING
                ):
                    return False
            if row is None:
                row = InfraState(
                    system_id=system_id, environment=result.environment, kind=result.kind
                )
                session.add(row)
            if row.state != result.state:
                row.since = result.at
            changes = result.changes
            row.state, row.run_id, row.run_attempt = result.state, result.run_id, result.run_attempt
            row.commit_sha, row.url = result.commit_sha, result.url
            row.pull_request_number = result.pull_request
            row.to_add, row.to_change, row.to_destroy = (
                (changes.add, changes.change, changes.destroy) if changes else (None, None, None)
            )
            row.updated_at = result.at
            return True

    def statuses(self, system_id: int) -> dict[str, InfraStatus]:
        """environment -> its last plan, apply and drift check."""
        found: dict[str, dict[str, InfraRow]] = {}
        with self.database.session() as session:
            for state in session.scalars(
                select(InfraState).where(InfraState.system_id == system_id)
            ):
                found.setdefault(state.environment, {})[state.kind] = _row(state)
        return {environment: InfraStatus(**rows) for environment, rows in found.items()}
