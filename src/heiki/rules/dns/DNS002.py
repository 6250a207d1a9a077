"""DNS002: a zone group points to a zone whose name is not the one the sub-resource needs."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.dns import PrivateDnsZone
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext
from heiki.rules.dns._common import DOCS_PE_DNS, expected_zones, service_dns


class ZoneGroupWrongZoneName(Rule):
    meta = RuleMeta(
        id="DNS002",
        name="zone-group-wrong-zone",
        title="DNS zone group uses a zone name the service does not use",
        severity=Severity.ERROR,
        rationale=(
            "Public DNS CNAMEs the resource's name into one specific privatelink zone (Key Vault: "
            "privatelink.vaultcore.azure.net, not privatelink.vault.azure.net). Records written to "
            "any other zone are never consulted, and the name resolves to the public endpoint."
        ),
        fix="Point the zone group at the recommended zone name from the private-endpoint DNS table.",
        references=(DOCS_PE_DNS,),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.env
        for endpoint in env.private_endpoints:
            expected = expected_zones(ctx.catalog, env, endpoint)
            if not expected:
                continue
            for group in endpoint.dns_zone_groups:
                for config in group.zone_configs:
                    zone = env.get_typed(config.private_dns_zone, PrivateDnsZone)
                    name = zone.name if zone else config.private_dns_zone.name
                    if name.lower() not in (e.lower() for e in expected):
                        yield Violation(
                            f"zone group {group.name} of {endpoint.name} uses zone {name}; "
                            f"{', '.join(endpoint.group_ids)} needs {', '.join(expected)}",
                            endpoint.id,
                            group.source,
                            defects=(service_dns(endpoint.private_link_service),),
                        )
