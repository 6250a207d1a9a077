"""ARM resources -> the environment model. Each family converter reads its types; child
resources (subnets, zone links, rule collection groups...) are folded into their parents;
types heiki does not model are skipped with one notice per type."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from heiki import diagnostics as dx
from heiki.catalog import Catalog
from heiki.diagnostics import Diagnostic, Severity
from heiki.model.base import ASSUMED_TAG
from heiki.model.coverage import UnmodelledResource, coverage_gaps
from heiki.model.dns import DnsResolver
from heiki.model.environment import Environment
from heiki.model.firewall import AzureFirewall
from heiki.model.onprem import OnPremises
from heiki.sources.arm.convert import coverage, dns, endpoints, firewall, ml, network, services
from heiki.sources.arm.convert.context import ConvertContext
from heiki.sources.arm.resources import ArmResource

# environment field -> converter
_CONVERTERS: dict[str, Callable[[ConvertContext], Sequence[Any]]] = {
    "virtual_networks": network.virtual_networks,
    "route_tables": network.route_tables,
    "network_security_groups": network.network_security_groups,
    "application_security_groups": network.application_security_groups,
    "public_ip_addresses": network.public_ip_addresses,
    "nat_gateways": network.nat_gateways,
    "service_endpoint_policies": network.service_endpoint_policies,
    "network_interfaces": network.network_interfaces,
    "virtual_machines": network.virtual_machines,
    "virtual_network_gateways": network.virtual_network_gateways,
    "bastion_hosts": network.bastion_hosts,
    "firewalls": firewall.firewalls,
    "firewall_policies": firewall.firewall_policies,
    "ip_groups": firewall.ip_groups,
    "private_endpoints": endpoints.private_endpoints,
    "private_dns_zones": dns.private_dns_zones,
    "dns_resolvers": dns.dns_resolvers,
    "dns_forwarding_rulesets": dns.dns_forwarding_rulesets,
    "workspaces": ml.workspaces,
    "computes": ml.computes,
    "kubernetes_computes": ml.kubernetes_computes,
    "registries": ml.registries,
    "storage_accounts": services.storage_accounts,
    "key_vaults": services.key_vaults,
    "container_registries": services.container_registries,
    "application_insights": services.application_insights,
    "private_link_scopes": services.private_link_scopes,
    "data_factories": services.data_factories,
}

MODELLED = frozenset(
    t.lower()
    for t in (
        "Microsoft.Network/virtualNetworks",
        "Microsoft.Network/virtualNetworks/subnets",
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        "Microsoft.Network/routeTables",
        "Microsoft.Network/routeTables/routes",
        "Microsoft.Network/networkSecurityGroups",
        "Microsoft.Network/networkSecurityGroups/securityRules",
        "Microsoft.Network/applicationSecurityGroups",
        "Microsoft.Network/publicIPAddresses",
        "Microsoft.Network/natGateways",
        "Microsoft.Network/serviceEndpointPolicies",
        "Microsoft.Network/serviceEndpointPolicies/serviceEndpointPolicyDefinitions",
        "Microsoft.Network/networkInterfaces",
        "Microsoft.Compute/virtualMachines",
        "Microsoft.Network/virtualNetworkGateways",
        "Microsoft.Network/bastionHosts",
        "Microsoft.Network/azureFirewalls",
        "Microsoft.Network/firewallPolicies",
        "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
        "Microsoft.Network/ipGroups",
        "Microsoft.Network/privateEndpoints",
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
        "Microsoft.Network/privateDnsZones",
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
        "Microsoft.Network/privateDnsZones/A",
        "Microsoft.Network/privateDnsZones/CNAME",
        "Microsoft.Network/dnsResolvers",
        "Microsoft.Network/dnsResolvers/inboundEndpoints",
        "Microsoft.Network/dnsResolvers/outboundEndpoints",
        "Microsoft.Network/dnsForwardingRulesets",
        "Microsoft.Network/dnsForwardingRulesets/forwardingRules",
        "Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks",
        "Microsoft.MachineLearningServices/workspaces",
        "Microsoft.MachineLearningServices/workspaces/computes",
        "Microsoft.MachineLearningServices/workspaces/outboundRules",
        "Microsoft.MachineLearningServices/registries",
        "Microsoft.Storage/storageAccounts",
        "Microsoft.KeyVault/vaults",
        "Microsoft.ContainerRegistry/registries",
        "Microsoft.Insights/components",
        "Microsoft.Insights/privateLinkScopes",
        "Microsoft.Insights/privateLinkScopes/scopedResources",
        "Microsoft.DataFactory/factories",
        "Microsoft.DataFactory/factories/managedVirtualNetworks",
        "Microsoft.DataFactory/factories/managedVirtualNetworks/managedPrivateEndpoints",
        "Microsoft.DataFactory/factories/integrationRuntimes",
        "Microsoft.DataFactory/factories/linkedservices",
        # containers: the IDs of what they hold already say where it lives
        "Microsoft.Resources/resourceGroups",
    )
)


def _coverage_notices(env: Environment) -> list[Diagnostic]:
    """One notice per kind of resource the model does not hold, saying what the verdict misses."""
    return [
        Diagnostic(dx.UNSUPPORTED_TYPE, Severity.INFO, gap.text, gap.resources[0].source)
        for gap in coverage_gaps(env.unmodelled)
    ]


def _firewall_ip_outside(env: Environment) -> tuple[Environment, list[Diagnostic]]:
    """A firewall address outside its subnet (a hand-edited export): Azure never gives one, so
    it is named, and the firewall is checked at the address Azure would give it."""
    notes: list[Diagnostic] = []
    changed: list[AzureFirewall] = []
    for fw in env.firewalls:
        subnet = env.subnet(fw.subnet)
        address = fw.private_ip_address
        if subnet is not None and address is not None and address not in subnet.address_prefix:
            notes.append(
                Diagnostic(
                    dx.PARAMETER_VALUE,
                    Severity.WARNING,
                    f"firewall {fw.name}: private IP {address} is outside its subnet "
                    f"{subnet.name} ({subnet.address_prefix}); Azure gives it an address of that "
                    "subnet - checked with that one",
                    fw.source,
                )
            )
            fw = replace(fw, private_ip_address=None)
        changed.append(fw)
    return (replace(env, firewalls=tuple(changed)) if notes else env), notes


def _assume_firewall_ips(env: Environment) -> Environment:
    """Azure gives the firewall the first assignable address of AzureFirewallSubnet (.4)."""
    changed: list[AzureFirewall] = []
    for fw in env.firewalls:
        if fw.private_ip_address is None and (subnet := env.subnet(fw.subnet)) is not None:
            address = ipaddress.IPv4Address(int(subnet.address_prefix.network_address) + 4)
            fw = replace(
                fw, private_ip_address=address, tags=(*fw.tags, (ASSUMED_TAG, "private_ip_address"))
            )
        changed.append(fw)
    return replace(env, firewalls=tuple(changed)) if changed else env


def _assume_resolver_ips(env: Environment) -> Environment:
    """A dynamic inbound endpoint gets the first assignable address (.4) of its subnet, which
    Azure requires to hold that endpoint only: the address on-premises forwarders point to."""
    resolvers: list[DnsResolver] = []
    for resolver in env.dns_resolvers:
        inbound = []
        for endpoint in resolver.inbound_endpoints:
            subnet = env.subnet(endpoint.subnet)
            if endpoint.private_ip_address is None and subnet is not None:
                address = ipaddress.IPv4Address(int(subnet.address_prefix.network_address) + 4)
                endpoint = replace(
                    endpoint,
                    private_ip_address=address,
                    tags=(*endpoint.tags, (ASSUMED_TAG, "private_ip_address")),
                )
            inbound.append(endpoint)
        resolvers.append(replace(resolver, inbound_endpoints=tuple(inbound)))
    return replace(env, dns_resolvers=tuple(resolvers)) if resolvers else env


def attach_on_premises(env: Environment, on_premises: OnPremises) -> Environment:
    """The environment with an on-premises side (``--onprem``), connected to the hub gateway."""
    return _attach_gateway(replace(env, on_premises=on_premises))


def _attach_gateway(env: Environment) -> Environment:
    """An on-premises file cannot name the gateway of a template: connect it to the hub's
    virtual network gateway of the same kind (ExpressRoute or VPN)."""
    onprem = env.on_premises
    if onprem is None or onprem.connection is None or onprem.connection.gateway is not None:
        return env
    kind = onprem.connection.kind.lower()
    gateway = next(
        (g for g in env.virtual_network_gateways if g.gateway_type.value.lower() == kind),
        next(iter(env.virtual_network_gateways), None),
    )
    if gateway is None:
        return env
    connection = replace(onprem.connection, gateway=gateway.id)
    return replace(env, on_premises=replace(onprem, connection=connection))


def build_environment(
    resources: Sequence[ArmResource],
    name: str,
    catalog: Catalog,
    on_premises: OnPremises | None = None,
    location: str = "",
    unmodelled: Sequence[UnmodelledResource] = (),
) -> tuple[Environment, list[Diagnostic]]:
    """The model of ``resources``; ``unmodelled`` are input resources the caller could already
    not place (deployed above a subscription, copies that cannot be counted offline)."""
    ctx = ConvertContext(catalog, list(resources))
    fields: dict[str, Any] = {field: tuple(convert(ctx)) for field, convert in _CONVERTERS.items()}
    env = Environment(
        name=name,
        location=location or next((r.location for r in resources if r.location), ""),
        on_premises=on_premises,
        **fields,
    )
    env = replace(env, unmodelled=coverage.unmodelled(ctx, env, MODELLED, unmodelled))
    env, outside = _firewall_ip_outside(env)
    env = _attach_gateway(_assume_resolver_ips(_assume_firewall_ips(env)))
    return env, [*_coverage_notices(env), *ctx.notes.items, *outside]
