"""Turn model values into plain JSON data, deterministically (same model -> same bytes)."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
from enum import Enum
from typing import Any

from heiki.model.source import SourceLocation
from heiki.model.values import DnsName, FqdnPattern, PortRange, ResourceId

FORMAT_VERSION = 2
"""Version of heiki's JSON shapes; bumped on incompatible changes (2: the DNS matrix by view)."""


def to_data(value: Any) -> Any:
    """Recursively convert a model value; private fields (``_index``) are skipped."""
    if isinstance(value, (ResourceId, DnsName, FqdnPattern, PortRange, SourceLocation)):
        return str(value)
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv4Network)):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result: dict[str, Any] = {"kind": type(value).__name__} if _is_resource(value) else {}
        for f in dataclasses.fields(value):
            if f.name.startswith("_"):
                continue
            item = getattr(value, f.name)
            if f.name == "tags":
                result["tags"] = {k: v for k, v in item}
                continue
            result[f.name] = to_data(item)
        return result
    if isinstance(value, tuple) and hasattr(value, "_asdict"):  # a NamedTuple record
        return {k: to_data(v) for k, v in value._asdict().items()}
    if isinstance(value, (tuple, list)):
        return [to_data(item) for item in value]
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    return value


def _is_resource(value: Any) -> bool:
    return hasattr(value, "id") and isinstance(getattr(value, "id", None), ResourceId)


def dumps(data: Any) -> str:
    """Stable JSON text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
