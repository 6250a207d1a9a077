"""DNS008: an on-premises forwarder targets 168.63.129.16."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext
from heiki.rules.dns._common import DOCS_AML_DNS


class OnPremForwardsToAzureDns(Rule):
    meta = RuleMeta(
        id="DNS008",
        name="onprem-forwards-to-azure-dns",
        title="On-premises DNS forwards to 168.63.129.16, which is unreachable from on-premises",
        severity=Severity.ERROR,
        rationale=(
            "168.63.129.16 answers only inside an Azure VNet. Queries forwarded there from "
            "on-premises time out, so every private endpoint name fails for the people."
        ),
        fix="Forward to a resolver inbound endpoint, the firewall DNS proxy or a DNS VM in a VNet "
        "linked to the privatelink zones.",
        references=(DOCS_AML_DNS,),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        onprem = ctx.env.on_premises
        azure_dns = ctx.catalog.azure_dns
        for server in onprem.dns_servers if onprem else ():
            for forwarder in server.conditional_forwarders:
                if azure_dns in forwarder.targets:
                    yield Violation(
                        f"on-premises DNS {server.name} forwards {forwarder.zone} to {azure_dns}",
                        location=forwarder.source or server.source,
                    )
            if azure_dns in server.default_forwarders:
                yield Violation(
                    f"on-premises DNS {server.name} uses {azure_dns} as default forwarder",
                    location=server.source,
                )
