"""Security rules every generated repository must keep, checked on file contents (pure).

- Workflows: no `${{ ... }}` inside `run:` (values reach scripts through `env:` only), every
  action pinned to a full commit SHA, explicit `permissions`, `id-token: write` only for jobs
  that assume a role, no long-lived AWS keys.
- Terraform: no IAM statement that allows `*` actions on `*` resources, GitHub OIDC trust
  pinned with `StringEquals` (never `StringLike` wildcards), and every checkov skip carries
  a reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

_PINNED_ACTION = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
_EXPRESSION = re.compile(r"\$\{\{")
_AWS_KEY_INPUTS = frozenset({"aws-access-key-id", "aws-secret-access-key"})
_ASSUME_ROLE_ACTION = "aws-actions/configure-aws-credentials@"
_CHECKOV_SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?$")


@dataclass(frozen=True)
class PolicyFinding:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def check_workflow(path: str, text: str) -> list[PolicyFinding]:
    """The workflow rules for one `.github/workflows/*.yml` file."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        return [PolicyFinding(path, mark.line + 1 if mark else None, f"not YAML: {error}")]
    if not isinstance(document, dict):
        return [PolicyFinding(path, None, "a workflow must be a mapping")]
    findings = []
    if "permissions" not in document:
        findings.append(
            PolicyFinding(path, None, "no top-level `permissions`: the token would get defaults")
        )
    jobs = document.get("jobs")
    for job_name, job in (jobs or {}).items() if isinstance(jobs, dict) else []:
        if isinstance(job, dict) and _oidc_token_unused(job, document.get("permissions")):
            findings.append(
                PolicyFinding(
                    path,
                    _line_of(text, f"  {job_name}:"),
                    f"jobs.{job_name}: may request an OIDC token (`id-token: write`) but assumes "
                    "no role; grant it only to the jobs that do",
                )
            )
        for index, step in enumerate(job.get("steps") or [] if isinstance(job, dict) else []):
            if not isinstance(step, dict):
                continue
            where = f"jobs.{job_name}.steps[{index}]"
            line = _line_of(text, step.get("name") or step.get("uses") or step.get("run"))
            run = step.get("run")
            if isinstance(run, str) and _EXPRESSION.search(run):
                findings.append(
                    PolicyFinding(
                        path,
                        line,
                        f"{where}: `${{{{ ... }}}}` inside `run:` is script injection waiting "
                        "to happen; pass the value through `env:`",
                    )
                )
            uses = step.get("uses")
            if (
                isinstance(uses, str)
                and not uses.startswith(("./", "docker://"))
                and not _PINNED_ACTION.fullmatch(uses)
            ):
                findings.append(
                    PolicyFinding(path, line, f"{where}: `{uses}` is not pinned to a commit SHA")
                )
            inputs = step.get("with")
            if isinstance(inputs, Mapping) and _AWS_KEY_INPUTS & set(inputs):
                findings.append(
                    PolicyFinding(path, line, f"{where}: long-lived AWS keys; use OIDC roles")
                )
    return findings


def _oidc_token_unused(job: Mapping[str, Any], workflow_permissions: object) -> bool:
    """The job's token may be exchanged for cloud credentials, yet no step of it assumes a role.
    A job that calls a reusable workflow passes its permissions on to the called jobs, which
    are checked in their own file."""
    granted = job.get("permissions", workflow_permissions)
    may_request = granted == "write-all" or (
        isinstance(granted, Mapping) and granted.get("id-token") == "write"
    )
    assumes_a_role = "uses" in job or any(
        isinstance(step, Mapping) and str(step.get("uses", "")).startswith(_ASSUME_ROLE_ACTION)
        for step in job.get("steps") or []
    )
    return may_request and not assumes_a_role


def _line_of(text: str, needle: object) -> int | None:
    if not isinstance(needle, str) or not needle:
        return None
    first_line = needle.splitlines()[0]
    for number, line in enumerate(text.splitlines(), start=1):
        if first_line in line:
            return number
    return None


def check_checkov_skips(path: str, text: str) -> list[PolicyFinding]:
    """Every `#checkov:skip=ID:reason` in a Terraform file says why."""
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _CHECKOV_SKIP.search(line)
        if match and len((match.group(2) or "").strip()) < 10:
            findings.append(
                PolicyFinding(path, number, f"checkov skip {match.group(1)} has no reason")
            )
    return findings


def check_iam_statements(path: str, parsed: Mapping[str, Any]) -> list[PolicyFinding]:
    """IAM rules on a python-hcl2 parse of one file: `aws_iam_policy_document` statements and
    `jsonencode` policies are both plain data there."""
    findings = []
    for statement in _statements(parsed):
        effect = str(statement.get("effect", "Allow")).strip('"')
        if effect != "Allow":
            continue
        actions = _strings(statement.get("actions"))
        resources = _strings(statement.get("resources"))
        sid = statement.get("sid", "(no sid)")
        if any(action == "*" or action.endswith(":*") for action in actions) and "*" in resources:
            findings.append(
                PolicyFinding(path, None, f"statement {sid}: wildcard actions on all resources")
            )
        if "*" in actions:
            findings.append(PolicyFinding(path, None, f"statement {sid}: allows every action"))
        for condition in _blocks(statement.get("condition")):
            variable = str(condition.get("variable", ""))
            if variable.endswith(":sub") and condition.get("test") != "StringEquals":
                findings.append(
                    PolicyFinding(
                        path,
                        None,
                        f"statement {sid}: OIDC subject must be matched with StringEquals "
                        f"(found {condition.get('test')})",
                    )
                )
            if variable.endswith(":sub") and any(
                "*" in value for value in _strings(condition.get("values"))
            ):
                findings.append(
                    PolicyFinding(path, None, f"statement {sid}: wildcard in the OIDC subject")
                )
    return findings


def _statements(node: object) -> Iterator[Mapping[str, Any]]:
    """Every `statement` block anywhere in the parse (data sources, nested, dynamic content)."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "statement":
                for block in _blocks(value):
                    # `dynamic "statement"` wraps the real statement in `content`.
                    yield from _blocks(block["content"]) if "content" in block else [block]
            yield from _statements(value)
    elif isinstance(node, list):
        for item in node:
            yield from _statements(item)


def _blocks(value: object) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, Mapping)]
    return []


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value.strip('"')]
    if isinstance(value, list):
        return [item.strip('"') for item in value if isinstance(item, str)]
    return []
