"""Lambda functions (MS Learn: template-functions-lambda): ``lambda``, ``lambdaVariables`` and
the functions that take lambdas."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from heiki.sources.arm.expressions.errors import ExpressionError
from heiki.sources.arm.expressions.functions.registry import arm_function, lazy_function
from heiki.sources.arm.expressions.functions.values import (
    need_dict,
    need_list,
    need_str,
    type_name,
)
from heiki.sources.arm.expressions.syntax import Literal, Node
from heiki.sources.arm.expressions.unknown import Unknown

if TYPE_CHECKING:
    from heiki.sources.arm.expressions.evaluator import Evaluator


@dataclass(frozen=True)
class Lambda:
    """An ARM ``lambda()`` value: parameters, body and the variables it closes over."""

    parameters: tuple[str, ...]
    body: Node
    closure: Evaluator

    def __call__(self, *values: Any) -> Any:
        bindings = dict(zip(self.parameters, values, strict=False))
        return self.closure.with_lambdas(bindings).evaluate(self.body)


@lazy_function("lambda", 2, None)
def _lambda(ev: Evaluator, nodes: tuple[Node, ...]) -> Any:
    names: list[str] = []
    for node in nodes[:-1]:
        if not isinstance(node, Literal) or not isinstance(node.value, str):
            raise ExpressionError("lambda(): parameter names must be string literals")
        names.append(node.value)
    return Lambda(tuple(names), nodes[-1], ev)


@arm_function("lambdaVariables", 1, 1)
def _lambda_variables(ev: Evaluator, args: list[Any]) -> Any:
    name = need_str("lambdaVariables", args, 0)
    if name not in ev.lambdas:
        raise ExpressionError(f"lambdaVariables({name!r}): no lambda parameter of that name")
    return ev.lambdas[name]


def _need_lambda(function: str, args: list[Any], position: int, arity: int) -> Lambda:
    value = args[position]
    if not isinstance(value, Lambda):
        raise ExpressionError(f"{function}(): argument {position + 1} must be a lambda")
    if not 1 <= len(value.parameters) <= arity:
        raise ExpressionError(
            f"{function}(): the lambda takes {len(value.parameters)} parameter(s), "
            f"at most {arity} allowed"
        )
    return value


def _need_bool_result(function: str, value: Any) -> bool | Unknown:
    if isinstance(value, (Unknown, bool)):
        return value
    raise ExpressionError(f"{function}(): the lambda must return a boolean, not {type_name(value)}")


@arm_function("filter", 2, 2)
def _filter(ev: Evaluator, args: list[Any]) -> Any:
    items = need_list("filter", args, 0)
    predicate = _need_lambda("filter", args, 1, 2)
    kept = []
    for index, item in enumerate(items):
        decision = _need_bool_result("filter", predicate(item, index))
        if isinstance(decision, Unknown):
            return decision
        if decision:
            kept.append(item)
    return kept


@arm_function("map", 2, 2)
def _map(ev: Evaluator, args: list[Any]) -> Any:
    items = need_list("map", args, 0)
    mapper = _need_lambda("map", args, 1, 2)
    return [mapper(item, index) for index, item in enumerate(items)]


@arm_function("mapValues", 2, 2)
def _map_values(ev: Evaluator, args: list[Any]) -> Any:
    value = need_dict("mapValues", args, 0)
    mapper = _need_lambda("mapValues", args, 1, 1)
    return {key: mapper(item) for key, item in value.items()}


@arm_function("reduce", 3, 3, accepts_unknown=True)
def _reduce(ev: Evaluator, args: list[Any]) -> Any:
    if isinstance(args[0], Unknown):
        return args[0]
    items = need_list("reduce", args, 0)
    reducer = _need_lambda("reduce", args, 2, 3)
    current = args[1]
    for index, item in enumerate(items):
        current = reducer(current, item, index)
    return current


@arm_function("sort", 2, 2)
def _sort(ev: Evaluator, args: list[Any]) -> Any:
    items = need_list("sort", args, 0)
    before = _need_lambda("sort", args, 1, 2)
    unknown: list[Unknown] = []

    def compare(left: Any, right: Any) -> int:
        for a, b, result in ((left, right, -1), (right, left, 1)):
            decision = _need_bool_result("sort", before(a, b))
            if isinstance(decision, Unknown):
                unknown.append(decision)
                return 0
            if decision:
                return result
        return 0

    ordered = sorted(items, key=functools.cmp_to_key(compare))
    return unknown[0] if unknown else ordered


def _key(function: str, value: Any) -> str | Unknown:
    if isinstance(value, Unknown):
        return value
    if not isinstance(value, str):
        raise ExpressionError(f"{function}(): keys must be strings, not {type_name(value)}")
    return value


@arm_function("toObject", 2, 3)
def _to_object(ev: Evaluator, args: list[Any]) -> Any:
    items = need_list("toObject", args, 0)
    key_of = _need_lambda("toObject", args, 1, 1)
    value_of = _need_lambda("toObject", args, 2, 1) if len(args) > 2 else None
    result: dict[str, Any] = {}
    for item in items:
        key = _key("toObject", key_of(item))
        if isinstance(key, Unknown):
            return key
        result[key] = value_of(item) if value_of is not None else item
    return result


@arm_function("groupBy", 2, 2)
def _group_by(ev: Evaluator, args: list[Any]) -> Any:
    items = need_list("groupBy", args, 0)
    key_of = _need_lambda("groupBy", args, 1, 1)
    groups: dict[str, list[Any]] = {}
    for item in items:
        key = _key("groupBy", key_of(item))
        if isinstance(key, Unknown):
            return key
        groups.setdefault(key, []).append(item)
    return groups
