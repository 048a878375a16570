"""The value rules of a spec, as annotated types shared by `RawSpec` and `Spec`.

Each rule raises a message a person can act on; the JSON Schema gets the same pattern so that
editors flag the mistake before SBH ever sees it.
"""

from __future__ import annotations

import difflib
import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from renderers.aws import AWS_REGIONS, FARGATE_MEMORY_BY_CPU, POSTGRES_MAJOR_VERSIONS


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("sbh_rule", message)


def _escape_braces(text: str) -> str:
    # PydanticCustomError formats `{...}` as placeholders; values are shown literally.
    return text.replace("{", "{{").replace("}", "}}")


def did_you_mean(word: str, choices: list[str] | frozenset[str]) -> str:
    """` (did you mean x?)` when a close choice exists, else an empty string."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _slug_rule(what: str, max_length: int, min_length: int = 1) -> Any:
    pattern = rf"^[a-z][a-z0-9-]{{{min_length - 1},{max_length - 1}}}$"
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        shown = _escape_braces(repr(value))
        if not compiled.fullmatch(value):
            raise _fail(
                f"{shown} is not a valid {what}: use {min_length}-{max_length} characters, "
                "lowercase letters, digits and hyphens, starting with a letter"
            )
        if value.endswith("-") or "--" in value:
            raise _fail(f"{shown} is not a valid {what}: no trailing hyphen and no '--'")
        return value

    return Annotated[
        str,
        AfterValidator(check),
        Field(
            json_schema_extra={
                "pattern": r"^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$"
                if min_length > 1
                else r"^[a-z](?!.*--)([a-z0-9-]*[a-z0-9])?$",
                "minLength": min_length,
                "maxLength": max_length,
            }
        ),
    ]


SystemName = _slug_rule("system name", max_length=39, min_length=2)
BucketName = _slug_rule("bucket name", max_length=20)

# Defined once: the spec, `/sbh deploy <env> [<tag>]` and the web app's deploy API all check
# these; the generated deploy workflow checks the same tag pattern (a test holds it to this).
ENVIRONMENT_NAME = re.compile(r"^[a-z][a-z0-9]{0,9}$")
IMAGE_TAG = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def _check_environment_name(value: str) -> str:
    if not ENVIRONMENT_NAME.fullmatch(value):
        raise _fail(
            f"{_escape_braces(repr(value))} is not a valid environment name: "
            "1-10 lowercase letters and digits, starting with a letter (dev, staging, prod)"
        )
    return value


EnvironmentName = Annotated[
    str,
    AfterValidator(_check_environment_name),
    Field(json_schema_extra={"pattern": ENVIRONMENT_NAME.pattern}),
]

_GITHUB_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")


def _check_owner(value: str) -> str:
    if not _GITHUB_LOGIN.fullmatch(value):
        raise _fail(
            f"{_escape_braces(repr(value))} is not a GitHub organization or user name: "
            "1-39 letters, digits or single hyphens, not starting or ending with a hyphen"
        )
    return value


GitHubOwner = Annotated[
    str, AfterValidator(_check_owner), Field(json_schema_extra={"pattern": _GITHUB_LOGIN.pattern})
]

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")


def _check_account_id(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return value  # the str type check reports it
    if isinstance(value, int):
        digits = len(str(value))
        lost = (
            f"; it has {digits} digits, so a leading zero was probably lost" if digits < 12 else ""
        )
        raise _fail(
            f"write the account id as a quoted 12-digit string; YAML read it as the number "
            f"{value}{lost}"
        )
    if not _ACCOUNT_ID.fullmatch(value):
        raise _fail(
            f"{_escape_braces(repr(value))} is not an AWS account id: exactly 12 digits, "
            "as a quoted string"
        )
    return value


AccountId = Annotated[
    str,
    BeforeValidator(_check_account_id),
    Field(json_schema_extra={"pattern": _ACCOUNT_ID.pattern}),
]


def _check_region(value: str) -> str:
    if value not in AWS_REGIONS:
        raise _fail(
            f"{_escape_braces(repr(value))} is not an AWS region{did_you_mean(value, AWS_REGIONS)}"
        )
    return value


Region = Annotated[
    str, AfterValidator(_check_region), Field(json_schema_extra={"enum": sorted(AWS_REGIONS)})
]

_DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def _check_domain(value: str) -> str:
    shown = _escape_braces(repr(value))
    if value != value.lower():
        raise _fail(
            f"{shown} must be lowercase (DNS names are case-insensitive; write {value.lower()!r})"
        )
    labels = value.split(".")
    if len(value) > 253 or len(labels) < 2:
        raise _fail(f"{shown} is not a DNS name: at least two labels, at most 253 characters")
    for label in labels:
        if not _DNS_LABEL.fullmatch(label):
            raise _fail(
                f"{shown} is not a DNS name: label {_escape_braces(repr(label))} must be 1-63 "
                "letters, digits or hyphens, not starting or ending with a hyphen"
            )
    if not labels[-1].isalpha():
        raise _fail(f"{shown} is not a DNS name: the last label must be letters (com, io, ...)")
    return value


DomainName = Annotated[
    str,
    AfterValidator(_check_domain),
    Field(json_schema_extra={"format": "hostname", "maxLength": 253}),
]

_HOSTED_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,32}$")


def _check_hosted_zone(value: str) -> str:
    if not _HOSTED_ZONE_ID.fullmatch(value):
        raise _fail(f"{_escape_braces(repr(value))} is not a Route 53 hosted zone id (Z…)")
    return value


HostedZoneId = Annotated[
    str,
    AfterValidator(_check_hosted_zone),
    Field(json_schema_extra={"pattern": _HOSTED_ZONE_ID.pattern}),
]

_VARIABLE_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,127}$")
# BUCKET_<NAME> carries each workspace bucket's real name into the app.
RESERVED_VARIABLE_PREFIXES: tuple[str, ...] = ("AWS_", "ECS_", "SBH_", "BUCKET_")
# Names the generated app and its container set themselves.
RESERVED_VARIABLE_NAMES: frozenset[str] = frozenset(
    {
        "PORT",
        "HOST",
        "PATH",
        "HOME",
        "HOSTNAME",
        "LANG",
        "PYTHONPATH",
        "PYTHONUNBUFFERED",
        "PYTHONDONTWRITEBYTECODE",
        "APP_NAME",
        "APP_ENV",
        "APP_VERSION",
        "HEALTH_PATH",
        "DATABASE_URL",
        # The database connection the task definition passes (host/port/name plain,
        # user/password from the secret RDS manages).
        "DB_HOST",
        "DB_PORT",
        "DB_NAME",
        "DB_USERNAME",
        "DB_PASSWORD",
    }
)


def _check_variable_name(value: str) -> str:
    shown = _escape_braces(repr(value))
    if not _VARIABLE_NAME.fullmatch(value):
        raise _fail(
            f"{shown} is not a valid variable name: uppercase letters, digits and underscores, "
            "not starting with a digit (e.g. LOG_LEVEL)"
        )
    if value.startswith(RESERVED_VARIABLE_PREFIXES) or value in RESERVED_VARIABLE_NAMES:
        raise _fail(f"{shown} is reserved: SBH or AWS sets it; choose another name")
    return value


VariableName = Annotated[
    str,
    AfterValidator(_check_variable_name),
    Field(json_schema_extra={"pattern": _VARIABLE_NAME.pattern}),
]

MAX_VARIABLE_VALUE = 4096


def _coerce_variable_value(value: object) -> object:
    if isinstance(value, bool):
        raise _fail(
            f"YAML read this as the boolean {str(value).lower()}; quote it to keep the text"
        )
    if isinstance(value, int | float):
        return str(value)
    return value


def _check_variable_value(value: str) -> str:
    if len(value) > MAX_VARIABLE_VALUE:
        raise _fail(f"the value is {len(value)} characters; the limit is {MAX_VARIABLE_VALUE}")
    if "\x00" in value:
        raise _fail("the value contains a NUL character")
    return value


VariableValue = Annotated[
    str,
    BeforeValidator(_coerce_variable_value),
    AfterValidator(_check_variable_value),
    Field(json_schema_extra={"maxLength": MAX_VARIABLE_VALUE}),
]

MAX_DESCRIPTION = 350  # GitHub's limit for a repository description


def _check_description(value: str) -> str:
    if len(value) > MAX_DESCRIPTION:
        raise _fail(f"the description is {len(value)} characters; the limit is {MAX_DESCRIPTION}")
    if any(ord(character) < 32 or ord(character) == 127 for character in value):
        raise _fail("the description is one line of text without control characters")
    return value


Description = Annotated[
    str, AfterValidator(_check_description), Field(json_schema_extra={"maxLength": MAX_DESCRIPTION})
]

_HEALTH_PATH = re.compile(r"^/[A-Za-z0-9._~/-]{0,127}$")


def _check_health_path(value: str) -> str:
    if not _HEALTH_PATH.fullmatch(value) or "//" in value or "/../" in f"{value}/":
        raise _fail(
            f"{_escape_braces(repr(value))} is not a health path: start with '/', then letters, "
            "digits, '.', '_', '~', '-' and '/' (e.g. /api/health)"
        )
    return value


HealthPath = Annotated[
    str,
    AfterValidator(_check_health_path),
    Field(json_schema_extra={"pattern": _HEALTH_PATH.pattern}),
]


def _check_port(value: int) -> int:
    if not 1024 <= value <= 65535:
        raise _fail(
            f"port {value} is out of range: use 1024-65535 (the container runs as a non-root "
            "user, which cannot bind ports below 1024)"
        )
    return value


Port = Annotated[
    int, AfterValidator(_check_port), Field(json_schema_extra={"minimum": 1024, "maximum": 65535})
]


def _check_cpu(value: int) -> int:
    if value not in FARGATE_MEMORY_BY_CPU:
        allowed = ", ".join(str(cpu) for cpu in FARGATE_MEMORY_BY_CPU)
        raise _fail(f"cpu {value} is not a Fargate size; use one of {allowed}")
    return value


Cpu = Annotated[
    int, AfterValidator(_check_cpu), Field(json_schema_extra={"enum": list(FARGATE_MEMORY_BY_CPU)})
]


# Checked together with cpu (`fargate_pair_problem`): the pair is what Fargate accepts.
Memory = Annotated[int, Field(json_schema_extra={"minimum": 512, "maximum": 122880})]


def _check_desired_count(value: int) -> int:
    if not 0 <= value <= 100:
        raise _fail(f"desired_count {value} is out of range: 0-100 tasks")
    return value


DesiredCount = Annotated[int, AfterValidator(_check_desired_count)]


def _coerce_version(value: object) -> object:
    # `version: 16` is as common as `version: "16"`; both mean the major version.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _check_postgres_version(value: str) -> str:
    if value not in POSTGRES_MAJOR_VERSIONS:
        raise _fail(
            f"PostgreSQL {_escape_braces(repr(value))} is not supported; use a major version: "
            + ", ".join(POSTGRES_MAJOR_VERSIONS)
        )
    return value


PostgresVersion = Annotated[
    str,
    BeforeValidator(_coerce_version),
    AfterValidator(_check_postgres_version),
    Field(json_schema_extra={"enum": list(POSTGRES_MAJOR_VERSIONS)}),
]

_INSTANCE_CLASS = re.compile(r"^db\.[a-z0-9]+\.[a-z0-9]+$")


def _check_instance_class(value: str) -> str:
    if not _INSTANCE_CLASS.fullmatch(value):
        raise _fail(
            f"{_escape_braces(repr(value))} is not an RDS instance class (e.g. db.t4g.micro)"
        )
    return value


InstanceClass = Annotated[
    str,
    AfterValidator(_check_instance_class),
    Field(json_schema_extra={"pattern": _INSTANCE_CLASS.pattern}),
]


def _check_storage_size(value: int) -> int:
    if not 20 <= value <= 65536:
        raise _fail(f"allocated_storage {value} GiB is out of range: 20-65536")
    return value


StorageGiB = Annotated[int, AfterValidator(_check_storage_size)]


def smallest_cpu_for(memory: int) -> int | None:
    """The smallest Fargate CPU size that accepts `memory`, if any does."""
    return next((cpu for cpu, sizes in FARGATE_MEMORY_BY_CPU.items() if memory in sizes), None)


def fargate_pair_problem(cpu: int | None, memory: int) -> str | None:
    """Why `cpu`/`memory` is not a Fargate task size, or None when it is one.
    Without a cpu, any size that some cpu accepts is fine (completion picks that cpu)."""
    if cpu is None:
        if smallest_cpu_for(memory) is not None:
            return None
        return f"memory {memory} MiB is not a Fargate size; see the table of cpu/memory pairs"
    allowed = FARGATE_MEMORY_BY_CPU.get(cpu)
    if allowed is None or memory in allowed:
        return None
    shown = ", ".join(str(size) for size in allowed)
    return (
        f"memory {memory} MiB does not fit cpu {cpu} on Fargate; with cpu {cpu} use one of: {shown}"
    )


# --- sbh/v2: services and their kinds -------------------------------------------------------

ServiceName = _slug_rule("service name", max_length=31)

# An ALB path pattern SBH routes to one web service: `/*`, or a prefix ending in `/*`, or one
# exact path. ALB allows more (`?`, a `*` mid-path); one shape keeps routing predictable and
# lets CloudFront use the same pattern in front of a static site.
_ROUTE_PATH = re.compile(r"^/(?:[A-Za-z0-9._~-]+/)*(?:\*|[A-Za-z0-9._~-]+)$")


def _check_route_path(value: str) -> str:
    if len(value) > 128 or not _ROUTE_PATH.fullmatch(value):
        raise _fail(
            f"{_escape_braces(repr(value))} is not a route pattern: use /* (everything), a "
            "prefix such as /api/* or one exact path such as /login (at most 128 characters)"
        )
    return value


RoutePath = Annotated[
    str,
    AfterValidator(_check_route_path),
    Field(json_schema_extra={"pattern": _ROUTE_PATH.pattern, "maxLength": 128}),
]


def route_matches(pattern: str, path: str) -> bool:
    """Whether a request for `path` is routed by `pattern` (as written by `RoutePath`)."""
    if pattern.endswith("/*"):
        return path.startswith(pattern[:-1])
    return path == pattern


_RATE = re.compile(r"^rate\((\d{1,5}) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


class _CronField:
    """One field of an EventBridge cron expression: its range, its names, its wildcards
    (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html)."""

    def __init__(
        self, title: str, low: int, high: int, names: tuple[str, ...] = (), extra: str = ""
    ) -> None:
        self.title, self.low, self.high, self.names, self.extra = title, low, high, names, extra

    def value(self, text: str) -> int | None:
        if text.isdigit() and len(text) <= 4:
            return int(text)
        if text.upper() in self.names:
            return self.names.index(text.upper()) + self.low
        return None

    def problem(self, text: str) -> str | None:
        where = f"{self.title} ({text!r})"
        if text == "?":
            return (
                None if "?" in self.extra else f"{where}: ? is only for day-of-month or day-of-week"
            )
        if "#" in text and "," in text and "#" in self.extra:
            return f"{where}: # allows one expression in day-of-week, not a list"
        for item in text.split(","):
            reason = self._item_problem(item)
            if reason:
                return f"{where}: {reason}"
        return None

    def _item_problem(self, item: str) -> str | None:
        if item == "?":
            return "? stands alone in its field"
        if "L" in self.extra and (item == "L" or (item == "LW" and "W" in self.extra)):
            return None
        if "W" in self.extra and item.endswith("W"):
            return self._single(item[:-1])
        if "#" in self.extra and "#" in item:
            day, _, nth = item.partition("#")
            if not nth.isdigit() or not 1 <= int(nth) <= 5:
                return f"{item}: the week of the month after # is 1 to 5"
            return self._single(day)
        if "L" in self.extra and item.endswith("L") and "#" in self.extra:
            return self._single(item[:-1])  # 6L: the last Friday of the month
        base, slash, step = item.partition("/")
        if slash and "/" not in self.extra:
            return f"{item}: {self.title} takes no / increments"
        if slash and (not step.isdigit() or not 1 <= int(step) <= self.high):
            return f"{item}: the increment after / is a number from 1 to {self.high}"
        if base == "*":
            return None
        low, dash, high = base.partition("-")
        return self._single(low) or (self._single(high) if dash else None)

    def selected(self, text: str) -> int:
        """How many values a valid field selects; `L`, `W`, `#` forms select one."""
        if text in ("*", "?"):
            return self.high - self.low + 1
        count = 0
        for item in text.split(","):
            base, slash, step = item.partition("/")
            low_text, dash, high_text = base.partition("-")
            low, high = self.value(low_text), self.value(high_text) if dash else None
            if base == "*":
                low, high = self.low, self.high
            if low is None:  # L, LW, 15W, 6L, 3#2
                count += 1
            elif high is not None or slash:
                last = high if high is not None else self.high
                count += len(range(low, last + 1, int(step) if slash else 1))
            else:
                count += 1
        return min(count, self.high - self.low + 1)

    def _single(self, text: str) -> str | None:
        value = self.value(text)
        if value is None or not self.low <= value <= self.high:
            named = f" or {self.names[0]}-{self.names[-1]}" if self.names else ""
            return f"{text or '(nothing)'} is not {self.low}-{self.high}{named}"
        return None


# `extra`: the wildcards a field takes besides `,`, `-` and `*`.
_CRON_FIELDS = (
    _CronField("minutes", 0, 59, extra="/"),
    _CronField("hours", 0, 23, extra="/"),
    _CronField("day-of-month", 1, 31, extra="?/LW"),
    _CronField("month", 1, 12, _MONTHS, extra="/"),
    _CronField("day-of-week", 1, 7, _WEEKDAYS, extra="?L#"),
    _CronField("year", 1970, 2199, extra="/"),
)


def schedule_problem(value: str) -> str | None:
    """Why EventBridge Scheduler would refuse `value`, in words; None when it is valid.
    Fields are checked against the documented ranges and wildcards; like EventBridge, a cron
    expression may not name both a day of the month and a day of the week."""
    rate = _RATE.fullmatch(value)
    if rate:
        count, unit = int(rate.group(1)), rate.group(2)
        if count < 1:
            return "a rate needs a positive number, e.g. rate(5 minutes)"
        if (count == 1) != (not unit.endswith("s")):
            single = unit.rstrip("s")
            return f"write rate(1 {single}) for one, rate({count} {single}s) for more"
        return None
    cron = _CRON.fullmatch(value)
    if not cron:
        return (
            "a schedule is cron(minutes hours day-of-month month day-of-week year) or "
            "rate(N minutes|hours|days), e.g. cron(0 3 * * ? *) or rate(1 hour)"
        )
    fields = cron.group(1).split(" ")
    if len(fields) != 6:
        return (
            f"cron() takes 6 fields separated by single spaces (minutes hours day-of-month "
            f"month day-of-week year), got {len(fields)}"
        )
    for field, text in zip(_CRON_FIELDS, fields, strict=True):
        reason = field.problem(text)
        if reason:
            return reason
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        return (
            "one of day-of-month (3rd field) and day-of-week (5th field) must be ?, the other "
            "not, e.g. cron(0 3 * * ? *)"
        )
    return None


_DAYS_PER_MONTH = Decimal(730) / 24  # the 730-hour month cost estimates use
_RATE_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 1440}


def runs_per_month(schedule: str) -> Decimal:
    """How often a valid schedule fires in an average month of 730 hours: exact for rates;
    for cron, the minutes times the hours it selects on each day it selects (a day of the
    week counts 1/7 of the month's days, `L`, `W` and `#` one day a month), times the share
    of the months it selects. The year field is taken to include this year."""
    rate = _RATE.fullmatch(schedule)
    if rate:
        interval = int(rate.group(1)) * _RATE_UNIT_MINUTES[rate.group(2).rstrip("s")]
        return _DAYS_PER_MONTH * 1440 / interval
    cron = _CRON.fullmatch(schedule)
    assert cron is not None, f"not a valid schedule: {schedule}"
    minutes, hours, day_of_month, month, day_of_week, _year = cron.group(1).split(" ")
    fields = dict(zip(("minutes", "hours", "dom", "month", "dow"), _CRON_FIELDS, strict=False))
    per_day = fields["minutes"].selected(minutes) * fields["hours"].selected(hours)
    if day_of_week == "?":
        days = (
            _DAYS_PER_MONTH
            if day_of_month == "*"
            else Decimal(fields["dom"].selected(day_of_month))
        )
    else:
        items = day_of_week.split(",")
        # 3#2 (the second Tuesday) and 6L (the last Friday) fire once a month; L alone is
        # Saturday, every week.
        monthly = [item for item in items if "#" in item or (item.endswith("L") and item != "L")]
        weekly = [item for item in items if item not in monthly]
        weekdays = fields["dow"].selected(",".join(weekly)) if weekly else 0
        days = Decimal(weekdays) * _DAYS_PER_MONTH / 7 + len(monthly)
    return per_day * days * fields["month"].selected(month) / 12


def _check_schedule(value: str) -> str:
    problem = schedule_problem(value)
    if problem:
        raise _fail(f"{_escape_braces(repr(value))} is not a schedule: {_escape_braces(problem)}")
    return value


Schedule = Annotated[
    str,
    AfterValidator(_check_schedule),
    Field(json_schema_extra={"pattern": r"^(cron\([^()]+\)|rate\([0-9]+ (minute|hour|day)s?\))$"}),
]

_SITE_DIRECTORY = re.compile(
    r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}(?:/[A-Za-z0-9_][A-Za-z0-9._-]{0,63}){0,4}$"
)


def _check_site_directory(value: str) -> str:
    if not _SITE_DIRECTORY.fullmatch(value) or any(
        part in {".", ".."} for part in value.split("/")
    ):
        raise _fail(
            f"{_escape_braces(repr(value))} is not a directory of this repository: relative, "
            "'/'-separated names of letters, digits, '.', '_' and '-', no '..'"
        )
    return value


SiteDirectory = Annotated[
    str,
    AfterValidator(_check_site_directory),
    Field(json_schema_extra={"pattern": _SITE_DIRECTORY.pattern}),
]

_BUILD_COMMAND = re.compile(r"^[\x20-\x7e]{1,200}$")


def _check_build_command(value: str) -> str:
    if not _BUILD_COMMAND.fullmatch(value):
        raise _fail("a build command is one line of at most 200 printable ASCII characters")
    return value


BuildCommand = Annotated[
    str,
    AfterValidator(_check_build_command),
    Field(json_schema_extra={"pattern": _BUILD_COMMAND.pattern}),
]


def _bounded_count(what: str, low: int, high: int, why: str) -> Any:
    """An integer between `low` and `high`; `why` says where the bounds come from."""

    def check(value: int) -> int:
        if not low <= value <= high:
            raise _fail(f"{value} {what}: use {low} to {high} ({why})")
        return value

    return Annotated[
        int, AfterValidator(check), Field(json_schema_extra={"minimum": low, "maximum": high})
    ]


TaskCount = _bounded_count("tasks", 0, 100, "a worker scales between min_count and max_count")
TimeoutMinutes = _bounded_count("minutes", 1, 1440, "a job may run at most a day")
# SQS allows 0 to 43200 seconds. SBH asks for at least 10: with less, a message becomes visible
# again while its handler is still working, so another task receives it too, and every such
# receive counts toward the dead-letter queue's max_receive_count without the handler failing.
MIN_VISIBILITY_TIMEOUT = 10
VisibilityTimeout = _bounded_count(
    "seconds",
    MIN_VISIBILITY_TIMEOUT,
    43200,
    "SQS's limit is 12 hours; below 10 seconds a message is handed out again while its handler "
    "still runs",
)
MaxReceiveCount = _bounded_count(
    "receives", 1, 1000, "how often a message is tried before the dead-letter queue takes it"
)

# --- runtime: container: the person's own Dockerfile ---------------------------------------

_REPOSITORY_PATH = re.compile(
    r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}(?:/[A-Za-z0-9_][A-Za-z0-9._-]{0,63}){0,7}$"
)
REPOSITORY_ROOT = "."


def _repository_path_problem(value: str, what: str) -> str | None:
    if _REPOSITORY_PATH.fullmatch(value) and not any(
        part in {".", ".."} for part in value.split("/")
    ):
        return None
    return (
        f"{_escape_braces(repr(value))} is not {what} in this repository: a relative, "
        "'/'-separated path of letters, digits, '.', '_' and '-', without '..' or a leading "
        "'./' or '/' (e.g. services/api/Dockerfile)"
    )


def _check_dockerfile_path(value: str) -> str:
    problem = _repository_path_problem(value, "a file")
    if problem:
        raise _fail(problem)
    return value


def _check_build_context(value: str) -> str:
    if value == REPOSITORY_ROOT:
        return value
    problem = _repository_path_problem(value, "a directory")
    if problem:
        raise _fail(f"{problem}; '.' is the repository root")
    return value


DockerfilePath = Annotated[
    str,
    AfterValidator(_check_dockerfile_path),
    Field(json_schema_extra={"pattern": _REPOSITORY_PATH.pattern, "maxLength": 520}),
]
BuildContext = Annotated[str, AfterValidator(_check_build_context)]


def dockerfile_directory(dockerfile: str) -> str:
    """The directory holding `dockerfile`: a `runtime: container` service's default context."""
    directory, _, _ = dockerfile.rpartition("/")
    return directory or REPOSITORY_ROOT
