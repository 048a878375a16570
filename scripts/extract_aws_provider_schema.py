"""Extract a compact schema of the Terraform AWS provider from `@cdktf/provider-aws`.

No terraform binary here can download providers, so `terraform providers schema` cannot run.
The npm package `@cdktf/provider-aws` describes every resource and data source of one AWS
provider release in its `.jsii` file (~130 MB): a class per type and a `...Config` struct
whose properties are the arguments and nested blocks. Their documentation links carry the
exact Terraform names (`.../docs/resources/vpc#cidr_block`), which this script uses instead
of guessing snake_case from jsii's camelCase.

Regenerate (downloads the package into .tools/, writes renderers/data/):

    python scripts/extract_aws_provider_schema.py

Output shape: {"source", "provider_version", "resources": {type: block}, "data_sources":
{type: block}} where block = {"arguments": {name: required}, "attributes": [names the type
exports], "blocks": {name: block}}; nested blocks carry no "attributes".
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import tarfile
from pathlib import Path
from typing import Any

# 21.22.1 is the newest release; it bundles AWS provider 6.25.0 (package.json "cdktf").
# The cdktf packages are deprecated upstream, so this is also the last one that will come.
PACKAGE = "@cdktf/provider-aws"
VERSION = "21.22.1"
ROOT = Path(__file__).resolve().parent.parent
WORKDIR = ROOT / ".tools" / "provider-aws"
OUTPUT = ROOT / "renderers" / "data" / "aws_provider_schema.json"

_TYPE_LINK = re.compile(r"/docs/(resources|data-sources)/([a-z0-9_]+) ([a-z0-9_]+)\}")
_ARGUMENT_LINK = re.compile(r"/docs/(?:resources|data-sources)/[a-z0-9_]+#([a-z0-9_]+) ")
# Class members that are cdktf machinery, not Terraform attributes.
_NOT_ATTRIBUTES = {"tfResourceType", "fqn", "friendlyUniqueId", "terraformResourceType"}


def download() -> tuple[dict[str, Any], dict[str, Any]]:
    WORKDIR.mkdir(parents=True, exist_ok=True)
    tarball = WORKDIR / f"cdktf-provider-aws-{VERSION}.tgz"
    if not tarball.exists():
        subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}"], cwd=WORKDIR, check=True)
    with tarfile.open(tarball) as archive:
        package = json.load(archive.extractfile("package/package.json"))  # type: ignore[arg-type]
        jsii = json.load(archive.extractfile("package/.jsii"))  # type: ignore[arg-type]
    return package, jsii


def snake(camel: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", camel).lower()


def struct_of(type_reference: dict[str, Any], types: dict[str, Any]) -> str | None:
    """The struct (nested block) a property holds, directly or as a list/union of them."""
    if "fqn" in type_reference:
        fqn = type_reference["fqn"]
        kind = types.get(fqn, {})
        return fqn if kind.get("kind") == "interface" and kind.get("datatype") else None
    if "collection" in type_reference:
        return struct_of(type_reference["collection"]["elementtype"], types)
    if "union" in type_reference:
        for member in type_reference["union"]["types"]:
            found = struct_of(member, types)
            if found:
                return found
    return None


def terraform_name(property_: dict[str, Any]) -> str:
    match = _ARGUMENT_LINK.search(property_.get("docs", {}).get("summary", ""))
    return match.group(1) if match else snake(property_["name"])


def all_properties(fqn: str, types: dict[str, Any]) -> list[dict[str, Any]]:
    """A struct's own properties and those of the structs it extends."""
    definition = types[fqn]
    properties = list(definition.get("properties", []))
    for parent in definition.get("interfaces", []):
        if parent in types and not parent.startswith("cdktf."):
            properties += all_properties(parent, types)
    return properties


def block(fqn: str, types: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    arguments: dict[str, bool] = {}
    blocks: dict[str, Any] = {}
    for property_ in all_properties(fqn, types):
        name = terraform_name(property_)
        nested = struct_of(property_["type"], types)
        if nested and depth < 8:
            blocks[name] = block(nested, types, depth + 1)
        else:
            arguments[name] = not property_.get("optional", False)
    return {"arguments": dict(sorted(arguments.items())), "blocks": dict(sorted(blocks.items()))}


def attributes(class_fqn: str, arguments: dict[str, bool], types: dict[str, Any]) -> list[str]:
    known = {snake(name): name for name in arguments}
    names = set()
    for property_ in types[class_fqn].get("properties", []):
        member = property_["name"]
        if property_.get("static") or member in _NOT_ATTRIBUTES or member.endswith("Input"):
            continue
        name = snake(member)
        names.add(known.get(name, name))
    # Terraform names that lost their digits' underscores in camelCase stay as arguments.
    return sorted(names | set(arguments))


def extract(jsii: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    types: dict[str, Any] = jsii["types"]
    resources: dict[str, Any] = {}
    data_sources: dict[str, Any] = {}
    for fqn, definition in types.items():
        if definition.get("kind") != "class":
            continue
        match = _TYPE_LINK.search(definition.get("docs", {}).get("summary", ""))
        config = f"{fqn}Config"
        if not match or config not in types:
            continue
        kind, _, type_name = match.groups()
        schema = block(config, types)
        schema["attributes"] = attributes(fqn, schema["arguments"], types)
        (resources if kind == "resources" else data_sources)[type_name] = schema
    return dict(sorted(resources.items())), dict(sorted(data_sources.items()))


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()
    package, jsii = download()
    resources, data_sources = extract(jsii)
    schema = {
        "source": f"{PACKAGE}@{VERSION}",
        "provider_version": package["cdktf"]["provider"]["version"],
        "resources": resources,
        "data_sources": data_sources,
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(schema, sort_keys=True, separators=(",", ":")) + "\n")
    print(
        f"{len(resources)} resources, {len(data_sources)} data sources of AWS provider "
        f"{schema['provider_version']} -> {OUTPUT.relative_to(ROOT)} "
        f"({OUTPUT.stat().st_size / 1e6:.1f} MB)"
    )


if __name__ == "__main__":
    main()
