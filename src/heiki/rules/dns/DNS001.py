"""DNS001: a private endpoint has no DNS zone group."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext
from heiki.rules.dns._common import DOCS_PE_DNS, expected_zones, service_dns


class PrivateEndpointWithoutZoneGroup(Rule):
    meta = RuleMeta(
        id="DNS001",
        name="private-endpoint-without-zone-group",
        title="Private endpoint has no DNS zone group",
        severity=Severity.WARNING,
        rationale=(
            "Without a zone group nobody writes the endpoint's A records into the privatelink "
            "zone: VNets linked to the zone get NXDOMAIN for the resource, others its public IP, "
            "unless someone maintains records by hand."
        ),
        fix="Add a privateDnsZoneGroups child with one config per zone the sub-resource needs.",
        references=(DOCS_PE_DNS,),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for endpoint in ctx.env.private_endpoints:
            configs = [c for g in endpoint.dns_zone_groups for c in g.zone_configs]
            if configs:
                continue
            zones = (
                ", ".join(expected_zones(ctx.catalog, ctx.env, endpoint)) or "the service's zone"
            )
            yield Violation(
                f"private endpoint {endpoint.name} ({', '.join(endpoint.group_ids)} of "
                f"{endpoint.private_link_service.name}) has no DNS zone group; it needs {zones}",
                endpoint.id,
                defects=(service_dns(endpoint.private_link_service),),
            )
