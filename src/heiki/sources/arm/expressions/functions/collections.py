"""Array and object functions, and the ones shared with strings (MS Learn:
template-functions-array, template-functions-object)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from heiki.sources.arm.expressions.errors import ExpressionError
from heiki.sources.arm.expressions.formatting import dotnet_string
from heiki.sources.arm.expressions.functions.registry import arm_function
from heiki.sources.arm.expressions.functions.values import (
    get_property,
    json_equal,
    need_dict,
    need_int,
    need_list,
    need_str,
    type_name,
    wrong_type,
)
from heiki.sources.arm.expressions.unknown import Unknown

if TYPE_CHECKING:
    from heiki.sources.arm.expressions.evaluator import Evaluator


@arm_function("array", 1, 1, accepts_unknown=True)
def _array(ev: Evaluator, args: list[Any]) -> Any:
    return args[0] if isinstance(args[0], list) else [args[0]]


@arm_function("createArray", 0, None, accepts_unknown=True)
def _create_array(ev: Evaluator, args: list[Any]) -> Any:
    return list(args)


@arm_function("createObject", 0, None, accepts_unknown=True)
def _create_object(ev: Evaluator, args: list[Any]) -> Any:
    if len(args) % 2:
        raise ExpressionError("createObject() needs key/value pairs (an even number of arguments)")
    result: dict[str, Any] = {}
    for position in range(0, len(args), 2):
        key = args[position]
        if isinstance(key, Unknown):
            return key
        result[need_str("createObject", args, position)] = args[position + 1]
    return result


@arm_function("null", 0, 0)
def _null(ev: Evaluator, args: list[Any]) -> Any:
    return None


@arm_function("concat", 0, None, accepts_unknown=True)
def _concat(ev: Evaluator, args: list[Any]) -> Any:
    if args and isinstance(args[0], list):
        result: list[Any] = []
        for position, value in enumerate(args):
            if isinstance(value, Unknown):
                return value
            if value is None:
                continue
            result += need_list("concat", args, position)
        return result
    parts: list[str] = []
    for position, value in enumerate(args):
        if isinstance(value, Unknown):
            return value
        if isinstance(value, (list, dict)):
            raise wrong_type("concat", position, "a string (all arguments must match)", value)
        parts.append(dotnet_string(value))
    return "".join(parts)


@arm_function("contains", 2, 2)
def _contains(ev: Evaluator, args: list[Any]) -> Any:
    container, item = args
    if isinstance(container, str):
        return dotnet_string(item) in container  # case-sensitive
    if isinstance(container, list):
        return any(json_equal(element, item) for element in container)
    if isinstance(container, dict):
        return get_property(container, need_str("contains", args, 1))[0]  # keys: insensitive
    raise wrong_type("contains", 0, "a string, array or object", container)


@arm_function("empty", 1, 1)
def _empty(ev: Evaluator, args: list[Any]) -> Any:
    value = args[0]
    if value is None:
        return True
    if isinstance(value, (str, list, dict)):
        return len(value) == 0
    raise wrong_type("empty", 0, "a string, array or object", value)


@arm_function("length", 1, 1)
def _length(ev: Evaluator, args: list[Any]) -> Any:
    value = args[0]
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise wrong_type("length", 0, "a string, array or object", value)


def _sequence(function: str, args: list[Any]) -> str | list[Any]:
    value = args[0]
    if not isinstance(value, (str, list)):
        raise wrong_type(function, 0, "a string or array", value)
    return value


@arm_function("first", 1, 1)
def _first(ev: Evaluator, args: list[Any]) -> Any:
    value = _sequence("first", args)
    if not value:
        return "" if isinstance(value, str) else None
    return value[0]


@arm_function("last", 1, 1)
def _last(ev: Evaluator, args: list[Any]) -> Any:
    value = _sequence("last", args)
    if not value:
        return "" if isinstance(value, str) else None
    return value[-1]


def _index_of(function: str, args: list[Any], last: bool) -> int:
    value = _sequence(function, args)
    if isinstance(value, str):
        # case-insensitive for strings, as documented
        needle = need_str(function, args, 1).lower()
        haystack = value.lower()
        return haystack.rfind(needle) if last else haystack.find(needle)
    positions = [i for i, item in enumerate(value) if json_equal(item, args[1])]
    if not positions:
        return -1
    return positions[-1] if last else positions[0]


@arm_function("indexOf", 2, 2)
def _index_of_first(ev: Evaluator, args: list[Any]) -> Any:
    return _index_of("indexOf", args, last=False)


@arm_function("lastIndexOf", 2, 2)
def _index_of_last(ev: Evaluator, args: list[Any]) -> Any:
    return _index_of("lastIndexOf", args, last=True)


@arm_function("skip", 2, 2)
def _skip(ev: Evaluator, args: list[Any]) -> Any:
    value = _sequence("skip", args)
    count = max(0, need_int("skip", args, 1))
    return value[count:]


@arm_function("take", 2, 2)
def _take(ev: Evaluator, args: list[Any]) -> Any:
    value = _sequence("take", args)
    count = max(0, need_int("take", args, 1))
    return value[:count]


@arm_function("range", 2, 2)
def _range(ev: Evaluator, args: list[Any]) -> Any:
    start = need_int("range", args, 0)
    count = need_int("range", args, 1)
    if count < 0 or count > 10000:
        raise ExpressionError(f"range(): count must be between 0 and 10000, not {count}")
    return list(range(start, start + count))


@arm_function("flatten", 1, 1)
def _flatten(ev: Evaluator, args: list[Any]) -> Any:
    result: list[Any] = []
    for position, item in enumerate(need_list("flatten", args, 0)):
        if isinstance(item, Unknown):
            return item
        if not isinstance(item, list):
            raise ExpressionError(
                f"flatten(): element {position} is {type_name(item)}, not an array"
            )
        result += item
    return result


def _deep_merge(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    merged = dict(left)
    for key, value in right.items():
        existing = next((k for k in merged if k.lower() == key.lower()), None)
        if existing is not None and isinstance(merged[existing], dict) and isinstance(value, dict):
            merged[existing] = _deep_merge(merged[existing], value)
        else:
            if existing is not None:
                del merged[existing]
            merged[key] = value
    return merged


@arm_function("union", 1, None)
def _union(ev: Evaluator, args: list[Any]) -> Any:
    if isinstance(args[0], list):
        result: list[Any] = []
        for position in range(len(args)):
            for item in need_list("union", args, position):
                if not any(json_equal(item, seen) for seen in result):
                    result.append(item)
        return result
    merged: dict[str, Any] = {}
    for position in range(len(args)):
        merged = _deep_merge(merged, need_dict("union", args, position))
    return merged


@arm_function("intersection", 1, None)
def _intersection(ev: Evaluator, args: list[Any]) -> Any:
    if isinstance(args[0], list):
        others = [need_list("intersection", args, i) for i in range(1, len(args))]
        result: list[Any] = []
        for item in args[0]:
            if all(any(json_equal(item, o) for o in other) for other in others) and not any(
                json_equal(item, r) for r in result
            ):
                result.append(item)
        return result
    first = need_dict("intersection", args, 0)
    rest = [need_dict("intersection", args, i) for i in range(1, len(args))]
    return {
        key: value
        for key, value in first.items()
        if all(
            (found := get_property(other, key))[0] and json_equal(found[1], value) for other in rest
        )
    }


@arm_function("items", 1, 1)
def _items(ev: Evaluator, args: list[Any]) -> Any:
    value = need_dict("items", args, 0)
    return [{"key": key, "value": value[key]} for key in sorted(value, key=str.lower)]


@arm_function("objectKeys", 1, 1)
def _object_keys(ev: Evaluator, args: list[Any]) -> Any:
    return list(need_dict("objectKeys", args, 0))


@arm_function("shallowMerge", 1, 1)
def _shallow_merge(ev: Evaluator, args: list[Any]) -> Any:
    merged: dict[str, Any] = {}
    for position, item in enumerate(need_list("shallowMerge", args, 0)):
        if isinstance(item, Unknown):
            return item
        if not isinstance(item, dict):
            raise ExpressionError(f"shallowMerge(): element {position} is not an object")
        for key, value in item.items():
            existing = next((k for k in merged if k.lower() == key.lower()), None)
            if existing is not None:
                del merged[existing]
            merged[key] = value
    return merged


@arm_function("tryGet", 2, None)
def _try_get(ev: Evaluator, args: list[Any]) -> Any:
    value = args[0]
    for key in args[1:]:
        if value is None:
            return None
        if isinstance(value, dict) and isinstance(key, str):
            found, value = get_property(value, key)
            if not found:
                return None
        elif isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool):
            if not 0 <= key < len(value):
                return None
            value = value[key]
        else:
            return None
    return value


@arm_function("tryIndexFromEnd", 2, 2)
def _try_index_from_end(ev: Evaluator, args: list[Any]) -> Any:
    items = need_list("tryIndexFromEnd", args, 0)
    position = need_int("tryIndexFromEnd", args, 1)
    return items[-position] if 0 < position <= len(items) else None


@arm_function("indexFromEnd", 2, 2)
def _index_from_end(ev: Evaluator, args: list[Any]) -> Any:
    items = need_list("indexFromEnd", args, 0)
    position = need_int("indexFromEnd", args, 1)
    if not 0 < position <= len(items):
        raise ExpressionError(f"indexFromEnd(): {position} is outside the array")
    return items[-position]
