"""YAML that does not belong in a spec is refused with a position, never loaded."""

from __future__ import annotations

import pytest

from renderers.problems import SpecError
from renderers.spec import load_spec
from renderers.yaml_source import MAX_NESTING_DEPTH, MAX_SPEC_BYTES
from tests.conftest import DEEP_BRACKETS

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec(text, "s.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_a_syntax_error_names_line_and_column() -> None:
    assert problems_of("name: ok\nservice: {port: 8000\n") == [
        "s.yaml:3:1: (spec): YAML syntax error: expected ',' or '}', but got '<stream end>' "
        "(while parsing a flow mapping)"
    ]


def test_a_bad_indent_is_a_syntax_error() -> None:
    [problem] = problems_of("name: ok\n  owner: acme\n")

    assert problem.startswith(
        "s.yaml:2:8: (spec): YAML syntax error: mapping values are not allowed"
    )


def test_aliases_are_refused_before_anything_expands() -> None:
    found = problems_of(BILLION_LAUGHS)

    assert (
        found[0]
        == "s.yaml:1:4: (spec): YAML anchor '&a' is not allowed in a spec; write the value out"
    )
    assert any("alias '*a'" in problem for problem in found)


@pytest.mark.parametrize(
    "text",
    [
        "name: !!python/object:os.system ls\n",
        "name: !custom ok\n",
        "env: !!set {A: null}\n",
        "environments: !!omap [{dev: {}}]\n",
    ],
)
def test_custom_and_unsafe_tags_are_refused(text: str) -> None:
    [problem] = problems_of(text)

    assert "is not allowed in a spec" in problem


def test_merge_keys_are_refused() -> None:
    [problem] = problems_of("service:\n  <<: {port: 8000}\n")

    assert "s.yaml:2:3: service: YAML merge keys ('<<') are not allowed" in problem


def test_keys_must_be_scalars() -> None:
    [problem] = problems_of("? [a, b]\n: 1\n")

    assert "keys must be plain words" in problem


def test_an_oversized_spec_is_refused_with_its_size() -> None:
    text = "description: " + "x" * (MAX_SPEC_BYTES + 1) + "\n"

    [problem] = problems_of(text)

    assert f"the limit is {MAX_SPEC_BYTES:,} bytes" in problem


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the spec is empty"),
        ("# just a comment\n", "the spec is empty"),
        ("- a\n- b\n", "a spec is a mapping of keys"),
        ("just text\n", "a spec is a mapping of keys"),
    ],
)
def test_a_document_that_is_not_a_mapping_is_refused(text: str, message: str) -> None:
    [problem] = problems_of(text)

    assert message in problem


def test_only_the_first_document_is_a_spec() -> None:
    [problem] = problems_of("name: ab\n---\nname: cd\n")

    assert "YAML syntax error" in problem


TOO_DEEP = "(spec): nesting deeper than 32 levels: an SBH spec never needs that"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (DEEP_BRACKETS, "1:33"),
        (DEEP_BRACKETS + "]" * 30_000, "1:33"),
        ("{a: " * 10_000, "1:129"),
        ("env: " + "[" * 30_000, "1:37"),
        ("- " * 30_000 + "x\n", "1:65"),
    ],
    ids=["open brackets", "closed brackets", "flow mappings", "under a key", "block lists"],
)
def test_nesting_beyond_the_limit_is_one_problem_where_the_limit_is_crossed(
    text: str, where: str
) -> None:
    assert problems_of(text) == [f"s.yaml:{where}: {TOO_DEEP}"]


def test_a_block_mapping_nested_beyond_the_limit_is_refused_at_its_33rd_key() -> None:
    text = "".join(" " * level + f"k{level}:\n" for level in range(40))

    assert problems_of(text) == [f"s.yaml:33:33: {TOO_DEEP}"]


def test_nesting_up_to_the_limit_is_read_as_usual() -> None:
    text = "env: " + "[" * (MAX_NESTING_DEPTH - 1) + "]" * (MAX_NESTING_DEPTH - 1) + "\n"

    assert problems_of(text) == ["s.yaml:1:6: env: expected a mapping (key: value), got a list"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            'name: orders-api\ndescription: "\\ud800 orders"\n',
            "s.yaml:2:14: description: '\\ud800' is half of a UTF-16 surrogate pair, not a "
            "character on its own; write the whole character",
        ),
        (
            'env: {"LOG\\udfffLEVEL": info}\n',
            "s.yaml:1:7: env: '\\udfff' is half of a UTF-16 surrogate pair, not a "
            "character on its own; write the whole character",
        ),
        (
            'name: orders-api\ndescription: "\ud800"\n',
            "s.yaml:2:15: (spec): U+D800 is half of a UTF-16 surrogate pair, not a character "
            "on its own; write the whole character",
        ),
        (
            "name: orders-api\ndescription: ring\x07\n",
            "s.yaml:2:18: (spec): U+0007 is a control character, which YAML does not allow; "
            "remove it",
        ),
    ],
    ids=["escaped in a value", "escaped in a key", "written as is", "control character"],
)
def test_a_character_that_is_not_text_is_a_problem_at_its_place(text: str, problem: str) -> None:
    assert problems_of(text) == [problem]


@pytest.mark.parametrize(
    "number", ["9" * 4_400, "0x" + "f" * 4_000, "1" + "0" * 40, "1." + "5" * 4_400]
)
def test_a_number_longer_than_any_field_takes_is_a_problem(number: str) -> None:
    [problem] = problems_of(f"service:\n  port: {number}\n")

    assert problem == (
        f"s.yaml:2:9: service.port: a number {len(number):,} characters long; numbers in a spec "
        "have at most 30 (quote it if it is text)"
    )
