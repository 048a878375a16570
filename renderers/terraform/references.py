"""The reference walker: what each expression of a top-level block refers to.

It walks attributes, nested and `dynamic` blocks, `for` expressions, template `%{ for }`
directives and heredocs, keeping their iterators in scope, and checks that `var.X`, `local.X`,
`module.M.O`, `data.T.N`, `T.N` and the built-ins (`count.index`, `each.key`, ...) resolve
against the module directory's declarations and, after a resource or data reference, the
provider schema. What it needs from the analysis of the whole tree (where findings go, which
module a call runs, a type's schema) comes through `AnalysisContext`, so that this module does
not import the declaration checks that call it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

import hcl2
from lark import Token, Tree

from renderers.terraform.findings import listing, suggestion
from renderers.terraform.hcl_tree import (
    TRAVERSALS,
    Block,
    Node,
    Step,
    bare_identifier,
    first_token,
    flatten,
    heredoc_body,
    template_sequences,
    token_text,
)
from renderers.terraform.modules import Declaration, Module
from renderers.terraform.schema import BlockSchemaLike

_BUILTIN_ATTRIBUTES = {
    "count": ("index",),
    "each": ("key", "value"),
    "path": ("module", "root", "cwd"),
    "terraform": ("workspace", "applying"),
}
_REFERENCE_STARTS = TRAVERSALS | {"identifier"}
_DIRECTIVE_FOR = re.compile(
    r"for\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\s+(.+)", re.S
)
_DIRECTIVE_IF = re.compile(r"if\s+(.+)", re.S)


class AnalysisContext(Protocol):
    """What the walker needs from the analysis of the whole tree."""

    def report(self, path: str, line: int | None, message: str) -> None: ...

    def call_target(self, module: Module, call: Block) -> Module | None: ...

    def schema_for(self, kind: str, type_name: str) -> BlockSchemaLike | None: ...


def _has_repetition(block: Block) -> bool:
    return block.attribute("count") is not None or block.attribute("for_each") is not None


class References:
    """Walks the expressions of one top-level block and checks what they refer to."""

    def __init__(self, analysis: AnalysisContext, module: Module, path: str, block: Block) -> None:
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

    def body(self, block: Block, scope: frozenset[str], top: bool) -> None:
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

    def dynamic(self, block: Block, scope: frozenset[str]) -> None:
        iterator = block.labels[0] if block.labels else None
        iterator_attribute = block.attribute("iterator")
        if iterator_attribute is not None:
            iterator = bare_identifier(iterator_attribute.expr)
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

    def expression(self, node: Node, scope: frozenset[str]) -> None:
        if isinstance(node, Token):
            return
        kind = node.data
        if (
            kind in TRAVERSALS
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
            if bare_identifier(node.children[0]) is None:
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
        base, steps = flatten(node)
        if base.data == "identifier":
            token = first_token(base)
            line = self.line_base + (token.line if token is not None and token.line else 1)
            self.reference(token_text(base), steps, line, scope)
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
                    token_text(c)
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
                    token_text(c)
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
        body = heredoc_body(str(token))
        first_line = self.line_base + (token.line or 1) + 1
        scopes = [scope]
        for offset, kind, inner in template_sequences(body):
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

    def reference(self, root: str, steps: Sequence[Step], line: int, scope: frozenset[str]) -> None:
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
                    f"{root}.{first} is not declared in {module.shown}" + listing(first, declared),
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
        self, name: str | None, steps: Sequence[Step], line: int, text: str
    ) -> None:
        module = self.module
        if name is None:
            self.report(line, f"{text}: module must be followed by .NAME")
            return
        call = module.calls.get(name)
        if call is None:
            self.undeclared(
                line,
                f"module.{name} is not declared in {module.shown}" + listing(name, module.calls),
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
                + listing(output, target.outputs),
            )

    def resource_reference(
        self,
        type_name: str,
        name: str | None,
        steps: Sequence[Step],
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
                "followed by .NAME, or an iterator in scope" + suggestion(type_name, roots),
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

    def instance_key(self, block: Block, shown: str, rest: Sequence[Step], line: int) -> bool:
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
        declaration: Declaration,
        rest: Sequence[Step],
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
                + suggestion(attribute, known),
            )
