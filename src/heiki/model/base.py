"""The shared shape of every modelled Azure resource."""

from __future__ import annotations

from dataclasses import dataclass

from heiki.model.source import SourceLocation
from heiki.model.values import ResourceId

Tags = tuple[tuple[str, str], ...]

ROLE_TAG = "heiki-role"
"""Tag naming what a VM or subnet is for (``git-server``, ``ci-runner``, ...), see ``roles.py``."""

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
