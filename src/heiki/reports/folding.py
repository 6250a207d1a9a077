"""Which findings a report prints as entries, and what it folds under each.

One defect, one entry: a finding caused by another is folded under its root cause, and the other
instances of a defect repeated at one place in the source (a copy loop's, a ``for_each``'s or a
module call's resources) are folded under the first. A thousand spokes made from one module
give one entry, not a thousand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SHOWN_INSTANCES = 8
"""Instances named in a folded entry; the JSON report lists them all."""


@dataclass(frozen=True)
class Folded:
    """The findings of a record as a report prints them."""

    roots: list[dict[str, Any]]
    """The findings printed as entries: neither a consequence nor a repeated instance."""
    consequences: dict[str, list[dict[str, Any]]]
    """Root id -> the findings it causes (those of its instances too)."""
    instances: dict[str, list[dict[str, Any]]]
    """Root id -> the other instances of its defect."""


def fold(findings: Sequence[dict[str, Any]]) -> Folded:
    first_of = {f["id"]: f["instance_of"] for f in findings if f.get("instance_of")}
    roots: list[dict[str, Any]] = []
    consequences: dict[str, list[dict[str, Any]]] = {}
    instances: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        if finding["caused_by"]:
            root = first_of.get(finding["caused_by"], finding["caused_by"])
            consequences.setdefault(root, []).append(finding)
        elif finding.get("instance_of"):
            instances.setdefault(finding["instance_of"], []).append(finding)
        else:
            roots.append(finding)
    return Folded(roots, consequences, instances)


def instance_names(instances: Sequence[dict[str, Any]]) -> str:
    """The resources of the other instances, by name: the first few, then how many more."""
    names = [_name(f["resource"]) for f in instances]
    shown = ", ".join(names[:SHOWN_INSTANCES])
    rest = len(names) - SHOWN_INSTANCES
    return f"{shown}, ... {rest} more" if rest > 0 else shown


def _name(resource: str | None) -> str:
    return resource.rstrip("/").rsplit("/", 1)[-1] if resource else "?"
