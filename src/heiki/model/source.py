"""Where a model value came from, for messages and SARIF locations (cfn-lint keeps marks apart)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """A place in an input file: 1-based line and column where known, and a JSON pointer.

    ``file`` is the path as the user gave it (or ``heiki:designs/NAME.yaml`` for built-ins), so
    messages and golden files do not depend on the machine.
    """

    file: str
    line: int | None = None
    column: int | None = None
    pointer: str = ""

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}{'#' + self.pointer if self.pointer else ''}"
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"
