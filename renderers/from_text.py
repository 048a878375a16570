"""What the service computes from the text of a spec, each a function of `(text, source)`
that raises `SpecError` with every problem: the units of work `bot.jobs.spec_work` runs in
its worker processes, within a time limit, since the text is anyone's."""

from __future__ import annotations

from renderers.complete import AnySpec, complete_defaults, missing_decisions
from renderers.cost import CostEstimate, estimate_cost
from renderers.problems import SpecError
from renderers.render import File, render
from renderers.spec import AnyRawSpec, load_spec


def written_spec(text: str, source: str) -> AnyRawSpec:
    """What a person wrote. What only a person decides is reported here, before any AI sees
    the spec (it could not fill it anyway), with the lines of the text the person wrote."""
    raw = load_spec(text, source)
    missing = missing_decisions(raw, source)
    if missing:
        raise SpecError(missing)
    return raw


def default_spec(text: str, source: str) -> AnySpec:
    """The spec completed by SBH's defaults alone, without a drafter."""
    return complete_defaults(load_spec(text, source), source)


def rendered_spec(text: str, source: str) -> tuple[str, dict[str, File]]:
    """(the spec's name, the repository it generates by SBH's defaults)."""
    spec = default_spec(text, source)
    return spec.name, render(spec)


def spec_cost(text: str, source: str) -> CostEstimate:
    """What the system of the spec, completed by SBH's defaults, would cost each month."""
    return estimate_cost(default_spec(text, source))
