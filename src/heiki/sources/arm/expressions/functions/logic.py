"""Logical and comparison functions (MS Learn: template-functions-logical, -comparison)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from heiki.sources.arm.expressions.errors import ExpressionError
from heiki.sources.arm.expressions.functions.registry import arm_function, lazy_function
from heiki.sources.arm.expressions.functions.values import (
    json_equal,
    need_bool,
    type_name,
    wrong_type,
)
from heiki.sources.arm.expressions.syntax import Node
from heiki.sources.arm.expressions.unknown import Unknown

if TYPE_CHECKING:
    from heiki.sources.arm.expressions.evaluator import Evaluator


@arm_function("and", 2, None, accepts_unknown=True)
def _and(ev: Evaluator, args: list[Any]) -> Any:
    unknown = None
    for position, value in enumerate(args):
        if isinstance(value, Unknown):
            unknown = unknown or value
        elif not need_bool("and", args, position):
            return False  # decided whatever the unknowns are
    return unknown if unknown is not None else True


@arm_function("or", 2, None, accepts_unknown=True)
def _or(ev: Evaluator, args: list[Any]) -> Any:
    unknown = None
    for position, value in enumerate(args):
        if isinstance(value, Unknown):
            unknown = unknown or value
        elif need_bool("or", args, position):
            return True
    return unknown if unknown is not None else False


@arm_function("not", 1, 1)
def _not(ev: Evaluator, args: list[Any]) -> Any:
    return not need_bool("not", args, 0)


@arm_function("bool", 1, 1)
def _bool(ev: Evaluator, args: list[Any]) -> Any:
    value = args[0]
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise wrong_type("bool", 0, "'true', 'false' or an integer", value)


@arm_function("true", 0, 0)
def _true(ev: Evaluator, args: list[Any]) -> Any:
    return True


@arm_function("false", 0, 0)
def _false(ev: Evaluator, args: list[Any]) -> Any:
    return False


@lazy_function("if", 3, 3)
def _if(ev: Evaluator, nodes: tuple[Node, ...]) -> Any:
    # Only the chosen branch is evaluated (documented), so the other may be invalid.
    condition = ev.evaluate(nodes[0])
    if isinstance(condition, Unknown):
        return condition.then("if() condition")
    if not isinstance(condition, bool):
        raise ExpressionError(f"if(): the condition must be a boolean, not {type_name(condition)}")
    return ev.evaluate(nodes[1] if condition else nodes[2])


@arm_function("coalesce", 1, None, accepts_unknown=True)
def _coalesce(ev: Evaluator, args: list[Any]) -> Any:
    for value in args:
        if isinstance(value, Unknown):
            return value  # it may or may not be null
        if value is not None:
            return value
    return None


@arm_function("equals", 2, 2)
def _equals(ev: Evaluator, args: list[Any]) -> Any:
    return json_equal(args[0], args[1])


def _ordered(function: str, args: list[Any]) -> tuple[Any, Any]:
    left, right = args
    numbers = (int, float)
    if (
        isinstance(left, numbers)
        and isinstance(right, numbers)
        and not isinstance(left, bool)
        and not isinstance(right, bool)
    ):
        return left, right
    if isinstance(left, str) and isinstance(right, str):
        return left, right  # ordinal
    raise ExpressionError(f"{function}(): cannot compare {type_name(left)} with {type_name(right)}")


@arm_function("greater", 2, 2)
def _greater(ev: Evaluator, args: list[Any]) -> Any:
    left, right = _ordered("greater", args)
    return left > right


@arm_function("greaterOrEquals", 2, 2)
def _greater_or_equals(ev: Evaluator, args: list[Any]) -> Any:
    left, right = _ordered("greaterOrEquals", args)
    return left >= right


@arm_function("less", 2, 2)
def _less(ev: Evaluator, args: list[Any]) -> Any:
    left, right = _ordered("less", args)
    return left < right


@arm_function("lessOrEquals", 2, 2)
def _less_or_equals(ev: Evaluator, args: list[Any]) -> Any:
    left, right = _ordered("lessOrEquals", args)
    return left <= right
