"""EXF001: a workload subnet can reach a storage account that is not part of the environment."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.analyses.trace import Verdict
from heiki.diagnostics import Severity
from heiki.rules._trace import trace_evidence
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class ForeignStorageReachable(Rule):
    meta = RuleMeta(
        id="EXF001",
        name="foreign-storage-reachable",
        title="Workloads can write to storage accounts outside the environment",
        severity=Severity.ERROR,
        rationale=(
            "If compute can reach an arbitrary storage account, data can leave through a Blob "
            "container anyone creates - the talk's exfiltration path, and the 'stray Blob' that "
            "manual data transfer ends up in."
        ),
        fix="Allow storage only through private endpoints of your accounts; remove Storage / "
        "AzureCloud tags and *.blob.core.windows.net wildcards from NSGs and the firewall.",
        references=(
            "https://learn.microsoft.com/en-us/azure/storage/common/storage-network-security",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for subnet in ctx.egress.subnets:
            trace = subnet.foreign_storage
            if trace.verdict is Verdict.DELIVERED:
                yield Violation(
                    f"{subnet.vantage.name} reaches a foreign storage account: {trace.reason}",
                    subnet.vantage.subnet,
                    evidence=trace_evidence(trace),
                )
