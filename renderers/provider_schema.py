"""The Terraform AWS provider's schema: which resource and data source types exist, their
arguments (and which are required), the attributes they export and their nested blocks.

A compact extract of `@cdktf/provider-aws` committed as `renderers/data/aws_provider_schema.json`;
`scripts/extract_aws_provider_schema.py` regenerates it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

SCHEMA_FILE = Path(__file__).resolve().parent / "data" / "aws_provider_schema.json"


@dataclass(frozen=True)
class BlockSchema:
    arguments: Mapping[str, bool]  # name -> required
    attributes: frozenset[str]  # what `type.name.<attribute>` may read (empty inside blocks)
    blocks: Mapping[str, BlockSchema]


def _block(data: Mapping[str, Any]) -> BlockSchema:
    return BlockSchema(
        arguments=MappingProxyType(dict(data.get("arguments", {}))),
        attributes=frozenset(data.get("attributes", ())),
        blocks=MappingProxyType({name: _block(nested) for name, nested in data["blocks"].items()}),
    )


@lru_cache(maxsize=1)
def _raw() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


@lru_cache(maxsize=4096)
def resource_schema(type_name: str) -> BlockSchema | None:
    data = _raw()["resources"].get(type_name)
    return None if data is None else _block(data)


@lru_cache(maxsize=4096)
def data_source_schema(type_name: str) -> BlockSchema | None:
    data = _raw()["data_sources"].get(type_name)
    return None if data is None else _block(data)


def provider_schema_source() -> str:
    """Where the extract came from, e.g. "@cdktf/provider-aws@21.22.1 (AWS provider 6.25.0)"."""
    return f"{_raw()['source']} (AWS provider {_raw()['provider_version']})"


def resource_type_count() -> int:
    return len(_raw()["resources"])
