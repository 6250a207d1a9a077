"""The table of template functions: name, argument count, and whether arguments are evaluated
before the call (strict) or handed over as syntax (lazy: ``if``, ``lambda``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from heiki.sources.arm.expressions.evaluator import Evaluator

if TYPE_CHECKING:
    from heiki.sources.arm.expressions.syntax import Node

StrictImpl = Callable[["Evaluator", list[Any]], Any]
LazyImpl = Callable[["Evaluator", "tuple[Node, ...]"], Any]


@dataclass(frozen=True, slots=True)
class Function:
    """A template function: its arity and how it treats unknown arguments."""

    name: str
    min_args: int
    max_args: int | None
    strict: StrictImpl | None = None
    lazy: LazyImpl | None = None
    accepts_unknown: bool = False
    """Strict functions normally return an unknown when an argument is unknown; those that can
    still decide (``coalesce``, ``length`` of an array...) handle unknowns themselves."""


FUNCTIONS: dict[str, Function] = {}


def arm_function(
    name: str, min_args: int = 0, max_args: int | None = None, accepts_unknown: bool = False
) -> Callable[[StrictImpl], StrictImpl]:
    def register(impl: StrictImpl) -> StrictImpl:
        FUNCTIONS[name.lower()] = Function(
            name, min_args, max_args, strict=impl, accepts_unknown=accepts_unknown
        )
        return impl

    return register


def lazy_function(
    name: str, min_args: int = 0, max_args: int | None = None
) -> Callable[[LazyImpl], LazyImpl]:
    def register(impl: LazyImpl) -> LazyImpl:
        FUNCTIONS[name.lower()] = Function(name, min_args, max_args, lazy=impl)
        return impl

    return register
