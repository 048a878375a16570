"""`sbh systems`, `sbh system NAME`: what SBH built, deployed and sees, in the terminal."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from bot.api.views import list_systems, system_detail
from bot.cli.console import EXIT_PROBLEMS, err, out
from bot.cli.service import _database, _settings

app = typer.Typer()


@app.command()
def systems(
    limit: Annotated[int, typer.Option(min=1, max=100)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
) -> None:
    """List the systems SBH built."""
    page = list_systems(_database(_settings()), limit, offset).model_dump(mode="json")
    for item in page["items"]:
        origin = f"{item['origin']}#{item['issue']}" if item["issue"] else item["origin"] or ""
        out.print(f"{item['repository']:<45} {origin}", markup=False)
    out.print(f"{len(page['items'])} of {page['total']} system(s)", markup=False)


@app.command()
def system(
    name: Annotated[str, typer.Argument(help="The system's name.")],
    owner: Annotated[str | None, typer.Option(help="Its owner, when two share a name.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print everything as JSON.")] = False,
) -> None:
    """Show one system: builds, deployments per environment and health."""
    found = system_detail(_database(_settings()), name, owner)
    if found is None:
        err.print(f"no system named {name!r}", markup=False)
        raise typer.Exit(EXIT_PROBLEMS)
    detail = found.model_dump(mode="json")
    if as_json:
        out.print(json.dumps(detail, indent=2), markup=False)
        return
    out.print(f"{detail['repository']} (from {detail['origin']['repository']})", markup=False)
    for build in detail["builds"][:3]:
        out.print(
            f"  build {build['status']} ({build['trigger']}) {build['started_at']}", markup=False
        )
    latest: dict[str, dict[str, object]] = {}
    for deployment in detail["deployments"]:
        latest.setdefault(str(deployment["environment"]), deployment)
    for environment, deployment in latest.items():
        health = detail["health"].get(environment, {}).get("summary", "not probed")
        out.print(
            f"  {environment:<10} {deployment['image_tag'] or '-':<12} {deployment['state']:<12} "
            f"{health}",
            markup=False,
        )
