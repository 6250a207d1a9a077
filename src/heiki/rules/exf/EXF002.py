"""EXF002: internet traffic from a workload subnet does not pass an inspecting firewall."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.rules._trace import trace_evidence
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class InternetBypassesFirewall(Rule):
    meta = RuleMeta(
        id="EXF002",
        name="internet-bypasses-firewall",
        title="A path to the internet bypasses the firewall",
        severity=Severity.ERROR,
        rationale=(
            "Default outbound access, a NAT gateway, a service endpoint or an instance public IP "
            "takes traffic out without inspection or logging: whatever the firewall allows or "
            "denies no longer matters for that subnet."
        ),
        fix="Make subnets private (defaultOutboundAccess: false), remove public IPs and NAT "
        "gateways from workload subnets, and route 0.0.0.0/0 to the firewall.",
        references=(
            "https://learn.microsoft.com/en-us/azure/virtual-network/ip-services/default-outbound-access",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for subnet in ctx.egress.subnets:
            bypasses = subnet.bypasses
            if bypasses:
                first = bypasses[0]
                yield Violation(
                    f"{subnet.vantage.name}: {len(bypasses)} flow(s) reach the internet via "
                    f"{first.egress}, not through a firewall",
                    subnet.vantage.subnet,
                    evidence=trace_evidence(first),
                )
