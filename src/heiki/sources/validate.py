"""Structural validation of a loaded environment, whatever its source.

These are the mistakes Azure itself would reject at deployment (or that break the design before
any analysis can say something useful): overlapping address spaces, subnets outside their VNet,
reserved subnets with the wrong name or size, dangling references, duplicate names, gateway transit
without a gateway. Each becomes a located diagnostic.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections.abc import Iterator
from typing import Any

from heiki import diagnostics as dx
from heiki.catalog import Catalog, SubnetConstraint
from heiki.diagnostics import Diagnostic, Severity
from heiki.model.base import UNKNOWN_NAME_PREFIX, LocatedResource, Resource
from heiki.model.environment import Environment
from heiki.model.firewall import FirewallPolicy
from heiki.model.network import (
    NatGateway,
    NetworkInterface,
    NetworkSecurityGroup,
    RouteTable,
    Subnet,
    VirtualNetwork,
    VirtualNetworkGateway,
    VirtualNetworkPeering,
)
from heiki.model.source import SourceLocation
from heiki.model.values import Prefix, ResourceId


def validate(env: Environment, catalog: Catalog) -> list[Diagnostic]:
    """All structural problems of ``env``, errors and warnings, in a stable order."""
    found: list[Diagnostic] = []
    for check in (
        _duplicates,
        _address_spaces,
        _subnets,
        _reserved_subnets,
        _references,
        _remote_gateways,
        _sku_limits,
        _regions,
        _nsg_tags_per_field,
        name_errors,
    ):
        found.extend(check(env, catalog))
    return found


def name_errors(env: Environment, catalog: Catalog) -> Iterator[Diagnostic]:
    """Names Azure refuses, where they are written: these become DNS labels (an endpoint's FQDN,
    a compute instance's host name), so a bad one must stop here, not deep in the analysis."""
    rules = {rule.resource_type.lower(): rule for rule in catalog.name_rules}
    named: list[tuple[str, Any]] = [
        *(("microsoft.network/virtualnetworks", r) for r in env.virtual_networks),
        *(
            ("microsoft.network/virtualnetworks/subnets", subnet)
            for vnet in env.virtual_networks
            for subnet in vnet.subnets
        ),
        *(("microsoft.network/networksecuritygroups", r) for r in env.network_security_groups),
        *(("microsoft.storage/storageaccounts", r) for r in env.storage_accounts),
        *(("microsoft.keyvault/vaults", r) for r in env.key_vaults),
        *(("microsoft.containerregistry/registries", r) for r in env.container_registries),
        *(("microsoft.machinelearningservices/workspaces", r) for r in env.workspaces),
        *(
            (f"microsoft.machinelearningservices/workspaces/computes#{c.compute_type.value}", c)
            for c in env.computes
        ),
    ]
    # services read as a public surface: the last segment of the name, and a custom subdomain
    surfaces = [
        (kind, label, other.source)
        for other in env.unmodelled
        if other.surface is not None and not other.reason  # not a stand-in (copies, unknowns)
        for kind, label in (
            (other.type, other.name.rsplit("/", 1)[-1]),
            (f"{other.type}#host", other.host),
        )
        if label
    ]
    checked = [*((k, r.name, r.source) for k, r in named), *surfaces]
    for kind, name, source in checked:
        rule = rules.get(kind.lower())
        if rule is None or re.fullmatch(rule.pattern, name):
            continue
        if name.startswith(UNKNOWN_NAME_PREFIX):  # heiki's stand-in for a runtime name
            continue
        yield _diag(
            dx.INVALID_NAME,
            f"{name!r} is not a name Azure accepts for "
            f"{'an' if rule.what[:1].lower() in 'aeiou' else 'a'} {rule.what} ({rule.says})",
            source,
        )


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return False
    return True


def _nsg_tags_per_field(env: Environment, catalog: Catalog) -> Iterator[Diagnostic]:
    """Azure rejects a security rule whose address field lists a service tag among several
    entries: a field holds one service tag, or any number of IP ranges (decision
    nsg-tags-per-field)."""
    for nsg in env.network_security_groups:
        for rule in nsg.security_rules:
            for field, entries in (
                ("source", rule.source_address_prefixes),
                ("destination", rule.destination_address_prefixes),
            ):
                tags = [e for e in entries if e.strip() != "*" and not _is_address(e)]
                if tags and len(entries) > 1:
                    yield _diag(
                        dx.NSG_TAGS_PER_FIELD,
                        f"NSG {nsg.name} rule {rule.name}: the {field} lists "
                        f"{', '.join(entries)}; Azure accepts one service tag per field (or "
                        "several IP ranges) - split the rule",
                        rule.source or nsg.source,
                    )


def _diag(
    code: str, message: str, where: SourceLocation | None, warning: bool = False
) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING if warning else Severity.ERROR, message, where)


