#!/usr/bin/env python3
"""Summarise a Terraform plan as Markdown, for the plan comment of a pull request.

    python3 infra/scripts/plan_summary.py --env ENV PLAN_JSON [--drift] [--plan-url URL]
                                          [--max-chars N]

PLAN_JSON is the output of `terraform show -json PLANFILE` (`-` reads it from standard
input). The summary names every resource the plan touches, grouped by what happens to it
(destroy, replace, update, create, import, move, forget, read), under Terraform's own counts
line. A destroy or replace of a resource that holds data (DATA_HOLDING_TYPES: databases,
buckets, image repositories, secrets, tables, file systems, ...) is named in a warning above
everything else. With --drift it reports the plan's `resource_drift` instead: what changed
outside Terraform.

Only addresses, actions and counts are printed. The script never reads the values of a
change (`before`, `after` and their sensitivity), of outputs, variables or the state, so no
attribute value, sensitive or not, can reach a comment.

Markers: the summary of one environment is everything from the line `<!-- sbh:plan:ENV -->`
to the line `<!-- /sbh:plan:ENV -->` (`sbh:drift:ENV` with --drift), both included. A
workflow that puts several environments in one comment finds and replaces a section by these
two lines; match whole lines: no other line of a summary starts with `<!--`.

Size: at most --max-chars characters (60000 by default: a GitHub comment holds 65536, and one
comment may hold several environments). When the summary does not fit, the resource list is
cut, never the warning's first line or the counts, and its last line says how many resources
were left out and where the full plan is (--plan-url, the workflow run; else its log).

Exit status: 0 with the summary on standard output; 2 on a usage error or on a file that is
not a Terraform JSON plan, with one line on standard error.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

DEFAULT_MAX_CHARS = 60_000
ENVIRONMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
PLAN_URL = re.compile(r"https?://[^\s<>]+")
HOW_TO_GET_A_PLAN = "pass the output of `terraform show -json PLANFILE`"

# Resources whose destruction loses what they hold: Terraform can create them again, but
# empty. An Aurora cluster's instances are left out on purpose: the data lives in the
# cluster's volume, which outlives any one instance.
DATA_HOLDING_TYPES = {
    "aws_db_instance": "RDS database",
    "aws_rds_cluster": "Aurora cluster",
    "aws_docdb_cluster": "DocumentDB cluster",
    "aws_neptune_cluster": "Neptune cluster",
    "aws_redshift_cluster": "Redshift cluster",
    "aws_dynamodb_table": "DynamoDB table",
    "aws_elasticache_replication_group": "ElastiCache replication group",
    "aws_opensearch_domain": "OpenSearch domain",
    "aws_s3_bucket": "S3 bucket",
    "aws_efs_file_system": "EFS file system",
    "aws_ebs_volume": "EBS volume",
    "aws_ecr_repository": "ECR repository",
    "aws_secretsmanager_secret": "Secrets Manager secret",
    "aws_kms_key": "KMS key",
    "aws_backup_vault": "AWS Backup vault",
    "aws_cloudwatch_log_group": "CloudWatch log group",
    "aws_sqs_queue": "SQS queue",
    "aws_kinesis_stream": "Kinesis stream",
}

# Why Terraform plans a replace or destroy (`action_reason`), in a reviewer's words. The
# usual reason, an argument that cannot be updated in place, is said by naming the argument.
REASONS = {
    "replace_because_tainted": "tainted",
    "replace_by_request": "requested with `-replace`",
    "replace_by_triggers": "by `replace_triggered_by`",
    "delete_because_no_resource_config": "no longer in the configuration",
    "delete_because_no_module": "its module is no longer in the configuration",
    "delete_because_wrong_repetition": "`count` or `for_each` changed",
    "delete_because_count_index": "index out of range for `count`",
    "delete_because_each_key": "key no longer in `for_each`",
    "delete_because_no_move_target": "moved to an address that is not in the configuration",
}


class PlanError(Exception):
    """The input is not a Terraform JSON plan; the message completes "PLAN_JSON ..."."""


class UsageError(Exception):
    """The arguments cannot work for this plan; the message says which and why."""


@dataclass(frozen=True)
class Kind:
    """What happens to a resource, and how Terraform's counts line counts it."""

    name: str
    title: str
    add: int = 0
    change: int = 0
    destroy: int = 0
    forget: int = 0


