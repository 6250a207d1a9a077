"""Where on-premises DNS forwards to: the hub's DNS endpoint, as the environment declares it."""

from __future__ import annotations

from heiki.model.environment import Environment
from heiki.model.firewall import FirewallPolicy
from heiki.model.network import VmRole
from heiki.model.values import Address


def hub_dns_endpoints(env: Environment) -> tuple[tuple[Address, ...], str]:
    """The resolver inbound endpoints, else the firewall DNS proxies, else DNS VMs; with what
    kind of endpoint it is (empty when the environment has none with a known address)."""
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
