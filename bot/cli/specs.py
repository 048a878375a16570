"""`sbh validate | complete | schema | build | cost`: the spec commands, offline and
credential-free.

Each command imports what it uses when it runs: `sbh validate` loads the spec model, not the
renderer, and none of them loads an SDK unless `complete --ai` asks for OpenAI."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.console import err, fail, out

if TYPE_CHECKING:
    from renderers.complete import AnySpec

app = typer.Typer()

SpecPath = Annotated[
    Path, typer.Argument(help="The spec file (YAML, apiVersion: sbh/v1 or sbh/v2).")
]


def _read_spec_text(path: Path) -> str:
    from renderers.yaml_source import MAX_SPEC_BYTES

    try:
        if path.stat().st_size > MAX_SPEC_BYTES * 4:
            fail(f"{path}: {path.stat().st_size:,} bytes is far too large for a spec")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except IsADirectoryError:
        fail(f"{path}: is a directory, not a spec file")
    except UnicodeDecodeError as error:
        fail(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})")
    except OSError as error:
        fail(f"{path}: cannot read: {error.strerror}")


def _load_complete(path: Path) -> AnySpec:
    from renderers.complete import complete_defaults
    from renderers.problems import SpecError
    from renderers.spec import load_spec

    text = _read_spec_text(path)
    source = str(path)
    try:
        return complete_defaults(load_spec(text, source), source)
    except SpecError as error:
        for problem in error.problems:
            err(str(problem))
        count = len(error.problems)
        fail(f"{count} problem{'s' if count != 1 else ''} in {source}")


@app.command()
def validate(spec: SpecPath) -> None:
    """Check a spec; print every problem with file:line:column."""
    from renderers.complete import SpecV2

    completed = _load_complete(spec)
    environments = ", ".join(completed.environments)
    services = (
        "; services: "
        + ", ".join(f"{name} ({service.kind})" for name, service in completed.services.items())
        if isinstance(completed, SpecV2)
        else ""
    )
    out(f"{spec}: valid — {completed.repository} ({environments}){services}")


@app.command()
def cost(
    spec: SpecPath,
    as_json: Annotated[bool, typer.Option("--json", help="Print the estimate as JSON.")] = False,
) -> None:
    """Estimate what the system will cost on AWS each month, per environment and in total,
    line by line, from SBH's dated price table (an estimate, not a quote)."""
    from renderers.cost import estimate_cost, format_cost_text

    estimate = estimate_cost(_load_complete(spec))
    out(estimate.model_dump_json(indent=2) if as_json else format_cost_text(estimate))


@app.command()
def complete(
    spec: SpecPath,
    ai: Annotated[
        bool,
        typer.Option(
            "--ai", help="Let OpenAI propose what is missing (OPENAI_API_KEY, OPENAI_MODEL)."
        ),
    ] = False,
    context: Annotated[
        Path | None, typer.Option(help="A text file the AI may read for context (an issue).")
    ] = None,
) -> None:
    """Print the spec with every default filled in (deterministic unless --ai)."""
    from renderers.complete import spec_to_yaml

    if not ai:
        out(spec_to_yaml(_load_complete(spec)), end="")
        return
    from bot.adapters.openai_drafter import make_drafter
    from bot.flows.spec_checks import complete_spec
    from bot.jobs.spec_work import SpecWorkPool
    from bot.settings import Settings

    text = _read_spec_text(spec)
    settings = Settings()
    drafter = make_drafter(settings, None)
    with SpecWorkPool(settings.spec_timeout_seconds, processes=1) as work:
        checked = complete_spec(
            text,
            str(spec),
            work=work,
            drafter=drafter,
            context=context.read_text() if context else "",
        )
    if isinstance(checked, list):
        for problem in checked:
            where = f"{spec}:{problem.line}" if problem.line else str(spec)
            err(f"{where}: {problem.field}: {problem.message}")
        fail(f"{len(checked)} problem{'s' if len(checked) != 1 else ''} in {spec}")
    if checked.draft.taken:
        err(f"proposed by AI: {', '.join(checked.draft.taken)}")
    if checked.draft.note:
        err(checked.draft.note)
    out(spec_to_yaml(checked.spec), end="")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the spec, sbh/v1 and sbh/v2 (chosen by apiVersion), for
    editors (yaml-language-server)."""
    from renderers.spec import spec_json_schema_any

    out(json.dumps(spec_json_schema_any(), indent=2, sort_keys=True))


@app.command()
def build(
    spec: SpecPath,
    out_dir: Annotated[Path, typer.Option("--out", help="Directory to create the repository in.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a non-empty --out directory.")
    ] = False,
) -> None:
    """Render the repository for SPEC into --out as a git repository with one commit."""
    from bot.flows.local_repository import OutputDirectoryError, write_repository
    from renderers.render import RenderError, render

    completed = _load_complete(spec)
    try:
        files = render(completed)
        commit = write_repository(
            files, out_dir, force=force, message=f"Generate {completed.name} from its SBH spec"
        )
    except (OutputDirectoryError, RenderError) as error:
        fail(f"error: {error}")
    total = sum(len(file.content) for file in files.values())
    out(f"Built {completed.repository} into {out_dir}/ (commit {commit[:7]})")
    out(f"  {len(files)} files, {total / 1024:.1f} KiB")
    for area, count in sorted(Counter(path.split("/")[0] for path in files).items()):
        out(f"    {area:<28} {count:>3}")
    out("Next:")
    out(f"  cd {out_dir} && make run")
    for port, health in _health_checks(completed):
        out(f"  curl -s http://127.0.0.1:{port}{health}")
    out("  read README.md for the AWS bootstrap steps")


def _health_checks(spec: AnySpec) -> list[tuple[int, str]]:
    """(port, health path) of every service `make run` starts: v1's one service, v2's web and
    backend services (workers, jobs and a static site answer no local HTTP)."""
    from renderers.complete import SpecV2

    if isinstance(spec, SpecV2):
        return [(service.port, service.health_path) for service in spec.of_kind("web", "backend")]
    return [(spec.service.port, spec.service.health_path)]
