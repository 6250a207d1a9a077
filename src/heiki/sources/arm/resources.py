"""One ARM resource, whichever way it was obtained: expanded from a template, or read from
deployed-resource JSON (``az resource list``, ``az ... show``, Resource Graph, ``az group export``).
The converters see only this shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from heiki.model.source import SourceLocation
from heiki.model.values import ResourceId


@dataclass(frozen=True)
class ArmResource:
    """An ARM resource after expression evaluation: the shape every reader converts from."""

    id: ResourceId
    type: str
    """As written (``Microsoft.Network/virtualNetworks``); compare with ``kind_of``."""
    name: str
    """The full name; a child's is ``parent/child``."""
    location: str
    properties: dict[str, Any]
    source: SourceLocation
    tags: dict[str, Any] = field(default_factory=dict)
    sku: dict[str, Any] = field(default_factory=dict)
    kind: str = ""
    api_version: str = ""
    """The template's ``apiVersion`` (empty for deployed resources, which state their values)."""

    @property
    def kind_of(self) -> str:
        return self.type.lower()

    @property
    def short_name(self) -> str:
        return self.name.rsplit("/", 1)[-1]

    @property
    def parent_id(self) -> ResourceId:
        """The ID of the parent of a child resource (``.../virtualNetworks/v`` for a subnet)."""
        return ResourceId(str(self.id).rsplit("/", 2)[0])
