"""Numeric functions (MS Learn: template-functions-numeric). Integers are 64-bit; division and
remainder truncate toward zero as in .NET."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from heiki.sources.arm.expressions.errors import ExpressionError
from heiki.sources.arm.expressions.functions.registry import arm_function
from heiki.sources.arm.expressions.functions.values import need_int, wrong_type
from heiki.sources.arm.expressions.unknown import first_unknown

if TYPE_CHECKING:
    from heiki.sources.arm.expressions.evaluator import Evaluator


@arm_function("add", 2, 2)
def _add(ev: Evaluator, args: list[Any]) -> Any:
    return need_int("add", args, 0) + need_int("add", args, 1)


@arm_function("sub", 2, 2)
def _sub(ev: Evaluator, args: list[Any]) -> Any:
    return need_int("sub", args, 0) - need_int("sub", args, 1)


@arm_function("mul", 2, 2)
def _mul(ev: Evaluator, args: list[Any]) -> Any:
    return need_int("mul", args, 0) * need_int("mul", args, 1)


def _divisor(function: str, args: list[Any]) -> tuple[int, int]:
    left, right = need_int(function, args, 0), need_int(function, args, 1)
    if right == 0:
        raise ExpressionError(f"{function}(): division by zero")
    return left, right


@arm_function("div", 2, 2)
def _div(ev: Evaluator, args: list[Any]) -> Any:
    left, right = _divisor("div", args)
    quotient = abs(left) // abs(right)
    return quotient if (left >= 0) == (right >= 0) else -quotient


@arm_function("mod", 2, 2)
def _mod(ev: Evaluator, args: list[Any]) -> Any:
    left, right = _divisor("mod", args)
    remainder = abs(left) % abs(right)
    return remainder if left >= 0 else -remainder


@arm_function("int", 1, 1)
def _int(ev: Evaluator, args: list[Any]) -> Any:
    value = args[0]
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise ExpressionError(f"int(): {value!r} is not an integer") from None
    if isinstance(value, float):
        return int(value)
    return need_int("int", args, 0)


@arm_function("float", 1, 1)
def _float(ev: Evaluator, args: list[Any]) -> Any:
    value = args[0]
    try:
        return float(value)
    except (TypeError, ValueError):
        raise wrong_type("float", 0, "a number or numeric string", value) from None


def _extreme(function: str, args: list[Any], pick: Any) -> Any:
    values = args[0] if len(args) == 1 and isinstance(args[0], list) else args
    unknown = first_unknown(values)
    if unknown is not None:
        return unknown
    if not values:
        raise ExpressionError(f"{function}(): no values")
    return pick(need_int(function, values, i) for i in range(len(values)))


@arm_function("max", 1, None)
def _max(ev: Evaluator, args: list[Any]) -> Any:
    return _extreme("max", args, max)


@arm_function("min", 1, None)
def _min(ev: Evaluator, args: list[Any]) -> Any:
    return _extreme("min", args, min)


@arm_function("copyIndex", 0, 2)
def _copy_index(ev: Evaluator, args: list[Any]) -> Any:
    loop: str | None = None
    offset = 0
    if args and isinstance(args[0], str):
        loop = args[0]
        if len(args) > 1:
            offset = need_int("copyIndex", args, 1)
    elif args:
        offset = need_int("copyIndex", args, 0)
    return ev.scope.copy_index(loop) + offset
