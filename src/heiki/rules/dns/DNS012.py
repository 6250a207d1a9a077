"""DNS012: two private zones with the same name are linked to one VNet."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.values import ResourceId
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext
from heiki.rules.dns._common import vnet_name


class DuplicateZoneLinked(Rule):
    meta = RuleMeta(
        id="DNS012",
        name="duplicate-zone-linked",
        title="Two private DNS zones of the same name are linked to one VNet",
        severity=Severity.ERROR,
        rationale=(
            "A VNet can link only one zone per name; ARM rejects the second link ('cannot be "
            "linked to multiple zones with overlapping namespaces'). Usually two teams created "
            "their own privatelink zone, and records are split between them."
        ),
        fix="Keep one zone per name (centrally, in the hub subscription) and move the records.",
        references=(
            "https://learn.microsoft.com/en-us/azure/dns/private-dns-virtual-network-links",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.env
        seen: dict[tuple[ResourceId, str], ResourceId] = {}
        for zone in env.private_dns_zones:
            for link in zone.virtual_network_links:
                key = (link.virtual_network, zone.name.lower())
                first = seen.get(key)
                if first is not None and first != zone.id:
                    yield Violation(
                        f"{vnet_name(env, link.virtual_network)} is linked to two zones named "
                        f"{zone.name}: {first} and {zone.id}",
                        zone.id,
                        link.source,
                    )
                else:
                    seen[key] = zone.id
