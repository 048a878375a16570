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
from pathlib import Path
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


# --- sbh/v2: no service's role or network reaches what it does not `use`.

# How the composition (template-system/infra/envs/<env>/main.tf) must derive what a service
# reaches from its entry of `local.services`; anything else could widen it.
_KIND_MODULE_ARGUMENTS: dict[str, str | tuple[str, ...]] = {
    "bucket_arns": "[for bucket in each.value.buckets : module.storage.bucket_arns[bucket]]",
    "send_queue_arns": "[for worker in each.value.workers : module.queue[worker].queue_arn]",
    "readable_secret_arns": "local.readable_secret_arns[each.key]",
    "secrets": "local.service_secrets[each.key]",
    "ecr_repository_arn": "module.ecr[each.key].repository_arn",
    "security_group_id": "module.service_network.security_group_ids[each.key]",
    "names": "each.value.names",
}
_OPTIONAL_ARGUMENTS = frozenset({"send_queue_arns"})
_DERIVATIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("locals", "readable_secret_arns"): (
        "{for name, service in local.services : name => concat([for secret in service.secrets"
        " : module.secrets.secret_arns[secret]])}",
        "{for name, service in local.services : name => concat([for secret in service.secrets"
        " : module.secrets.secret_arns[secret]], service.uses_database ?"
        " [module.db.master_user_secret_arn] : [])}",
    ),
    ("locals", "service_secrets"): (
        "{for name, service in local.services : name => merge({for secret in service.secrets"
        " : secret => module.secrets.secret_arns[secret]})}",
        "{for name, service in local.services : name => merge({for secret in service.secrets"
        " : secret => module.secrets.secret_arns[secret]}, service.uses_database ?"
        " tomap(local.database_secrets) : tomap({}))}",
    ),
    ("service_network", "services"): (
        "{for name, service in local.services : name => {port = service.port, public ="
        ' service.kind == "web", database = service.uses_database, calls = service.kind =='
        ' "job" ? [] : service.backends}}',
    ),
    ("db", "client_security_group_ids"): (
        "[for name, service in local.services : module.service_network.security_group_ids"
        "[name] if service.uses_database]",
    ),
}
_KIND_MODULES = ("web", "backend", "worker", "job")
# The resources the policies of modules/service may name, exactly: the inputs derived above,
# the service's own log group, and "*" only for ecr:GetAuthorizationToken (no resource).
_SERVICE_POLICY_RESOURCES = {
    "task": {
        "var.bucket_arns",
        '[for arn in var.bucket_arns : "${arn}/*"]',
        "var.send_queue_arns",
        "var.queue.arn",
    },
    "execution": {
        "var.ecr_repository_arn",
        "${local.log_group_arn}:*",
        "var.readable_secret_arns",
    },
}


def service_reach(directory: Path, tools: object) -> list[str]:
    """`sbh check`'s validator: reads what `check_service_reach` needs from a repository."""
    spec = directory / "sbh.yaml"
    files = {
        path.relative_to(directory).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted((directory / "infra").glob("envs/*/main.tf"))
    }
    for module in ("service", "service_network"):
        path = directory / "infra" / "modules" / module / "main.tf"
        if path.is_file():
            files[f"infra/modules/{module}/main.tf"] = path.read_text(encoding="utf-8")
    text = spec.read_text(encoding="utf-8") if spec.is_file() else ""
    return [str(finding) for finding in check_service_reach(text, files)]


def check_service_reach(spec_text: str, files: Mapping[str, str]) -> list[PolicyFinding]:
    """For an sbh/v2 repository (`sbh.yaml` text, and `infra/envs/*/main.tf` and
    `infra/modules/{service,service_network}/main.tf` by path): every container service's entry
    of `local.services` names only buckets, backends, workers, the database and secrets that
    the spec lets it use; the module inputs that decide what its task and execution roles and
    its security group reach are derived from that entry; and the service module's policies
    name nothing but those inputs. An sbh/v1 repository has one service that uses everything
    its spec declares: nothing to compare, no finding."""
    import hcl2

    spec = yaml.safe_load(spec_text) if spec_text else None
    if not isinstance(spec, dict) or spec.get("apiVersion") != "sbh/v2":
        return []
    declared = {
        name: service
        for name, service in (spec.get("services") or {}).items()
        if isinstance(service, dict) and service.get("kind") != "static-site"
    }
    findings: list[PolicyFinding] = []
    for path, text in sorted(files.items()):
        try:
            parsed = hcl2.loads(
                text,
                serialization_options=hcl2.SerializationOptions(
                    strip_string_quotes=True, explicit_blocks=False
                ),
            )
        except Exception as error:
            findings.append(PolicyFinding(path, None, f"not parsed ({type(error).__name__})"))
            continue
        if path.startswith("infra/envs/"):
            findings += _environment_reach(path, parsed, spec, declared)
        elif path == "infra/modules/service/main.tf":
            findings += _service_module_reach(path, parsed)
        elif path == "infra/modules/service_network/main.tf":
            findings += _service_network_reach(path, parsed)
    if not any(path.startswith("infra/envs/") for path in files):
        findings.append(PolicyFinding("infra/envs", None, "no environment composition"))
    return findings


