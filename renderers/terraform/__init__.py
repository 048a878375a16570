"""Static checks of a tree of Terraform files, without a terraform binary or `terraform init`."""

from renderers.terraform.declarations import (
    BlockSchemaLike,
    ProviderSchemaLookup,
    SchemaLookup,
    TerraformFinding,
    analyze_terraform,
)

__all__ = [
    "BlockSchemaLike",
    "ProviderSchemaLookup",
    "SchemaLookup",
    "TerraformFinding",
    "analyze_terraform",
]
