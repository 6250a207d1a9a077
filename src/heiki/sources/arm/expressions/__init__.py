"""The ARM template expression language: syntax, evaluation, unknown values.

The names are loaded on first use: a blueprint's expansion needs only ``Unknown``, and the
evaluator with its function library is a tenth of ``heiki check``'s start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from heiki.sources.arm.expressions.errors import ExpressionError
    from heiki.sources.arm.expressions.evaluator import (
        Evaluator,
        evaluate_key,
        evaluate_string,
        evaluate_value,
    )
    from heiki.sources.arm.expressions.scope import Scope, UserFunction, azure_cloud_environment
    from heiki.sources.arm.expressions.syntax import is_expression, parse_expression
    from heiki.sources.arm.expressions.unknown import Unknown, contains_unknown

_HOMES = {
    "ExpressionError": "errors",
    "Evaluator": "evaluator",
    "evaluate_key": "evaluator",
    "evaluate_string": "evaluator",
    "evaluate_value": "evaluator",
    "Scope": "scope",
    "UserFunction": "scope",
    "azure_cloud_environment": "scope",
    "is_expression": "syntax",
    "parse_expression": "syntax",
    "Unknown": "unknown",
    "contains_unknown": "unknown",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Evaluator",
    "ExpressionError",
    "Scope",
    "Unknown",
    "UserFunction",
    "azure_cloud_environment",
    "contains_unknown",
    "evaluate_key",
    "evaluate_string",
    "evaluate_value",
    "is_expression",
    "parse_expression",
]
