"""EXF003: a workload subnet can reach any address on the internet."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.analyses.trace import Verdict
from heiki.diagnostics import Severity
from heiki.rules._trace import trace_evidence
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class AnyInternetReachable(Rule):
    meta = RuleMeta(
        id="EXF003",
        name="any-internet-reachable",
        title="Workloads can reach any address on the internet",
        severity=Severity.ERROR,
        rationale=(
            "A closed environment allows named destinations only; reaching an arbitrary internet "
            "address means data can leave to anywhere."
        ),
        fix="Deny by default: route through the firewall and allow only the catalog's "
        "destinations, or deny Internet in the NSG.",
        references=("https://learn.microsoft.com/en-us/azure/firewall/rule-processing",),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for subnet in ctx.egress.subnets:
            trace = subnet.any_internet
            if trace.verdict is Verdict.DELIVERED:
                yield Violation(
                    f"{subnet.vantage.name} reaches any-internet: {trace.reason}",
                    subnet.vantage.subnet,
                    evidence=trace_evidence(trace),
                )
