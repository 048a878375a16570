"""The sticky status comment on a spec issue: one per issue, found again by its marker and
edited in place (pure formatting; spec values are escaped for Markdown)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.deploys.infra_records import InfraRow, InfraStatus
from bot.deploys.records import DeployRow
from bot.deploys.services import ServiceFacts, service_facts
from renderers.complete import AnySpec, spec_to_yaml
from renderers.complete_v2 import SpecV2
from renderers.cost import estimate_cost, format_cost_markdown, format_cost_summary
from renderers.escape import markdown

MARKER = "<!-- sbh:status -->"
MAX_COMMENT = 65_536  # GitHub's limit
_MAX_PROBLEMS = 50
# What each kind adds to an environment, for the plan (in the order kinds are listed).
_KIND_RESOURCES = {
    "web": "ECS Fargate services behind one HTTPS load balancer (a listener rule per path)",
    "backend": "ECS Fargate services reached by name through ECS Service Connect",
    "worker": "per worker an encrypted SQS queue with a dead-letter queue, scaled on its depth",
    "job": "per job an EventBridge Scheduler schedule that runs its ECS task",
    "static-site": "a private S3 bucket behind CloudFront (TLS 1.2+, security headers)",
}


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


def _environments_table(spec: AnySpec) -> str:
    rows = ["| environment | AWS account | region | URL | approval |", "|---|---|---|---|---|"]
    for env in spec.environments.values():
        rows.append(
            f"| {markdown(env.name)} | `{env.aws_account_id}` | {markdown(env.region)} | "
            f"https://{env.domain} | {'required' if env.approval else 'no'} |"
        )
    return "\n".join(rows)


def _reached_at(facts: ServiceFacts, spec: SpecV2) -> str:
    """Where a service is reached: its URL in each environment, or how it is reached."""
    urls = [url for env in spec.environments.values() if (url := facts.url(env.domain)) is not None]
    if urls:
        return "<br>".join(urls)
    if facts.reached_by:
        return f"`{facts.reached_by}` (inside the system)"
    return "not reachable from outside"


def services_table(spec: SpecV2) -> str:
    """| service | kind | what | reached at |: one row per service, in the spec's order."""
    rows = ["| service | kind | what | reached at |", "|---|---|---|---|"]
    rows += [
        f"| {markdown(facts.name)} | {markdown(facts.kind)} | {markdown(facts.summary())} | "
        f"{_reached_at(facts, spec)} |"
        for facts in service_facts(spec)
    ]
    return "\n".join(rows)


def _resources_v2(spec: SpecV2) -> list[str]:
    kinds = {service.kind for service in spec.services.values()}
    return [
        "VPC over two zones with NAT and VPC endpoints",
        "an ECS cluster; per container service its ECR repository, task definition, log group "
        "and alarms",
        *(resources for kind, resources in _KIND_RESOURCES.items() if kind in kinds),
        *(["RDS PostgreSQL " + markdown(spec.database.version)] if spec.database else []),
        *([f"S3 buckets: {', '.join(markdown(b) for b in spec.buckets)}"] if spec.buckets else []),
        "IAM roles per service (each reaches only what it uses; GitHub OIDC build and deploy)",
        "CloudWatch alarms to SNS",
    ]


def _plan_comment_v2(spec: SpecV2, what: str, file_count: int, ai_lines: str) -> str:
    count = len(spec.services)
    return _finish(
        f"### SBH plan: {markdown(spec.repository)}\n\n"
        f"SBH will **{what}** `{spec.repository}` (sbh/v2, {count} "
        f"service{'s' if count != 1 else ''}) with {file_count} files.\n\n"
        f"{_environments_table(spec)}\n\n"
        f"{services_table(spec)}\n\n"
        "Per environment: " + "; ".join(_resources_v2(spec)) + ".\n\n"
        f"{_cost_lines(spec)}"
        f"{ai_lines}"
        "<details><summary>Completed spec</summary>\n\n"
        f"{_fenced(spec_to_yaml(spec), 'yaml')}\n\n</details>\n\n"
        "Next: comment `/sbh build` to build it (needs write permission here)."
    )


def _cost_lines(spec: AnySpec) -> str:
    estimate = estimate_cost(spec)
    return (
        f"{format_cost_summary(estimate)}.\n\n"
        "<details><summary>Cost estimate, line by line</summary>\n\n"
        f"{format_cost_markdown(estimate)}\n</details>\n\n"
    )


def plan_comment(
    spec: AnySpec,
    file_count: int,
    repository_exists: bool,
    proposed: Sequence[str] = (),
    completion_note: str | None = None,
) -> str:
    what = "update (a pull request on)" if repository_exists else "create"
    ai_lines = ""
    if proposed:
        fields = ", ".join(f"`{field}`" for field in proposed)
        ai_lines += f"Proposed by AI (review them): {fields}.\n\n"
    if completion_note:
        ai_lines += f"_Note: {markdown(completion_note)}._\n\n"
    if isinstance(spec, SpecV2):
        return _plan_comment_v2(spec, what, file_count, ai_lines)
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
    return _finish(
        f"### SBH plan: {markdown(spec.repository)}\n\n"
        f"SBH will **{what}** `{spec.repository}` with {file_count} files.\n\n"
        f"{_environments_table(spec)}\n\n"
        "Per environment: " + "; ".join(resources) + ".\n\n"
        f"{_cost_lines(spec)}"
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
    spec: AnySpec, repository_url: str, commit_sha: str | None, pull_request_url: str | None
) -> str:
    change = (
        f"Opened {pull_request_url} with the changes. Its Terraform plan per environment "
        "follows in a comment there; this comment links it when it arrives."
        if pull_request_url
        else f"Pushed the generated repository as one commit (`{(commit_sha or '')[:7]}`)."
    )
    steps = "\n".join(
        f"{index}. `infra/scripts/setup-oidc.sh {name}` with credentials for account "
        f"`{spec.environments[name].aws_account_id}`, then `terraform apply` in "
        f"`infra/envs/{name}`"
        for index, name in enumerate(spec.environments, start=1)
    )
    services = f"{services_table(spec)}\n\n" if isinstance(spec, SpecV2) else ""
    deploy = (
        "Then push to `main`: the images of the changed services are built and deployed. "
        "`/sbh deploy <env> [<service>]` deploys by hand, `/sbh status` shows the state."
        if isinstance(spec, SpecV2)
        else "Then push to `main`: the image is built and deployed. "
        "`/sbh deploy <env>` deploys by hand, `/sbh status` shows the state."
    )
    return _finish(
        f"### SBH built {markdown(spec.repository)}\n\n"
        f"{change}\n\n"
        f"- repository: {repository_url}\n"
        f"- workflows: {repository_url}/actions\n"
        f"- bootstrap: {repository_url}#bootstrap-in-this-order\n\n"
        f"{_environments_table(spec)}\n\n"
        f"{services}"
        f"Bootstrap, in order:\n\n{steps}\n\n"
        f"{deploy}"
    )


def unchanged_comment(spec: AnySpec, repository_url: str) -> str:
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
