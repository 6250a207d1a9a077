"""``format()``: .NET composite formatting as ARM applies it, and ARM's value-to-string rules.

Holes are ``{index[,alignment][:spec]}``; ``{{`` and ``}}`` are literal braces (Bicep doubles every
brace of an interpolated string's text). Specs: ``D``/``d`` (zero-padded integer), ``N``/``n``
(thousands separators, en-US), ``F``/``f`` (fixed point), ``X``/``x`` (hexadecimal); others pass
the value through unchanged. Arrays and objects print as compact JSON with single quotes, booleans
as ``True`` / ``False`` and null as the empty string (arm-details.md section 3).
"""

from __future__ import annotations

import json
import re
from typing import Any

from heiki.sources.arm.expressions.errors import ExpressionError
from heiki.sources.arm.expressions.limits import MAX_TEXT

_HOLE = re.compile(r"\{(\d+)(?:,(-?\d+))?(?::([^}]*))?\}")


def dotnet_string(value: Any) -> str:
    """How .NET prints a JSON value in format()."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).replace('"', "'")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_MAX_WIDTH = MAX_TEXT


def _apply_spec(value: Any, spec: str) -> str:
    if not spec or isinstance(value, bool) or not isinstance(value, (int, float)):
        return dotnet_string(value)
    kind, digits = spec[0], spec[1:]
    if digits and not (digits.isascii() and digits.isdigit()):
        return dotnet_string(value)
    width = int(digits) if digits else None
    if width is not None and width > _MAX_WIDTH:
        raise ExpressionError(f"format(): a width of {width} is more than a template may hold")
    if kind in "Dd" and isinstance(value, int):
        text = str(abs(value)).zfill(width or 0)
        return f"-{text}" if value < 0 else text
    if kind in "Nn":
        return f"{value:,.{2 if width is None else width}f}"
    if kind in "Ff":
        return f"{value:.{2 if width is None else width}f}"
    if kind in "Xx" and isinstance(value, int):
        text = format(
            value & 0xFFFFFFFFFFFFFFFF if value < 0 else value, "X" if kind == "X" else "x"
        )
        return text.zfill(width or 0)
    return dotnet_string(value)


def dotnet_format(template: str, args: list[Any]) -> str:
    out: list[str] = []
    position = 0
    length = len(template)
    while position < length:
        char = template[position]
        if char == "{":
            if template.startswith("{{", position):
                out.append("{")
                position += 2
                continue
            match = _HOLE.match(template, position)
            if match is None:
                raise ExpressionError(
                    f"invalid format string: bad hole at {position}: {template!r}"
                )
            index = int(match.group(1))
            if index >= len(args):
                raise ExpressionError(
                    f"format string refers to argument {index} but only {len(args)} given"
                )
            text = _apply_spec(args[index], match.group(3) or "")
            if match.group(2):
                alignment = int(match.group(2))
                if abs(alignment) > _MAX_WIDTH:
                    raise ExpressionError(
                        f"format(): an alignment of {alignment} is more than a template may hold"
                    )
                text = text.ljust(-alignment) if alignment < 0 else text.rjust(alignment)
            out.append(text)
            position = match.end()
        elif char == "}":
            if template.startswith("}}", position):
                out.append("}")
                position += 2
                continue
            raise ExpressionError(f"invalid format string: lone '}}' at {position}: {template!r}")
        else:
            next_brace = min(
                (i for i in (template.find("{", position), template.find("}", position)) if i >= 0),
                default=length,
            )
            out.append(template[position:next_brace])
            position = next_brace
    return "".join(out)
