"""The sticky status comment on a spec issue: one per issue, found again by its marker and
edited in place (pure formatting; spec values are escaped for Markdown)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.deploys.infra_records import InfraRow, InfraStatus
from bot.deploys.records import DeployRow
from renderers.complete import Spec, spec_to_yaml
from renderers.cost import estimate_cost, format_cost_markdown, format_cost_summary
from renderers.escape import markdown

MARKER = "<!-- sbh:status -->"
MAX_COMMENT = 65_536  # GitHub's limit
_MAX_PROBLEMS = 50


@dataclass(frozen=True)
class LocatedProblem:
    line: int | None
    field: str
    message: str


def _fenced(text: str, language: str = "") -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"


def _finish(body: str) -> str:
    text = f"{MARKER}\n{body.rstrip()}\n"
    if len(text) <= MAX_COMMENT:
        return text
    return text[: MAX_COMMENT - 200] + "\n\n… (cut: the comment reached GitHub's size limit)\n"


def _environments_table(spec: Spec) -> str:
    rows = ["| environment | AWS account | region | URL | approval |", "|---|---|---|---|---|"]
    for env in spec.environments.values():
        rows.append(
            f"| {markdown(env.name)} | `{env.aws_account_id}` | {markdown(env.region)} | "
            f"https://{env.domain} | {'required' if env.approval else 'no'} |"
        )
    return "\n".join(rows)


def plan_comment(
    spec: Spec,
    file_count: int,
    repository_exists: bool,
    proposed: Sequence[str] = (),
    completion_note: str | None = None,
) -> str:
    what = "update (a pull request on)" if repository_exists else "create"
    resources = [
        "VPC over two zones with NAT and VPC endpoints",
        "ECR repository",
        "ECS Fargate service behind an HTTPS load balancer",
        *(["RDS PostgreSQL " + markdown(spec.database.version)] if spec.database else []),
        *([f"S3 buckets: {', '.join(markdown(b) for b in spec.buckets)}"] if spec.buckets else []),
        *([f"{len(spec.secrets)} Secrets Manager secret(s)"] if spec.secrets else []),
        "IAM roles (task, execution, GitHub OIDC build and deploy)",
        "CloudWatch alarms to SNS",
    ]
    ai_lines = ""
    if proposed:
        fields = ", ".join(f"`{field}`" for field in proposed)
        ai_lines += f"Proposed by AI (review them): {fields}.\n\n"
    if completion_note:
        ai_lines += f"_Note: {markdown(completion_note)}._\n\n"
    estimate = estimate_cost(spec)
    return _finish(
        f"### SBH plan: {markdown(spec.repository)}\n\n"
        f"SBH will **{what}** `{spec.repository}` with {file_count} files.\n\n"
        f"{_environments_table(spec)}\n\n"
        "Per environment: " + "; ".join(resources) + ".\n\n"
        f"{format_cost_summary(estimate)}.\n\n"
        "<details><summary>Cost estimate, line by line</summary>\n\n"
        f"{format_cost_markdown(estimate)}\n</details>\n\n"
        f"{ai_lines}"
        "<details><summary>Completed spec</summary>\n\n"
        f"{_fenced(spec_to_yaml(spec), 'yaml')}\n\n</details>\n\n"
        "Next: comment `/sbh build` to build it (needs write permission here)."
    )


def missing_spec_comment() -> str:
    return _finish(
        "### SBH: no spec found\n\nPut the spec in the issue body as a fenced "
        "```` ```yaml ```` block starting with `apiVersion: sbh/v1`."
    )


def invalid_comment(problems: Sequence[LocatedProblem], where: str) -> str:
    shown = list(problems)[:_MAX_PROBLEMS]
    lines = [
        f"- line {problem.line} of {where}, `{problem.field}`: {markdown(problem.message)}"
        if problem.line
        else f"- `{problem.field}`: {markdown(problem.message)}"
        for problem in shown
    ]
    more = len(problems) - len(shown)
    return _finish(
        f"### SBH: the spec has {len(problems)} problem{'s' if len(problems) != 1 else ''}\n\n"
        + "\n".join(lines)
        + (f"\n- … and {more} more" if more > 0 else "")
        + "\n\nEdit the issue to fix them; SBH checks again on every edit."
    )


def built_comment(
    spec: Spec, repository_url: str, commit_sha: str | None, pull_request_url: str | None
) -> str:
    change = (
        f"Opened {pull_request_url} with the changes. Its Terraform plan per environment "
        "follows in a comment there; this comment links it when it arrives."
        if pull_request_url
        else f"Pushed the generated repository as one commit (`{(commit_sha or '')[:7]}`)."
    )
    steps = "\n".join(
        f"{index}. `infra/scripts/setup-oidc.sh {env.name}` with credentials for account "
        f"`{env.aws_account_id}`, then `terraform apply` in `infra/envs/{env.name}`"
        for index, env in enumerate(spec.environments.values(), start=1)
    )
    return _finish(
        f"### SBH built {markdown(spec.repository)}\n\n"
        f"{change}\n\n"
        f"- repository: {repository_url}\n"
        f"- workflows: {repository_url}/actions\n"
        f"- bootstrap: {repository_url}#bootstrap-in-this-order\n\n"
        f"{_environments_table(spec)}\n\n"
        f"Bootstrap, in order:\n\n{steps}\n\n"
        "Then push to `main`: the image is built and deployed. "
        "`/sbh deploy <env>` deploys by hand, `/sbh status` shows the state."
    )


def unchanged_comment(spec: Spec, repository_url: str) -> str:
    return _finish(
        f"### SBH: {markdown(spec.repository)} is up to date\n\n"
        f"{repository_url} was generated from this exact spec and template version: "
        "nothing to do."
    )


def refused_comment(full_name: str, reason: str) -> str:
    return _finish(f"### SBH did not build `{full_name}`\n\n{markdown(reason)}")


def failed_comment(full_name: str, error: str, what_exists: str) -> str:
    return _finish(
        f"### SBH: building `{full_name}` failed\n\n"
        f"{_fenced(error[:2000])}\n\n"
        f"What exists now: {markdown(what_exists)}\n\n"
        "Comment `/sbh build` to resume: SBH continues from what exists."
    )


def _linked(row: InfraRow) -> str:
    # The summary is SBH's own words, numbers and a hex SHA: nothing in it to escape.
    return f"[{row.summary()}]({row.url})" if row.url else row.summary()


def _infrastructure_lines(
    environments: Sequence[str], infrastructure: Mapping[str, InfraStatus]
) -> list[str]:
    """ "- **dev**: [plan succeeded on PR #12 (+3 ~1 -0)](…) · [applied 1a2b3c4 at …](…)"."""
    described = [
        f"- **{markdown(environment)}**: " + " · ".join(_linked(row) for row in status.rows())
        for environment in environments
        if (status := infrastructure.get(environment)) and status.rows()
    ]
    return ["", "Infrastructure (Terraform):", "", *described] if described else []


def system_comment(
    full_name: str,
    repository_url: str,
    environments: Sequence[str],
    latest: Sequence[DeployRow],
    history: Sequence[DeployRow],
    build_note: str | None = None,
    health: Mapping[str, str] | None = None,
    infrastructure: Mapping[str, InfraStatus] | None = None,
) -> str:
    """The sticky comment once a system exists: one row per environment (with its health
    when probed), a line per environment on its infrastructure's last plan, apply and drift
    check, then history."""

    def cells(row: DeployRow) -> str:
        image = f"`{markdown(row.image_tag)}`" if row.image_tag else "newest"
        run = f"[run]({row.run_url})" if row.run_url else ""
        url = row.url or ""
        note = f" ({markdown(row.description)})" if row.description else ""
        actor = f"@{markdown(row.actor)}" if row.actor else ""
        when = f"{row.updated_at:%Y-%m-%d %H:%M}"
        return f"{image} | {markdown(row.state)}{note} | {url} | {when} | {actor} | {run}"

    by_environment = {row.environment: row for row in latest}
    lines = [
        f"### SBH: {markdown(full_name)}",
        "",
        f"Repository: {repository_url}",
        "",
        "| environment | image | state | URL | when (UTC) | by | | health |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for environment in environments:
        row = by_environment.get(environment)
        probed = (health or {}).get(environment, "")
        lines.append(
            f"| {markdown(environment)} | {cells(row)} | {probed} |"
            if row
            else f"| {markdown(environment)} | | never deployed | | | | | {probed} |"
        )
    lines += _infrastructure_lines(environments, infrastructure or {})
    if build_note:
        lines += ["", build_note]  # written by SBH; error text in it is already in code spans
    if history:
        lines += ["", "<details><summary>Recent deploys</summary>", ""]
        lines += [
            "| environment | image | state | URL | when (UTC) | by | |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [f"| {markdown(row.environment)} | {cells(row)} |" for row in history]
        lines += ["", "</details>"]
    lines += ["", "`/sbh deploy <env> [<tag>]`, `/sbh rollback <env> [<tag>]`, `/sbh status`."]
    return _finish("\n".join(lines))
