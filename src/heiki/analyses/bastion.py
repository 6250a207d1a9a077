"""Azure Bastion's own NSG rules: the entry point working as designed, not an open door.

Microsoft documents the rules an NSG on ``AzureBastionSubnet`` needs (443 in from the internet,
GatewayManager and the load balancer, the data-plane ports within the VNet, 22/3389 and the data
plane out to the VNet, 443 to AzureCloud, 80 to the internet); the catalog holds them. A rule of an
NSG that protects only Bastion subnets and stays within them is Bastion's, and closure lists
Bastion as an access path instead of a finding.
"""

from __future__ import annotations

from heiki.catalog import Catalog
from heiki.model.environment import Environment
from heiki.model.network import Access, Direction, SecurityRule
from heiki.model.values import ResourceId

BASTION_SUBNET = "azurebastionsubnet"
_MAX_PORTS = 64


def bastion_nsgs(env: Environment) -> set[ResourceId]:
    """The NSGs attached to Bastion subnets and to nothing else."""
    uses: dict[ResourceId, set[str]] = {}
    for vnet in env.virtual_networks:
        for subnet in vnet.subnets:
            if subnet.network_security_group is not None:
                uses.setdefault(subnet.network_security_group, set()).add(subnet.name.lower())
    for nic in env.network_interfaces:
        if nic.network_security_group is not None:
            uses.setdefault(nic.network_security_group, set()).add("")
    return {nsg.id for nsg in env.network_security_groups if uses.get(nsg.id) == {BASTION_SUBNET}}


def is_bastion_rule(catalog: Catalog, rule: SecurityRule) -> bool:
    """An allow rule within what Azure Bastion documents for its subnet."""
    if rule.access is not Access.ALLOW:
        return False
    ports: list[int] = []
    for port_range in rule.destination_port_ranges:
        if port_range.high - port_range.low >= _MAX_PORTS:
            return False
        ports += range(port_range.low, port_range.high + 1)
    inbound = rule.direction is Direction.INBOUND
    peers = rule.source_address_prefixes if inbound else rule.destination_address_prefixes
    return catalog.bastion_rule(
        "Inbound" if inbound else "Outbound", tuple(p.strip() for p in peers), tuple(ports)
    )