DESTROY = Kind("destroy", "Destroy", destroy=1)
REPLACE = Kind("replace", "Replace", add=1, destroy=1)
UPDATE = Kind("update", "Update in place", change=1)
CREATE = Kind("create", "Create", add=1)
REPLACE_KEEPING_OLD = Kind("replace", "Replace, keeping the old object", add=1)
IMPORT = Kind("import", "Import")
MOVE = Kind("move", "Move")
FORGET = Kind("forget", "Forget (removed from the state, not destroyed)", forget=1)
READ = Kind("read", "Read (data sources)")
PLANNED: dict[tuple[str, ...], Kind] = {
    ("delete",): DESTROY,
    ("delete", "create"): REPLACE,
    ("create", "delete"): REPLACE,
    ("update",): UPDATE,
    ("create",): CREATE,
    ("create", "forget"): REPLACE_KEEPING_OLD,
    ("forget",): FORGET,
    ("read",): READ,
}
PLANNED_ORDER = (DESTROY, REPLACE, UPDATE, CREATE, REPLACE_KEEPING_OLD, IMPORT, MOVE, FORGET, READ)
DRIFT_DELETED = Kind("deleted", "Deleted outside Terraform")
DRIFT_CHANGED = Kind("changed", "Changed outside Terraform")
DRIFTED: dict[tuple[str, ...], Kind] = {("delete",): DRIFT_DELETED, ("update",): DRIFT_CHANGED}
DRIFT_ORDER = (DRIFT_DELETED, DRIFT_CHANGED)


@dataclass(frozen=True)
class ResourceChange:
    """What the summary reads of one entry of `resource_changes` or `resource_drift`."""

    address: str
    mode: str
    type: str
    actions: tuple[str, ...]
    moved_from: str | None
    deposed: str | None
    importing: bool
    action_reason: str | None
    replaced_attributes: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """One resource as the summary lists it."""

    address: str
    kind: Kind
    notes: tuple[str, ...]
    importing: bool
    holds: str | None  # what the resource holds, when this change destroys it


@dataclass(frozen=True)
class Summary:
    """What the Markdown says, before it is fitted into the budget."""

    marker: str
    heading: str
    status: str
    groups: tuple[tuple[Kind, tuple[Entry, ...]], ...]
    warning: tuple[Entry, ...]
    environment: str

    @property
    def resource_count(self) -> int:
        return sum(len(entries) for _, entries in self.groups)


# --- Markdown.

_INVISIBLE = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def visible(text: str) -> str:
    """`text` with control, format and line-separator characters written as escapes (\\n,
    \\u202e): a name can neither start a new line nor hide or reorder what is shown."""
    if text.isprintable():
        return text
    return "".join(
        ascii(character)[1:-1] if unicodedata.category(character) in _INVISIBLE else character
        for character in text
    )


def code(text: str) -> str:
    """`text` as a Markdown code span that shows it verbatim: nothing inside a code span is
    Markdown, so brackets, quotes, stars and pipes stay text. The fence is one backtick longer
    than the longest run inside, and padded where the text starts or ends with a backtick
    (CommonMark strips one space from each side again)."""
    shown = visible(text)
    longest = max((len(run) for run in re.findall(r"`+", shown)), default=0)
    fence = "`" * (longest + 1)
    edges = shown[:1] + shown[-1:]
    if "`" in edges or (edges == "  " and shown.strip(" ")):
        shown = f" {shown} "
    return f"{fence}{shown}{fence}"


def _plural(count: int, singular: str, many: str) -> str:
    return f"{count} {singular if count == 1 else many}"


# --- Reading the plan. Every key read is named here; `before`/`after` never are.


