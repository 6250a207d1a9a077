"""Evaluate parsed expressions against a scope, propagating unknowns."""

from __future__ import annotations

from typing import Any

from heiki.sources.arm.expressions.errors import ExpressionError
from heiki.sources.arm.expressions.functions.registry import FUNCTIONS
from heiki.sources.arm.expressions.functions.resources import list_function
from heiki.sources.arm.expressions.functions.values import get_property, type_name
from heiki.sources.arm.expressions.limits import MAX_ITEMS, MAX_TEXT
from heiki.sources.arm.expressions.scope import Scope
from heiki.sources.arm.expressions.syntax import (
    Call,
    Index,
    Literal,
    Node,
    Property,
    is_expression,
    parse_expression,
    unescape_literal,
)
from heiki.sources.arm.expressions.unknown import PartialObject, Unknown, first_unknown

_MAX_DEPTH = 200


def _bounded(name: str, value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise ExpressionError(
            f"{name}() produces {len(value)} characters, more than a whole template may hold "
            f"({MAX_TEXT})"
        )
    if isinstance(value, (list, dict)) and len(value) > MAX_ITEMS:
        raise ExpressionError(f"{name}() produces {len(value)} items, more than {MAX_ITEMS}")
    return value


class Evaluator:
    """One evaluation: the scope, the lambda variables in effect, and the source text."""

    def __init__(
        self, scope: Scope, text: str = "", lambdas: dict[str, Any] | None = None, depth: int = 0
    ) -> None:
        self.scope = scope
        self.text = text
        self.lambdas = lambdas or {}
        self.depth = depth

    def with_lambdas(self, bindings: dict[str, Any]) -> Evaluator:
        return Evaluator(self.scope, self.text, {**self.lambdas, **bindings}, self.depth)

    def fail(self, message: str, node: Node | None = None) -> ExpressionError:
        return ExpressionError(message, self.text, node.offset if node is not None else None)

    def evaluate(self, node: Node) -> Any:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Call):
            return self._call(node)
        if isinstance(node, Property):
            return self._property(self.evaluate(node.target), node.name, node)
        return self._index(self.evaluate(node.target), self.evaluate(node.index), node)

    def _call(self, node: Call) -> Any:
        lowered = node.name.lower()
        function = FUNCTIONS.get(lowered)
        if function is None:
            if "." in lowered:
                return self._user_function(node)
            if lowered.startswith("list"):
                for arg in node.args:
                    self.evaluate(arg)
                return list_function(node.name)
            raise self.fail(f"unknown function {node.name!r}", node)
        count = len(node.args)
        if count < function.min_args or (
            function.max_args is not None and count > function.max_args
        ):
            expected = (
                str(function.min_args)
                if function.max_args == function.min_args
                else f"{function.min_args}..{function.max_args}"
                if function.max_args is not None
                else f"at least {function.min_args}"
            )
            raise self.fail(f"{function.name}() takes {expected} argument(s), {count} given", node)
        try:
            if function.lazy is not None:
                return function.lazy(self, node.args)
            args = [self.evaluate(arg) for arg in node.args]
            if not function.accepts_unknown:
                unknown = first_unknown(args)
                if unknown is not None:
                    return unknown
            assert function.strict is not None
            return _bounded(function.name, function.strict(self, args))
        except ExpressionError as error:
            if error.offset is None and not error.expression:
                raise self.fail(error.message, node) from None
            raise

    def _user_function(self, node: Call) -> Any:
        function = self.scope.functions.get(node.name.lower())
        if function is None:
            raise self.fail(f"unknown function {node.name!r}", node)
        if len(node.args) != len(function.parameters):
            raise self.fail(
                f"{node.name}() takes {len(function.parameters)} argument(s), "
                f"{len(node.args)} given",
                node,
            )
        if self.depth > _MAX_DEPTH:
            raise self.fail(f"{node.name}() recurses too deeply", node)
        args = [self.evaluate(arg) for arg in node.args]
        # User functions see only their own parameters (and no variables or template parameters).
        inner = Scope(
            parameters=dict(zip(function.parameters, args, strict=True)),
            environment=self.scope.environment,
            functions=self.scope.functions,
        )
        return evaluate_value(function.output, inner, self.depth + 1)

    def _property(self, target: Any, name: str, node: Node) -> Any:
        if isinstance(target, Unknown):
            return target
        if isinstance(target, dict):
            found, value = get_property(target, name)
            if not found and isinstance(target, PartialObject):
                return target.missing(name)
            if not found:
                raise self.fail(
                    f"the object has no property {name!r} (it has: "
                    f"{', '.join(sorted(target)) or 'none'})",
                    node,
                )
            return value
        raise self.fail(f"cannot read property {name!r} of {type_name(target)}", node)

    def _index(self, target: Any, index: Any, node: Node) -> Any:
        if isinstance(target, Unknown):
            return target
        if isinstance(index, Unknown):
            return index
        if isinstance(target, list):
            if isinstance(index, bool) or not isinstance(index, int):
                raise self.fail(f"an array index must be an integer, not {type_name(index)}", node)
            if not 0 <= index < len(target):
                raise self.fail(f"index {index} is outside the array of length {len(target)}", node)
            return target[index]
        if isinstance(target, dict):
            if not isinstance(index, str):
                raise self.fail(f"an object key must be a string, not {type_name(index)}", node)
            return self._property(target, index, node)
        raise self.fail(f"cannot index {type_name(target)}", node)


