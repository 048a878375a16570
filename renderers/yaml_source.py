"""Read a YAML spec safely into plain data, remembering where every key and value was written.

Only the YAML a spec needs is accepted: mappings, lists, strings, numbers, booleans and null.
Anchors and aliases (the "billion laughs" bomb), custom tags, duplicate keys, oversized input,
nesting deeper than `MAX_NESTING_DEPTH`, characters that are not text (a lone surrogate) and
numbers longer than `MAX_NUMBER_CHARACTERS` are reported as problems with their position
instead of being loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import Reader

from renderers.problems import FieldPath, SpecProblem

MAX_SPEC_BYTES = 64 * 1024
# A spec nests three levels (the spec, environments, dev). PyYAML's scanner slows down
# with every open bracket and its composer recurses per level, so `[` written 30,000 times
# costs minutes or a RecursionError: text deeper than this is refused before it is composed.
MAX_NESTING_DEPTH = 32
# No field takes a number longer than a 64-bit integer; Python refuses to convert integers
# of more than 4,300 digits to or from text at all.
MAX_NUMBER_CHARACTERS = 30
_ALLOWED_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True)
class ScalarText:
    """How a scalar was written, for rules that care (an unquoted account id, say)."""

    text: str
    quoted: bool


@dataclass
class LocatedDocument:
    """The loaded data plus where each path's key and value sit in the source (1-based)."""

    source: str
    data: Any
    key_positions: dict[FieldPath, Position] = field(default_factory=dict)
    value_positions: dict[FieldPath, Position] = field(default_factory=dict)
    scalar_texts: dict[FieldPath, ScalarText] = field(default_factory=dict)
    # Problems that did not stop reading (a duplicate key, a date); the value was left out.
    problems: list[SpecProblem] = field(default_factory=list)
    unreadable: list[FieldPath] = field(default_factory=list)

    def position_of_value(self, path: FieldPath) -> Position:
        """The value at `path`; when it is absent, the key of its nearest written ancestor."""
        found = self.value_positions.get(path)
        if found is not None:
            return found
        for length in range(len(path) - 1, 0, -1):
            found = self.key_positions.get(path[:length])
            if found is not None:
                return found
        return Position(1, 1)

    def data_at(self, path: FieldPath) -> Any:
        value = self.data
        for part in path:
            value = value[part]
        return value

    def position_of_key(self, path: FieldPath) -> Position:
        return self.key_positions.get(path) or self.position_of_value(path)

    def problem(self, path: FieldPath, message: str, *, at_key: bool = False) -> SpecProblem:
        where = self.position_of_key(path) if at_key else self.position_of_value(path)
        return SpecProblem(self.source, where.line, where.column, path, message)


