"""Static checks of a tree of Terraform files, without a terraform binary or `terraform init`.

`analyze_terraform(files)` parses every `*.tf` file with python-hcl2's grammar (the Lark parse
tree, which keeps line numbers and tells identifiers, strings and interpolations apart) and
checks, per module directory:

* every file parses;
* every reference resolves: `var.X`, `local.X`, `module.M.O` (O an output of M's local source),
  `data.T.N`, `T.N` (a resource), the attribute after a resource or data reference (against the
  provider schema), the built-ins (`count.index`, `each.key`, `path.module`, ...) and iterators
  of `for` expressions, template `%{ for }` directives and `dynamic` blocks;
* every module call passes only variables the module declares and all that it requires;
* every resource and data source has a type, arguments and nested blocks the provider schema
  knows, and its required arguments;
* nothing is declared twice.

The function is pure: it reads nothing but `files` and, when no schema is given, the provider
schema extract (`renderers.provider_schema`).
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Protocol, TypeAlias, TypeVar, cast

import hcl2
from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

from renderers.provider_schema import data_source_schema, resource_schema

# --------------------------------------------------------------------------------------------
# Interface
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TerraformFinding:
    """One problem in one file, worded so that it says what to change."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class BlockSchemaLike(Protocol):
    """The shape of `renderers.provider_schema.BlockSchema` that the checks read."""

    @property
    def arguments(self) -> Mapping[str, bool]:
        """Settable arguments, each mapped to whether it is required."""
        ...

    @property
    def attributes(self) -> AbstractSet[str]:
        """Every attribute that can be read (arguments and computed ones); may be empty."""
        ...

    @property
    def blocks(self) -> Mapping[str, BlockSchemaLike]:
        """Nested block types."""
        ...


class SchemaLookup(Protocol):
    """Resource and data source schemas of the providers being checked, by type name."""

    def resource(self, type_name: str) -> BlockSchemaLike | None: ...

    def data_source(self, type_name: str) -> BlockSchemaLike | None: ...


class ProviderSchemaLookup:
    """`SchemaLookup` over the committed AWS provider extract (`renderers.provider_schema`)."""

    def resource(self, type_name: str) -> BlockSchemaLike | None:
        return resource_schema(type_name)

    def data_source(self, type_name: str) -> BlockSchemaLike | None:
        return data_source_schema(type_name)


def analyze_terraform(
    files: Mapping[str, str], schema: SchemaLookup | None = None
) -> list[TerraformFinding]:
    """Every problem found in the `*.tf` files of `files` (relative path -> text), sorted."""
    analysis = _Analysis(schema if schema is not None else ProviderSchemaLookup())
    analysis.run(files)
    return sorted(
        set(analysis.findings),
        key=lambda finding: (finding.path, finding.line or 0, finding.message),
    )


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

_LABELS = {
    "terraform": 0,
    "locals": 0,
    "moved": 0,
    "import": 0,
    "removed": 0,
    "variable": 1,
    "output": 1,
    "module": 1,
    "provider": 1,
    "check": 1,
    "resource": 2,
    "data": 2,
    "ephemeral": 2,
}
_MODULE_META = frozenset({"source", "version", "count", "for_each", "depends_on", "providers"})
_RESOURCE_META_ARGUMENTS = frozenset({"count", "for_each", "depends_on", "provider"})
_LIFECYCLE_ARGUMENTS = frozenset(
    {"create_before_destroy", "prevent_destroy", "ignore_changes", "replace_triggered_by"}
)
_CONDITION_BLOCKS = frozenset({"precondition", "postcondition"})
_BUILTIN_ATTRIBUTES = {
    "count": ("index",),
    "each": ("key", "value"),
    "path": ("module", "root", "cwd"),
    "terraform": ("workspace", "applying"),
}
# Providers whose types the provider schema does not describe; their types are not checked.
_UNCHECKED_PROVIDERS = frozenset(
    {"random", "tls", "null", "terraform", "time", "archive", "local", "http", "external"}
)
_TRAVERSALS = frozenset(
    {"get_attr_expr_term", "index_expr_term", "attr_splat_expr_term", "full_splat_expr_term"}
)
_DIRECTIVE_FOR = re.compile(
    r"for\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\s+(.+)", re.S
)
_DIRECTIVE_IF = re.compile(r"if\s+(.+)", re.S)

_Node: TypeAlias = "Tree[Token] | Token"
_Key = TypeVar("_Key", str, tuple[str, str])
_REFERENCE_STARTS = _TRAVERSALS | {"identifier"}


# --------------------------------------------------------------------------------------------
# Syntax: files -> blocks and attributes with lines
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Attribute:
    name: str
    line: int
    expr: Tree[Token]


@dataclass(frozen=True)
class _Block:
    type: str
    labels: tuple[str | None, ...]  # None: a label that is not a plain string
    line: int
    attributes: tuple[_Attribute, ...]
    blocks: tuple[_Block, ...]

    def attribute(self, name: str) -> _Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    @property
    def label(self) -> str:
        return " ".join(f'"{label}"' for label in self.labels if label is not None)


