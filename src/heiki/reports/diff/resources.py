"""Resource-level changes between two sides: added, removed, modified (with the properties).

Properties are compared as the model holds them (source locations left out: moving a block is
not a change). Lists of named items (rules, subnets, collections) are paired by name, so a
reviewer reads ``security_rules[deny-internet].access: Deny -> Allow`` rather than an index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

VALUE_WIDTH = 120


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    MODIFIED = "modified"


@dataclass(frozen=True, slots=True)
class PropertyChange:
    """One property of a resource, before and after."""

    path: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class ResourceChange:
    """A resource added, removed or changed, with its changed properties."""

    kind: ChangeKind
    resource: str
    type: str
    name: str
    properties: tuple[PropertyChange, ...] = ()


def _text(value: Any) -> str:
    if value is None:
        return "-"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 3] + "..."


def _named(items: list[Any]) -> dict[str, Any] | None:
    """Items keyed by their name, when every item is a record with a unique name."""
    if not items or not all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items):
        return None
    keyed = {i["name"]: i for i in items}
    return keyed if len(keyed) == len(items) else None


def property_changes(before: Any, after: Any, path: str = "") -> list[PropertyChange]:
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        changes: list[PropertyChange] = []
        for key in sorted(set(before) | set(after)):
            inner = f"{path}.{key}" if path else key
            changes += property_changes(before.get(key), after.get(key), inner)
        return changes
    if isinstance(before, list) and isinstance(after, list):
        # an emptied (or first filled) list of named items still pairs by name
        old = _named(before) if before else {}
        new = _named(after) if after else {}
        if old is not None and new is not None:
            changes = []
            for name in sorted(set(old) | set(new)):
                inner = f"{path}[{name}]"
                if name not in old:
                    changes.append(PropertyChange(inner, "-", "added"))
                elif name not in new:
                    changes.append(PropertyChange(inner, "present", "removed"))
                else:
                    changes += property_changes(old[name], new[name], inner)
            return changes
    return [PropertyChange(path or "(value)", _text(before), _text(after))]


def resource_changes(
    before: dict[str, tuple[str, Any]], after: dict[str, tuple[str, Any]]
) -> tuple[ResourceChange, ...]:
    """Resources are paired by ID, case-insensitively as ARM compares them."""
    old = {key.lower(): (key, value) for key, value in before.items()}
    new = {key.lower(): (key, value) for key, value in after.items()}
    changes: list[ResourceChange] = []
    for key in sorted(set(old) | set(new)):
        if key not in old:
            text, (kind, _) = new[key]
            changes.append(ResourceChange(ChangeKind.ADDED, text, kind, _name(text)))
        elif key not in new:
            text, (kind, _) = old[key]
            changes.append(ResourceChange(ChangeKind.REMOVED, text, kind, _name(text)))
        else:
            text, (kind, data) = new[key]
            properties = property_changes(old[key][1][1], data)
            if properties:
                changes.append(
                    ResourceChange(ChangeKind.MODIFIED, text, kind, _name(text), tuple(properties))
                )
    return tuple(changes)


def _name(resource: str) -> str:
    return resource.rstrip("/").rsplit("/", 1)[-1]
