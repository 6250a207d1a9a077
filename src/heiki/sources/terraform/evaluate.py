"""Evaluate HCL expressions with Terraform's semantics.

Values are plain Python: str, int/float (Terraform's number), bool, None (null), list (tuple, list
and set), dict (object and map). What Terraform knows only after apply - an ID Azure assigns, a
``random_*`` result, ``timestamp()`` - is an ``Unknown`` that propagates through every operation
and function that needs it, never a guess (the same value the ARM path uses).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from heiki.sources.arm.expressions.unknown import PartialObject, Unknown
from heiki.sources.terraform.syntax import (
    Binary,
    Call,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Literal,
    ObjectExpr,
    Splat,
    Template,
    TupleExpr,
    Unary,
    Variable,
    Where,
)

MAX_DEPTH = 64
MAX_TEXT = 4 * 1024 * 1024
"""Characters of one string value (as the ARM path: what a template may hold at most)."""
MAX_ITEMS = 1_000_000
"""Elements of one list or map value."""
MAX_STEPS = 2_000_000
"""Expressions evaluated for one module: nested ``for`` over ``range()`` cannot run forever."""


class TfEvalError(Exception):
    def __init__(self, message: str, where: Where | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where


@dataclass
class Context:
    """What names mean where an expression is evaluated."""

    resolve: Callable[[str, Where], Any]
    """The value of a root name (``var``, ``local``, ``azurerm_subnet``, ``each``...)."""
    locals: dict[str, Any] = field(default_factory=dict)
    """Names bound by ``for`` expressions (and ``each`` / ``count`` of the block)."""
    functions: dict[str, Callable[..., Any]] = field(default_factory=dict)
    lazy: dict[str, Callable[[Evaluator, tuple[Expr, ...]], Any]] = field(default_factory=dict)
    steps: list[int] = field(default_factory=lambda: [MAX_STEPS])
    """Evaluation steps left, shared by every child context of the module."""

    def child(self, bound: dict[str, Any]) -> Context:
        return Context(
            self.resolve, {**self.locals, **bound}, self.functions, self.lazy, self.steps
        )


class Evaluator:
    def __init__(self, context: Context, depth: int = 0) -> None:
        self.context = context
        self.depth = depth

    def with_locals(self, bound: dict[str, Any]) -> Evaluator:
        return Evaluator(self.context.child(bound), self.depth + 1)

    def evaluate(self, node: Expr) -> Any:
        if self.depth > MAX_DEPTH:
            raise TfEvalError("expression nested too deeply", node.where)
        self.context.steps[0] -= 1
        if self.context.steps[0] < 0:
            raise TfEvalError(
                f"more than {MAX_STEPS} expressions evaluated: the configuration does not end",
                node.where,
            )
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Template):
            return self.template(node)
        if isinstance(node, Variable):
            if node.name in self.context.locals:
                return self.context.locals[node.name]
            return self.context.resolve(node.name, node.where)
        if isinstance(node, GetAttr):
            return get_attr(self.evaluate(node.target), node.name, node.where)
        if isinstance(node, Index):
            return index(self.evaluate(node.target), self.evaluate(node.key), node.where)
        if isinstance(node, Splat):
            return self.splat(node)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Unary):
            return unary(node.op, self.evaluate(node.operand), node.where)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Conditional):
            condition = self.evaluate(node.condition)
            if isinstance(condition, Unknown):
                return condition
            if not isinstance(condition, bool):
                raise TfEvalError(f"a condition must be a bool, not {_type(condition)}", node.where)
            return self.evaluate(node.then if condition else node.otherwise)
        if isinstance(node, TupleExpr):
            return [self.evaluate(item) for item in node.items]
        if isinstance(node, ObjectExpr):
            result: dict[str, Any] = {}
            for key_node, value_node in node.items:
                key = self.evaluate(key_node)
                if isinstance(key, Unknown):
                    return key
                result[to_string(key, key_node.where)] = self.evaluate(value_node)
            return result
        if isinstance(node, ForExpr):
            return self.for_expr(node)
        raise TfEvalError(f"cannot evaluate {type(node).__name__}", node.where)

    def template(self, node: Template) -> Any:
        out: list[str] = []
        for part in node.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = self.evaluate(part)
            if isinstance(value, Unknown):
                return value
            out.append(to_string(value, part.where))
        return bounded("".join(out), node.where)

    def splat(self, node: Splat) -> Any:
        target = self.evaluate(node.target)
        if isinstance(target, Unknown):
            return target
        if target is None:
            return []
        items = target if isinstance(target, list) else [target]
        result = []
        for item in items:
            value = item
            for kind, step in node.steps:
                if kind == "attr":
                    value = get_attr(value, step, node.where)
                else:
                    value = index(value, self.evaluate(step), node.where)
            result.append(value)
        return result

    def call(self, node: Call) -> Any:
        name = node.name.split("::")[-1]
        lazy = self.context.lazy.get(name)
        if lazy is not None:
            return lazy(self, node.args)
        function = self.context.functions.get(name)
        if function is None:
            raise TfEvalError(f"unknown function {node.name}()", node.where)
        args = [self.evaluate(a) for a in node.args]
        if node.expand_last and args:
            last = args.pop()
            if isinstance(last, Unknown):
                return last
            args += list(last)
        try:
            return bounded(function(*args), node.where)
        except TfEvalError as error:
            raise TfEvalError(f"{name}(): {error.message}", error.where or node.where) from None
        except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError) as error:
            raise TfEvalError(f"{name}(): {error}", node.where) from None

    def binary(self, node: Binary) -> Any:
        op = node.op
        left = self.evaluate(node.left)
        if op == "&&" and left is False:
            return False
        if op == "||" and left is True:
            return True
        right = self.evaluate(node.right)
        for value in (left, right):
            if isinstance(value, Unknown):
                return value
        if op in ("==", "!="):
            equal = _equal(left, right)
            return equal if op == "==" else not equal
        if op in ("&&", "||"):
            if not isinstance(left, bool) or not isinstance(right, bool):
                raise TfEvalError(f"{op} needs bools", node.where)
            return left and right if op == "&&" else left or right
        a, b = to_number(left, node.where), to_number(right, node.where)
        if op == "+":
            return _norm(a + b)
        if op == "-":
            return _norm(a - b)
        if op == "*":
            return _norm(a * b)
        if op == "/":
            if b == 0:
                raise TfEvalError("division by zero", node.where)
            return _norm(a / b)
        if op == "%":
            if b == 0:
                raise TfEvalError("modulo by zero", node.where)
            return _norm(a % b)
        comparisons: dict[str, Callable[[float, float], bool]] = {
            "<": lambda x, y: x < y,
            ">": lambda x, y: x > y,
            "<=": lambda x, y: x <= y,
            ">=": lambda x, y: x >= y,
        }
        if op in comparisons:
            return comparisons[op](a, b)
        raise TfEvalError(f"unknown operator {op}", node.where)

    def for_expr(self, node: ForExpr) -> Any:
        collection = self.evaluate(node.collection)
        if isinstance(collection, Unknown):
            return collection
        pairs: list[tuple[Any, Any]]
        if isinstance(collection, dict):
            pairs = sorted(collection.items(), key=lambda kv: str(kv[0]))
        elif isinstance(collection, list):
            pairs = list(enumerate(collection))
        else:
            raise TfEvalError(f"for needs a collection, not {_type(collection)}", node.where)
        tuple_result: list[Any] = []
        object_result: dict[str, Any] = {}
        for key, value in pairs:
            bound = {node.value_name: value}
            if node.key_name:
                bound[node.key_name] = key
            inner = self.with_locals(bound)
            if node.condition is not None:
                keep = inner.evaluate(node.condition)
                if isinstance(keep, Unknown):
                    return keep
                if keep is not True:
                    continue
            item = inner.evaluate(node.value)
            if node.key is None:
                tuple_result.append(item)
                continue
            result_key = inner.evaluate(node.key)
            if isinstance(result_key, Unknown):
                return result_key
            text = to_string(result_key, node.where)
            if node.group:
                object_result.setdefault(text, []).append(item)
            elif text in object_result:
                raise TfEvalError(f"duplicate key {text!r} in for expression", node.where)
            else:
                object_result[text] = item
        return tuple_result if node.key is None else object_result


# -- value helpers -----------------------------------------------------------------------------


def bounded(value: Any, where: Where | None) -> Any:
    """A value within the evaluation budget (doubling a list or a string 40 times must stop at
    a located error, not at the machine's memory)."""
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise TfEvalError(f"a string of more than {MAX_TEXT} characters", where)
    if isinstance(value, (list, dict)) and len(value) > MAX_ITEMS:
        raise TfEvalError(f"a collection of more than {MAX_ITEMS} elements", where)
    return value


def _type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return "null" if value is None else type(value).__name__


def _norm(value: float) -> int | float:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def to_number(value: Any, where: Where | None = None) -> int | float:
    if isinstance(value, bool):
        raise TfEvalError("a bool is not a number", where)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return _norm(float(value)) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            raise TfEvalError(f"{value!r} is not a number", where) from None
    raise TfEvalError(f"a {_type(value)} is not a number", where)


def to_string(value: Any, where: Where | None = None) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(_norm(value)) if not value.is_integer() else str(int(value))
    if isinstance(value, (int, str)):
        return str(value)
    raise TfEvalError(f"a {_type(value)} cannot be used as a string", where)


def get_attr(value: Any, name: str, where: Where) -> Any:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        if name in value:
            return value[name]
        if isinstance(value, PartialObject):
            return value.missing(name)
        raise TfEvalError(f"no attribute {name!r}", where)
    if value is None:
        raise TfEvalError(f"attribute {name!r} of null", where)
    raise TfEvalError(f"a {_type(value)} has no attribute {name!r}", where)


def index(value: Any, key: Any, where: Where) -> Any:
    if isinstance(value, Unknown):
        return value
    if isinstance(key, Unknown):
        return key
    if isinstance(value, list):
        position = to_number(key, where)
        if not isinstance(position, int) or not 0 <= position < len(value):
            raise TfEvalError(f"index {key} out of range (length {len(value)})", where)
        return value[position]
    if isinstance(value, dict):
        text = to_string(key, where)
        if text in value:
            return value[text]
        if isinstance(value, PartialObject):
            return value.missing(text)
        raise TfEvalError(f"no key {text!r}", where)
    raise TfEvalError(f"a {_type(value)} cannot be indexed", where)


def unary(op: str, value: Any, where: Where) -> Any:
    if isinstance(value, Unknown):
        return value
    if op == "!":
        if not isinstance(value, bool):
            raise TfEvalError("! needs a bool", where)
        return not value
    return _norm(-to_number(value, where))