@dataclass(frozen=True)
class _File:
    path: str
    blocks: tuple[_Block, ...]
    stray_attributes: tuple[_Attribute, ...]


def _first_token(node: _Node) -> Token | None:
    if isinstance(node, Token):
        return node
    for child in node.children:
        token = _first_token(child)
        if token is not None:
            return token
    return None


def _line_of(node: _Node) -> int:
    if isinstance(node, Tree):
        line = getattr(node.meta, "line", None)
        if isinstance(line, int):
            return line
    token = _first_token(node)
    return token.line if token is not None and token.line is not None else 1


def _token_text(node: _Node) -> str:
    token = _first_token(node)
    return str(token) if token is not None else ""


def _string_literal(node: _Node) -> str | None:
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


def _bare_identifier(node: _Node) -> str | None:
    while isinstance(node, Tree) and node.data == "expr_term" and len(node.children) == 1:
        node = node.children[0]
    if isinstance(node, Tree) and node.data == "identifier":
        return _token_text(node)
    return None


def _convert_body(body: Tree[Token]) -> tuple[tuple[_Attribute, ...], tuple[_Block, ...]]:
    attributes: list[_Attribute] = []
    blocks: list[_Block] = []
    for child in body.children:
        if not isinstance(child, Tree):
            continue
        if child.data == "attribute":
            expr = child.children[-1]
            assert isinstance(expr, Tree)
            attributes.append(_Attribute(_token_text(child.children[0]), _line_of(child), expr))
        elif child.data == "block":
            blocks.append(_convert_block(child))
    return tuple(attributes), tuple(blocks)


def _convert_block(block: Tree[Token]) -> _Block:
    trees = [
        child
        for child in block.children
        if isinstance(child, Tree) and child.data != "new_line_or_comment"
    ]
    name, *labels, body = trees
    attributes, blocks = _convert_body(body)
    return _Block(
        type=_token_text(name),
        labels=tuple(
            _token_text(label) if label.data == "identifier" else _string_literal(label)
            for label in labels
        ),
        line=_line_of(block),
        attributes=attributes,
        blocks=blocks,
    )


def _parse_error_message(error: Exception) -> tuple[int | None, str]:
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


# --------------------------------------------------------------------------------------------
# Semantics: per module directory
# --------------------------------------------------------------------------------------------


@dataclass
class _Declaration:
    path: str
    block: _Block


@dataclass
class _Module:
    directory: str
    files: list[_File] = field(default_factory=list)
    incomplete: bool = False  # a file failed to parse: its declarations are unknown
    variables: dict[str, _Declaration] = field(default_factory=dict)
    locals: dict[str, tuple[str, int]] = field(default_factory=dict)
    outputs: dict[str, _Declaration] = field(default_factory=dict)
    resources: dict[tuple[str, str], _Declaration] = field(default_factory=dict)
    data: dict[tuple[str, str], _Declaration] = field(default_factory=dict)
    ephemeral: dict[tuple[str, str], _Declaration] = field(default_factory=dict)
    calls: dict[str, _Declaration] = field(default_factory=dict)

    @property
    def shown(self) -> str:
        return self.directory

    def required_variables(self) -> list[str]:
        return sorted(
            name
            for name, declaration in self.variables.items()
            if declaration.block.attribute("default") is None
        )


def _listing(name: str, names: Iterable[str]) -> str:
    """` (did you mean b? declared: a, b)`: close match first, then every declared name."""
    ordered = sorted(set(names))
    declared = f"declared: {', '.join(ordered)}" if ordered else "none declared"
    matches = difflib.get_close_matches(name, ordered, n=1, cutoff=0.75)
    return f" (did you mean {matches[0]}? {declared})" if matches else f" ({declared})"


def _suggestion(name: str, candidates: Iterable[str]) -> str:
    matches = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.75)
    return f" (did you mean {matches[0]}?)" if matches else ""


def _has_repetition(block: _Block) -> bool:
    return block.attribute("count") is not None or block.attribute("for_each") is not None


@dataclass(frozen=True)
class _Step:
    kind: str  # "attr", "index" or "splat"
    name: str = ""
    expr: Tree[Token] | None = None

    def __str__(self) -> str:
        if self.kind == "attr":
            return f".{self.name}"
        return "[*]" if self.kind == "splat" else "[…]"


