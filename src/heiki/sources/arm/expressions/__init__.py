"""The ARM template expression language: syntax, evaluation, unknown values."""

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