def _object(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise PlanError(f"is not a Terraform JSON plan: {where} is not an object")
    return value


def _list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise PlanError(f"is not a Terraform JSON plan: {where} is not a list")
    return value


def _string(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise PlanError(f"is not a Terraform JSON plan: {where} is not a name")
    return value


def _optional_string(value: object, where: str) -> str | None:
    return None if value is None else _string(value, where)


def _actions(value: object, where: str) -> tuple[str, ...]:
    actions = tuple(_string(action, where) for action in _list(value, where))
    if not actions:
        raise PlanError(f"is not a Terraform JSON plan: {where} is empty")
    return actions


def _replaced_attributes(value: object, where: str) -> tuple[str, ...]:
    """The top-level attributes whose change forces a replace. Only the first step of each
    path: attribute names come from the provider's schema, deeper steps may be map keys."""
    if value is None:
        return ()
    names: list[str] = []
    for index, path in enumerate(_list(value, where)):
        steps = _list(path, f"{where}[{index}]")
        if steps and isinstance(steps[0], str) and steps[0] not in names:
            names.append(steps[0])
    return tuple(names)


def _resource_change(value: object, where: str) -> ResourceChange:
    entry = _object(value, where)
    change = _object(entry.get("change"), f"{where}.change")
    mode = _string(entry.get("mode"), f"{where}.mode")
    if mode not in ("managed", "data"):
        raise PlanError(f"is not a Terraform JSON plan: {where}.mode is neither managed nor data")
    importing = change.get("importing")
    if importing is not None:
        _object(importing, f"{where}.change.importing")
    address = _string(entry.get("address"), f"{where}.address")
    previous = _optional_string(entry.get("previous_address"), f"{where}.previous_address")
    return ResourceChange(
        address=address,
        mode=mode,
        type=_string(entry.get("type"), f"{where}.type"),
        actions=_actions(change.get("actions"), f"{where}.change.actions"),
        moved_from=previous if previous != address else None,
        deposed=_optional_string(entry.get("deposed"), f"{where}.deposed"),
        importing=importing is not None,
        action_reason=_optional_string(entry.get("action_reason"), f"{where}.action_reason"),
        replaced_attributes=_replaced_attributes(
            change.get("replace_paths"), f"{where}.change.replace_paths"
        ),
    )


def _resource_changes(plan: dict[str, object], key: str) -> list[ResourceChange]:
    return [
        _resource_change(value, f"{key}[{index}]")
        for index, value in enumerate(_list(plan.get(key, []), key))
    ]


def _outputs_change(plan: dict[str, object]) -> bool:
    outputs = _object(plan.get("output_changes", {}), "output_changes")
    for name, change in outputs.items():
        where = f"output_changes[{json.dumps(name)}]"
        if _actions(_object(change, where).get("actions"), f"{where}.actions") != ("no-op",):
            return True
    return False


def parse_plan(data: bytes) -> dict[str, object]:
    """The top level of a Terraform JSON plan (format 1.x)."""
    try:
        document = json.loads(data)
    except RecursionError:
        raise PlanError("is nested too deeply to be a Terraform JSON plan") from None
    except ValueError as error:
        raise PlanError(f"is not JSON ({error})") from None
    plan = _object(document, "the document")
    version = plan.get("format_version")
    if not isinstance(version, str):
        raise PlanError("is not a Terraform JSON plan: it has no format_version")
    if version.split(".")[0] != "1":
        raise PlanError(f"is Terraform JSON format {visible(version)}, and this script reads 1.x")
    if "planned_values" not in plan:
        raise PlanError("is not a Terraform JSON plan: it has no planned_values (is it the state?)")
    return plan


# --- What the summary says.


def _other(actions: tuple[str, ...]) -> Kind:
    """Actions a later Terraform may add: listed as they are, counted nowhere."""
    name = code(", ".join(actions))
    return Kind(name, f"Other actions: {name}")


def _planned_kind(change: ResourceChange) -> Kind | None:
    """How Terraform shows a planned change; None for what it leaves out (no-ops that are not
    moves or imports, data sources it forgets)."""
    if change.actions == ("no-op",):
        if change.importing:
            return IMPORT
        return MOVE if change.moved_from is not None else None
    if change.mode == "data" and change.actions == ("delete",):
        return None
    return PLANNED.get(change.actions) or _other(change.actions)


def _drift_kind(change: ResourceChange) -> Kind | None:
    # A refresh-only plan also lists moves here; they are changes of the configuration.
    if change.actions == ("no-op",):
        return None
    return DRIFTED.get(change.actions) or _other(change.actions)


def _notes(change: ResourceChange, kind: Kind) -> tuple[str, ...]:
    notes = []
    if change.actions == ("delete", "create"):
        notes.append("destroy, then create")
    elif change.actions == ("create", "delete"):
        notes.append("create, then destroy")
    if change.replaced_attributes:
        notes.append("forced by " + ", ".join(map(code, change.replaced_attributes)))
    if change.action_reason in REASONS:
        notes.append(REASONS[change.action_reason])
    if change.moved_from is not None:
        notes.append(f"moved from {code(change.moved_from)}")
    if change.importing and kind is not IMPORT:
        notes.append("imported first")
    if change.deposed is not None:
        notes.append(f"deposed object {code(change.deposed)}, left over from a failed replace")
    return tuple(notes)


def _entry(change: ResourceChange, kind: Kind) -> Entry:
    destroys = change.mode == "managed" and "delete" in change.actions
    return Entry(
        address=change.address,
        kind=kind,
        notes=_notes(change, kind),
        importing=change.importing,
        holds=DATA_HOLDING_TYPES.get(change.type) if destroys else None,
    )


def _groups(
    entries: list[Entry], order: tuple[Kind, ...]
) -> tuple[tuple[Kind, tuple[Entry, ...]], ...]:
    by_kind: dict[Kind, list[Entry]] = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(entry)
    kinds = [kind for kind in order if kind in by_kind]
    kinds += [kind for kind in by_kind if kind not in order]
    return tuple((kind, tuple(by_kind[kind])) for kind in kinds)


def _counts_line(entries: list[Entry]) -> str:
    """Terraform's own line: a replace is one add and one destroy; reads and moves count
    nowhere; imports and forgets only appear when there are some."""
    imports = sum(entry.importing for entry in entries)
    line = "Plan: " + (f"{imports} to import, " if imports else "")
    line += (
        f"{sum(entry.kind.add for entry in entries)} to add, "
        f"{sum(entry.kind.change for entry in entries)} to change, "
        f"{sum(entry.kind.destroy for entry in entries)} to destroy"
    )
    forgets = sum(entry.kind.forget for entry in entries)
    return line + (f", {forgets} to forget." if forgets else ".")


def summarize(plan: dict[str, object], environment: str, *, drift: bool) -> Summary:
    if drift:
        entries = [
            _entry(change, kind)
            for change in _resource_changes(plan, "resource_drift")
            if (kind := _drift_kind(change)) is not None
        ]
        drifted = _plural(len(entries), "resource", "resources")
        status = (
            f"**Drift: {drifted} changed outside Terraform.**"
            if entries
            else "**No drift.** Nothing changed outside Terraform."
        )
        return Summary(
            marker=f"sbh:drift:{environment}",
            heading=f"### Drift in {code(environment)}",
            status=status,
            groups=_groups(entries, DRIFT_ORDER),
            warning=(),
            environment=environment,
        )
    entries = [
        _entry(change, kind)
        for change in _resource_changes(plan, "resource_changes")
        if (kind := _planned_kind(change)) is not None
    ]
    if entries:
        status = f"**{_counts_line(entries)}**"
    elif _outputs_change(plan):
        status = (
            "**Changes to Outputs only.** You can apply this plan to save these new output "
            "values to the Terraform state, without changing any real infrastructure."
        )
    else:
        status = "**No changes.** Your infrastructure matches the configuration."
    return Summary(
        marker=f"sbh:plan:{environment}",
        heading=f"### Terraform plan for {code(environment)}",
        status=status,
        groups=_groups(entries, PLANNED_ORDER),
        warning=tuple(entry for entry in entries if entry.holds),
        environment=environment,
    )


# --- Writing it within the budget.


def _item(entry: Entry) -> str:
    notes = f" ({'; '.join(entry.notes)})" if entry.notes else ""
    return f"- {code(entry.address)}{notes}"


def _left_out(count: int, plan_url: str | None) -> str:
    where = f"the log of [the workflow run](<{plan_url}>)" if plan_url else "the workflow run's log"
    left = _plural(count, "more resource is", "more resources are")
    return f"**{left} not listed here.** The full plan is in {where}."


@dataclass(frozen=True)
class _Layout:
    summary: Summary
    warning_items: tuple[str, ...]
    items: tuple[tuple[str, ...], ...]  # per group
    plan_url: str | None

    def document(self, shown_warning: int, shown_items: int, *, cut: bool) -> str:
        summary = self.summary
        lines = [f"<!-- {summary.marker} -->", summary.heading, ""]
        if summary.warning:
            count = _plural(len(summary.warning), "resource", "resources")
            pronoun = "it holds" if len(summary.warning) == 1 else "they hold"
            title = (
                f"> **Data loss:** applying this plan to {code(summary.environment)} destroys "
                f"{count} and everything {pronoun}:"
            )
            lines += ["> [!WARNING]", title, *self.warning_items[:shown_warning]]
            if shown_warning < len(summary.warning):
                rest = len(summary.warning) - shown_warning
                lines.append(f"> - and {rest} more, named in the full plan")
            lines.append("")
        lines.append(summary.status)
        remaining = shown_items
        for (kind, entries), items in zip(summary.groups, self.items, strict=True):
            shown = items[:remaining]
            if shown:
                lines += ["", f"**{kind.title}** ({len(entries)})", *shown]
            remaining -= len(shown)
        if cut:
            lines += ["", _left_out(summary.resource_count - shown_items, self.plan_url)]
        lines += ["", f"<!-- /{summary.marker} -->"]
        return "\n".join(lines) + "\n"


def _largest(fits: Callable[[int], bool], upper: int) -> int:
    """The largest n in 0..upper with fits(n), given fits(0)."""
    low, high = 0, upper
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def markdown(summary: Summary, *, max_chars: int, plan_url: str | None) -> str:
    """The summary in at most `max_chars` characters: whole if it fits, else the warning's
    addresses and then the list as far as they fit, and the line that says what is left out."""
    layout = _Layout(
        summary=summary,
        warning_items=tuple(
            f"> - {code(entry.address)}: {entry.holds} ({entry.kind.name})"
            for entry in summary.warning
        ),
        items=tuple(tuple(map(_item, entries)) for _, entries in summary.groups),
        plan_url=plan_url,
    )
    whole = layout.document(len(summary.warning), summary.resource_count, cut=False)
    if len(whole) <= max_chars:
        return whole
    needed = len(layout.document(0, 0, cut=True))
    if needed > max_chars:
        raise UsageError(
            f"--max-chars {max_chars} is too small: the heading, counts and warning of this "
            f"summary need {needed} characters"
        )
    shown_warning = _largest(
        lambda shown: len(layout.document(shown, 0, cut=True)) <= max_chars, len(summary.warning)
    )
    shown_items = 0
    if shown_warning == len(summary.warning):
        shown_items = _largest(
            lambda shown: len(layout.document(shown_warning, shown, cut=True)) <= max_chars,
            summary.resource_count,
        )
    return layout.document(shown_warning, shown_items, cut=True)


# --- The command line.


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage block: the message is read in a workflow's log.
        self.exit(2, f"{self.prog}: {message}; --help lists the arguments\n")


def _environment(value: str) -> str:
    if not ENVIRONMENT_NAME.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"{visible(value)!r} is not an environment name: use letters, digits, '_', '.' and '-'"
        )
    return value


def _plan_url(value: str) -> str:
    if not PLAN_URL.fullmatch(value) or not value.isprintable():
        raise argparse.ArgumentTypeError("must be an http(s) URL without spaces or angle brackets")
    return value


def _max_chars(value: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise argparse.ArgumentTypeError(f"{visible(value)!r} is not a number of characters")
    return int(value)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="plan_summary.py",
        description="Summarise `terraform show -json PLANFILE` as Markdown for a plan comment.",
        epilog=(
            "The summary lies between the lines <!-- sbh:plan:ENV --> and <!-- /sbh:plan:ENV -->"
            " (sbh:drift:ENV with --drift). Exit status 0, or 2 with one line on stderr."
        ),
    )
    parser.add_argument("plan_json", metavar="PLAN_JSON", help="the JSON plan; - for stdin")
    parser.add_argument("--env", required=True, type=_environment, help="environment name")
    parser.add_argument(
        "--drift", action="store_true", help="report resource_drift: changes outside Terraform"
    )
    parser.add_argument(
        "--plan-url",
        type=_plan_url,
        metavar="URL",
        help="the workflow run whose log holds the full plan",
    )
    parser.add_argument(
        "--max-chars",
        type=_max_chars,
        default=DEFAULT_MAX_CHARS,
        metavar="N",
        help=f"longest summary, in characters (default {DEFAULT_MAX_CHARS})",
    )
    return parser


def _fail(message: str) -> int:
    print(f"plan_summary.py: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    source = "standard input" if arguments.plan_json == "-" else visible(arguments.plan_json)
    try:
        data = (
            sys.stdin.buffer.read()
            if arguments.plan_json == "-"
            else Path(arguments.plan_json).read_bytes()
        )
    except OSError as error:
        return _fail(f"cannot read {source}: {error.strerror or error}")
    try:
        summary = summarize(parse_plan(data), arguments.env, drift=arguments.drift)
        text = markdown(summary, max_chars=arguments.max_chars, plan_url=arguments.plan_url)
    except PlanError as error:
        return _fail(f"{source} {error}; {HOW_TO_GET_A_PLAN}.")
    except UsageError as error:
        return _fail(f"{error}.")
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
