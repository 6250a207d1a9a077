"""RDY001: a capability of a development loop is not ready."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.analyses.readiness import Status
from heiki.diagnostics import Severity
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class CapabilityNotReady(Rule):
    meta = RuleMeta(
        id="RDY001",
        name="capability-not-ready",
        title="A development-loop capability is not ready",
        severity=Severity.WARNING,
        rationale=(
            "A closed environment that people cannot work in gets worked around: packages "
            "arrive through a stray storage account, data is copied by hand, and the closure "
            "erodes. Each capability of the inner, middle and outer loop must work from every "
            "vantage that needs it."
        ),
        fix="Follow the evidence: allow the missing destinations through the firewall, declare an "
        "internal mirror, or add the pipeline the capability needs.",
        references=(
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-access-azureml-behind-firewall",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for capability in ctx.readiness.capabilities:
            if capability.status is Status.NOT_READY:
                yield Violation(
                    f"{capability.loop.value} loop: {capability.name} is not ready - "
                    f"{capability.summary}",
                    evidence=capability.evidence,
                    causes=capability.causes,
                )
