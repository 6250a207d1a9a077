"""Read ARM property bags: case-insensitive keys, ``{"id": ...}`` references, and unknown values
reported (never guessed) as an info diagnostic naming the property."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from heiki import diagnostics as dx
from heiki.diagnostics import Diagnostic, Severity
from heiki.model.source import SourceLocation
from heiki.model.values import ResourceId
from heiki.sources.arm.expressions import Unknown


@dataclass
class Notes:
    """Diagnostics collected while converting."""

    items: list[Diagnostic] = field(default_factory=list)

    def unknown(self, where: SourceLocation, path: str, value: Unknown) -> None:
        self.items.append(
            Diagnostic(
                dx.UNKNOWN_VALUE,
                Severity.INFO,
                f"{path} is unknown before deployment ({value.reason}); treated as not set",
                where,
            )
        )

    def add(self, code: str, severity: Severity, message: str, where: SourceLocation) -> None:
        self.items.append(Diagnostic(code, severity, message, where))


class Props:
    """A property object of one resource."""

    def __init__(self, data: Any, where: SourceLocation, path: str, notes: Notes) -> None:
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}
        self.where = where
        self.path = path
        self.notes = notes

    def raw(self, key: str) -> Any:
        if key in self.data:
            return self.data[key]
        lowered = key.lower()
        for name, value in self.data.items():
            if name.lower() == lowered:
                return value
        return None

    def get(self, key: str) -> Any:
        value = self.raw(key)
        if isinstance(value, Unknown):
            self.notes.unknown(self.where, f"{self.path}.{key}", value)
            return None
        return value

    def text(self, key: str, default: str = "") -> str:
        value = self.get(key)
        return value if isinstance(value, str) else default

    def flag(self, key: str, default: bool) -> bool:
        value = self.get(key)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return default

    def number(self, key: str, default: int) -> int:
        value = self.get(key)
        if isinstance(value, bool):
            return default
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            return int(value)
        return default

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key)
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list):
            return ()
        result = []
        for position, item in enumerate(value):
            if isinstance(item, Unknown):
                self.notes.unknown(self.where, f"{self.path}.{key}[{position}]", item)
            elif isinstance(item, (str, int)) and not isinstance(item, bool):
                result.append(str(item))
        return tuple(result)

    def sub(self, key: str) -> Props:
        return Props(self.get(key), self.where, f"{self.path}.{key}", self.notes)

    def subs(self, key: str) -> Iterator[Props]:
        value = self.get(key)
        if value is not None and not isinstance(value, list):
            self.notes.add(
                dx.PARAMETER_VALUE,
                Severity.WARNING,
                f"{self.path}.{key} is {type(value).__name__}, not an array: Azure rejects the "
                "template (not read)",
                self.where,
            )
        if not isinstance(value, list):
            return
        for position, item in enumerate(value):
            if isinstance(item, Unknown):
                self.notes.unknown(self.where, f"{self.path}.{key}[{position}]", item)
            elif isinstance(item, dict):
                yield Props(item, self.where, f"{self.path}.{key}[{position}]", self.notes)

    def rid(self, key: str) -> ResourceId | None:
        """A reference written as ``{"id": "/subscriptions/..."}`` or as the ID string."""
        value = self.get(key)
        if isinstance(value, dict):
            value = Props(value, self.where, f"{self.path}.{key}", self.notes).get("id")
        if isinstance(value, str) and value.startswith("/"):
            return ResourceId(value)
        return None

    def rids(self, key: str) -> tuple[ResourceId, ...]:
        value = self.get(key)
        if not isinstance(value, list):
            return ()
        found = []
        for position, item in enumerate(value):
            holder = Props({"x": item}, self.where, f"{self.path}.{key}[{position}]", self.notes)
            rid = holder.rid("x")
            if rid is not None:
                found.append(rid)
        return tuple(found)

    def __bool__(self) -> bool:
        return bool(self.data)
