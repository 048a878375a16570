"""Build = create or update: a complete spec becomes a new repository (one commit) or a pull
request on the repository SBH made before, recorded in `systems` and `builds`.

Every step is safe to repeat: a build that stopped half-way resumes from what exists, and the
same spec twice is answered "up to date" instead of a second repository or commit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import select

from bot.db.database import Database
from bot.db.models import Build, System, utcnow
from bot.ports import GitHubPort, RepositoryInfo
from renderers.complete import Spec, spec_hash, spec_to_yaml
from renderers.render import MANIFEST_PATH, File, git_blob_id, render, template_version

Outcome = Literal["created", "updated", "unchanged", "refused"]
TOPICS = ("sbh-generated", "fastapi", "terraform", "aws-ecs")


@dataclass(frozen=True)
class Origin:
    """Where a build was asked for, so that later events can report back there."""

    repository: str
    trigger: Literal["issue", "push", "command", "web"]
    issue_number: int | None = None
    commit_sha: str | None = None
    installation_id: int | None = None
    delivery_id: str | None = None


@dataclass(frozen=True)
class BuildResult:
    outcome: Outcome
    repository: RepositoryInfo | None
    commit_sha: str | None = None
    pull_request: tuple[int, str] | None = None
    reason: str = ""
    conflicts: tuple[str, ...] = field(default_factory=tuple)


class BuildFailed(Exception):
    """A build stopped part-way; `what_exists` says what is already on GitHub."""

    def __init__(self, message: str, what_exists: str) -> None:
        super().__init__(message)
        self.what_exists = what_exists


def repository_variables(spec: Spec) -> dict[str, dict[str, str]]:
    """The Actions variables of each GitHub environment (the workflows carry the same values
    as defaults; these let an operator see and override them in GitHub's settings)."""
    variables = {}
    for env in spec.environments.values():
        role = f"arn:{env.partition}:iam::{env.aws_account_id}:role/{env.names.deploy_role}"
        variables[env.name] = {
            "AWS_REGION": env.region,
            "AWS_ACCOUNT_ID": env.aws_account_id,
            "ECR_REPO": env.names.ecr_repository,
            "ECS_CLUSTER": env.names.cluster,
            "ECS_SERVICE": env.names.service,
            "OIDC_ROLE_ARN": role,
            "DOMAIN_NAME": env.domain,
        }
    return variables


def _tree(files: Mapping[str, File]) -> dict[str, tuple[bytes, int]]:
    return {path: (file.content, file.mode) for path, file in files.items()}


def build_system(
    github: GitHubPort,
    database: Database,
    spec: Spec,
    origin: Origin,
    *,
    ai_usage: tuple[int, int] = (0, 0),
) -> BuildResult:
    files = render(spec)
    hashed = spec_hash(spec)
    version = template_version()
    system_id, build_id = _start(database, spec, origin, hashed, version, ai_usage)
    try:
        result = _publish(github, database, spec, files, system_id, hashed, version)
    except BuildFailed as failure:
        _finish(database, build_id, "failed", error=str(failure))
        raise
    except Exception as error:
        what = _what_exists(github, spec)
        _finish(database, build_id, "failed", error=repr(error))
        raise BuildFailed(f"{type(error).__name__}: {error}", what) from error
    _finish(
        database,
        build_id,
        result.outcome,
        commit_sha=result.commit_sha,
        pull_request_number=result.pull_request[0] if result.pull_request else None,
    )
    return result


def _publish(
    github: GitHubPort,
    database: Database,
    spec: Spec,
    files: Mapping[str, File],
    system_id: int,
    hashed: str,
    version: str,
) -> BuildResult:
    existing = github.get_repository(spec.repository)
    known_id = _repository_id(database, system_id)
    if existing is None:
        created = github.create_repository(spec.owner, spec.name, spec.description, TOPICS)
        _remember_repository(database, system_id, created.id)
        return _first_commit(github, spec, files, created)
    manifest_text = github.read_file(existing.full_name, MANIFEST_PATH)
    if manifest_text is None:
        if known_id == existing.id:
            # SBH created it and stopped before the first commit landed: resume.
            return _first_commit(github, spec, files, existing)
        return BuildResult(
            "refused",
            existing,
            reason=(
                f"{existing.full_name} already exists and was not made by SBH (it has no "
                f"{MANIFEST_PATH}). Choose another `name` in the spec, or delete or rename "
                "that repository."
            ),
        )
    _remember_repository(database, system_id, existing.id)
    manifest = json.loads(manifest_text)
    if manifest.get("spec_hash") == hashed and manifest.get("template_version") == version:
        return BuildResult("unchanged", existing)
    return _update_pull_request(github, database, spec, files, existing, manifest, hashed)


def _first_commit(
    github: GitHubPort, spec: Spec, files: Mapping[str, File], repository: RepositoryInfo
) -> BuildResult:
    sha = github.push_tree(
        repository.full_name,
        repository.default_branch,
        _tree(files),
        f"Generate {spec.name} from its SBH spec",
        replace_tree=True,
    )
    for environment_name, variables in repository_variables(spec).items():
        github.create_environment(repository.full_name, environment_name, wait_minutes=0)
        github.set_variables(repository.full_name, environment_name, variables)
    return BuildResult("created", repository, commit_sha=sha)


def _update_pull_request(
    github: GitHubPort,
    database: Database,
    spec: Spec,
    files: Mapping[str, File],
    repository: RepositoryInfo,
    manifest: Mapping[str, object],
    hashed: str,
) -> BuildResult:
    """Three-way: generated before (manifest) x on the branch now x generated now. Files the
    owner changed since are left alone and listed as conflicts when SBH would change them."""
    branch = f"sbh/spec-{hashed[:12]}"
    previous = _pull_request_for(database, repository.id, hashed)
    if previous is not None:
        # This spec's pull request exists already (a repeated delivery or command).
        pull_request = (previous, f"{repository.html_url}/pull/{previous}")
        return BuildResult("updated", repository, pull_request=pull_request)
    before = {
        path: str(entry.get("git_blob", ""))
        for path, entry in dict(manifest.get("files", {})).items()  # type: ignore[call-overload]
        if isinstance(entry, dict)
    }
    now = github.tree_blobs(repository.full_name, repository.default_branch)
    changed: dict[str, tuple[bytes, int]] = {}
    conflicts: list[str] = []
    for path, file in files.items():
        generated = git_blob_id(file.content)
        current, earlier = now.get(path), before.get(path)
        if current == generated:
            continue
        owner_changed = current is not None and current != earlier
        if path == MANIFEST_PATH or not owner_changed:
            changed[path] = (file.content, file.mode)
        else:
            conflicts.append(path)
    retired = sorted(set(before) - set(files) - {MANIFEST_PATH})
    sha = github.push_tree(
        repository.full_name,
        branch,
        changed,
        f"Update {spec.name} to its changed SBH spec",
        replace_tree=False,
        new_branch_from=repository.default_branch,
    )
    body = _pull_request_body(spec, sorted(changed), conflicts, retired)
    number, url = github.open_pull_request(
        repository.full_name,
        branch,
        repository.default_branch,
        f"SBH: update {spec.name} to its changed spec",
        body,
    )
    return BuildResult(
        "updated",
        repository,
        commit_sha=sha,
        pull_request=(number, url),
        conflicts=tuple(conflicts),
    )


def _pull_request_body(
    spec: Spec, changed: list[str], conflicts: list[str], retired: list[str]
) -> str:
    lines = [
        "The spec of this repository changed; these are the re-rendered files.",
        "",
        f"Changed or added ({len(changed)}):",
        *(f"- `{path}`" for path in changed),
    ]
    if conflicts:
        lines += [
            "",
            f"**Conflicts** ({len(conflicts)}): you changed these since SBH generated them, and "
            "the new spec changes them too. Your version is kept; compare with a fresh "
            "`sbh build` of `sbh.yaml` and merge by hand:",
            *(f"- `{path}`" for path in conflicts),
        ]
    if retired:
        lines += [
            "",
            "No longer generated (left in place; delete them if you do not need them):",
            *(f"- `{path}`" for path in retired),
        ]
    lines += ["", "<details><summary>The new spec</summary>", "", "```yaml"]
    lines += [spec_to_yaml(spec).rstrip(), "```", "", "</details>"]
    return "\n".join(lines)


def _what_exists(github: GitHubPort, spec: Spec) -> str:
    try:
        repository = github.get_repository(spec.repository)
    except Exception:  # this only describes the damage; it must never mask the cause
        return "unknown (GitHub did not answer)"
    if repository is None:
        return f"nothing: {spec.repository} was not created"
    if github.read_file(repository.full_name, MANIFEST_PATH) is None:
        return f"{repository.html_url} exists but holds no generated files yet"
    return f"{repository.html_url} holds the generated files"


# --- Records.


def _start(
    database: Database,
    spec: Spec,
    origin: Origin,
    hashed: str,
    version: str,
    ai_usage: tuple[int, int],
) -> tuple[int, int]:
    with database.session() as session:
        system = session.scalars(
            select(System).where(System.owner == spec.owner, System.name == spec.name)
        ).one_or_none()
        if system is None:
            system = System(
                owner=spec.owner, name=spec.name, spec="", spec_hash="", template_version=""
            )
            session.add(system)
        system.spec = spec_to_yaml(spec)
        system.spec_hash = hashed
        system.template_version = version
        system.installation_id = origin.installation_id or system.installation_id
        system.origin_repository = origin.repository
        system.origin_issue_number = origin.issue_number or system.origin_issue_number
        system.origin_commit_sha = origin.commit_sha or system.origin_commit_sha
        session.flush()
        build = Build(
            system_id=system.id,
            delivery_id=origin.delivery_id,
            trigger=origin.trigger,
            status="running",
            spec_hash=hashed,
            template_version=version,
            ai_prompt_tokens=ai_usage[0],
            ai_completion_tokens=ai_usage[1],
        )
        session.add(build)
        session.flush()
        return system.id, build.id


def _finish(
    database: Database,
    build_id: int,
    status: str,
    *,
    error: str | None = None,
    commit_sha: str | None = None,
    pull_request_number: int | None = None,
) -> None:
    with database.session() as session:
        build = session.get(Build, build_id)
        assert build is not None
        build.status = status
        build.error = error
        build.commit_sha = commit_sha
        build.pull_request_number = pull_request_number
        build.finished_at = utcnow()


def _repository_id(database: Database, system_id: int) -> int | None:
    with database.session() as session:
        system = session.get(System, system_id)
        return system.repository_id if system else None


def _remember_repository(database: Database, system_id: int, repository_id: int) -> None:
    with database.session() as session:
        system = session.get(System, system_id)
        assert system is not None
        system.repository_id = repository_id


def _pull_request_for(database: Database, repository_id: int, hashed: str) -> int | None:
    with database.session() as session:
        number: int | None = session.scalars(
            select(Build.pull_request_number)
            .join(System, System.id == Build.system_id)
            .where(
                System.repository_id == repository_id,
                Build.spec_hash == hashed,
                Build.pull_request_number.is_not(None),
            )
            .limit(1)
        ).first()
    return number
