"""The declaration checks, per module directory.

`Analysis` parses every file, records what each module directory declares (variables, locals,
outputs, resources, data sources, module calls) and reports what is declared twice; then, per
top-level block, it checks the block's labels, module calls against the called module's
variables, and resource and data source types, arguments and blocks against the provider
schema, and hands the block to the reference walker.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import TypeVar, cast

import hcl2
from lark import Tree

from renderers.terraform.findings import TerraformFinding, listing, suggestion
from renderers.terraform.hcl_tree import (
    Block,
    File,
    convert_body,
    flatten,
    parse_error_message,
    string_literal,
    token_text,
)
from renderers.terraform.modules import Declaration, Module
from renderers.terraform.references import References
from renderers.terraform.schema import BlockSchemaLike, SchemaLookup

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
# Providers whose types the provider schema does not describe; their types are not checked.
_UNCHECKED_PROVIDERS = frozenset(
    {"random", "tls", "null", "terraform", "time", "archive", "local", "http", "external"}
)

_Key = TypeVar("_Key", str, tuple[str, str])


class Analysis:
    """The findings of one tree of files, gathered phase by phase by `run`."""

    def __init__(self, schema: SchemaLookup) -> None:
        self.schema = schema
        self.findings: list[TerraformFinding] = []
        self.modules: dict[str, Module] = {}
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
            module = self.modules.setdefault(directory, Module(directory))
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

    def parse(self, path: str, text: str) -> File | None:
        try:
            tree = hcl2.parses_to_tree(text)
        except Exception as error:  # any failure of the parser is a finding, never a crash
            line, message = parse_error_message(error)
            self.report(path, line, message)
            return None
        body = tree.children[0]
        assert isinstance(body, Tree)
        attributes, blocks = convert_body(body)
        return File(path, blocks, attributes)

    def declare(self, module: Module) -> None:
        for file in module.files:
            for block in file.blocks:
                self.declare_block(module, file.path, block)

    def declare_block(self, module: Module, path: str, block: Block) -> None:
        expected = _LABELS.get(block.type)
        if expected is None or len(block.labels) != expected or None in block.labels:
            return  # reported by check_file
        declaration = Declaration(path, block)
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
        module: Module,
        table: dict[_Key, Declaration],
        key: _Key,
        declaration: Declaration,
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

    def check_file(self, module: Module, file: File) -> None:
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
                    + suggestion(block.type, _LABELS),
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
            References(self, module, file.path, block).check()
            if block.type == "module":
                self.check_module_call(module, file.path, block)
            elif block.type in ("resource", "data"):
                self.check_resource(file.path, block)
            elif block.type == "output" and block.attribute("value") is None:
                self.report(file.path, block.line, f"output {block.label} has no value")
            elif block.type in ("import", "moved"):
                self.check_address(module, file.path, block)

    def check_duplicate_arguments(self, path: str, block: Block, where: str) -> None:
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

    def call_target(self, module: Module, call: Block) -> Module | None:
        """The called module when its source is a local directory of the tree."""
        source_attribute = call.attribute("source")
        if source_attribute is None:
            return None
        source = string_literal(source_attribute.expr)
        if source is None or not source.startswith(("./", "../")):
            return None
        target = posixpath.normpath(posixpath.join(module.directory, source))
        return self.modules.get(target)

    def check_module_call(self, module: Module, path: str, call: Block) -> None:
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
        source = string_literal(source_attribute.expr)
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
                + listing(attribute.name, target.variables),
            )
        missing = [v for v in target.required_variables() if v not in passed]
        for variable in missing:
            self.report(
                path,
                call.line,
                f'{name} does not pass "{variable}", a required variable of {target.shown} '
                "(it has no default)",
            )

    def check_address(self, module: Module, path: str, block: Block) -> None:
        """`import { to = module.iam.aws_iam_role.deploy }`: the resource must exist there."""
        to = block.attribute("to")
        if to is None:
            return
        base, steps = flatten(to.expr)
        if base.data != "identifier":
            return
        parts = [token_text(base)] + [step.name for step in steps if step.kind == "attr"]
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

    def check_resource(self, path: str, block: Block) -> None:
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
        self, path: str, block: Block, schema: BlockSchemaLike, where: str, top: str | None
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
                message = f'unsupported argument "{argument}"' + suggestion(
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
                    + suggestion(inner.type, schema.blocks),
                )
        present = {attribute.name for attribute in block.attributes}
        for argument, required in sorted(schema.arguments.items()):
            if required and argument not in present:
                self.report(path, block.line, f'{where}: missing required argument "{argument}"')

    def meta_block(self, path: str, block: Block, where: str, top: str) -> bool:
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
                    + suggestion(attribute.name, _LIFECYCLE_ARGUMENTS),
                )
        for inner in block.blocks:
            if inner.type not in _CONDITION_BLOCKS:
                self.report(
                    path, inner.line, f'{where} > lifecycle: unsupported block type "{inner.type}"'
                )
        return True

    def check_dynamic(self, path: str, block: Block, schema: BlockSchemaLike, where: str) -> None:
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
                + suggestion(name, schema.blocks),
            )
