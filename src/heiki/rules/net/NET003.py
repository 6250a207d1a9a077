"""NET003: a spoke routed through a hub firewall does not accept forwarded traffic."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.analyses.routing import HopType
from heiki.diagnostics import Severity
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class PeeringBlocksForwardedTraffic(Rule):
    meta = RuleMeta(
        id="NET003",
        name="peering-blocks-forwarded-traffic",
        title="Spoke peering does not allow traffic forwarded by the hub firewall",
        severity=Severity.WARNING,
        rationale=(
            "Replies from the internet and traffic from other spokes or on-premises reach the "
            "spoke from the hub firewall with a source outside the hub. The spoke's peering to the "
            "hub must allow forwarded traffic; enforcement is reported to be inconsistent, which "
            "makes the failure intermittent and hard to find."
        ),
        fix="Set allowForwardedTraffic: true on the spoke's peering to the hub.",
        references=(
            "https://learn.microsoft.com/en-us/azure/virtual-network/virtual-network-manage-peering",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        tracer = ctx.tracer
        env = tracer.env
        for vnet in env.virtual_networks:
            for subnet in vnet.subnets:
                internet = tracer.symbolic["any-internet"]
                route = tracer.routes(subnet.id).lookup(internet).route
                if route is None or route.next_hop_type is not HopType.APPLIANCE:
                    continue
                firewall = (
                    tracer.firewall_by_ip.get(route.next_hop_ip) if route.next_hop_ip else None
                )
                hub = env.vnet_of_subnet(firewall.subnet) if firewall else None
                if hub is None or hub.id == vnet.id:
                    continue
                peering = next(
                    (p for p in vnet.peerings if p.remote_virtual_network == hub.id), None
                )
                if peering is not None and not peering.allow_forwarded_traffic:
                    yield Violation(
                        f"{vnet.name} sends traffic through firewall {firewall.name if firewall else '?'} "
                        f"in {hub.name}, but its peering {peering.name} does not allow forwarded "
                        "traffic",
                        peering.id,
                        peering.source,
                    )
                    break
