"""NET001: a workload subnet's internet route does not go to the firewall."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.analyses.routing import HopType
from heiki.diagnostics import Severity
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext

UDR_DOCS = "https://learn.microsoft.com/en-us/azure/virtual-network/virtual-networks-udr-overview"


class NoRouteToFirewall(Rule):
    meta = RuleMeta(
        id="NET001",
        name="workload-subnet-not-routed-to-firewall",
        title="Workload subnet does not send its internet traffic to the firewall",
        severity=Severity.ERROR,
        rationale=(
            "The hub firewall only filters what is routed to it. A workload subnet without a "
            "0.0.0.0/0 route to the firewall's private IP goes straight out (or nowhere), and the "
            "firewall's allow-list protects nothing."
        ),
        fix="Associate a route table with 0.0.0.0/0 -> VirtualAppliance <firewall private IP> "
        "(and BGP propagation off) to every workload subnet.",
        references=(UDR_DOCS,),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        tracer = ctx.tracer
        if not tracer.firewall_by_ip:
            return
        internet = tracer.symbolic["any-internet"]
        for subnet_egress in ctx.egress.subnets:
            subnet_id = subnet_egress.vantage.subnet
            if subnet_id is None:
                continue
            route = tracer.routes(subnet_id).lookup(internet).route
            to_firewall = (
                route is not None
                and route.next_hop_type is HopType.APPLIANCE
                and route.next_hop_ip in tracer.firewall_by_ip
            )
            if not to_firewall:
                yield Violation(
                    f"{subnet_egress.vantage.name} routes the internet to "
                    f"{route if route else 'nowhere'}, not to the firewall",
                    subnet_id,
                )
