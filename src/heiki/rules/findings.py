"""A finding: the single hand-off type from rules to every report format."""

from __future__ import annotations

from dataclasses import dataclass

from heiki.diagnostics import Severity
from heiki.model.source import SourceLocation


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    title: str
    severity: Severity
    message: str
    resource: str | None
    location: SourceLocation | None
    evidence: tuple[str, ...]
    fix: str
    references: tuple[str, ...] = ()

    def sort_key(self) -> tuple[int, str, str, str]:
        return (-self.severity.rank, self.rule_id, self.resource or "", self.message)
