"""Where a catalog fact comes from: its source and the date it was read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class CatalogError(ValueError):
    """A catalog data file is malformed (a packaging bug, or a bad user extension)."""


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a catalog fact comes from (a Microsoft source) and when it was last checked."""

    source: str
    as_of: str
    also: tuple[str, ...] = ()


def provenance(entry: dict[str, Any], where: str) -> Provenance:
    source = entry.get("source")
    as_of = entry.get("as_of")
    if not isinstance(source, str) or not source.startswith("https://") or not as_of:
        raise CatalogError(f"{where}: every entry needs an https source and an as_of date")
    return Provenance(source=source, as_of=str(as_of), also=tuple(entry.get("also", ())))