class YamlProblems(Exception):
    """The text is not a YAML document a spec can be read from."""

    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def read_yaml(text: str, source: str) -> LocatedDocument:
    """Load `text` into a `LocatedDocument`.

    Raises `YamlProblems` when the text cannot be read at all (too large, a character YAML
    refuses, a syntax error, aliases, too deep); problems with single values are kept in
    `document.problems` and reading goes on, so that they are reported together with every
    other problem of the spec."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_SPEC_BYTES:
        raise YamlProblems(
            [
                SpecProblem(
                    source,
                    1,
                    1,
                    (),
                    f"the spec is {size:,} bytes; the limit is {MAX_SPEC_BYTES:,} bytes "
                    "(a spec describes one system and fits in a few kilobytes)",
                )
            ]
        )
    refused = Reader.NON_PRINTABLE.search(text)
    if refused is not None:
        line, column = _line_and_column(text, refused.start())
        raise YamlProblems(
            [SpecProblem(source, line, column, (), _unprintable_message(refused.group()))]
        )
    problems = _structure_problems(text, source)
    if problems:
        raise YamlProblems(problems)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        raise YamlProblems([_syntax_problem(error, source)]) from None
    except yaml.YAMLError as error:
        raise YamlProblems([SpecProblem(source, 1, 1, (), f"not valid YAML: {error}")]) from None
    document = LocatedDocument(source=source, data=None)
    if root is None:
        raise YamlProblems([SpecProblem(source, 1, 1, (), "the spec is empty")])
    builder = _Builder(document)
    document.data = builder.build(root, ())
    document.problems = builder.problems
    document.unreadable = builder.unreadable
    return document


def _line_and_column(text: str, index: int) -> tuple[int, int]:
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def _unprintable_message(character: str) -> str:
    if _SURROGATE.fullmatch(character):
        return _surrogate_message(f"U+{ord(character):04X}")
    return f"U+{ord(character):04X} is a control character, which YAML does not allow; remove it"


def _escaped_surrogate_message(text: str) -> str:
    found = _SURROGATE.search(text)
    assert found is not None
    return _surrogate_message(f"'\\u{ord(found.group()):04x}'")


def _surrogate_message(written: str) -> str:
    return (
        f"{written} is half of a UTF-16 surrogate pair, not a character on its own; "
        "write the whole character"
    )


class _NestingTooDeep(yaml.YAMLError):
    def __init__(self, mark: Any) -> None:
        super().__init__(f"nesting deeper than {MAX_NESTING_DEPTH} levels")
        self.mark = mark


class _DepthLimitedLoader(yaml.SafeLoader):
    """PyYAML's own scanner, stopped at the first bracket that opens a level beyond the limit.

    The scanner reads ahead over every `[` or `{` that may still start a key, and spends time
    on each open one for each token, so the limit must hold while it scans rather than after.
    Block levels (`len(self.indents)`) and flow levels are counted as the scanner counts them:
    a separate pass over the text could disagree with it about what is a bracket."""

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        if len(self.indents) + self.flow_level >= MAX_NESTING_DEPTH:
            raise _NestingTooDeep(self.get_mark())
        super().fetch_flow_collection_start(TokenClass)


def _structure_problems(text: str, source: str) -> list[SpecProblem]:
    """Anchors and aliases are refused before anything is composed, so a bomb never expands,
    and so is nesting beyond `MAX_NESTING_DEPTH`, before the composer recurses into it."""
    problems: list[SpecProblem] = []
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_DepthLimitedLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING_DEPTH:
                    raise _NestingTooDeep(event.start_mark)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            anchor = getattr(event, "anchor", None)
            if anchor is None:
                continue
            kind = (
                f"alias '*{anchor}'"
                if isinstance(event, yaml.AliasEvent)
                else f"anchor '&{anchor}'"
            )
            problems.append(
                _event_problem(
                    event, source, f"YAML {kind} is not allowed in a spec; write the value out"
                )
            )
    except _NestingTooDeep as too_deep:
        line, column = _mark_position(too_deep.mark)
        message = f"nesting deeper than {MAX_NESTING_DEPTH} levels: an SBH spec never needs that"
        return [*problems, SpecProblem(source, line, column, (), message)]
    except yaml.MarkedYAMLError as error:
        return [_syntax_problem(error, source)]
    except yaml.YAMLError as error:
        return [SpecProblem(source, 1, 1, (), f"not valid YAML: {error}")]
    return problems


def _mark_position(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def _event_problem(event: yaml.Event, source: str, message: str) -> SpecProblem:
    line, column = _mark_position(event.start_mark)
    return SpecProblem(source, line, column, (), message)


def _syntax_problem(error: yaml.MarkedYAMLError, source: str) -> SpecProblem:
    line, column = _mark_position(error.problem_mark or error.context_mark)
    what = error.problem or "syntax error"
    context = f" ({error.context})" if error.context else ""
    return SpecProblem(source, line, column, (), f"YAML syntax error: {what}{context}")


_TYPE_NAMES = {
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:binary": "binary data",
    "tag:yaml.org,2002:set": "a set",
    "tag:yaml.org,2002:omap": "an ordered map",
    "tag:yaml.org,2002:pairs": "a list of pairs",
}


class _Builder:
    def __init__(self, document: LocatedDocument) -> None:
        self.document = document
        self.problems: list[SpecProblem] = []
        self.unreadable: list[FieldPath] = []
        self._constructor = SafeConstructor()

    def _note_value(self, node: Node, path: FieldPath) -> None:
        self.document.value_positions[path] = Position(
            node.start_mark.line + 1, node.start_mark.column + 1
        )

    def _refuse(self, node: Node, path: FieldPath, message: str, *, dropped: bool = True) -> None:
        if dropped:
            self.unreadable.append(path)
        mark = node.start_mark
        self.problems.append(
            SpecProblem(self.document.source, mark.line + 1, mark.column + 1, path, message)
        )

    def build(self, node: Node, path: FieldPath) -> Any:
        self._note_value(node, path)
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ_TAG:
                self._refuse(node, path, f"YAML tag '{node.tag}' is not allowed in a spec")
                return None
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _scalar(self, node: Node, path: FieldPath) -> Any:
        if node.tag not in _ALLOWED_SCALAR_TAGS:
            kind = _TYPE_NAMES.get(node.tag)
            if kind is not None and isinstance(node, ScalarNode) and not node.tag.startswith("!"):
                # An unquoted date-like value: the author almost always meant a string.
                self._refuse(node, path, f"YAML reads {node.value!r} as {kind}; quote it")
            else:
                self._refuse(node, path, f"YAML tag '{node.tag}' is not allowed in a spec")
            return None
        assert isinstance(node, ScalarNode)
        if _SURROGATE.search(node.value):
            self._refuse(node, path, _escaped_surrogate_message(node.value))
            return None
        if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARACTERS:
            self._refuse(
                node,
                path,
                f"a number {len(node.value):,} characters long; numbers in a spec have at most "
                f"{MAX_NUMBER_CHARACTERS} (quote it if it is text)",
            )
            return None
        self.document.scalar_texts[path] = ScalarText(node.value, quoted=node.style is not None)
        return self._constructor.construct_object(node)

    def _mapping(self, node: MappingNode, path: FieldPath) -> dict[str, Any] | None:
        if node.tag != _MAP_TAG:
            self._refuse(node, path, f"YAML tag '{node.tag}' is not allowed in a spec")
            return None
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._refuse(key_node, path, "YAML merge keys ('<<') are not allowed in a spec")
                continue
            if not isinstance(key_node, ScalarNode) or key_node.tag not in _ALLOWED_SCALAR_TAGS:
                self._refuse(key_node, path, "keys must be plain words, not lists or mappings")
                continue
            if _SURROGATE.search(key_node.value):
                self._refuse(key_node, path, _escaped_surrogate_message(key_node.value))
                continue
            # Keys are names: `8000:` or `yes:` means the text the author typed.
            key = str(key_node.value)
            key_path: FieldPath = (*path, key)
            if key in mapping:
                first = self.document.key_positions[key_path]
                self._refuse(
                    key_node,
                    key_path,
                    f"duplicate key '{key}' (first written on line {first.line}); "
                    "YAML would silently keep only the last one",
                    dropped=False,
                )
                continue
            self.document.key_positions[key_path] = Position(
                key_node.start_mark.line + 1, key_node.start_mark.column + 1
            )
            mapping[key] = self.build(value_node, key_path)
        return mapping