def _all_with_ids(env: Environment) -> Iterator[Resource]:
    """Every resource as declared, duplicates included (the index keeps only the first)."""
    for vnet in env.virtual_networks:
        yield vnet
        yield from vnet.subnets
        yield from vnet.peerings
    for resolver in env.dns_resolvers:
        yield resolver
        yield from resolver.inbound_endpoints
        yield from resolver.outbound_endpoints
    for group in (
        env.route_tables,
        env.network_security_groups,
        env.application_security_groups,
        env.public_ip_addresses,
        env.nat_gateways,
        env.network_interfaces,
        env.virtual_machines,
        env.virtual_network_gateways,
        env.bastion_hosts,
        env.firewalls,
        env.firewall_policies,
        env.ip_groups,
        env.private_endpoints,
        env.private_dns_zones,
        env.dns_forwarding_rulesets,
        env.workspaces,
        env.computes,
        env.registries,
        env.storage_accounts,
        env.key_vaults,
        env.container_registries,
        env.application_insights,
        env.private_link_scopes,
        env.data_factories,
    ):
        yield from group


def _duplicates(env: Environment, catalog: Catalog) -> Iterator[Diagnostic]:
    seen: dict[ResourceId, Resource] = {}
    for resource in _all_with_ids(env):
        first = seen.get(resource.id)
        if first is not None:
            where = f" (first declared at {first.source})" if first.source else ""
            yield _diag(
                dx.DUPLICATE_NAME,
                f"duplicate name {resource.name!r}: {resource.id.resource_type} {resource.id} "
                f"is declared twice{where}",
                resource.source,
            )
        else:
            seen[resource.id] = resource


def _overlapping_pairs(prefixes: list[Prefix]) -> list[tuple[int, int]]:
    """The pairs (i, j), i < j, of prefixes that overlap, in the order of comparing every pair
    - found by sweeping the prefixes in address order, so a thousand VNets cost a sort, not a
    million comparisons."""
    order = sorted(
        range(len(prefixes)),
        key=lambda k: (int(prefixes[k].network_address), -prefixes[k].prefixlen),
    )
    pairs: list[tuple[int, int]] = []
    open_: list[tuple[int, int]] = []  # (last address, index) of prefixes still reaching here
    for k in order:
        first = int(prefixes[k].network_address)
        open_ = [(last, other) for last, other in open_ if last >= first]
        pairs += [(min(other, k), max(other, k)) for _, other in open_]
        open_.append((int(prefixes[k].broadcast_address), k))
    return sorted(pairs)


def _address_spaces(env: Environment, catalog: Catalog) -> Iterator[Diagnostic]:
    # On-premises first, so that an overlap is reported at the VNet that collides with it.
    spaces: list[tuple[str, Prefix, SourceLocation | None]] = []
    if env.on_premises:
        spaces += [
            (f"on-premises {env.on_premises.name}", p, env.on_premises.source)
            for p in env.on_premises.address_space
        ]
    spaces += [
        (f"VNet {vnet.name}", prefix, vnet.source)
        for vnet in env.virtual_networks
        for prefix in vnet.address_space
    ]
    for i, j in _overlapping_pairs([prefix for _, prefix, _ in spaces]):
        (name_a, a, _), (name_b, b, where_b) = spaces[i], spaces[j]
        if name_a != name_b:
            yield _diag(
                dx.OVERLAPPING_ADDRESS_SPACE,
                f"address space {b} of {name_b} overlaps {a} of {name_a}",
                where_b,
            )
    for name, prefix, where in spaces:
        if prefix.overlaps(catalog.docker_bridge) and name.startswith("VNet"):
            yield _diag(
                dx.DOCKER_BRIDGE_OVERLAP,
                f"{name} uses {prefix}, which overlaps {catalog.docker_bridge} (the Docker bridge "
                "on Azure ML compute); containers may not reach these addresses",
                where,
                warning=True,
            )


