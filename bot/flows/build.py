"""Build = create or update: a complete spec becomes a new repository (one commit) or a pull
request on the repository SBH made before, recorded in `systems` and `builds`.

Every step is safe to repeat: a build that stopped half-way resumes from what exists, and the
same spec twice is answered "up to date" instead of a second repository or commit. A step
GitHub refuses (a 4xx: the App may not create repositories there, the name is taken) ends
the build as "refused", with what GitHub said and what to do; retrying would not help.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

from bot.db.systems import SystemsRepository
from bot.ports import GitHubPort, GitHubRefused, RepositoryInfo
from renderers.complete import AnySpec, Spec, complete_defaults, spec_hash, spec_to_yaml
from renderers.cost import (
    cost_difference,
    estimate_cost,
    format_cost_difference_markdown,
    format_cost_summary,
)
from renderers.problems import SpecError
from renderers.render import (
    MANIFEST_PATH,
    SPEC_PATH,
    File,
    git_blob_id,
    render,
    template_version,
)
from renderers.spec import load_spec

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


class StepRefused(Exception):
    """GitHub refused a step of a build (`step`, in words for the person)."""

    def __init__(self, step: str, refusal: GitHubRefused) -> None:
        super().__init__(f"GitHub refused to {step} ({refusal.status_text})")
        self.refusal = refusal

    def reason(self, owner: str, what_exists: str) -> str:
        """What happened, what exists now, and what to do."""
        said = self.refusal.message.rstrip(".")
        if self.refusal.status in (401, 403):
            advice = (
                f"SBH's GitHub App may lack a permission this needs on {owner} "
                "(Administration, Contents, Workflows, Environments and Variables: write): "
                "check its installation there"
            )
        elif self.refusal.status == 404:
            advice = f"Check that the SBH GitHub App is installed on {owner}"
        else:
            advice = "Fix what GitHub says"
        return (
            f"{self}: {said}. What exists now: {what_exists}. {advice}, then build again "
            "(`/sbh build`): SBH continues from what exists."
        )


@contextmanager
def _step(step: str) -> Iterator[None]:
    """Names `step` (an infinitive: "create the repository …") if GitHub refuses it."""
    try:
        yield
    except GitHubRefused as refusal:
        raise StepRefused(step, refusal) from refusal


def repository_variables(spec: AnySpec) -> dict[str, dict[str, str]]:
    """The Actions variables of each GitHub environment (the workflows carry the same values
    as defaults; these let an operator see and override them in GitHub's settings).

    An sbh/v2 system gets only what its services share: each service's names (repository,
    ECS service, task family) live in the `TARGETS` JSON its workflows read, which a single
    variable per environment could not hold without drifting from it."""
    variables = {}
    for env in spec.environments.values():
        role = f"arn:{env.partition}:iam::{env.aws_account_id}:role/{env.names.deploy_role}"
        variables[env.name] = {
            "AWS_REGION": env.region,
            "AWS_ACCOUNT_ID": env.aws_account_id,
            "ECS_CLUSTER": env.names.cluster,
            "OIDC_ROLE_ARN": role,
            "DOMAIN_NAME": env.domain,
        }
        if isinstance(spec, Spec):  # the one service of an sbh/v1 system
            names = spec.environments[env.name].names
            variables[env.name] |= {
                "ECR_REPO": names.ecr_repository,
                "ECS_SERVICE": names.service,
            }
    return variables


def _tree(files: Mapping[str, File]) -> dict[str, tuple[bytes, int]]:
    return {path: (file.content, file.mode) for path, file in files.items()}


def build_system(
    github: GitHubPort,
    systems: SystemsRepository,
    spec: AnySpec,
    origin: Origin,
    *,
    ai_usage: tuple[int, int] = (0, 0),
) -> BuildResult:
    files = render(spec)
    hashed = spec_hash(spec)
    version = template_version()
    system_id, build_id = systems.start_build(
        spec,
        spec_hash=hashed,
        template_version=version,
        trigger=origin.trigger,
        origin_repository=origin.repository,
        issue_number=origin.issue_number,
        commit_sha=origin.commit_sha,
        installation_id=origin.installation_id,
        delivery_id=origin.delivery_id,
        ai_usage=ai_usage,
    )
    try:
        # The writes name their own steps; what is left are the reads of what exists.
        with _step(f"show SBH what exists of {spec.repository}"):
            result = _publish(github, systems, spec, files, system_id, hashed, version)
    except StepRefused as refused:
        reason = refused.reason(spec.owner, _what_exists(github, spec))
        systems.finish_build(build_id, "refused", error=reason)
        return BuildResult("refused", None, reason=reason)
    except BuildFailed as failure:
        systems.finish_build(build_id, "failed", error=str(failure))
        raise
    except Exception as error:
        what = _what_exists(github, spec)
        systems.finish_build(build_id, "failed", error=repr(error))
        raise BuildFailed(f"{type(error).__name__}: {error}", what) from error
    systems.finish_build(
        build_id,
        result.outcome,
        commit_sha=result.commit_sha,
        pull_request_number=result.pull_request[0] if result.pull_request else None,
    )
    return result


def _publish(
    github: GitHubPort,
    systems: SystemsRepository,
    spec: AnySpec,
    files: Mapping[str, File],
    system_id: int,
    hashed: str,
    version: str,
) -> BuildResult:
    existing = github.get_repository(spec.repository)
    known_id = systems.repository_id(system_id)
    if existing is None:
        with _step(f"create the repository {spec.repository}"):
            created = github.create_repository(spec.owner, spec.name, spec.description)
        # Remembered at once: a build that stops after this resumes in this repository
        # instead of taking it for someone else's.
        systems.remember_repository(system_id, created.id)
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
    systems.remember_repository(system_id, existing.id)
    manifest = json.loads(manifest_text)
    if manifest.get("spec_hash") == hashed and manifest.get("template_version") == version:
        return BuildResult("unchanged", existing)
    return _update_pull_request(github, systems, spec, files, existing, manifest, hashed)


def _first_commit(
    github: GitHubPort, spec: AnySpec, files: Mapping[str, File], repository: RepositoryInfo
) -> BuildResult:
    with _step(f"set the topics of {repository.full_name}"):
        github.set_topics(repository.full_name, TOPICS)
    with _step(f"push the generated files to {repository.full_name}"):
        sha = github.push_tree(
            repository.full_name,
            repository.default_branch,
            _tree(files),
            f"Generate {spec.name} from its SBH spec",
            replace_tree=True,
        )
    for environment_name, variables in repository_variables(spec).items():
        with _step(f"set up the environment {environment_name} of {repository.full_name}"):
            github.create_environment(repository.full_name, environment_name, wait_minutes=0)
            github.set_variables(repository.full_name, environment_name, variables)
    return BuildResult("created", repository, commit_sha=sha)


def _update_pull_request(
    github: GitHubPort,
    systems: SystemsRepository,
    spec: AnySpec,
    files: Mapping[str, File],
    repository: RepositoryInfo,
    manifest: Mapping[str, object],
    hashed: str,
) -> BuildResult:
    """Three-way: generated before (manifest) x on the branch now x generated now. Files the
    owner changed since are left alone and listed as conflicts when SBH would change them."""
    branch = f"sbh/spec-{hashed[:12]}"
    previous = systems.pull_request_for(repository.id, hashed)
    if previous is not None:
        # This spec's pull request exists already (a repeated delivery or command).
        pull_request = (previous, f"{repository.html_url}/pull/{previous}")
        return BuildResult("updated", repository, pull_request=pull_request)
    three_way = three_way_update(
        manifest, github.tree_blobs(repository.full_name, repository.default_branch), files
    )
    changed, conflicts, retired = three_way.changed, list(three_way.conflicts), three_way.retired
    with _step(f"push the changed files to the branch {branch} of {repository.full_name}"):
        sha = github.push_tree(
            repository.full_name,
            branch,
            changed,
            f"Update {spec.name} to its changed SBH spec",
            replace_tree=False,
            new_branch_from=repository.default_branch,
            deleted=retired.deleted,
        )
    cost = _cost_change(spec_on_branch(github, repository), spec)
    body = _pull_request_body(spec, sorted(changed), conflicts, retired, cost)
    with _step(f"open a pull request from {branch} on {repository.full_name}"):
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


@dataclass(frozen=True)
class Retired:
    """Files SBH generated before and no longer does."""

    deleted: list[str]  # unchanged by the owner: deleted in the pull request
    kept: list[str]  # changed by the owner: left in place


@dataclass(frozen=True)
class ThreeWayUpdate:
    """What a re-render changes on a branch, three-way: generated before (the manifest's blob
    ids) x on the branch now x generated now."""

    changed: dict[str, tuple[bytes, int]]  # {path: (content, mode)} to commit
    conflicts: tuple[str, ...]  # the owner changed them since, and so would SBH: left alone
    retired: Retired  # generated before, no longer


def three_way_update(
    manifest: Mapping[str, object], now: Mapping[str, str], files: Mapping[str, File]
) -> ThreeWayUpdate:
    """`files` (the new render) over a branch holding `now` ({path: git blob id}) whose last
    generation `manifest` recorded. Files the owner changed since are left alone and listed
    as conflicts when SBH would change them; the manifest is always rewritten."""
    before = {
        path: str(entry.get("git_blob", ""))
        for path, entry in dict(manifest.get("files", {})).items()  # type: ignore[call-overload]
        if isinstance(entry, dict)
    }
    changed: dict[str, tuple[bytes, int]] = {}
    conflicts: list[str] = []
    for path, file in files.items():
        generated = git_blob_id(file.content)
        current, earlier = now.get(path), before.get(path)
        owner_changed = current is not None and current != earlier
        if current == generated or (owner_changed and generated == earlier):
            continue  # as generated already, or the owner's edit of a file SBH leaves as it was
        if path == MANIFEST_PATH or not owner_changed:
            changed[path] = (file.content, file.mode)
        else:
            conflicts.append(path)
    # No longer generated (a v1 repository's app/ once its spec is sbh/v2): deleted where the
    # owner left them as generated, kept (and listed) where they changed them.
    retired = sorted(set(before) - set(files) - {MANIFEST_PATH})
    deleted = [path for path in retired if now.get(path) == before[path]]
    kept = [path for path in retired if now.get(path) not in (None, before[path])]
    return ThreeWayUpdate(changed, tuple(conflicts), Retired(deleted, kept))


def spec_on_branch(github: GitHubPort, repository: RepositoryInfo) -> AnySpec | None:
    """The spec the default branch holds now (`sbh.yaml`), or None when there is none SBH can
    read (the owner may have edited it)."""
    text = github.read_file(repository.full_name, SPEC_PATH, ref=repository.default_branch)
    if text is None:
        return None
    try:
        return complete_defaults(load_spec(text, SPEC_PATH), SPEC_PATH)
    except SpecError:
        return None


def _cost_change(before: AnySpec | None, after: AnySpec) -> str:
    """The estimated monthly cost before and after the change (or after, alone)."""
    if before is None:
        return format_cost_summary(estimate_cost(after)) + "."
    return format_cost_difference_markdown(
        cost_difference(estimate_cost(before), estimate_cost(after))
    )


def _pull_request_body(
    spec: AnySpec, changed: list[str], conflicts: list[str], retired: Retired, cost: str
) -> str:
    lines = [
        "The spec of this repository changed; these are the re-rendered files.",
        "",
        # The repository's infra.yml plans each environment and posts the plans there.
        "The Terraform plan of each environment follows in a comment on this pull request.",
        "",
        cost.rstrip(),
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
    if retired.deleted:
        lines += [
            "",
            f"Deleted ({len(retired.deleted)}): no longer generated, and unchanged since SBH "
            "generated them:",
            *(f"- `{path}`" for path in retired.deleted),
        ]
    if retired.kept:
        lines += [
            "",
            "No longer generated, but you changed them (left in place; delete them if you do "
            "not need them):",
            *(f"- `{path}`" for path in retired.kept),
        ]
    lines += ["", "<details><summary>The new spec</summary>", "", "```yaml"]
    lines += [spec_to_yaml(spec).rstrip(), "```", "", "</details>"]
    return "\n".join(lines)


def _what_exists(github: GitHubPort, spec: AnySpec) -> str:
    try:
        repository = github.get_repository(spec.repository)
    except Exception:  # this only describes the damage; it must never mask the cause
        return "unknown (GitHub did not answer)"
    if repository is None:
        return f"nothing: {spec.repository} was not created"
    if github.read_file(repository.full_name, MANIFEST_PATH) is None:
        return f"{repository.html_url} exists but holds no generated files yet"
    return f"{repository.html_url} holds the generated files"
