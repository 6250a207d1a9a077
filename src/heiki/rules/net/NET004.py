"""NET004: traffic between on-premises and a spoke takes a different path back (asymmetric)."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.analyses.trace import Verdict
from heiki.analyses.vantage import ONPREM, find_vantage
from heiki.diagnostics import Severity
from heiki.rules._trace import trace_evidence
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class AsymmetricRouting(Rule):
    meta = RuleMeta(
        id="NET004",
        name="asymmetric-routing",
        title="Traffic crosses the firewall in one direction only",
        severity=Severity.ERROR,
        rationale=(
            "Azure Firewall is stateful: when the request goes through it but the reply does not "
            "(or the other way round), it drops the session. Typical cause: the GatewaySubnet "
            "sends spoke traffic to the firewall while the spoke learns on-premises routes by BGP "
            "and replies directly - or the reverse."
        ),
        fix="Make both directions take the firewall: UDRs for the spoke ranges on the "
        "GatewaySubnet and 0.0.0.0/0 to the firewall with BGP propagation off on the spokes.",
        references=(
            "https://learn.microsoft.com/en-us/azure/firewall/forced-tunneling",
            "https://learn.microsoft.com/en-us/azure/virtual-network/virtual-networks-udr-overview",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.tracer.env
        if env.on_premises is None or not env.on_premises.address_space:
            return
        try:
            onprem = find_vantage(env, ONPREM)
        except ValueError:
            return
        onprem_host = str(env.on_premises.address_space[0].network_address + 10)
        for subnet_egress in ctx.egress.subnets:
            vantage = subnet_egress.vantage
            if vantage.prefix is None:
                continue
            host = str(vantage.prefix.network_address + 4)
            for trace in (
                ctx.tracer.trace(onprem, host, 443, "tcp"),
                ctx.tracer.trace(vantage, onprem_host, 443, "tcp"),
            ):
                if trace.verdict is Verdict.DROPPED and trace.reason == "asymmetric routing":
                    yield Violation(
                        f"{trace.vantage} -> {trace.destination}: the reply does not take the "
                        "firewall path the request took",
                        vantage.subnet,
                        evidence=trace_evidence(trace),
                    )
