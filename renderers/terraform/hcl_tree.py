"""Terraform text as python-hcl2 reads it: blocks and attributes that keep their line numbers.

python-hcl2's grammar gives a Lark parse tree, which keeps line numbers and tells identifiers,
strings and interpolations apart. Here a file's body becomes `Block`s and `Attribute`s whose
expressions stay Lark trees, a reference chain such as `aws_subnet.private[0].id` becomes its
base and `Step`s, a parse error becomes a line and a message, and template text yields its
`${...}` and `%{...}` sequences.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeAlias

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

TRAVERSALS = frozenset(
    {"get_attr_expr_term", "index_expr_term", "attr_splat_expr_term", "full_splat_expr_term"}
)
Node: TypeAlias = "Tree[Token] | Token"


@dataclass(frozen=True)
class Attribute:
    name: str
    line: int
    expr: Tree[Token]


@dataclass(frozen=True)
class Block:
    type: str
    labels: tuple[str | None, ...]  # None: a label that is not a plain string
    line: int
    attributes: tuple[Attribute, ...]
    blocks: tuple[Block, ...]

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    @property
    def label(self) -> str:
        return " ".join(f'"{label}"' for label in self.labels if label is not None)


@dataclass(frozen=True)
class File:
    path: str
    blocks: tuple[Block, ...]
    stray_attributes: tuple[Attribute, ...]


def first_token(node: Node) -> Token | None:
    if isinstance(node, Token):
        return node
    for child in node.children:
        token = first_token(child)
        if token is not None:
            return token
    return None


def _line_of(node: Node) -> int:
    if isinstance(node, Tree):
        line = getattr(node.meta, "line", None)
        if isinstance(line, int):
            return line
    token = first_token(node)
    return token.line if token is not None and token.line is not None else 1


def token_text(node: Node) -> str:
    token = first_token(node)
    return str(token) if token is not None else ""


def string_literal(node: Node) -> str | None:
    """The text of a quoted string without interpolations; None for anything else."""
    while isinstance(node, Tree) and node.data == "expr_term" and len(node.children) == 1:
        node = node.children[0]
    if not isinstance(node, Tree) or node.data != "string":
        return None
    text = ""
    for part in node.children:
        if isinstance(part, Token):
            continue  # the quotes
        inner = part.children[0] if part.children else None
        if not isinstance(inner, Token):
            return None
        text += str(inner)
    return text


def bare_identifier(node: Node) -> str | None:
    while isinstance(node, Tree) and node.data == "expr_term" and len(node.children) == 1:
        node = node.children[0]
    if isinstance(node, Tree) and node.data == "identifier":
        return token_text(node)
    return None


def convert_body(body: Tree[Token]) -> tuple[tuple[Attribute, ...], tuple[Block, ...]]:
    attributes: list[Attribute] = []
    blocks: list[Block] = []
    for child in body.children:
        if not isinstance(child, Tree):
            continue
        if child.data == "attribute":
            expr = child.children[-1]
            assert isinstance(expr, Tree)
            attributes.append(Attribute(token_text(child.children[0]), _line_of(child), expr))
        elif child.data == "block":
            blocks.append(_convert_block(child))
    return tuple(attributes), tuple(blocks)


def _convert_block(block: Tree[Token]) -> Block:
    trees = [
        child
        for child in block.children
        if isinstance(child, Tree) and child.data != "new_line_or_comment"
    ]
    name, *labels, body = trees
    attributes, blocks = convert_body(body)
    return Block(
        type=token_text(name),
        labels=tuple(
            token_text(label) if label.data == "identifier" else string_literal(label)
            for label in labels
        ),
        line=_line_of(block),
        attributes=attributes,
        blocks=blocks,
    )


def parse_error_message(error: Exception) -> tuple[int | None, str]:
    line = getattr(error, "line", None)
    column = getattr(error, "column", None)
    if not isinstance(line, int) or line < 1:
        line = None
    where = f" at line {line}, column {column}" if line is not None else ""
    if isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    ):
        return line, f"syntax error{where}: unexpected end of file (an unclosed {{, [, ( or quote?)"
    if isinstance(error, UnexpectedToken):
        text = str(error.token).strip().splitlines()[0][:40] if str(error.token).strip() else ""
        shown = repr(text) if text else "a line break"
        return line, f"syntax error{where}: unexpected {shown}"
    if isinstance(error, UnexpectedCharacters):
        return line, f"syntax error{where}: unexpected character {error.char!r}"
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return line, f"cannot parse: {first}"


@dataclass(frozen=True)
class Step:
    kind: str  # "attr", "index" or "splat"
    name: str = ""
    expr: Tree[Token] | None = None

    def __str__(self) -> str:
        if self.kind == "attr":
            return f".{self.name}"
        return "[*]" if self.kind == "splat" else "[…]"


def _steps_of(op: Tree[Token]) -> list[Step]:
    if op.data == "get_attr":
        return [Step("attr", token_text(op.children[-1]))]
    if op.data == "braces_index":
        inner = [c for c in op.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
        return [Step("index", expr=inner[0] if inner else None)]
    if op.data == "short_index":
        return [Step("index")]
    steps = [Step("splat")]  # attr_splat, full_splat: the splat, then its own steps
    for child in op.children:
        if isinstance(child, Tree):
            steps.extend(_steps_of(child))
    return steps


def flatten(node: Tree[Token]) -> tuple[Tree[Token], list[Step]]:
    """`aws_subnet.private[0].id` -> (identifier aws_subnet, [.private, [0], .id])."""
    reversed_steps: list[Step] = []
    current = node
    while True:
        if current.data == "expr_term" and len(current.children) == 1:
            only = current.children[0]
            if isinstance(only, Tree):
                current = only
                continue
        if current.data in TRAVERSALS:
            inner, op = current.children[0], current.children[1]
            assert isinstance(inner, Tree) and isinstance(op, Tree)
            reversed_steps.extend(reversed(_steps_of(op)))
            current = inner
            continue
        return current, reversed_steps[::-1]


def template_sequences(text: str) -> Iterator[tuple[int, str, str | None]]:
    """(offset, "$" or "%", inner text or None when unclosed) of each `${...}` / `%{...}`."""
    index = 0
    while index < len(text):
        if text.startswith(("$${", "%%{"), index):
            index += 3
        elif text.startswith(("${", "%{"), index):
            end = _closing_brace(text, index + 2)
            if end is None:
                yield index, text[index], None
                return
            yield index, text[index], text[index + 2 : end]
            index = end + 1
        else:
            index += 1


def _closing_brace(text: str, start: int) -> int | None:
    stack = ["{"]
    index = start
    while index < len(text):
        char = text[index]
        if stack[-1] == '"':
            if char == "\\":
                index += 2
                continue
            if char == '"':
                stack.pop()
            elif text.startswith(("$${", "%%{"), index):
                index += 3
                continue
            elif text.startswith(("${", "%{"), index):
                stack.append("{")
                index += 2
                continue
        elif char == '"':
            stack.append('"')
        elif char == "{":
            stack.append("{")
        elif char == "}":
            stack.pop()
            if not stack:
                return index
        index += 1
    return None


def heredoc_body(text: str) -> str:
    lines = text.split("\n")  # "<<EOT", body..., "EOT", ""
    return "\n".join(lines[1:-2])
