"""Properties over generated valid specs: loading, completion and rendering never raise,
rendering is deterministic, and free text never escapes into code."""

from __future__ import annotations

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renderers.aws import AWS_REGIONS, FARGATE_MEMORY_BY_CPU
from renderers.complete import complete_defaults
from renderers.render import MANIFEST_PATH, render
from renderers.spec import load_spec

slug = st.from_regex(r"[a-z][a-z0-9]{1,12}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
variable = st.from_regex(r"[B-Z][A-Z0-9_]{0,20}", fullmatch=True).filter(
    lambda name: (
        name
        not in {"PORT", "HOST", "PATH", "HOME", "HOSTNAME", "LANG", "HEALTH_PATH", "BUCKET_NAMES"}
        and not name.startswith(("ECS_", "SBH_"))
    )
)
free_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=120)
environment = st.fixed_dictionaries(
    {
        "aws_account_id": st.from_regex(r"[0-9]{12}", fullmatch=True),
        "region": st.sampled_from(sorted(AWS_REGIONS)),
    },
    optional={"approval": st.booleans(), "production": st.booleans()},
)
sizes = st.sampled_from(
    [(cpu, memory) for cpu, memories in FARGATE_MEMORY_BY_CPU.items() for memory in memories]
)


@st.composite
def specs(draw: st.DrawFn) -> str:
    env_names = draw(
        st.lists(
            st.from_regex(r"[a-z][a-z0-9]{0,9}", fullmatch=True),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    environments = {}
    for index, env_name in enumerate(env_names):
        environments[env_name] = {**draw(environment), "domain": f"{env_name}{index}.example.com"}
    cpu, memory = draw(sizes)
    variables = draw(st.dictionaries(variable, free_text, max_size=4))
    secrets = draw(
        st.lists(variable.filter(lambda name: name not in variables), max_size=4, unique=True)
    )
    data = {
        "apiVersion": "sbh/v1",
        "name": draw(slug),
        "owner": draw(st.from_regex(r"[A-Za-z0-9]{1,12}", fullmatch=True)),
        "description": draw(free_text),
        "service": {
            "port": draw(st.integers(1024, 65535)),
            "cpu": cpu,
            "memory": memory,
            "desired_count": draw(st.integers(0, 100)),
            "health_path": draw(
                st.from_regex(r"/([a-z]{1,10}(/[a-z0-9]{1,8}){0,2})?", fullmatch=True)
            ),
        },
        "database": draw(st.none() | st.just({"engine": "postgres"})),
        "storage": {
            "buckets": draw(st.lists(slug.filter(lambda s: len(s) <= 20), max_size=3, unique=True))
        },
        "environments": environments,
        "env": variables,
        "secrets": secrets,
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_valid_specs_always_render_and_always_the_same(text: str) -> None:
    spec = complete_defaults(load_spec(text))

    first, second = render(spec), render(spec)

    assert first == second
    manifest = json.loads(first[MANIFEST_PATH].content)
    assert set(manifest["files"]) == set(first) - {MANIFEST_PATH}
    for file in first.values():
        file.content.decode("utf-8")