def _subnets(env: Environment, catalog: Catalog) -> Iterator[Diagnostic]:
    for vnet in env.virtual_networks:
        for subnet in vnet.subnets:
            if not any(subnet.address_prefix.subnet_of(space) for space in vnet.address_space):
                spaces = ", ".join(str(s) for s in vnet.address_space)
                yield _diag(
                    dx.SUBNET_OUTSIDE_VNET,
                    f"subnet {subnet.name} ({subnet.address_prefix}) is outside the address space "
                    f"of VNet {vnet.name} ({spaces})",
                    subnet.source,
                )
        for a, b in itertools.combinations(vnet.subnets, 2):
            if a.address_prefix.overlaps(b.address_prefix):
                yield _diag(
                    dx.OVERLAPPING_SUBNETS,
                    f"subnet {b.name} ({b.address_prefix}) overlaps subnet {a.name} "
                    f"({a.address_prefix}) in VNet {vnet.name}",
                    b.source,
                )


def _size_problem(subnet: Subnet, constraint: SubnetConstraint) -> str | None:
    length = subnet.address_prefix.prefixlen
    if length > constraint.min_size:
        return f"must be at least a /{constraint.min_size}, is a /{length}"
    if constraint.max_size and length < constraint.max_size:
        return f"must be at most a /{constraint.max_size}, is a /{length}"
    return None


def _reserved_subnets(env: Environment, catalog: Catalog) -> Iterator[Diagnostic]:
    by_name = {c.name.lower(): c for c in catalog.reserved_subnets}
    for vnet in env.virtual_networks:
        for subnet in vnet.subnets:
            reserved = by_name.get(subnet.name.lower())
            if reserved:
                problem = _size_problem(subnet, reserved)
                if problem:
                    yield _diag(
                        dx.RESERVED_SUBNET,
                        f"{subnet.name} in VNet {vnet.name} {problem} "
                        f"({reserved.provenance.source})",
                        subnet.source,
                    )
    # Services that require a subnet of a fixed name.
    users: list[tuple[Resource, ResourceId | None, str]] = []
    for fw in env.firewalls:
        users.append((fw, fw.subnet, "firewall"))
        if fw.management_subnet:
            users.append((fw, fw.management_subnet, "firewall-management"))
    users += [(gw, gw.subnet, "gateway") for gw in env.virtual_network_gateways]
    users += [(bastion, bastion.subnet, "bastion") for bastion in env.bastion_hosts]
    for resource, subnet_id, role in users:
        constraint = catalog.reserved_subnet(role)
        used = env.subnet(subnet_id) if subnet_id else None
        if constraint is None or used is None:
            continue
        if used.name != constraint.name:
            yield _diag(
                dx.RESERVED_SUBNET,
                f"{resource.name} must be deployed into a subnet named {constraint.name}, "
                f"not {used.name} ({constraint.provenance.source})",
                used.source or resource.source,
            )
    for resolver in env.dns_resolvers:
        endpoints = [
            (e.name, e.subnet, "resolver-inbound", e.source) for e in resolver.inbound_endpoints
        ]
        endpoints += [
            (e.name, e.subnet, "resolver-outbound", e.source) for e in resolver.outbound_endpoints
        ]
        for _name, subnet_id, role, source in endpoints:
            constraint = catalog.reserved_subnet(role)
            endpoint_subnet = env.subnet(subnet_id)
            if constraint is None or endpoint_subnet is None:
                continue
            problem = _size_problem(endpoint_subnet, constraint)
            if problem:
                yield _diag(
                    dx.DELEGATED_SUBNET,
                    f"resolver endpoint subnet {endpoint_subnet.name} {problem} "
                    f"({constraint.provenance.source})",
                    endpoint_subnet.source or source,
                )
            if constraint.delegation.lower() not in (
                d.lower() for d in endpoint_subnet.delegations
            ):
                yield _diag(
                    dx.DELEGATED_SUBNET,
                    f"resolver endpoint subnet {endpoint_subnet.name} must be delegated to "
                    f"{constraint.delegation}",
                    endpoint_subnet.source or source,
                )


