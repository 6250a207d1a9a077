"""What the on-premises DNS servers must forward, and to where: every public zone the
environment's private endpoints and compute instances need (the catalog's "public DNS zone
forwarders"), to the hub's DNS endpoint - the resolver inbound endpoints, else the firewall DNS
proxy, else DNS VMs. This is the change list the talk's on-premises DNS team waited weeks for."""

from __future__ import annotations

from dataclasses import dataclass

from heiki.catalog import Catalog
from heiki.catalog.names import forwarder_zones
from heiki.model.environment import Environment
from heiki.model.firewall import FirewallPolicy
from heiki.model.network import VmRole
from heiki.model.values import Address


@dataclass(frozen=True)
class ForwarderPlan:
    zones: tuple[str, ...]
    targets: tuple[Address, ...]
    target_kind: str
    """``DNS Private Resolver inbound endpoint``, ``Azure Firewall DNS proxy`` or ``DNS VM``."""

    @property
    def complete(self) -> bool:
        return bool(self.zones and self.targets)


def hub_dns_endpoints(env: Environment) -> tuple[tuple[Address, ...], str]:
    inbound = tuple(
        e.private_ip_address
        for r in env.dns_resolvers
        for e in r.inbound_endpoints
        if e.private_ip_address is not None
    )
    if inbound:
        return inbound, "DNS Private Resolver inbound endpoint"
    proxies = []
    for firewall in env.firewalls:
        policy = env.get_typed(firewall.firewall_policy, FirewallPolicy)
        if (
            policy is not None
            and policy.dns_settings is not None
            and policy.dns_settings.enable_proxy
            and firewall.private_ip_address is not None
        ):
            proxies.append(firewall.private_ip_address)
    if proxies:
        return tuple(proxies), "Azure Firewall DNS proxy"
    vms = tuple(
        nic.private_ip_address
        for vm in env.virtual_machines
        if vm.role is VmRole.DNS_SERVER
        for nic in env.network_interfaces
        if nic.id in vm.network_interfaces and nic.private_ip_address is not None
    )
    return (vms, "DNS VM") if vms else ((), "")


def forwarder_plan(env: Environment, catalog: Catalog) -> ForwarderPlan:
    targets, kind = hub_dns_endpoints(env)
    zones = forwarder_zones(catalog, env.private_endpoints, bool(env.computes), env.location)
    return ForwarderPlan(zones, targets, kind)
