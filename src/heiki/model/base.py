"""The shared shape of every modelled Azure resource."""

from __future__ import annotations

from dataclasses import dataclass

from heiki.model.source import SourceLocation
from heiki.model.values import ResourceId

Tags = tuple[tuple[str, str], ...]

ROLE_TAG = "heiki-role"
PRODUCT_TAG = "heiki-product"
"""What runs on a VM (``github-enterprise-server``...), for sources that only have tags (ARM)."""
REGISTRIES_TAG = "heiki-registries"
"""ML registries a workspace promotes through (names, ``;``-separated): ARM expresses this only as
role assignments to the workspace's runtime identity, which a template cannot name."""
SUBNET_ROLES_TAG = "heiki-subnet-roles"
"""ARM subnets have no tags: their heiki roles travel on the VNet as ``snet-a=compute;snet-b=git``."""
"""Tag naming what a VM or subnet is for (``git-server``, ``ci-runner``, ...), see ``roles.py``."""

ASSUMED_TAG = "heiki-assumed"
UNKNOWN_NAME_PREFIX = "heiki-unknown-name-"
"""The prefix of the placeholder a resource gets when its name is known only at deployment."""
"""Marks a value heiki assumed where the source leaves it to Azure or to the user (a firewall's
private IP, a workspace GUID, a parameter with no value); its value names what was assumed."""

STAGE_TAG = "heiki-stage"
"""Tag marking a workspace or VNet as ``dev`` or ``prod`` in an Open-Dev / Closed-Prod design."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Resource:
    """An ARM resource: its ID (the key), name, tags, and where it was declared."""

    id: ResourceId
    name: str
    tags: Tags = ()
    source: SourceLocation | None = None

    def tag(self, key: str) -> str | None:
        for k, v in self.tags:
            if k.lower() == key.lower():
                return v
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class LocatedResource(Resource):
    """A resource that lives in a region."""

    location: str