def _references(env: Environment, catalog: Catalog) -> Iterator[Diagnostic]:
    def check(
        owner: Resource | None,
        ref: ResourceId | None,
        kind: type[Resource],
        what: str,
        where: SourceLocation | None = None,
    ) -> Iterator[Diagnostic]:
        # A reference to a resource the input holds but heiki does not model is not one Azure
        # would reject: the coverage notice already says what the verdict does not cover.
        if ref is not None and env.get_typed(ref, kind) is None and not env.is_unmodelled(ref):
            label = f"{owner.name}: " if owner else ""
            yield _diag(
                dx.UNKNOWN_REFERENCE,
                f"{label}{what} refers to {ref}, which is not in the environment",
                where or (owner.source if owner else None),
            )

    for vnet in env.virtual_networks:
        for subnet in vnet.subnets:
            yield from check(subnet, subnet.network_security_group, NetworkSecurityGroup, "NSG")
            yield from check(subnet, subnet.route_table, RouteTable, "route table")
            yield from check(subnet, subnet.nat_gateway, NatGateway, "NAT gateway")
        for peering in vnet.peerings:
            yield from check(peering, peering.remote_virtual_network, VirtualNetwork, "remote VNet")
    for nic in env.network_interfaces:
        yield from check(nic, nic.subnet, Subnet, "subnet")
        yield from check(nic, nic.network_security_group, NetworkSecurityGroup, "NSG")
    for vm in env.virtual_machines:
        for nic_id in vm.network_interfaces:
            yield from check(vm, nic_id, NetworkInterface, "network interface")
    for gw in env.virtual_network_gateways:
        yield from check(gw, gw.subnet, Subnet, "subnet")
    for bastion in env.bastion_hosts:
        yield from check(bastion, bastion.subnet, Subnet, "subnet")
    for fw in env.firewalls:
        yield from check(fw, fw.subnet, Subnet, "subnet")
        yield from check(fw, fw.firewall_policy, FirewallPolicy, "firewall policy")
    for policy in env.firewall_policies:
        yield from check(policy, policy.base_policy, FirewallPolicy, "base policy")
    for pe in env.private_endpoints:
        yield from check(pe, pe.subnet, Subnet, "subnet")
        yield from check(pe, pe.private_link_service, Resource, "target resource")
        for group in pe.dns_zone_groups:
            for config in group.zone_configs:
                yield from check(
                    pe, config.private_dns_zone, Resource, "DNS zone group", group.source
                )
    for zone in env.private_dns_zones:
        for link in zone.virtual_network_links:
            yield from check(
                zone, link.virtual_network, VirtualNetwork, f"link {link.name}", link.source
            )
    for resolver in env.dns_resolvers:
        yield from check(resolver, resolver.virtual_network, VirtualNetwork, "VNet")
        for inbound in resolver.inbound_endpoints:
            yield from check(inbound, inbound.subnet, Subnet, "subnet")
        for outbound_endpoint in resolver.outbound_endpoints:
            yield from check(outbound_endpoint, outbound_endpoint.subnet, Subnet, "subnet")
    for ruleset in env.dns_forwarding_rulesets:
        for outbound in ruleset.outbound_endpoints:
            yield from check(ruleset, outbound, Resource, "outbound endpoint")
        for ruleset_link in ruleset.virtual_network_links:
            yield from check(
                ruleset,
                ruleset_link.virtual_network,
                VirtualNetwork,
                f"link {ruleset_link.name}",
                ruleset_link.source,
            )
    for ws in env.workspaces:
        for ref, what in (
            (ws.storage_account, "storage account"),
            (ws.key_vault, "key vault"),
            (ws.container_registry, "container registry"),
            (ws.application_insights, "application insights"),
        ):
            yield from check(ws, ref, Resource, what)
        for registry in ws.registries:
            yield from check(ws, registry, Resource, "registry")
    for compute in env.computes:
        yield from check(compute, compute.workspace, Resource, "workspace")
        yield from check(compute, compute.subnet, Subnet, "subnet")
    if env.on_premises and env.on_premises.connection:
        connection = env.on_premises.connection
        yield from check(
            None,
            connection.gateway,
            VirtualNetworkGateway,
            "on-premises connection gateway",
            connection.source,
        )


