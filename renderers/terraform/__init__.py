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

`hcl_tree` turns the text into blocks and attributes with lines, `declarations` runs the checks
per module directory and `references` walks the expressions of each block.
"""

from __future__ import annotations

from collections.abc import Mapping

from renderers.terraform.declarations import Analysis
from renderers.terraform.findings import TerraformFinding
from renderers.terraform.schema import BlockSchemaLike, ProviderSchemaLookup, SchemaLookup

__all__ = [
    "BlockSchemaLike",
    "ProviderSchemaLookup",
    "SchemaLookup",
    "TerraformFinding",
    "analyze_terraform",
]


def analyze_terraform(
    files: Mapping[str, str], schema: SchemaLookup | None = None
) -> list[TerraformFinding]:
    """Every problem found in the `*.tf` files of `files` (relative path -> text), sorted."""
    analysis = Analysis(schema if schema is not None else ProviderSchemaLookup())
    analysis.run(files)
    return sorted(
        set(analysis.findings),
        key=lambda finding: (finding.path, finding.line or 0, finding.message),
    )
