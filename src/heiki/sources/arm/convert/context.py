"""What a converter sees: the resources by type, their children, the catalog, the notes."""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from heiki.catalog import Catalog
from heiki.model.base import Tags
from heiki.model.values import Address, Prefix, ResourceId
from heiki.sources.arm.convert.reader import Notes, Props
from heiki.sources.arm.expressions import Unknown
from heiki.sources.arm.resources import ArmResource


@dataclass
class ConvertContext:
    """The resources being converted, indexed by type and parent, and the notes the conversion
    writes."""

    catalog: Catalog
    resources: list[ArmResource]
    notes: Notes = field(default_factory=Notes)
    _by_type: dict[str, list[ArmResource]] = field(default_factory=dict)
    _children: dict[tuple[str, ResourceId], list[ArmResource]] = field(default_factory=dict)
    _endpoint_targets: frozenset[ResourceId] | None = None

    def __post_init__(self) -> None:
        by_type: dict[str, list[ArmResource]] = defaultdict(list)
        children: dict[tuple[str, ResourceId], list[ArmResource]] = defaultdict(list)
        for resource in self.resources:
            by_type[resource.kind_of].append(resource)
            if resource.kind_of.count("/") >= 2:
                children[(resource.kind_of, resource.parent_id)].append(resource)
        self._by_type = dict(by_type)
        self._children = dict(children)

    def of_type(self, resource_type: str) -> list[ArmResource]:
        return self._by_type.get(resource_type.lower(), [])

    def children(self, parent: ArmResource, child_type: str) -> list[ArmResource]:
        return self._children.get((f"{parent.kind_of}/{child_type.lower()}", parent.id), [])

    def has_private_endpoint(self, target: ResourceId) -> bool:
        """Whether a private endpoint of the input connects to ``target``."""
        if self._endpoint_targets is None:
            targets: set[ResourceId] = set()
            for endpoint in self.of_type("Microsoft.Network/privateEndpoints"):
                props = self.props(endpoint)
                for key in ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections"):
                    for connection in props.subs(key):
                        found = connection.sub("properties").rid("privateLinkServiceId")
                        if found is not None:
                            targets.add(found)
            self._endpoint_targets = frozenset(targets)
        return target in self._endpoint_targets

    def props(self, resource: ArmResource) -> Props:
        return Props(
            resource.properties, resource.source, f"{resource.name}.properties", self.notes
        )

    def prefix(self, props: Props, key: str) -> Prefix | None:
        text = props.text(key)
        try:
            return ipaddress.IPv4Network(text.strip(), strict=False) if text else None
        except ValueError:
            return None

    def address(self, props: Props, key: str) -> Address | None:
        text = props.text(key)
        try:
            return ipaddress.IPv4Address(text.strip()) if text else None
        except ValueError:
            return None


def located(resource: ArmResource) -> dict[str, Any]:
    """The fields every located model resource takes from its ARM resource."""
    return {
        "id": resource.id,
        "name": resource.name,
        "location": resource.location,
        "tags": tags_of(resource),
        "source": resource.source,
    }


def tags_of(resource: ArmResource) -> Tags:
    return tuple(
        sorted(
            (str(k), str(v))
            for k, v in resource.tags.items()
            if not isinstance(v, Unknown) and v is not None
        )
    )
