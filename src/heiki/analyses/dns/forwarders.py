"""What the on-premises DNS servers must forward, and to where: every public zone the
environment's private endpoints and compute instances need (the catalog's "public DNS zone
forwarders"), to the hub's DNS endpoint - the resolver inbound endpoints, else the firewall DNS
proxy, else DNS VMs. This is the change list the talk's on-premises DNS team waited weeks for."""

from __future__ import annotations

from dataclasses import dataclass

from heiki.catalog import Catalog
from heiki.catalog.names import forwarder_zones
from heiki.model.environment import Environment
from heiki.model.hub import hub_dns_endpoints
from heiki.model.values import Address


@dataclass(frozen=True)
class ForwarderPlan:
    """The conditional forwarders on-premises DNS needs: the zones, the targets and what they are."""

    zones: tuple[str, ...]
    targets: tuple[Address, ...]
    target_kind: str
    """``DNS Private Resolver inbound endpoint``, ``Azure Firewall DNS proxy`` or ``DNS VM``."""

    @property
    def complete(self) -> bool:
        return bool(self.zones and self.targets)


def forwarder_plan(env: Environment, catalog: Catalog) -> ForwarderPlan:
    targets, kind = hub_dns_endpoints(env)
    zones = forwarder_zones(catalog, env.private_endpoints, bool(env.computes), env.location)
    # a private API server (AKS) is reached on its name from on-premises too (kubectl, CI)
    servers = {
        catalog.coverage.api_server_forwarders(other.type, env.location)
        for other in env.unmodelled
        if other.api_server_zone and other.api_server_zone.lower() != "none"
    }
    zones = tuple(sorted({*zones, *(z for z in servers if z)}))
    return ForwarderPlan(zones, targets, kind)
