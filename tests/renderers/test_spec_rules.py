"""Every validation rule of a spec, as a table: change one line of a valid spec, expect one
problem at that line, on that field, saying that."""

from __future__ import annotations

import pytest

from renderers.problems import SpecError
from renderers.spec import RawSpec, load_spec

VALID = """\
apiVersion: sbh/v1
name: orders-api
description: Order intake
owner: acme
runtime: python-fastapi
service:
  port: 8000
  health_path: /api/health
  cpu: 256
  memory: 512
  desired_count: 2
database:
  engine: postgres
  version: "16"
  instance_class: db.t4g.micro
storage:
  buckets: [uploads]
environments:
  dev:
    aws_account_id: "111111111111"
    region: us-west-2
    domain: orders.dev.acme.io
  prod:
    aws_account_id: "222222222222"
    region: us-west-2
    domain: orders.acme.io
    approval: true
env:
  LOG_LEVEL: info
secrets: [STRIPE_KEY]
"""


def with_line(old: str, new: str) -> tuple[str, int]:
    """VALID with the (first) line `old` replaced by `new`; returns the text and the line number."""
    lines = VALID.splitlines()
    index = next(i for i, line in enumerate(lines) if line == old)
    lines[index] = new
    return "\n".join(lines) + "\n", index + 1


def only_problem(text: str):
    with pytest.raises(SpecError) as caught:
        load_spec(text, "spec.yaml")
    assert len(caught.value.problems) == 1, "\n".join(map(str, caught.value.problems))
    return caught.value.problems[0]


def test_the_valid_spec_loads() -> None:
    raw = load_spec(VALID)

    assert isinstance(raw, RawSpec)
    assert raw.environments is not None
    assert raw.environments["prod"].region == "us-west-2"


RULES = [
    # (line as written, line replaced by, field, fragment of the message)
    ("name: orders-api", "name: Orders", "name", "not a valid system name"),
    ("name: orders-api", "name: o", "name", "2-39 characters"),
    ("name: orders-api", "name: orders-", "name", "no trailing hyphen"),
    ("name: orders-api", "name: orders--api", "name", "no '--'"),
    ("name: orders-api", "name: 1orders", "name", "starting with a letter"),
    ("name: orders-api", "name: " + "a" * 40, "name", "2-39 characters"),
    ("name: orders-api", "name: 12", "name", "expected a string, got a number; quote it"),
    ("owner: acme", "owner: -acme", "owner", "not a GitHub organization"),
    ("owner: acme", "owner: ac--me", "owner", "not a GitHub organization"),
    ("runtime: python-fastapi", "runtime: node", "runtime", "'node' is not allowed"),
    (
        "apiVersion: sbh/v1",
        "apiVersion: sbh/v3",
        "apiVersion",
        "use sbh/v1 (one web service) or sbh/v2",
    ),
    ("  port: 8000", "  port: 80", "service.port", "1024-65535"),
    ("  port: 8000", "  port: 70000", "service.port", "1024-65535"),
    ("  port: 8000", '  port: "8000"', "service.port", "expected a whole number, got a string"),
    (
        "  health_path: /api/health",
        "  health_path: api/health",
        "service.health_path",
        "start with '/'",
    ),
    (
        "  health_path: /api/health",
        "  health_path: /api/../x",
        "service.health_path",
        "not a health path",
    ),
    (
        "  health_path: /api/health",
        "  health_path: /a b",
        "service.health_path",
        "not a health path",
    ),
    ("  cpu: 256", "  cpu: 300", "service.cpu", "not a Fargate size"),
    ("  memory: 512", "  memory: 4096", "service.memory", "does not fit cpu 256"),
    ("  memory: 512", "  memory: 100", "service.memory", "does not fit cpu 256"),
    ("  desired_count: 2", "  desired_count: -1", "service.desired_count", "0-100"),
    (
        "  desired_count: 2",
        "  desired_count: yes",
        "service.desired_count",
        "expected a whole number",
    ),
    ("  engine: postgres", "  engine: mysql", "database.engine", "'mysql' is not allowed"),
    ('  version: "16"', '  version: "9.6"', "database.version", "use a major version"),
    (
        "  instance_class: db.t4g.micro",
        "  instance_class: t4g.micro",
        "database.instance_class",
        "not an RDS instance class",
    ),
    (
        "  buckets: [uploads]",
        "  buckets: [Uploads]",
        "storage.buckets[0]",
        "not a valid bucket name",
    ),
    ("  buckets: [uploads]", "  buckets: [uploads, uploads]", "storage.buckets[1]", "listed twice"),
    (
        "  buckets: [uploads]",
        "  buckets: uploads",
        "storage.buckets",
        "expected a list, got a string",
    ),
    (
        '    aws_account_id: "111111111111"',
        "    aws_account_id: 111111111111",
        "environments.dev.aws_account_id",
        "quoted 12-digit string",
    ),
    (
        '    aws_account_id: "111111111111"',
        "    aws_account_id: 11111111111",
        "environments.dev.aws_account_id",
        "a leading zero was probably lost",
    ),
    (
        '    aws_account_id: "111111111111"',
        "    aws_account_id: 011111111111",
        "environments.dev.aws_account_id",
        "octal number 1227133513",
    ),
    (
        '    aws_account_id: "111111111111"',
        '    aws_account_id: "11111111111a"',
        "environments.dev.aws_account_id",
        "exactly 12 digits",
    ),
    (
        "    region: us-west-2",
        "    region: us-west-9",
        "environments.dev.region",
        "not an AWS region (did you mean us-west-2?)",
    ),
    (
        "    region: us-west-2",
        "    region: mars-north-1",
        "environments.dev.region",
        "not an AWS region",
    ),
    (
        "    domain: orders.dev.acme.io",
        "    domain: Orders.dev.acme.io",
        "environments.dev.domain",
        "lowercase",
    ),
    (
        "    domain: orders.dev.acme.io",
        "    domain: localhost",
        "environments.dev.domain",
        "at least two labels",
    ),
    (
        "    domain: orders.dev.acme.io",
        "    domain: -orders.acme.io",
        "environments.dev.domain",
        "label '-orders'",
    ),
    (
        "    domain: orders.dev.acme.io",
        "    domain: orders.acme.123",
        "environments.dev.domain",
        "last label must be letters",
    ),
    (
        "    domain: orders.acme.io",
        "    domain: orders.dev.acme.io",
        "environments.prod.domain",
        "already the domain of environment dev",
    ),
    (
        "    approval: true",
        '    approval: "yes"',
        "environments.prod.approval",
        "expected true or false",
    ),
    ("  dev:", "  Dev:", "environments.Dev", "not a valid environment name"),
    ("  LOG_LEVEL: info", "  log_level: info", "env.log_level", "not a valid variable name"),
    ("  LOG_LEVEL: info", "  AWS_REGION: info", "env.AWS_REGION", "reserved"),
    ("  LOG_LEVEL: info", "  DATABASE_URL: x", "env.DATABASE_URL", "reserved"),
    ("  LOG_LEVEL: info", "  BUCKET_UPLOADS: x", "env.BUCKET_UPLOADS", "reserved"),
    ("secrets: [STRIPE_KEY]", "secrets: [DB_PASSWORD]", "secrets[0]", "reserved"),
    ("  LOG_LEVEL: info", "  LOG_LEVEL: yes", "env.LOG_LEVEL", "boolean true; quote it"),
    ("  LOG_LEVEL: info", "  LOG_LEVEL: [a]", "env.LOG_LEVEL", "expected a string, got a list"),
    (
        "secrets: [STRIPE_KEY]",
        "secrets: [LOG_LEVEL]",
        "secrets[0]",
        "both a secret and a plain env setting",
    ),
    ("secrets: [STRIPE_KEY]", "secrets: [stripe-key]", "secrets[0]", "not a valid variable name"),
    ("secrets: [STRIPE_KEY]", "secrets: [AWS_SECRET_ACCESS_KEY]", "secrets[0]", "reserved"),
    ("secrets: [STRIPE_KEY]", "secrets: [STRIPE_KEY, STRIPE_KEY]", "secrets[1]", "listed twice"),
    ("description: Order intake", "description: " + "x" * 351, "description", "limit is 350"),
    ("description: Order intake", 'description: "two\\nlines"', "description", "one line of text"),
    (
        "    region: us-west-2",
        "    regoin: us-west-2",
        "environments.dev.regoin",
        "unknown key 'regoin' (did you mean region?)",
    ),
    ("  port: 8000", "  prot: 8000", "service.prot", "did you mean port?"),
    ("storage:", "storag:", "storag", "did you mean storage?"),
    (
        "    region: us-west-2",
        "    region: 2024-01-01",
        "environments.dev.region",
        "as a date; quote it",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "field", "fragment"), RULES, ids=[f"{r[2]}:{r[1].strip()[:30]}" for r in RULES]
)
def test_each_rule_names_the_line_field_and_fix(
    old: str, new: str, field: str, fragment: str
) -> None:
    text, line = with_line(old, new)

    problem = only_problem(text)

    assert problem.field == field
    assert fragment in problem.message
    assert problem.line == line
    assert problem.source == "spec.yaml"
    assert str(problem).startswith(f"spec.yaml:{line}:")


