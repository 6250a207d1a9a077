"""Turn model values into plain JSON data, deterministically (same model -> same bytes)."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
from collections.abc import Sequence
from enum import Enum
from typing import Any

from heiki.model.source import SourceLocation
from heiki.model.values import DnsName, FqdnPattern, PortRange, ResourceId

FORMAT_VERSION = 3
"""Version of heiki's JSON shapes; bumped on incompatible changes (2: the DNS matrix by view;
3: a finding names the first instance of its defect, ``instance_of``)."""


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
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [to_data(item) for item in value]  # tuples, lists, a shared trace's hops
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    return value


def _is_resource(value: Any) -> bool:
    return hasattr(value, "id") and isinstance(getattr(value, "id", None), ResourceId)


class ReusedList(list[Any]):
    """A JSON array a record places in many spots - the required destinations of a thousand
    subnets of one shape, with the same verdicts - as one object: ``dumps`` writes its text once
    per indent level and repeats it. Read it as a list; never change it."""


def dumps(data: Any) -> str:
    """Stable JSON text: sorted keys, two-space indent, trailing newline - the text of
    ``json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)``, written without the
    standard library's generator-based indenting encoder (its C encoder does not indent), which
    took seconds on a 1,000-spoke report."""
    parts: list[str] = []
    _write(data, parts, "\n", {})
    parts.append("\n")
    return "".join(parts)


_encode_string = json.encoder.encode_basestring
_NUMBER = json.JSONEncoder(allow_nan=True)


def _write(value: Any, parts: list[str], newline: str, reused: dict[tuple[int, str], str]) -> None:
    """Append ``value`` as indented JSON; ``newline`` is the line break and indent of its
    own level; ``reused`` the texts of the ``ReusedList`` values written so far, by identity
    and indent."""
    if isinstance(value, str):
        parts.append(_encode_string(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        inner = newline + "  "
        separator = "," + inner
        parts.append("{")
        first = True
        for key in sorted(value):
            parts.append(inner if first else separator)
            first = False
            parts.append(_encode_string(_key_text(key)))
            item = value[key]
            if type(item) is str:  # most leaves: no call of their own
                parts.append(": ")
                parts.append(_encode_string(item))
            else:
                parts.append(": ")
                _write(item, parts, inner, reused)
        parts.append(newline + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            parts.append("[]")
            return
        if type(value) is not ReusedList:
            _write_array(value, parts, newline, reused)
            return
        key = (id(value), newline)
        text = reused.get(key)
        if text is None:
            own: list[str] = []
            _write_array(value, own, newline, reused)
            text = reused[key] = "".join(own)
        parts.append(text)
    elif isinstance(value, (int, float)):
        parts.append(_NUMBER.encode(value))
    else:  # what json.dumps would refuse
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _write_array(
    value: list[Any] | tuple[Any, ...],
    parts: list[str],
    newline: str,
    reused: dict[tuple[int, str], str],
) -> None:
    """Append a non-empty array as indented JSON (see ``_write``)."""
    inner = newline + "  "
    separator = "," + inner
    parts.append("[")
    first = True
    for item in value:
        parts.append(inner if first else separator)
        first = False
        if type(item) is str:
            parts.append(_encode_string(item))
        else:
            _write(item, parts, inner, reused)
    parts.append(newline + "]")


def _key_text(key: Any) -> str:
    """A dict key as json.dumps writes it (keys heiki writes are strings)."""
    if isinstance(key, str):
        return key
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, (int, float)):
        return _NUMBER.encode(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
