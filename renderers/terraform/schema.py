"""The provider schema as the checks read it: the protocols a caller's schema implements, and
the lookup over the committed AWS provider extract used when no schema is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import Protocol

from renderers.provider_schema import data_source_schema, resource_schema


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