def _vnet_has_gateway(env: Environment, vnet: VirtualNetwork) -> bool:
    subnet_ids = {s.id for s in vnet.subnets}
    return any(gw.subnet in subnet_ids for gw in env.virtual_network_gateways)


def _remote_gateways(env: Environment, catalog: Catalog) -> Iterator[Diagnostic]:
    # the peerings back to each VNet, indexed once (a hub has one per spoke)
    towards: dict[tuple[ResourceId, ResourceId], list[VirtualNetworkPeering]] = {}
    for owner in env.virtual_networks:
        for link in owner.peerings:
            towards.setdefault((owner.id, link.remote_virtual_network), []).append(link)
    for vnet in env.virtual_networks:
        for peering in vnet.peerings:
            if not peering.use_remote_gateways:
                continue
            remote = env.get_typed(peering.remote_virtual_network, VirtualNetwork)
            if remote is None:
                continue  # reported as an unknown reference
            if not _vnet_has_gateway(env, remote):
                yield _diag(
                    dx.REMOTE_GATEWAY_MISSING,
                    f"peering {peering.name} of {vnet.name} sets useRemoteGateways, but "
                    f"{remote.name} has no virtual network gateway",
                    peering.source,
                )
                continue
            back = towards.get((remote.id, vnet.id), [])
            if back and not any(p.allow_gateway_transit for p in back):
                yield _diag(
                    dx.REMOTE_GATEWAY_MISSING,
                    f"peering {peering.name} of {vnet.name} sets useRemoteGateways, but "
                    f"{remote.name}'s peering back does not allow gateway transit",
                    peering.source,
                )
            if _vnet_has_gateway(env, vnet):
                yield _diag(
                    dx.REMOTE_GATEWAY_MISSING,
                    f"{vnet.name} has its own gateway and cannot also use remote gateways",
                    peering.source,
                )


def _sku_limits(env: Environment, catalog: Catalog) -> Iterator[Diagnostic]:
    for fw in env.firewalls:
        # DNS settings on a Basic policy are rule DNS010 (a finding with evidence), not input.
        tier = catalog.firewall_tier(fw.sku_tier.value)
        if tier is None:
            continue
        if tier.needs_management_nic and fw.management_subnet is None:
            yield _diag(
                dx.UNSUPPORTED_BY_SKU,
                f"Azure Firewall {fw.sku_tier.value} {fw.name} needs a management NIC in "
                "AzureFirewallManagementSubnet",
                fw.source,
            )


def _regions(env: Environment, catalog: Catalog) -> Iterator[Diagnostic]:
    """A resource placed in a subnet lives in its VNet's region (a private endpoint, NIC,
    firewall, gateway, Bastion or resolver elsewhere is refused by Azure)."""
    in_subnets: list[tuple[LocatedResource, ResourceId]] = [
        *((pe, pe.subnet) for pe in env.private_endpoints),
        *((nic, nic.subnet) for nic in env.network_interfaces),
        *((fw, fw.subnet) for fw in env.firewalls),
        *((gw, gw.subnet) for gw in env.virtual_network_gateways),
        *((bastion, bastion.subnet) for bastion in env.bastion_hosts),
    ]
    placed: list[tuple[LocatedResource, VirtualNetwork | None]] = [
        *((resource, env.vnet_of_subnet(subnet)) for resource, subnet in in_subnets),
        *(
            (resolver, env.get_typed(resolver.virtual_network, VirtualNetwork))
            for resolver in env.dns_resolvers
        ),
    ]
    for resource, vnet in placed:
        if vnet is None or not resource.location or not vnet.location:
            continue
        if _region(resource.location) != _region(vnet.location):
            yield _diag(
                dx.REGION_MISMATCH,
                f"{resource.name} is in {resource.location}, but its subnet's VNet {vnet.name} "
                f"is in {vnet.location}: a resource in a subnet must be in the VNet's region",
                resource.source,
            )


def _region(name: str) -> str:
    # ARM accepts display names ("Japan East") as well as names ("japaneast")
    return name.replace(" ", "").lower()
