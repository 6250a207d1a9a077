"""Private endpoint IPs that the source leaves to Azure, allocated the way Azure does it.

Azure gives a private endpoint the first free addresses of its subnet after the reserved ones
(network, gateway, two for DNS; and the broadcast address at the end). heiki does the same,
deterministically (endpoints in declaration order), and marks each such IP as allocated by heiki.
"""

from __future__ import annotations

from dataclasses import replace

from heiki.catalog import Catalog
from heiki.model.endpoints import PrivateEndpoint, PrivateEndpointIpConfiguration
from heiki.model.environment import Environment
from heiki.model.values import Address, ResourceId


def _used_addresses(env: Environment) -> dict[ResourceId, set[Address]]:
    used: dict[ResourceId, set[Address]] = {}
    for nic in env.network_interfaces:
        if nic.private_ip_address is not None:
            used.setdefault(nic.subnet, set()).add(nic.private_ip_address)
    for endpoint in env.private_endpoints:
        for config in endpoint.ip_configurations:
            used.setdefault(endpoint.subnet, set()).add(config.private_ip_address)
    for resolver in env.dns_resolvers:
        for inbound in resolver.inbound_endpoints:
            if inbound.private_ip_address is not None:
                used.setdefault(inbound.subnet, set()).add(inbound.private_ip_address)
    for firewall in env.firewalls:
        if firewall.private_ip_address is not None:
            used.setdefault(firewall.subnet, set()).add(firewall.private_ip_address)
    return used


def allocate_endpoint_ips(env: Environment, catalog: Catalog) -> Environment:
    """``env`` with an IP for every private endpoint member that has none (unchanged otherwise)."""
    if all(pe.ip_configurations for pe in env.private_endpoints):
        return env
    used = _used_addresses(env)
    updated: list[PrivateEndpoint] = []
    for endpoint in env.private_endpoints:
        if endpoint.ip_configurations:
            updated.append(endpoint)
            continue
        subnet = env.subnet(endpoint.subnet)
        if subnet is None:
            updated.append(endpoint)
            continue
        taken = used.setdefault(endpoint.subnet, set())
        prefix = subnet.address_prefix
        last = prefix.num_addresses - 1 - catalog.subnet_reserved_trailing
        candidates = (
            prefix.network_address + offset
            for offset in range(catalog.subnet_reserved_leading, last + 1)
        )
        configs: list[PrivateEndpointIpConfiguration] = []
        target = endpoint.private_link_service
        region = endpoint.location or env.location
        for group in endpoint.group_ids:
            service = catalog.private_link_service(target.resource_type, group)
            members = (
                [m.name.format(region=region) for m in service.members] if service else [group]
            )
            for member in members:
                address = next((c for c in candidates if c not in taken), None)
                if address is None:
                    break
                taken.add(address)
                configs.append(
                    PrivateEndpointIpConfiguration(
                        name=f"ipconfig-{member}".lower(),
                        group_id=group,
                        member_name=member,
                        private_ip_address=address,
                        allocated_by_heiki=True,
                    )
                )
        updated.append(replace(endpoint, ip_configurations=tuple(configs)))
    return replace(env, private_endpoints=tuple(updated))
