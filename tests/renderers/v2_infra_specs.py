"""sbh/v2 specs for the tests of the Terraform they render: each kind alone, kinds side by
side, with and without a database, buckets, a static site and the longest names. The composition
tests render each one; the service-reach validator's tests hold each one to what it `uses`."""

from __future__ import annotations

import textwrap

from tests.conftest import REPO_ROOT

ENVIRONMENTS = """
environments:
  dev:  {aws_account_id: "111111111111", region: us-west-2, domain: x.dev.acme.io}
  prod: {aws_account_id: "222222222222", region: eu-central-1, domain: x.acme.io,
         hosted_zone_id: Z0123456789ABCDEFGHIJ}
"""


def spec_text(name: str, services: str, rest: str = "") -> str:
    return (
        f"apiVersion: sbh/v2\nname: {name}\nowner: acme\nservices:\n"
        + textwrap.indent(textwrap.dedent(services).strip(), "  ")
        + "\n"
        + textwrap.dedent(rest)
        + ENVIRONMENTS
    )


LONG = "a" + "b" * 30  # the longest service name
SPECS = {
    "shop": (REPO_ROOT / "examples" / "shop.yaml").read_text(),
    "only-a-worker": spec_text("mail", "mailer: {kind: worker, max_count: 3}", "database: null\n"),
    "only-a-job": spec_text(
        "nightly",
        'report: {kind: job, schedule: "cron(0 3 * * ? *)", timeout_minutes: 5}',
        "database: null\n",
    ),
    "backend-and-web": spec_text(
        "pair",
        """
        api: {kind: web, path: "/*", secrets: [API_TOKEN]}
        users: {kind: backend, uses: [database]}
        """,
    ),
    "no-database-for-the-web": spec_text(
        "split",
        """
        api: {kind: web, uses: [users]}
        users: {kind: backend, uses: [database]}
        """,
    ),
    "static-site-only": spec_text("brochure", "site: {kind: static-site}", "database: null\n"),
    "static-site-and-web": spec_text(
        "portal",
        """
        site: {kind: static-site, source: web}
        api: {kind: web, path: "/api/*", uses: []}
        admin: {kind: web, path: "/api/admin/*", uses: [database]}
        """,
    ),
    "no-database": spec_text(
        "nodb",
        """
        api: {kind: web, uses: [files]}
        resize: {kind: worker, uses: [files]}
        """,
        "database: null\nstorage: {buckets: [files]}\n",
    ),
    "many-buckets": spec_text(
        "media",
        """
        api: {kind: web, uses: [raw, thumbs, database]}
        thumbnailer: {kind: worker, uses: [raw, thumbs]}
        archive: {kind: job, uses: [exports], schedule: "rate(7 days)"}
        """,
        "storage: {buckets: [raw, thumbs, exports, audit]}\n",
    ),
    "long-names": spec_text(
        "a" + "x" * 38,
        f"""
        {LONG}: {{kind: web}}
        {LONG[:-1]}c: {{kind: backend}}
        {LONG[:-1]}d: {{kind: worker}}
        {LONG[:-1]}e: {{kind: job}}
        """,
        "storage: {buckets: [" + "u" * 20 + "]}\n",
    ),
}