def _steps_of(op: Tree[Token]) -> list[_Step]:
    if op.data == "get_attr":
        return [_Step("attr", _token_text(op.children[-1]))]
    if op.data == "braces_index":
        inner = [c for c in op.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
        return [_Step("index", expr=inner[0] if inner else None)]
    if op.data == "short_index":
        return [_Step("index")]
    steps = [_Step("splat")]  # attr_splat, full_splat: the splat, then its own steps
    for child in op.children:
        if isinstance(child, Tree):
            steps.extend(_steps_of(child))
    return steps


def _flatten(node: Tree[Token]) -> tuple[Tree[Token], list[_Step]]:
    """`aws_subnet.private[0].id` -> (identifier aws_subnet, [.private, [0], .id])."""
    reversed_steps: list[_Step] = []
    current = node
    while True:
        if current.data == "expr_term" and len(current.children) == 1:
            only = current.children[0]
            if isinstance(only, Tree):
                current = only
                continue
        if current.data in _TRAVERSALS:
            inner, op = current.children[0], current.children[1]
            assert isinstance(inner, Tree) and isinstance(op, Tree)
            reversed_steps.extend(reversed(_steps_of(op)))
            current = inner
            continue
        return current, reversed_steps[::-1]


def _template_sequences(text: str) -> Iterator[tuple[int, str, str | None]]:
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


def _heredoc_body(token_text: str) -> str:
    lines = token_text.split("\n")  # "<<EOT", body..., "EOT", ""
    return "\n".join(lines[1:-2])


class _Analysis:
    def __init__(self, schema: SchemaLookup) -> None:
        self.schema = schema
        self.findings: list[TerraformFinding] = []
        self.modules: dict[str, _Module] = {}
        self._resource_schemas: dict[str, BlockSchemaLike | None] = {}
        self._data_schemas: dict[str, BlockSchemaLike | None] = {}

    # -- plumbing ----------------------------------------------------------------------------

    def report(self, path: str, line: int | None, message: str) -> None:
        self.findings.append(TerraformFinding(path, line, message))

    def resource_schema(self, type_name: str) -> BlockSchemaLike | None:
        if type_name not in self._resource_schemas:
            self._resource_schemas[type_name] = self.schema.resource(type_name)
        return self._resource_schemas[type_name]

    def data_schema(self, type_name: str) -> BlockSchemaLike | None:
        if type_name not in self._data_schemas:
            self._data_schemas[type_name] = self.schema.data_source(type_name)
        return self._data_schemas[type_name]

    def schema_for(self, kind: str, type_name: str) -> BlockSchemaLike | None:
        if kind == "resource":
            return self.resource_schema(type_name)
        if kind == "data":
            return self.data_schema(type_name)
        return None

    # -- phases ------------------------------------------------------------------------------

    def run(self, files: Mapping[str, str]) -> None:
        for path in sorted(files):
            normalized = posixpath.normpath(path.replace("\\", "/"))
            if not normalized.endswith(".tf") or ".terraform" in normalized.split("/"):
                continue
            directory = posixpath.normpath(posixpath.dirname(normalized))
            module = self.modules.setdefault(directory, _Module(directory))
            parsed = self.parse(path, files[path])
            if parsed is None:
                module.incomplete = True
            else:
                module.files.append(parsed)
        for module in self.modules.values():
            self.declare(module)
        for module in self.modules.values():
            for file in module.files:
                self.check_file(module, file)

    def parse(self, path: str, text: str) -> _File | None:
        try:
            tree = hcl2.parses_to_tree(text)
        except Exception as error:  # any failure of the parser is a finding, never a crash
            line, message = _parse_error_message(error)
            self.report(path, line, message)
            return None
        body = tree.children[0]
        assert isinstance(body, Tree)
        attributes, blocks = _convert_body(body)
        return _File(path, blocks, attributes)

    def declare(self, module: _Module) -> None:
        for file in module.files:
            for block in file.blocks:
                self.declare_block(module, file.path, block)

    def declare_block(self, module: _Module, path: str, block: _Block) -> None:
        expected = _LABELS.get(block.type)
        if expected is None or len(block.labels) != expected or None in block.labels:
            return  # reported by check_file
        declaration = _Declaration(path, block)
        if block.type == "locals":
            for attribute in block.attributes:
                first = module.locals.setdefault(attribute.name, (path, attribute.line))
                if first != (path, attribute.line):
                    self.report(
                        path,
                        attribute.line,
                        f"local.{attribute.name} is declared twice in {module.shown} "
                        f"(first at {first[0]}:{first[1]})",
                    )
            return
        labels = cast(tuple[str, ...], block.labels)
        if block.type in ("variable", "output", "module"):
            table = {"variable": module.variables, "output": module.outputs}.get(
                block.type, module.calls
            )
            shown = f'{block.type} "{labels[0]}"'
            self.register(module, table, labels[0], declaration, shown)
        elif block.type in ("resource", "data", "ephemeral"):
            tables = {"resource": module.resources, "data": module.data}
            shown = f'{block.type} "{labels[0]}" "{labels[1]}"'
            table2 = tables.get(block.type, module.ephemeral)
            self.register(module, table2, (labels[0], labels[1]), declaration, shown)

    def register(
        self,
        module: _Module,
        table: dict[_Key, _Declaration],
        key: _Key,
        declaration: _Declaration,
        shown: str,
    ) -> None:
        first = table.setdefault(key, declaration)
        if first is not declaration:
            self.report(
                declaration.path,
                declaration.block.line,
                f"{shown} is declared twice in {module.shown} "
                f"(first at {first.path}:{first.block.line})",
            )

    # -- per file ----------------------------------------------------------------------------

    def check_file(self, module: _Module, file: _File) -> None:
        for attribute in file.stray_attributes:
            self.report(
                file.path,
                attribute.line,
                f'argument "{attribute.name}" is not expected at the top level of a file '
                "(only blocks such as resource, variable, module)",
            )
        for block in file.blocks:
            if block.type != "locals":  # a local set twice is reported as declared twice
                where = f"{block.type} {block.label}".strip()
                self.check_duplicate_arguments(file.path, block, where)
            expected = _LABELS.get(block.type)
            if expected is None:
                self.report(
                    file.path,
                    block.line,
                    f'unsupported top-level block type "{block.type}"'
                    + _suggestion(block.type, _LABELS),
                )
                continue
            if len(block.labels) != expected or None in block.labels:
                self.report(
                    file.path,
                    block.line,
                    f"a {block.type} block takes {expected} quoted label(s), "
                    f"found {len(block.labels)}",
                )
                continue
            _References(self, module, file.path, block).check()
            if block.type == "module":
                self.check_module_call(module, file.path, block)
            elif block.type in ("resource", "data"):
                self.check_resource(file.path, block)
            elif block.type == "output" and block.attribute("value") is None:
                self.report(file.path, block.line, f"output {block.label} has no value")
            elif block.type in ("import", "moved"):
                self.check_address(module, file.path, block)

    def check_duplicate_arguments(self, path: str, block: _Block, where: str) -> None:
        seen: set[str] = set()
        for attribute in block.attributes:
            if attribute.name in seen:
                self.report(
                    path, attribute.line, f'{where}: argument "{attribute.name}" is set twice'
                )
            seen.add(attribute.name)
        for inner in block.blocks:
            self.check_duplicate_arguments(path, inner, f"{where} > {inner.type}")

    # -- module calls ------------------------------------------------------------------------

    def call_target(self, module: _Module, call: _Block) -> _Module | None:
        """The called module when its source is a local directory of the tree."""
        source_attribute = call.attribute("source")
        if source_attribute is None:
            return None
        source = _string_literal(source_attribute.expr)
        if source is None or not source.startswith(("./", "../")):
            return None
        target = posixpath.normpath(posixpath.join(module.directory, source))
        return self.modules.get(target)

    def check_module_call(self, module: _Module, path: str, call: _Block) -> None:
        name = f'module "{call.labels[0]}"'
        for inner in call.blocks:
            self.report(
                path,
                inner.line,
                f'{name}: a module call takes arguments only, not a block "{inner.type}"',
            )
        if call.attribute("count") is not None and call.attribute("for_each") is not None:
            self.report(path, call.line, f"{name}: count and for_each cannot both be set")
        source_attribute = call.attribute("source")
        if source_attribute is None:
            self.report(path, call.line, f"{name} has no source")
            return
        source = _string_literal(source_attribute.expr)
        if source is None:
            self.report(path, source_attribute.line, f"{name}: source must be a literal string")
            return
        if not source.startswith(("./", "../")):
            self.report(
                path,
                source_attribute.line,
                f'{name}: source "{source}" is not a local path (./ or ../); its variables '
                "and outputs are not checked",
            )
            return
        version = call.attribute("version")
        if version is not None:
            self.report(
                path, version.line, f"{name}: a local module ({source}) cannot have a version"
            )
        target_directory = posixpath.normpath(posixpath.join(module.directory, source))
        target = self.modules.get(target_directory)
        if target is None:
            self.report(
                path,
                source_attribute.line,
                f'{name}: source "{source}" resolves to {target_directory}, which holds no '
                ".tf file",
            )
            return
        if target.incomplete:
            return
        passed = {a.name for a in call.attributes if a.name not in _MODULE_META}
        for attribute in call.attributes:
            if attribute.name in _MODULE_META or attribute.name in target.variables:
                continue
            self.report(
                path,
                attribute.line,
                f'{name} passes "{attribute.name}", which {target.shown} does not declare'
                + _listing(attribute.name, target.variables),
            )
        missing = [v for v in target.required_variables() if v not in passed]
        for variable in missing:
            self.report(
                path,
                call.line,
                f'{name} does not pass "{variable}", a required variable of {target.shown} '
                "(it has no default)",
            )

    def check_address(self, module: _Module, path: str, block: _Block) -> None:
        """`import { to = module.iam.aws_iam_role.deploy }`: the resource must exist there."""
        to = block.attribute("to")
        if to is None:
            return
        base, steps = _flatten(to.expr)
        if base.data != "identifier":
            return
        parts = [_token_text(base)] + [step.name for step in steps if step.kind == "attr"]
        current = module
        while len(parts) >= 2 and parts[0] == "module":
            call = current.calls.get(parts[1])
            if call is None:
                if not current.incomplete:
                    self.report(
                        path,
                        to.line,
                        f"{block.type}: module.{parts[1]} is not declared in {current.shown}",
                    )
                return
            target = self.call_target(current, call.block)
            if target is None or target.incomplete:
                return
            current, parts = target, parts[2:]
        if len(parts) >= 2 and parts[0] != "data" and (parts[0], parts[1]) not in current.resources:
            self.report(
                path,
                to.line,
                f"{block.type}: resource {parts[0]}.{parts[1]} is not declared in {current.shown}",
            )

    # -- resources and data sources against the schema ---------------------------------------

    def check_resource(self, path: str, block: _Block) -> None:
        kind = block.type
        type_name, name = cast(tuple[str, str], block.labels)
        where = f'{kind} "{type_name}" "{name}"'
        if block.attribute("count") is not None and block.attribute("for_each") is not None:
            self.report(path, block.line, f"{where}: count and for_each cannot both be set")
        schema = self.schema_for(kind, type_name)
        if schema is None:
            if type_name.split("_", 1)[0] not in _UNCHECKED_PROVIDERS:
                noun = "resource type" if kind == "resource" else "data source"
                self.report(
                    path, block.line, f"{where}: {type_name} is not a {noun} of the AWS provider"
                )
            return
        self.check_body(path, block, schema, where, top=kind)

    def check_body(
        self, path: str, block: _Block, schema: BlockSchemaLike, where: str, top: str | None
    ) -> None:
        """Arguments and blocks of `block` against `schema`; `top` is resource/data at the top."""
        for attribute in block.attributes:
            argument = attribute.name
            if top is not None and argument in _RESOURCE_META_ARGUMENTS:
                continue
            if argument in schema.arguments:
                continue
            if argument in schema.blocks:
                message = f'"{argument}" is a block: write {argument} {{ ... }} without "="'
            elif argument in schema.attributes:
                message = f'"{argument}" is read-only (computed by the provider); remove it'
            else:
                message = f'unsupported argument "{argument}"' + _suggestion(
                    argument, schema.arguments
                )
            self.report(path, attribute.line, f"{where}: {message}")
        for inner in block.blocks:
            if top is not None and self.meta_block(path, inner, where, top):
                continue
            if inner.type == "dynamic":
                self.check_dynamic(path, inner, schema, where)
            elif inner.type in schema.blocks:
                self.check_body(
                    path, inner, schema.blocks[inner.type], f"{where} > {inner.type}", None
                )
            elif inner.type not in schema.arguments:  # arguments may be written as blocks
                self.report(
                    path,
                    inner.line,
                    f'{where}: unsupported block type "{inner.type}"'
                    + _suggestion(inner.type, schema.blocks),
                )
        present = {attribute.name for attribute in block.attributes}
        for argument, required in sorted(schema.arguments.items()):
            if required and argument not in present:
                self.report(path, block.line, f'{where}: missing required argument "{argument}"')

    def meta_block(self, path: str, block: _Block, where: str, top: str) -> bool:
        """Check a lifecycle/provisioner/connection block; False when it is not one."""
        if block.type in ("provisioner", "connection"):
            return top == "resource"
        if block.type != "lifecycle":
            return False
        for attribute in block.attributes:
            if attribute.name not in _LIFECYCLE_ARGUMENTS:
                self.report(
                    path,
                    attribute.line,
                    f'{where} > lifecycle: unsupported argument "{attribute.name}"'
                    + _suggestion(attribute.name, _LIFECYCLE_ARGUMENTS),
                )
        for inner in block.blocks:
            if inner.type not in _CONDITION_BLOCKS:
                self.report(
                    path, inner.line, f'{where} > lifecycle: unsupported block type "{inner.type}"'
                )
        return True

    def check_dynamic(self, path: str, block: _Block, schema: BlockSchemaLike, where: str) -> None:
        (name,) = block.labels if len(block.labels) == 1 else (None,)
        if name is None:
            self.report(
                path, block.line, f"{where}: a dynamic block takes one label, the block type"
            )
            return
        inside = f'{where} > dynamic "{name}"'
        for attribute in block.attributes:
            if attribute.name not in ("for_each", "iterator", "labels"):
                self.report(
                    path,
                    attribute.line,
                    f'{inside}: unsupported argument "{attribute.name}" (a dynamic block takes '
                    "for_each, iterator, labels and a content block)",
                )
        if block.attribute("for_each") is None:
            self.report(path, block.line, f"{inside}: for_each is required")
        contents = [inner for inner in block.blocks if inner.type == "content"]
        for inner in block.blocks:
            if inner.type != "content":
                self.report(path, inner.line, f'{inside}: unsupported block type "{inner.type}"')
        if len(contents) != 1:
            self.report(path, block.line, f"{inside}: needs exactly one content block")
        if name in schema.blocks:
            for content in contents:
                self.check_body(path, content, schema.blocks[name], f"{where} > {name}", None)
        elif name not in schema.arguments:  # arguments-as-blocks may be generated too
            self.report(
                path,
                block.line,
                f'{where}: unsupported block type "{name}" in dynamic "{name}"'
                + _suggestion(name, schema.blocks),
            )


# --------------------------------------------------------------------------------------------
# References inside expressions
# --------------------------------------------------------------------------------------------


class _References:
    """Walks the expressions of one top-level block and checks what they refer to."""

    def __init__(self, analysis: _Analysis, module: _Module, path: str, block: _Block) -> None:
        self.analysis = analysis
        self.module = module
        self.path = path
        self.block = block
        self.line_base = 0
        repeatable = block.type in ("resource", "data", "module", "import", "ephemeral")
        self.has_count = repeatable and block.attribute("count") is not None
        self.has_for_each = repeatable and block.attribute("for_each") is not None

    def report(self, line: int, message: str) -> None:
        self.analysis.report(self.path, line, message)

    def undeclared(self, line: int, message: str) -> None:
        if not self.module.incomplete:
            self.report(line, message)

    # -- which expressions -------------------------------------------------------------------

    def check(self) -> None:
        kind = self.block.type
        empty: frozenset[str] = frozenset()
        if kind in ("terraform", "moved", "removed", "check"):
            return
        if kind == "import":
            for attribute in self.block.attributes:
                if attribute.name not in ("to", "provider"):
                    self.expression(attribute.expr, empty)
            return
        if kind == "variable":
            for attribute in self.block.attributes:
                if attribute.name != "type":
                    self.expression(attribute.expr, empty)
            for inner in self.block.blocks:
                self.body(inner, empty, top=False)
            return
        if kind == "module":
            for attribute in self.block.attributes:
                if attribute.name not in ("source", "version", "providers"):
                    self.expression(attribute.expr, empty)
            return
        self.body(self.block, empty, top=kind in ("resource", "data", "ephemeral"))

    def body(self, block: _Block, scope: frozenset[str], top: bool) -> None:
        for attribute in block.attributes:
            if top and attribute.name == "provider":
                continue
            self.expression(attribute.expr, scope)
        for inner in block.blocks:
            if inner.type == "dynamic":
                self.dynamic(inner, scope)
            elif top and inner.type == "lifecycle":
                for attribute in inner.attributes:
                    if attribute.name != "ignore_changes":
                        self.expression(attribute.expr, scope)
                for condition in inner.blocks:
                    self.body(condition, scope, top=False)
            elif top and inner.type == "provisioner":
                for attribute in inner.attributes:
                    if attribute.name not in ("when", "on_failure"):
                        self.expression(attribute.expr, scope)
                for nested in inner.blocks:
                    self.body(nested, scope, top=False)
            else:
                self.body(inner, scope, top=False)

    def dynamic(self, block: _Block, scope: frozenset[str]) -> None:
        iterator = block.labels[0] if block.labels else None
        iterator_attribute = block.attribute("iterator")
        if iterator_attribute is not None:
            iterator = _bare_identifier(iterator_attribute.expr)
            if iterator is None:
                self.report(
                    iterator_attribute.line, "iterator must be a bare name, e.g. iterator = rule"
                )
        inner_scope = scope | {iterator} if iterator else scope
        for attribute in block.attributes:
            if attribute.name == "for_each":
                self.expression(attribute.expr, scope)
            elif attribute.name != "iterator":
                self.expression(attribute.expr, inner_scope)
        for content in block.blocks:
            self.body(content, inner_scope, top=False)

    # -- expressions -------------------------------------------------------------------------

    def expression(self, node: _Node, scope: frozenset[str]) -> None:
        if isinstance(node, Token):
            return
        kind = node.data
        if (
            kind in _TRAVERSALS
            or kind == "identifier"
            or (
                kind == "expr_term"
                and len(node.children) == 1
                and isinstance(node.children[0], Tree)
                and node.children[0].data in _REFERENCE_STARTS
            )
        ):
            self.traversal(node, scope)
        elif kind in ("for_tuple_expr", "for_object_expr"):
            self.for_expression(node, scope)
        elif kind == "function_call":
            for child in node.children:
                if isinstance(child, Tree) and child.data == "arguments":
                    self.expression(child, scope)
        elif kind == "object_elem_key":
            if _bare_identifier(node.children[0]) is None:
                self.expression(node.children[0], scope)
        elif kind == "string":
            self.template_parts(node, scope)
        elif kind in ("heredoc_template", "heredoc_template_trim"):
            token = node.children[0]
            if isinstance(token, Token):
                self.heredoc(token, scope)
        elif kind not in ("new_line_or_comment", "template_string", "literal_value"):
            for child in node.children:
                self.expression(child, scope)

    def traversal(self, node: Tree[Token], scope: frozenset[str]) -> None:
        base, steps = _flatten(node)
        if base.data == "identifier":
            token = _first_token(base)
            line = self.line_base + (token.line if token is not None and token.line else 1)
            self.reference(_token_text(base), steps, line, scope)
        else:
            self.expression(base, scope)
        for step in steps:
            if step.expr is not None:
                self.expression(step.expr, scope)

    def for_expression(self, node: Tree[Token], scope: frozenset[str]) -> None:
        inner_scope = scope
        for child in node.children:
            if not isinstance(child, Tree):
                continue
            if child.data == "for_intro":
                names = {
                    _token_text(c)
                    for c in child.children
                    if isinstance(c, Tree) and c.data == "identifier"
                }
                for part in child.children:
                    if isinstance(part, Tree) and part.data not in (
                        "identifier",
                        "new_line_or_comment",
                    ):
                        self.expression(part, scope)
                inner_scope = scope | names
            else:
                self.expression(child, inner_scope)

    def template_parts(self, node: Tree[Token], scope: frozenset[str]) -> None:
        scopes = [scope]
        for part in node.children:
            if not isinstance(part, Tree) or not part.children:
                continue
            inner = part.children[0]
            if not isinstance(inner, Tree):
                continue
            if inner.data == "template_for_start":
                names = {
                    _token_text(c)
                    for c in inner.children
                    if isinstance(c, Tree) and c.data == "identifier"
                }
                for child in inner.children:
                    if isinstance(child, Tree) and child.data != "identifier":
                        self.expression(child, scopes[-1])
                scopes.append(scopes[-1] | names)
            elif inner.data == "template_endfor":
                if len(scopes) > 1:
                    scopes.pop()
            else:
                self.expression(inner, scopes[-1])

    def heredoc(self, token: Token, scope: frozenset[str]) -> None:
        body = _heredoc_body(str(token))
        first_line = self.line_base + (token.line or 1) + 1
        scopes = [scope]
        for offset, kind, inner in _template_sequences(body):
            line = first_line + body.count("\n", 0, offset)
            if inner is None:
                self.report(line, f"heredoc: {kind}{{ is never closed with }}")
                return
            text = inner.strip().removeprefix("~").removesuffix("~").strip()
            if kind == "%":
                loop = _DIRECTIVE_FOR.fullmatch(text)
                condition = _DIRECTIVE_IF.fullmatch(text)
                if loop:
                    self.embedded(loop.group(3), line, scopes[-1])
                    names = {n for n in (loop.group(1), loop.group(2)) if n}
                    scopes.append(scopes[-1] | names)
                elif condition:
                    self.embedded(condition.group(1), line, scopes[-1])
                elif text == "endfor":
                    if len(scopes) > 1:
                        scopes.pop()
                elif text not in ("else", "endif"):
                    self.report(line, f"heredoc: unknown template directive %{{{inner}}}")
            else:
                self.embedded(text, line, scopes[-1])

    def embedded(self, text: str, line: int, scope: frozenset[str]) -> None:
        """An expression found in a heredoc, parsed on its own; references get `line`."""
        try:
            tree = hcl2.parses_to_tree("x = " + text.replace("\n", " "))
        except Exception:  # the heredoc's own syntax error
            self.report(line, f"heredoc: cannot parse the expression ${{{text}}}")
            return
        body = tree.children[0]
        attribute = (
            next((c for c in body.children if isinstance(c, Tree) and c.data == "attribute"), None)
            if isinstance(body, Tree)
            else None
        )
        if attribute is None:
            return
        saved, self.line_base = self.line_base, line - 1
        try:
            self.expression(attribute.children[-1], scope)
        finally:
            self.line_base = saved

    # -- one reference -----------------------------------------------------------------------

    def reference(
        self, root: str, steps: Sequence[_Step], line: int, scope: frozenset[str]
    ) -> None:
        if root in scope or root == "self":
            return
        text = root + "".join(str(step) for step in steps)
        first = steps[0].name if steps and steps[0].kind == "attr" else None
        module = self.module
        if root in ("var", "local"):
            if first is None:
                self.report(line, f"{text}: {root} must be followed by .NAME")
                return
            declared: Iterable[str] = module.variables if root == "var" else module.locals
            if first not in declared:
                self.undeclared(
                    line,
                    f"{root}.{first} is not declared in {module.shown}" + _listing(first, declared),
                )
        elif root == "module":
            self.module_reference(first, steps, line, text)
        elif root in ("data", "ephemeral"):
            second = steps[1].name if len(steps) > 1 and steps[1].kind == "attr" else None
            if first is None or second is None:
                self.report(line, f"{text}: {root} must be followed by .TYPE.NAME")
                return
            table = module.data if root == "data" else module.ephemeral
            declaration = table.get((first, second))
            if declaration is None:
                same_type = sorted(n for t, n in table if t == first)
                self.undeclared(
                    line,
                    f"{root}.{first}.{second} is not declared in {module.shown}"
                    + (f" ({root} {first}: {', '.join(same_type)})" if same_type else ""),
                )
                return
            if root == "data":
                self.instance_attribute("data", first, declaration, steps[2:], line, text)
        elif root in _BUILTIN_ATTRIBUTES:
            self.builtin(root, first, line, text)
        else:
            self.resource_reference(root, first, steps, line, text, scope)

    def builtin(self, root: str, first: str | None, line: int, text: str) -> None:
        allowed = _BUILTIN_ATTRIBUTES[root]
        if first not in allowed:
            choices = " or ".join(f"{root}.{name}" for name in allowed)
            self.report(line, f"{text} is not valid; use {choices}")
        elif root == "count" and not self.has_count:
            self.report(line, f"count.index is used in {self.where()}, which sets no count")
        elif root == "each" and not self.has_for_each:
            self.report(line, f"{text} is used in {self.where()}, which sets no for_each")

    def where(self) -> str:
        return f"{self.block.type} {self.block.label}".strip()

    def module_reference(
        self, name: str | None, steps: Sequence[_Step], line: int, text: str
    ) -> None:
        module = self.module
        if name is None:
            self.report(line, f"{text}: module must be followed by .NAME")
            return
        call = module.calls.get(name)
        if call is None:
            self.undeclared(
                line,
                f"module.{name} is not declared in {module.shown}" + _listing(name, module.calls),
            )
            return
        rest = list(steps[1:])
        if not self.instance_key(call.block, f"module.{name}", rest, line):
            return
        if rest and rest[0].kind in ("index", "splat"):
            rest = rest[1:]
        if not rest or rest[0].kind != "attr":
            return
        output = rest[0].name
        target = self.analysis.call_target(module, call.block)
        if target is None or target.incomplete:
            return
        if output not in target.outputs:
            self.report(
                line,
                f'module.{name}.{output}: {target.shown} declares no output "{output}"'
                + _listing(output, target.outputs),
            )

    def resource_reference(
        self,
        type_name: str,
        name: str | None,
        steps: Sequence[_Step],
        line: int,
        text: str,
        scope: frozenset[str],
    ) -> None:
        module = self.module
        if name is None or "_" not in type_name:
            roots = set(scope) | {"var", "local", "module", "data", "self", *_BUILTIN_ATTRIBUTES}
            self.report(
                line,
                f'{text}: "{type_name}" is not var, local, module, data, a resource type '
                "followed by .NAME, or an iterator in scope" + _suggestion(type_name, roots),
            )
            return
        declaration = module.resources.get((type_name, name))
        if declaration is None:
            same_type = sorted(n for t, n in module.resources if t == type_name)
            hint = ""
            if (type_name, name) in module.data:
                hint = f" (did you mean data.{type_name}.{name}?)"
            elif same_type:
                hint = f" (resources {type_name}: {', '.join(same_type)})"
            self.undeclared(
                line, f"resource {type_name}.{name} is not declared in {module.shown}{hint}"
            )
            return
        self.instance_attribute("resource", type_name, declaration, steps[1:], line, text)

    def instance_key(self, block: _Block, shown: str, rest: Sequence[_Step], line: int) -> bool:
        """Whether `rest` indexes a repeated object exactly when it must; reports if not."""
        repeated = _has_repetition(block)
        if repeated and rest and rest[0].kind == "attr":
            self.report(
                line,
                f"{shown} sets count or for_each, so {shown}{rest[0]} needs an instance key: "
                f"{shown}[KEY]{rest[0]} or {shown}[*]{rest[0]}",
            )
            return False
        if not repeated and rest and rest[0].kind == "index":
            self.report(
                line,
                f"{shown} sets neither count nor for_each, so it has no instances to index; "
                f"drop the [...]",
            )
            return False
        return True

    def instance_attribute(
        self,
        kind: str,
        type_name: str,
        declaration: _Declaration,
        rest: Sequence[_Step],
        line: int,
        text: str,
    ) -> None:
        prefix = "data." if kind == "data" else ""
        shown = f"{prefix}{type_name}.{declaration.block.labels[1]}"
        if not self.instance_key(declaration.block, shown, rest, line):
            return
        rest = list(rest)
        if rest and rest[0].kind in ("index", "splat"):
            rest = rest[1:]
        if not rest or rest[0].kind != "attr":
            return
        schema = self.analysis.schema_for(kind, type_name)
        if schema is None or not schema.attributes:
            return
        attribute = rest[0].name
        known = set(schema.arguments) | set(schema.attributes) | set(schema.blocks)
        if attribute not in known:
            self.report(
                line,
                f'{text}: {type_name} has no attribute "{attribute}"'
                + _suggestion(attribute, known),
            )
