"""NSG001: an NSG allows some outbound traffic but denies nothing, so the internet stays open."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.analyses.addressing import ANY_INTERNET
from heiki.analyses.trace import Verdict
from heiki.diagnostics import Severity
from heiki.model.network import Access, Direction, NetworkSecurityGroup
from heiki.rules._trace import trace_evidence
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext

NSG_DOCS = (
    "https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview"
)


class AllowWithoutDeny(Rule):
    meta = RuleMeta(
        id="NSG001",
        name="nsg-allow-without-deny",
        title="NSG allows outbound traffic but never denies the internet",
        severity=Severity.ERROR,
        rationale=(
            "Allow rules for service tags look like a closure, but the default rule "
            "AllowInternetOutBound (65001) still lets everything else out. Without a firewall "
            "route, the subnet can reach any address on the internet."
        ),
        fix="Add an outbound Deny for Internet (or *) after the allow rules, or route 0.0.0.0/0 "
        "to a firewall.",
        references=(NSG_DOCS,),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.tracer.env
        for subnet_egress in ctx.egress.subnets:
            subnet = (
                env.subnet(subnet_egress.vantage.subnet) if subnet_egress.vantage.subnet else None
            )
            nsg = (
                env.get_typed(subnet.network_security_group, NetworkSecurityGroup)
                if subnet
                else None
            )
            if nsg is None:
                continue
            outbound = [r for r in nsg.security_rules if r.direction is Direction.OUTBOUND]
            allows = [r for r in outbound if r.access is Access.ALLOW]
            denies = [r for r in outbound if r.access is Access.DENY]
            trace = subnet_egress.any_internet
            if allows and not denies and trace.verdict is Verdict.DELIVERED:
                yield Violation(
                    f"NSG {nsg.name} on {subnet_egress.vantage.name} has {len(allows)} outbound "
                    f"allow rule(s) and no deny: {ANY_INTERNET} is reachable",
                    nsg.id,
                    evidence=trace_evidence(trace),
                )
