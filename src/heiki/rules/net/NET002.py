"""NET002: a UDR's next hop IP is not the firewall (or any appliance)."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.network import NextHopType
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext
from heiki.rules.net.NET001 import UDR_DOCS


class NextHopNotFirewall(Rule):
    meta = RuleMeta(
        id="NET002",
        name="udr-next-hop-not-firewall",
        title="User-defined route points to an address that is not the firewall",
        severity=Severity.ERROR,
        rationale=(
            "A VirtualAppliance route to an address where no firewall or IP-forwarding NIC "
            "listens blackholes the traffic - typically a firewall IP copied from another "
            "environment, or changed after a stop/start."
        ),
        fix="Use the firewall's current private IP (ipConfigurations[0].privateIPAddress).",
        references=(UDR_DOCS,),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        tracer = ctx.tracer
        for table in ctx.env.route_tables:
            for route in table.routes:
                if route.next_hop_type is not NextHopType.VIRTUAL_APPLIANCE:
                    continue
                address = route.next_hop_ip_address
                nic = tracer.nic_by_ip.get(address) if address else None
                if address in tracer.firewall_by_ip or (
                    nic is not None and nic.enable_ip_forwarding
                ):
                    continue
                yield Violation(
                    f"route {route.name} in {table.name} sends {route.address_prefix} to "
                    f"{address}, where there is no firewall or IP-forwarding appliance",
                    table.id,
                    route.source or table.source,
                )