def _environment_reach(
    path: str, parsed: Mapping[str, Any], spec: Mapping[str, Any], declared: Mapping[str, Any]
) -> list[PolicyFinding]:
    findings = []
    locals_ = {key: value for block in parsed.get("locals", []) for key, value in block.items()}
    modules = {key: value for block in parsed.get("module", []) for key, value in block.items()}
    entries = locals_.get("services")
    if not isinstance(entries, dict):
        return [PolicyFinding(path, None, "no local.services: what each service uses is unknown")]
    buckets = set((spec.get("storage") or {}).get("buckets") or [])
    of_kind = {
        kind: {name for name, service in declared.items() if service.get("kind") == kind}
        for kind in _KIND_MODULES
    }
    for name in sorted(set(entries) - set(declared)):
        findings.append(
            PolicyFinding(path, None, f"local.services.{name}: not a service of sbh.yaml")
        )
    for name, service in declared.items():
        entry = entries.get(name)
        if not isinstance(entry, dict):
            findings.append(PolicyFinding(path, None, f"local.services: {name} is missing"))
            continue
        uses = set(service.get("uses") or [])
        where = f"local.services.{name}"
        if entry.get("kind") != service.get("kind"):
            findings.append(
                PolicyFinding(path, None, f"{where}: kind {entry.get('kind')} is not sbh.yaml's")
            )
        reached = {
            "buckets": (buckets, "bucket"),
            "backends": (of_kind["backend"], "backend"),
            "workers": (of_kind["worker"], "worker"),
        }
        for field, (known, noun) in reached.items():
            for item in _strings(entry.get(field)):
                if item not in known or item not in uses:
                    findings.append(
                        PolicyFinding(
                            path,
                            None,
                            f"{where}.{field}: reaches {noun} {item}, which {name} does not use",
                        )
                    )
        if entry.get("uses_database") is True and "database" not in uses:
            findings.append(
                PolicyFinding(path, None, f"{where}: reaches the database, which it does not use")
            )
        for secret in set(_strings(entry.get("secrets"))) - set(service.get("secrets") or []):
            findings.append(
                PolicyFinding(
                    path, None, f"{where}.secrets: reads {secret}, not one of its secrets"
                )
            )
    for (owner, name), allowed in _DERIVATIONS.items():
        holder = locals_ if owner == "locals" else modules.get(owner)
        if holder is None or name not in holder:
            continue
        if _expression(holder[name]) not in {_compact(form) for form in allowed}:
            target = f"local.{name}" if owner == "locals" else f"module.{owner}.{name}"
            findings.append(
                PolicyFinding(path, None, f"{target}: not derived from each service's uses")
            )
    for kind in _KIND_MODULES:
        call = modules.get(kind)
        if call is None:
            if of_kind[kind]:
                findings.append(PolicyFinding(path, None, f'module "{kind}" is missing'))
            continue
        where = f'module "{kind}"'
        if _expression(call.get("for_each")) != f"local.{kind}_services":
            findings.append(
                PolicyFinding(path, None, f"{where}: for_each must be local.{kind}_services")
            )
        for argument, expected in _KIND_MODULE_ARGUMENTS.items():
            if argument not in call and argument in _OPTIONAL_ARGUMENTS:
                continue
            if _expression(call.get(argument)) != _compact(str(expected)):
                findings.append(
                    PolicyFinding(
                        path,
                        None,
                        f"{where}.{argument}: must be {expected} (what the service uses)",
                    )
                )
        queue = call.get("queue")
        expected_queue = (
            {"name": "module.queue[each.key].queue_name", "arn": "module.queue[each.key].queue_arn"}
            if kind == "worker"
            else None
        )
        actual_queue = (
            {key: _expression(value) for key, value in queue.items()}
            if isinstance(queue, dict)
            else queue
        )
        if actual_queue != expected_queue:
            findings.append(
                PolicyFinding(
                    path, None, f"{where}.queue: only a worker receives, and only on its own queue"
                )
            )
    return findings


def _service_module_reach(path: str, parsed: Mapping[str, Any]) -> list[PolicyFinding]:
    findings = []
    documents = {
        name: body
        for block in parsed.get("data", [])
        for name, body in block.get("aws_iam_policy_document", {}).items()
    }
    for document, allowed in _SERVICE_POLICY_RESOURCES.items():
        body = documents.get(document)
        if body is None:
            findings.append(PolicyFinding(path, None, f"policy document {document} is missing"))
            continue
        for statement in _statements(body):
            resources = statement.get("resources")
            for resource in resources if isinstance(resources, list) else [resources]:
                text = _expression(resource)
                token_only = _strings(statement.get("actions")) == ["ecr:GetAuthorizationToken"]
                if text in {_compact(form) for form in allowed} or (text == "*" and token_only):
                    continue
                findings.append(
                    PolicyFinding(
                        path,
                        None,
                        f"{document} statement {statement.get('sid', '(no sid)')}: resource "
                        f"{resource} is not what the service uses",
                    )
                )
    return findings


def _service_network_reach(path: str, parsed: Mapping[str, Any]) -> list[PolicyFinding]:
    """Ingress into a service's tasks: from the load balancer (public services) or from the
    services that call it, never from an address range."""
    allowed = {
        "from_load_balancer": "var.load_balancer_security_group_id",
        "from_caller": "aws_security_group.this[each.value.caller].id",
    }
    findings = []
    for block in parsed.get("resource", []):
        for name, body in block.get("aws_vpc_security_group_ingress_rule", {}).items():
            source = _expression(body.get("referenced_security_group_id"))
            if allowed.get(name) != source or "cidr_ipv4" in body or "cidr_ipv6" in body:
                findings.append(
                    PolicyFinding(
                        path,
                        None,
                        f"ingress rule {name}: admits something other than the "
                        "load balancer or the services that use this one",
                    )
                )
    return findings


def _compact(text: str) -> str:
    return "".join(text.split())


def _expression(value: object) -> str:
    """An attribute's expression as python-hcl2 gives it, without `${ }` and whitespace."""
    text = _compact(str(value))
    return text[2:-1] if text.startswith("${") and text.endswith("}") else text
