"""A finding: the single hand-off type from rules to every report format."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from heiki.diagnostics import Severity
from heiki.model.source import SourceLocation


@dataclass(frozen=True, slots=True)
class Finding:
    """A violation with its rule's metadata: what the reports print."""

    rule_id: str
    title: str
    severity: Severity
    message: str
    resource: str | None
    location: SourceLocation | None
    evidence: tuple[str, ...]
    fix: str
    references: tuple[str, ...] = ()
    defects: tuple[str, ...] = ()
    causes: tuple[str, ...] = ()
    caused_by: str | None = None
    """The ``id`` of the root-cause finding this one is a consequence of (None: a root)."""
    instance_of: str | None = None
    """The ``id`` of the first finding of the same defect at the same place in the source - the
    line a copy loop, a ``count`` / ``for_each`` or a module call repeats - of which this one is
    another instance (None: the first, or a finding of its own)."""

    @property
    def id(self) -> str:
        """Stable across runs and machines (SARIF's partial fingerprint too)."""
        text = f"{self.rule_id}|{self.resource}|{self.message}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def sort_key(self) -> tuple[int, str, str, str]:
        return (-self.severity.rank, self.rule_id, self.resource or "", self.message)
