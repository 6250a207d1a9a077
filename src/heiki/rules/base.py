"""What a rule is: declarative metadata plus a ``check`` that yields light violations.

The engine (``engine.py``) adds the metadata, the configured severity and the location, and turns
each violation into a frozen ``Finding`` - rules never build findings themselves (cfn-lint's
RuleMatch -> Match split).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from heiki.diagnostics import Severity
from heiki.model.source import SourceLocation
from heiki.model.values import ResourceId
from heiki.rules.context import RuleContext


@dataclass(frozen=True, slots=True)
class RuleMeta:
    """A rule's metadata: ID, name, title, severity, rationale, fix, references."""

    id: str
    """Category prefix + number (``DNS003``); never reused."""
    name: str
    """kebab-case, e.g. ``zone-not-linked``."""
    title: str
    """One line, no period."""
    severity: Severity
    rationale: str
    fix: str
    references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Violation:
    """What a rule's check reports: the message, the resource and the evidence."""

    message: str
    resource: ResourceId | None = None
    location: SourceLocation | None = None
    evidence: tuple[str, ...] = ()
    """The trace or resolution steps that show the problem."""
    defects: tuple[str, ...] = ()
    """Keys of the defects this finding reports (``service-dns:<id>``): other findings whose
    ``causes`` name one of them are its consequences."""
    causes: tuple[str, ...] = ()
    """Keys of defects that, when reported, explain this finding: it is then folded under
    that finding as a consequence instead of standing as a root cause of its own."""


class Rule(ABC):
    meta: ClassVar[RuleMeta]

    @abstractmethod
    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        """Yield every violation of this rule in the environment of ``ctx``."""
