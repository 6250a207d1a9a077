"""Argument checks and JSON-value helpers shared by the function groups."""

from __future__ import annotations

from typing import Any

from heiki.sources.arm.expressions.errors import ExpressionError


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def wrong_type(function: str, position: int, expected: str, value: Any) -> ExpressionError:
    return ExpressionError(
        f"{function}(): argument {position + 1} must be {expected}, not {type_name(value)}"
    )


def need_str(function: str, args: list[Any], position: int) -> str:
    value = args[position]
    if not isinstance(value, str):
        raise wrong_type(function, position, "a string", value)
    return value


def need_int(function: str, args: list[Any], position: int) -> int:
    value = args[position]
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise wrong_type(function, position, "an integer", value)
    return value


def need_list(function: str, args: list[Any], position: int) -> list[Any]:
    value = args[position]
    if not isinstance(value, list):
        raise wrong_type(function, position, "an array", value)
    return value


def need_dict(function: str, args: list[Any], position: int) -> dict[str, Any]:
    value = args[position]
    if not isinstance(value, dict):
        raise wrong_type(function, position, "an object", value)
    return value


def need_bool(function: str, args: list[Any], position: int) -> bool:
    value = args[position]
    if not isinstance(value, bool):
        raise wrong_type(function, position, "a boolean", value)
    return value


def get_property(value: dict[str, Any], name: str) -> tuple[bool, Any]:
    """ARM property names are case-insensitive; an exact match wins."""
    if name in value:
        return True, value[name]
    lowered = name.lower()
    for key, item in value.items():
        if key.lower() == lowered:
            return True, item
    return False, None


def json_equal(left: Any, right: Any) -> bool:
    """equals(): deep equality; strings case-sensitive, object keys case-insensitive."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            json_equal(a, b) for a, b in zip(left, right, strict=False)
        )
    if isinstance(left, dict) and isinstance(right, dict):
        if len(left) != len(right):
            return False
        for key, item in left.items():
            found, other = get_property(right, key)
            if not found or not json_equal(item, other):
                return False
        return True
    return type(left) is type(right) and left == right
