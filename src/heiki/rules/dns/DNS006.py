"""DNS006: a VNet's custom DNS server is not a DNS server, or cannot be reached."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext
from heiki.rules.dns._common import DOCS_AML_DNS, dns_endpoints


class CustomDnsServerNotUsable(Rule):
    meta = RuleMeta(
        id="DNS006",
        name="custom-dns-server-not-usable",
        title="VNet custom DNS server is not a DNS server or is unreachable",
        severity=Severity.ERROR,
        rationale=(
            "Every VM and compute in the VNet sends all its queries to these addresses. If one is "
            "not a resolver endpoint, firewall DNS proxy, DNS VM or reachable on-premises server, "
            "name resolution times out there - and Azure ML compute fails to start."
        ),
        fix="Point the VNet's dnsServers at the resolver inbound endpoint, the firewall's private "
        "IP (with DNS proxy on) or a DNS VM reachable over peering.",
        references=(DOCS_AML_DNS,),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.world.env
        known = dns_endpoints(ctx)
        onprem = set(ctx.world.onprem_by_ip)
        for vnet in env.virtual_networks:
            for server in vnet.dns_servers:
                if server == ctx.catalog.azure_dns:
                    continue
                if server not in known and server not in onprem:
                    yield Violation(
                        f"{vnet.name} uses {server} as DNS server, but nothing answers DNS there "
                        "(no resolver inbound endpoint, firewall DNS proxy, DNS VM or "
                        "on-premises server)",
                        vnet.id,
                    )
                    continue
                path = ctx.connectivity.check(vnet.id, server, 53, "udp")
                if not path.reachable:
                    yield Violation(
                        f"{vnet.name} uses DNS server {server}, which it cannot reach: "
                        f"{path.reason}",
                        vnet.id,
                    )