def evaluate_string(text: str, scope: Scope, depth: int = 0) -> Any:
    """A template string: an expression is evaluated, anything else is a literal."""
    if not is_expression(text):
        return unescape_literal(text)
    # Without reference() and the list functions, an expression's value depends only on the
    # scope (its parameters, variables and copy indexes, each fixed once evaluated): a value
    # that cannot be changed by whoever receives it is kept with the scope. reference() reads
    # the resources identified so far (a child is declared when its parent is evaluated).
    found = scope.known.get(text, _NOT_KNOWN)
    if found is not _NOT_KNOWN:
        return found
    tree = parse_expression(text)
    value = Evaluator(scope, text, depth=depth).evaluate(tree)
    if isinstance(value, _UNCHANGEABLE) and not _reads_resources(tree):
        scope.known[text] = value
    return value


_NOT_KNOWN = object()
_UNCHANGEABLE = (str, int, float, type(None), Unknown)


def _reads_resources(node: Node) -> bool:
    """Whether the expression calls reference(), references() or a list function."""
    if isinstance(node, Call):
        name = node.name.lower()
        return (
            name in ("reference", "references")
            or name.startswith("list")
            or any(_reads_resources(arg) for arg in node.args)
        )
    if isinstance(node, Property):
        return _reads_resources(node.target)
    if isinstance(node, Index):
        return _reads_resources(node.target) or _reads_resources(node.index)
    return False


def evaluate_value(value: Any, scope: Scope, depth: int = 0) -> Any:
    """Evaluate every expression inside a JSON value (objects and arrays recursively)."""
    if isinstance(value, str):
        # most strings of a template are plain text: no call for them
        return value if value[:1] != "[" else evaluate_string(value, scope, depth)
    if isinstance(value, list):
        return [evaluate_value(item, scope, depth) for item in value]
    if isinstance(value, dict):
        return {
            (key if key[:1] != "[" else evaluate_key(key, scope)): evaluate_value(
                item, scope, depth
            )
            for key, item in value.items()
        }
    return value


def evaluate_key(key: str, scope: Scope) -> str:
    """Property names may be expressions too (rare, but ARM allows it)."""
    if not is_expression(key):
        return unescape_literal(key)
    value = evaluate_string(key, scope)
    if isinstance(value, Unknown):
        raise ExpressionError(f"a property name cannot be unknown: {value.reason}", key)
    if not isinstance(value, str):
        raise ExpressionError(f"a property name must be a string, not {type_name(value)}", key)
    return value


# The function modules register themselves on import; they need this module's names only for
# type checking, so importing them last avoids a cycle.
from heiki.sources.arm.expressions import functions as _functions  # noqa: E402, F401
