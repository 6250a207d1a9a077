"""Errors of the ARM expression language, located inside the expression text."""

from __future__ import annotations


class ExpressionError(Exception):
    """An expression that cannot be parsed or evaluated.

    ``offset`` is the 0-based position in ``expression`` where the problem is, when known; the
    template loader adds the file and the JSON path.
    """

    def __init__(self, message: str, expression: str = "", offset: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.expression = expression
        self.offset = offset

    def __str__(self) -> str:
        if not self.expression:
            return self.message
        where = f" at character {self.offset + 1}" if self.offset is not None else ""
        return f"{self.message}{where} in {self.expression!r}"
