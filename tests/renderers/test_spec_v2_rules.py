"""sbh/v2 specs that break a rule are rejected at the line and column of the mistake, with the
field path and a message that says what would be valid, every problem at once; both YAML
styles (block and flow) locate the same way.

Each case is a spec whose `services:` (or top) is written out, with `# <-` on the line where
the problem must be reported and `at` the text on that line where its column starts."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from renderers.problems import SpecError, SpecProblem
from renderers.spec import load_spec
from renderers.spec_v2 import RawSpecV2
from tests.conftest import REPO_ROOT

SHOP = REPO_ROOT / "examples" / "shop.yaml"

HEAD = """\
apiVersion: sbh/v2
name: shop
owner: acme
environments:
  dev: {aws_account_id: "111111111111", region: us-west-2, domain: shop.dev.acme.io}
storage: {buckets: [uploads]}
"""


@dataclass(frozen=True)
class Broken:
    name: str
    body: str  # YAML after HEAD (or the whole spec when it starts with apiVersion)
    field: str
    at: str
    fragment: str

    @property
    def text(self) -> str:
        return self.body if self.body.startswith("apiVersion") else HEAD + self.body

    def expected_line_and_column(self) -> tuple[int, int]:
        for number, line in enumerate(self.text.splitlines(), start=1):
            if "# <-" in line:
                return number, line.index(self.at) + 1
        raise AssertionError(f"{self.name}: no `# <-` marker in the case")


BROKEN = [
    # --- names and the services map -------------------------------------------------------
    Broken(
        "service name with capitals (block)",
        "services:\n  Api:  # <-\n    kind: web\n",
        "services.Api",
        "Api",
        "not a valid service name",
    ),
    Broken(
        "service name with capitals (flow)",
        "services: {Api: {kind: web}}  # <-\n",
        "services.Api",
        "Api",
        "not a valid service name",
    ),
    Broken(
        "service name of 32 characters",
        f"services:\n  {'a' * 32}: {{kind: web}}  # <-\n",
        f"services.{'a' * 32}",
        "a" * 32,
        "1-31 characters",
    ),
    Broken(
        "service name ending in a hyphen",
        "services:\n  api-: {kind: web}  # <-\n",
        "services.api-",
        "api-",
        "no trailing hyphen",
    ),
    Broken(
        "an empty services map",
        "services: {}  # <-\n",
        "services",
        "{}",
        "at least one service",
    ),
    Broken(
        "services as a list",
        "services:\n  - api  # <-\n",
        "services",
        "- api",
        "expected a mapping",
    ),
    Broken(
        "a service that is not a mapping",
        "services:\n  api: web  # <-\n",
        "services.api",
        "web",
        "expected a mapping",
    ),
    Broken(
        "a service without a kind",
        "services:\n  api:  # <-\n    port: 8000\n",
        "services.api",
        "api",
        "every service needs a kind",
    ),
    Broken(
        "an unknown kind",
        "services:\n  api: {kind: webb}  # <-\n",
        "services.api.kind",
        "webb",
        "did you mean web?",
    ),
    Broken(
        "a key another kind has",
        "services:\n  api:\n    kind: web\n    schedule: rate(1 hour)  # <-\n",
        "services.api.schedule",
        "schedule",
        "unknown key 'schedule'; allowed here: context, cpu, desired_count",
    ),
    Broken(
        "a runtime not offered",
        "services:\n  api: {kind: web, runtime: ruby}  # <-\n",
        "services.api.runtime",
        "ruby",
        "'ruby' is not allowed; use 'python', 'node' or 'container'",
    ),
    Broken(
        "a service named like the database",
        "services:\n  database: {kind: backend}  # <-\n",
        "services.database",
        "database",
        "is already the database",
    ),
    Broken(
        "a service named like a bucket",
        "services:\n  uploads: {kind: backend}  # <-\n",
        "services.uploads",
        "uploads",
        "is already bucket uploads",
    ),
    # --- everything v1 checks, per service --------------------------------------------------
    Broken(
        "a privileged port",
        "services:\n  api: {kind: web, port: 80}  # <-\n",
        "services.api.port",
        "80",
        "1024-65535",
    ),
    Broken(
        "a memory that does not fit the cpu (block)",
        "services:\n  jobs:\n    kind: job\n    cpu: 256\n    memory: 4096  # <-\n",
        "services.jobs.memory",
        "4096",
        "does not fit cpu 256",
    ),
    Broken(
        "a cpu that is not a Fargate size",
        "services:\n  mailer: {kind: worker, cpu: 300}  # <-\n",
        "services.mailer.cpu",
        "300",
        "not a Fargate size",
    ),
    Broken(
        "a health path that is not a path",
        "services:\n  catalog: {kind: backend, health_path: health}  # <-\n",
        "services.catalog.health_path",
        "health}",
        "not a health path",
    ),
    Broken(
        "too many tasks",
        "services:\n  api: {kind: web, desired_count: 101}  # <-\n",
        "services.api.desired_count",
        "101",
        "0-100",
    ),
    Broken(
        "a region that does not exist, in a v2 spec",
        "apiVersion: sbh/v2\nname: shop\nowner: acme\nenvironments:\n"
        "  dev: {aws_account_id: '111111111111', region: us-west-9, domain: a.io}  # <-\n"
        "services: {api: {kind: web}}\n",
        "environments.dev.region",
        "us-west-9",
        "did you mean us-west-2?",
    ),
    # --- web routes -------------------------------------------------------------------------
    Broken(
        "a route pattern with a star mid-path",
        "services:\n  api: {kind: web, path: '/api*'}  # <-\n",
        "services.api.path",
        "'/api*'",
        "not a route pattern",
    ),
    Broken(
        "two web services claiming one path",
        "services:\n  api: {kind: web, path: /api/*}\n  v2: {kind: web, path: /api/*}  # <-\n",
        "services.v2.path",
        "/api/*",
        "already routed to api",
    ),
    Broken(
        "two web services both on the default path (block)",
        "services:\n  api:\n    kind: web\n  www:  # <-\n    kind: web\n",
        "services.www",
        "www",
        "api already answers /*, which is also the default of this service: set its path",
    ),
    Broken(
        "two web services both on the default path (flow)",
        "services: {api: {kind: web},\n  www: {kind: web}}  # <-\n",
        "services.www",
        "www",
        "set its path",
    ),
    Broken(
        "a written /* against a default /*",
        "services:\n  api: {kind: web}\n  www: {kind: web, path: /*}  # <-\n",
        "services.www.path",
        "/*",
        "already routed to api",
    ),
    Broken(
        "a health path outside the service's path",
        "services:\n  api: {kind: web, path: /api/*, health_path: /health}  # <-\n",
        "services.api.health_path",
        "/health",
        "not under this service's path /api/*",
    ),
    Broken(
        "a health path another web service's route takes",
        "services:\n  www: {kind: web, health_path: /api/health}  # <-\n"
        "  api: {kind: web, path: /api/*}\n",
        "services.www.health_path",
        "/api/health",
        "is routed to api",
    ),
    Broken(
        "a web service on /* beside a static site",
        "services:\n  api: {kind: web}  # <-\n  site: {kind: static-site}\n",
        "services.api",
        "api",
        "static site site serves the domain's /*",
    ),
    # --- ports ------------------------------------------------------------------------------
    Broken(
        "a backend on a web service's port",
        "services:\n  api: {kind: web, port: 8001}\n  catalog: {kind: backend, port: 8001}  # <-\n",
        "services.catalog.port",
        "8001",
        "port 8001 is already api's",
    ),
    # --- uses -------------------------------------------------------------------------------
    Broken(
        "a service using itself",
        "services:\n  api: {kind: web, uses: [api]}  # <-\n",
        "services.api.uses[0]",
        "api]",
        "does not need to use itself",
    ),
    Broken(
        "a use nothing declares (block list)",
        "services:\n  api:\n    kind: web\n    uses:\n      - catalogue  # <-\n"
        "  catalog: {kind: backend}\n",
        "services.api.uses[0]",
        "catalogue",
        "catalogue is not declared (did you mean catalog?); this service may use: catalog, "
        "database, uploads",
    ),
    Broken(
        "a use of a web service",
        "services:\n  api: {kind: web, path: /api/*}\n  www: {kind: web, uses: [api]}  # <-\n",
        "services.www.uses[0]",
        "api]",
        "api is a web service; only backend services",
    ),
    Broken(
        "the database used without one",
        "database: null\nservices:\n  api: {kind: web, uses: [database]}  # <-\n",
        "services.api.uses[0]",
        "database]",
        "this spec has no database",
    ),
    Broken(
        "a use listed twice",
        "services:\n  api: {kind: web, uses: [uploads, uploads]}  # <-\n",
        "services.api.uses[1]",
        "uploads]",
        "uploads is listed twice",
    ),
    # --- jobs -------------------------------------------------------------------------------
    Broken(
        "a cron minute out of range",
        "services:\n  nightly: {kind: job, schedule: 'cron(60 3 * * ? *)'}  # <-\n",
        "services.nightly.schedule",
        "'cron(",
        "minutes ('60'): 60 is not 0-59",
    ),
    Broken(
        "a cron hour out of range (block)",
        "services:\n  nightly:\n    kind: job\n    schedule: cron(0 24 * * ? *)  # <-\n",
        "services.nightly.schedule",
        "cron(",
        "hours ('24'): 24 is not 0-23",
    ),
    Broken(
        "a cron with both days",
        "services:\n  nightly: {kind: job, schedule: 'cron(0 3 * * * *)'}  # <-\n",
        "services.nightly.schedule",
        "'cron(",
        "one of day-of-month (3rd field) and day-of-week (5th field) must be ?",
    ),
    Broken(
        "a cron with five fields",
        "services:\n  nightly: {kind: job, schedule: 'cron(0 3 * * ?)'}  # <-\n",
        "services.nightly.schedule",
        "'cron(",
        "takes 6 fields",
    ),
    Broken(
        "a day of the week out of range",
        "services:\n  nightly: {kind: job, schedule: 'cron(0 3 ? * 8 *)'}  # <-\n",
        "services.nightly.schedule",
        "'cron(",
        "8 is not 1-7 or SUN-SAT",
    ),
    Broken(
        "a rate of one in the plural",
        "services:\n  nightly: {kind: job, schedule: rate(1 hours)}  # <-\n",
        "services.nightly.schedule",
        "rate(",
        "write rate(1 hour) for one",
    ),
    Broken(
        "a schedule that is neither",
        "services:\n  nightly: {kind: job, schedule: every day}  # <-\n",
        "services.nightly.schedule",
        "every",
        "cron(minutes hours day-of-month month day-of-week year) or rate(",
    ),
    Broken(
        "a job without a time limit",
        "services:\n  nightly: {kind: job, timeout_minutes: 0}  # <-\n",
        "services.nightly.timeout_minutes",
        "0}",
        "use 1 to 1440",
    ),
    # --- workers ----------------------------------------------------------------------------
    Broken(
        "fewer tasks at most than at least",
        "services:\n  mailer:\n    kind: worker\n    min_count: 3\n    max_count: 2  # <-\n",
        "services.mailer.max_count",
        "2",
        "max_count 2 is below min_count 3",
    ),
    Broken(
        "a worker that never runs",
        "services:\n  mailer: {kind: worker, max_count: 0}  # <-\n",
        "services.mailer.max_count",
        "0}",
        "use at least 1",
    ),
    Broken(
        "a visibility timeout shorter than handling",
        "services:\n  mailer:\n    kind: worker\n    queue: {visibility_timeout_seconds: 5}  # <-\n",
        "services.mailer.queue.visibility_timeout_seconds",
        "5}",
        "use 10 to 43200",
    ),
    Broken(
        "no receive before the dead-letter queue",
        "services:\n  mailer:\n    kind: worker\n    queue:\n      max_receive_count: 0  # <-\n",
        "services.mailer.queue.max_receive_count",
        "0",
        "use 1 to 1000",
    ),
    Broken(
        "an unknown queue setting",
        "services:\n  mailer: {kind: worker, queue: {retention: 4}}  # <-\n",
        "services.mailer.queue.retention",
        "retention",
        "allowed here: max_receive_count, visibility_timeout_seconds",
    ),
    # --- static sites -----------------------------------------------------------------------
    Broken(
        "two static sites",
        "services:\n  site: {kind: static-site}\n  docs: {kind: static-site}  # <-\n",
        "services.docs.kind",
        "static-site}",
        "one static site per system: site already serves",
    ),
    Broken(
        "a source outside the repository",
        "services:\n  site: {kind: static-site, source: ../site}  # <-\n",
        "services.site.source",
        "../site",
        "not a directory of this repository",
    ),
    Broken(
        "an absolute output",
        "services:\n  site:\n    kind: static-site\n    output: /dist  # <-\n",
        "services.site.output",
        "/dist",
        "not a directory of this repository",
    ),
    Broken(
        "a source in another service's directory",
        "services:\n  api: {kind: web, path: /api/*}\n"
        "  site: {kind: static-site, source: services/api}  # <-\n",
        "services.site.source",
        "services/api",
        "services/api is the directory of service api",
    ),
    Broken(
        "a source in SBH's infra directory",
        "services:\n  site: {kind: static-site, source: infra/site}  # <-\n",
        "services.site.source",
        "infra/site",
        "infra/ is where SBH puts the Terraform",
    ),
    Broken(
        "container settings on a static site",
        "services:\n  site: {kind: static-site, cpu: 256}  # <-\n",
        "services.site.cpu",
        "cpu",
        "unknown key 'cpu'; allowed here: build, kind, output, source",
    ),
    Broken(
        "a multi-line build command",
        'services:\n  site: {kind: static-site, build: "npm ci\\nnpm run build"}  # <-\n',
        "services.site.build",
        '"npm',
        "one line",
    ),
    # --- names SBH gives a container --------------------------------------------------------
    Broken(
        "a setting named like a worker's own queue",
        "services:\n  api:\n    kind: web\n    env: {QUEUE_URL: x}  # <-\n",
        "services.api.env.QUEUE_URL",
        "QUEUE_URL",
        "QUEUE_URL is reserved: SBH sets it (a worker's own queue)",
    ),
    Broken(
        "a setting named like a job's time limit",
        "services:\n  nightly:\n    kind: job\n    env:\n      JOB_TIMEOUT_SECONDS: '60'  # <-\n",
        "services.nightly.env.JOB_TIMEOUT_SECONDS",
        "JOB_TIMEOUT_SECONDS",
        "a job's time limit",
    ),
    Broken(
        "a setting named like a used backend's address",
        "services:\n  api: {kind: web, env: {CATALOG_URL: x}}  # <-\n  catalog: {kind: backend}\n",
        "services.api.env.CATALOG_URL",
        "CATALOG_URL",
        "the address of backend catalog, which it uses",
    ),
    Broken(
        "a secret named like a used worker's queue",
        "services:\n  api: {kind: web, secrets: [MAIL_OUT_QUEUE_URL]}  # <-\n"
        "  mail-out: {kind: worker}\n",
        "services.api.secrets[0]",
        "MAIL_OUT_QUEUE_URL",
        "the queue of worker mail-out",
    ),
    Broken(
        "a setting v1 reserves too",
        "services:\n  api: {kind: web, env: {APP_NAME: x}}  # <-\n",
        "services.api.env.APP_NAME",
        "APP_NAME",
        "reserved",
    ),
    Broken(
        "a setting with a reserved prefix",
        "services:\n  api: {kind: web, env: {BUCKET_UPLOADS: x}}  # <-\n",
        "services.api.env.BUCKET_UPLOADS",
        "BUCKET_UPLOADS",
        "reserved",
    ),
    Broken(
        "a secret that is also a setting",
        "services:\n  api:\n    kind: web\n    env: {STRIPE_KEY: x}\n    secrets: [STRIPE_KEY]  # <-\n",
        "services.api.secrets[0]",
        "STRIPE_KEY",
        "both a secret and a plain env setting",
    ),
    # --- versions ---------------------------------------------------------------------------
    Broken(
        "an unknown apiVersion",
        "apiVersion: sbh/v3  # <-\nname: shop\nowner: acme\nservices: {api: {kind: web}}\n",
        "apiVersion",
        "sbh/v3",
        "use sbh/v1 (one web service) or sbh/v2 (services of several kinds)",
    ),
    Broken(
        "v1's service in a v2 spec",
        "service: {port: 8000}  # <-\nservices: {api: {kind: web}}\n",
        "service",
        "service",
        "sbh/v2 has no top-level service: each service is an entry of services",
    ),
    Broken(
        "v1's env in a v2 spec",
        "env: {LOG_LEVEL: info}  # <-\nservices: {api: {kind: web}}\n",
        "env",
        "env",
        "move them to services.<name>.env",
    ),
    Broken(
        "v1's secrets in a v2 spec",
        "secrets: [STRIPE_KEY]  # <-\nservices: {api: {kind: web}}\n",
        "secrets",
        "secrets",
        "move them to services.<name>.secrets",
    ),
    Broken(
        "v1's runtime in a v2 spec",
        "runtime: python-fastapi  # <-\nservices: {api: {kind: web}}\n",
        "runtime",
        "runtime",
        "the runtime is per service: services.<name>.runtime: python",
    ),
    Broken(
        "services in a v1 spec",
        "apiVersion: sbh/v1\nname: shop\nowner: acme\nservices: {api: {kind: web}}  # <-\n",
        "services",
        "services",
        "need apiVersion: sbh/v2",
    ),
]


def problems_of(text: str) -> list[SpecProblem]:
    with pytest.raises(SpecError) as raised:
        load_spec(text, "spec.yaml")
    return list(raised.value.problems)


@pytest.mark.parametrize("case", BROKEN, ids=[case.name for case in BROKEN])
def test_a_broken_spec_is_rejected_at_the_line_of_its_mistake(case: Broken) -> None:
    line, column = case.expected_line_and_column()

    problems = problems_of(case.text)

    located = [problem for problem in problems if problem.field == case.field]
    assert located, f"no problem at {case.field}; got {[str(p) for p in problems]}"
    problem = located[0]
    assert case.fragment in problem.message
    assert (problem.line, problem.column) == (line, column), str(problem)
    assert str(problem).startswith(f"spec.yaml:{line}:{column}: {case.field}: ")


def test_the_example_system_is_valid() -> None:
    raw = load_spec(SHOP.read_text(), str(SHOP))

    assert isinstance(raw, RawSpecV2)
    assert raw.services is not None
    assert {name: service.kind for name, service in raw.services.items()} == {
        "api": "web",
        "catalog": "backend",
        "mailer": "worker",
        "nightly": "job",
        "storefront": "static-site",
    }


def test_every_problem_is_reported_at_once_in_source_order() -> None:
    text = HEAD + (
        "services:\n"
        "  api: {kind: web, port: 80, uses: [api]}\n"
        "  nightly: {kind: job, schedule: 'cron(0 3 * * * *)'}\n"
        "  mailer: {kind: worker, min_count: 5, max_count: 1}\n"
        "  site: {kind: static-site, source: infra}\n"
    )

    problems = problems_of(text)

    assert [problem.field for problem in problems] == [
        "services.api",  # /* beside the static site
        "services.api.port",
        "services.api.uses[0]",
        "services.nightly.schedule",
        "services.mailer.max_count",
        "services.site.source",
    ]
    assert [problem.line for problem in problems] == [8, 8, 8, 9, 10, 11]


def test_what_a_service_may_use_never_lists_the_service_itself() -> None:
    text = HEAD + (
        "services:\n"
        "  catalog: {kind: backend, uses: [nothing]}\n"
        "  mailer: {kind: worker, uses: [nothing]}\n"
    )

    by_field = {problem.field: problem.message for problem in problems_of(text)}

    assert by_field["services.catalog.uses[0]"].endswith("may use: database, mailer, uploads")
    assert by_field["services.mailer.uses[0]"].endswith("may use: catalog, database, uploads")


def test_names_of_services_a_service_does_not_use_are_its_own_to_set() -> None:
    text = HEAD + (
        "services:\n"
        "  api: {kind: web, uses: [database], env: {CATALOG_URL: 'https://catalog.example'}}\n"
        "  catalog: {kind: backend}\n"
    )

    raw = load_spec(text)

    assert isinstance(raw, RawSpecV2)


@pytest.mark.parametrize(
    "schedule",
    [
        "cron(0 3 * * ? *)",
        "cron(0/15 * * * ? *)",
        "cron(0,30 8-17 ? * MON-FRI *)",
        "cron(0 9 ? * 6L *)",
        "cron(0 9 ? * 3#2 *)",
        "cron(0 0 L * ? *)",
        "cron(0 0 15W * ? *)",
        "cron(0 0 1 JAN-MAR ? 2030-2035)",
        "rate(1 minute)",
        "rate(5 minutes)",
        "rate(1 hour)",
        "rate(12 hours)",
        "rate(7 days)",
    ],
)
def test_schedules_eventbridge_accepts_are_accepted(schedule: str) -> None:
    text = HEAD + f"services:\n  nightly: {{kind: job, schedule: '{schedule}'}}\n"

    raw = load_spec(text)

    assert isinstance(raw, RawSpecV2)


@pytest.mark.parametrize(
    ("schedule", "reason"),
    [
        ("cron(0 3 ? * MON/2 *)", "day-of-week takes no / increments"),
        ("cron(0 3 ?,1 * ? *)", "? stands alone"),
        ("cron(0 3 ? * 1#1,2#2 *)", "# allows one expression"),
        ("cron(0 3 ? * 3#6 *)", "1 to 5"),
        ("cron(*/0 * * * ? *)", "the increment after / is a number from 1 to 59"),
        ("cron(0 3 * 13 ? *)", "13 is not 1-12 or JAN-DEC"),
        ("cron(0 3 * * ? 1969)", "1969 is not 1970-2199"),
        ("cron(0 3 0 * ? *)", "0 is not 1-31"),
        ("cron(0  3 * * ? *)", "takes 6 fields separated by single spaces"),
        ("rate(0 minutes)", "a positive number"),
        ("rate(2 day)", "rate(2 days) for more"),
        ("rate(1 week)", "rate(N minutes|hours|days)"),
        ("at(2030-01-01T00:00:00)", "a schedule is cron("),
    ],
)
def test_schedules_eventbridge_refuses_are_refused_with_the_reason(
    schedule: str, reason: str
) -> None:
    text = HEAD + f"services:\n  nightly: {{kind: job, schedule: '{schedule}'}}\n"

    [problem] = problems_of(text)

    assert problem.field == "services.nightly.schedule"
    assert reason in problem.message