def test_every_problem_is_reported_at_once() -> None:
    text, _ = with_line("    region: us-west-2", "    region: us-west-9")
    text = text.replace("  port: 8000", "  port: 80").replace("name: orders-api", "name: Orders")

    with pytest.raises(SpecError) as caught:
        load_spec(text)

    assert [problem.field for problem in caught.value.problems] == [
        "name",
        "service.port",
        "environments.dev.region",
    ]


def test_two_empty_domains_are_each_reported_once_not_as_a_duplicate() -> None:
    text = VALID.replace("domain: orders.dev.acme.io", 'domain: ""').replace(
        "domain: orders.acme.io", 'domain: ""'
    )

    with pytest.raises(SpecError) as caught:
        load_spec(text)

    assert [problem.field for problem in caught.value.problems] == [
        "environments.dev.domain",
        "environments.prod.domain",
    ]
    assert not any("already the domain" in p.message for p in caught.value.problems)


def test_problems_come_in_source_order_with_columns() -> None:
    text = "apiVersion: sbh/v1\nname: ok-name\nservice: {port: 1, cpu: 3}\n"

    with pytest.raises(SpecError) as caught:
        load_spec(text)

    assert [(p.line, p.column, p.field) for p in caught.value.problems] == [
        (3, 17, "service.port"),
        (3, 25, "service.cpu"),
    ]


def test_an_unknown_key_lists_what_is_allowed_there() -> None:
    problem = only_problem(VALID + "extra: 1\n")

    assert problem.message.startswith("unknown key 'extra'")
    assert "allowed here: apiVersion, database, description, env, environments" in problem.message


def test_duplicate_keys_name_both_lines() -> None:
    problem = only_problem(VALID.replace("owner: acme\n", "owner: acme\nname: other\n"))

    assert problem.field == "name"
    assert problem.line == 5
    assert "first written on line 2" in problem.message


def test_every_field_is_optional_in_a_raw_spec() -> None:
    raw = load_spec("apiVersion: sbh/v1\n")

    assert raw.name is None
    assert raw.environments is None


def test_database_null_is_different_from_database_left_out() -> None:
    assert load_spec("database: null\n").says_no_database()
    assert not load_spec("name: ab\n").says_no_database()
