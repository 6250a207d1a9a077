"""DNS003: a zone the environment needs is not linked to a VNet whose Azure DNS must use it."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.analyses.vantage import Vantage, VantageKind
from heiki.catalog.names import endpoint_records
from heiki.diagnostics import Severity
from heiki.model.dns import PrivateDnsZone
from heiki.model.values import ResourceId
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext
from heiki.rules.dns._common import (
    DOCS_PE_DNS,
    evidence,
    expected_zones,
    resolving_vnets,
    service_dns,
    vnet_name,
    zone_link,
)


class ZoneNotLinked(Rule):
    meta = RuleMeta(
        id="DNS003",
        name="zone-not-linked",
        title="Private DNS zone is not linked to a VNet that resolves it",
        severity=Severity.ERROR,
        rationale=(
            "Azure DNS consults only the private zones linked to the VNet it answers for. A "
            "resolver, firewall proxy or DNS VM in a VNet without the link returns the public IP "
            "of every private endpoint behind that zone - the most frequent closed-ML failure."
        ),
        fix="Add a virtualNetworkLinks child to the zone for that VNet (registration off).",
        references=(DOCS_PE_DNS,),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.world.env
        needed: dict[str, list[str]] = {}
        targets: dict[str, set[ResourceId]] = {}
        for endpoint in env.private_endpoints:
            for zone in expected_zones(ctx.catalog, env, endpoint):
                needed.setdefault(zone.lower(), []).append(endpoint.name)
                targets.setdefault(zone.lower(), set()).add(endpoint.private_link_service)
        zones = {z.name.lower(): z for z in env.private_dns_zones}
        for vnet_id, why in sorted(resolving_vnets(ctx).items()):
            linked = {z.name.lower() for z in env.zones_linked_to(vnet_id)}
            for zone_name, endpoints in sorted(needed.items()):
                if zone_name in linked:
                    continue
                existing: PrivateDnsZone | None = zones.get(zone_name)
                probe = self._probe(ctx, vnet_id, endpoints[0])
                yield Violation(
                    f"zone {zone_name} (needed by {', '.join(sorted(set(endpoints)))}) is not "
                    f"linked to {vnet_name(env, vnet_id)}, where {why}",
                    existing.id if existing else vnet_id,
                    evidence=probe,
                    defects=tuple(zone_link(t, vnet_id) for t in sorted(targets[zone_name])),
                    # a zone group that names the wrong zone leaves the right one unlinked
                    causes=tuple(service_dns(t) for t in sorted(targets[zone_name])),
                )

    @staticmethod
    def _probe(ctx: RuleContext, vnet_id: ResourceId, endpoint_name: str) -> tuple[str, ...]:
        """Resolve one of the endpoint's names as a client of that VNet would."""
        env = ctx.world.env
        endpoint = next(pe for pe in env.private_endpoints if pe.name == endpoint_name)
        records = [
            r
            for r in endpoint_records(ctx.catalog, env, endpoint)
            if not r.relative.startswith("*")
        ]
        if not records:
            return ()
        name = records[0].public or records[0].private
        vantage = Vantage(f"a client of {vnet_id.name}", VantageKind.SUBNET, vnet=vnet_id)
        return evidence(ctx.resolver.resolve(vantage, name))
