"""Helpers shared by the DNS rules."""

from __future__ import annotations

from heiki.analyses.dns.types import Resolution
from heiki.catalog import Catalog
from heiki.model.endpoints import PrivateEndpoint
from heiki.model.environment import Environment
from heiki.model.network import VirtualNetwork
from heiki.model.values import Address, ResourceId
from heiki.rules.context import RuleContext

DOCS_PE_DNS = "https://learn.microsoft.com/en-us/azure/private-link/private-endpoint-dns"
DOCS_AML_DNS = "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-custom-dns"
DOCS_FW_DNS = "https://learn.microsoft.com/en-us/azure/firewall/dns-settings"
DOCS_RESOLVER = "https://learn.microsoft.com/en-us/azure/dns/dns-private-resolver-overview"


def service_dns(target: ResourceId) -> str:
    """Defect key: the private endpoint DNS of ``target`` is misconfigured at its endpoint."""
    return f"service-dns:{str(target).lower()}"


def zone_link(target: ResourceId, vnet: ResourceId) -> str:
    """Defect key: the zone ``target``'s names need is not linked where ``vnet`` resolves."""
    return f"zone-link:{str(target).lower()}@{str(vnet).lower()}"


def evidence(resolution: Resolution) -> tuple[str, ...]:
    return (
        f"resolve {resolution.name} from {resolution.vantage}: "
        f"{resolution.outcome.value} {resolution.answer_text}",
        *(str(step) for step in resolution.steps),
    )


def expected_zones(
    catalog: Catalog, env: Environment, endpoint: PrivateEndpoint
) -> tuple[str, ...]:
    target = endpoint.private_link_service
    zones: list[str] = []
    for group in endpoint.group_ids:
        service = catalog.private_link_service(target.resource_type, group)
        for zone in service.private_dns_zones if service else ():
            zone = zone.replace("{region}", endpoint.location or env.location)
            if zone not in zones:
                zones.append(zone)
    return tuple(zones)


def dns_endpoints(ctx: RuleContext) -> dict[Address, str]:
    """Every address in Azure that answers DNS, with what it is."""
    world = ctx.world
    found: dict[Address, str] = {}
    for address, (resolver, endpoint) in world.resolvers_by_ip.items():
        found[address] = f"resolver {resolver.name} inbound endpoint {endpoint}"
    for address, (firewall, policy) in world.firewalls_by_ip.items():
        tier = ctx.catalog.firewall_tier(firewall.sku_tier.value)
        if (
            policy
            and policy.dns_settings
            and policy.dns_settings.enable_proxy
            and (tier is None or tier.dns_proxy)
        ):
            found[address] = f"firewall {firewall.name} DNS proxy"
    for address, (vm, _) in world.dns_vms_by_ip.items():
        found[address] = f"DNS VM {vm.name}"
    return found


def resolving_vnets(ctx: RuleContext) -> dict[ResourceId, str]:
    """VNets in whose context Azure DNS resolves for somebody, and why."""
    env = ctx.world.env
    azure_dns = ctx.catalog.azure_dns
    used_ips: set[Address] = set()
    for vnet in env.virtual_networks:
        used_ips.update(vnet.dns_servers)
    if env.on_premises:
        for server in env.on_premises.dns_servers:
            used_ips.update(server.default_forwarders)
            for forwarder in server.conditional_forwarders:
                used_ips.update(forwarder.targets)
    for policy in env.firewall_policies:
        if policy.dns_settings:
            used_ips.update(policy.dns_settings.servers)
    for ruleset in env.dns_forwarding_rulesets:
        for rule in ruleset.forwarding_rules:
            used_ips.update(t.ip_address for t in rule.target_dns_servers)
    result: dict[ResourceId, str] = {}
    workload_subnets = {c.subnet for c in env.computes if c.subnet} | {
        n.subnet for n in env.network_interfaces
    }
    for vnet in env.virtual_networks:
        if vnet.uses_azure_dns and any(s.id in workload_subnets for s in vnet.subnets):
            result[vnet.id] = "its workloads use Azure-provided DNS"
    world = ctx.world
    for address, (resolver, _) in world.resolvers_by_ip.items():
        if address in used_ips:
            result.setdefault(
                resolver.virtual_network,
                f"resolver {resolver.name} answers with Azure DNS in this VNet",
            )
    for address, (firewall, fw_policy) in world.firewalls_by_ip.items():
        settings = fw_policy.dns_settings if fw_policy else None
        fw_vnet = env.vnet_of_subnet(firewall.subnet)
        if (
            address in used_ips
            and settings
            and settings.enable_proxy
            and not settings.servers
            and fw_vnet
        ):
            result.setdefault(fw_vnet.id, f"firewall {firewall.name} DNS proxy uses Azure DNS here")
    for address, (vm, vnet_id) in world.dns_vms_by_ip.items():
        forwards_to_azure = any(azure_dns in targets for _, targets in vm.dns_forwarders)
        if address in used_ips and forwards_to_azure and vnet_id:
            result.setdefault(vnet_id, f"DNS VM {vm.name} forwards to Azure DNS here")
    return result


def vnet_name(env: Environment, vnet_id: ResourceId) -> str:
    vnet = env.get_typed(vnet_id, VirtualNetwork)
    return vnet.name if vnet else vnet_id.name
