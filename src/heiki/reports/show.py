"""``heiki show``: the expanded environment, for people (rich text) and machines (JSON)."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from heiki.model.coverage import coverage_gaps
from heiki.model.dns import DnsResolver, PrivateDnsZone
from heiki.model.environment import Environment
from heiki.model.firewall import AzureFirewall, FirewallPolicy
from heiki.model.values import ResourceId
from heiki.reports.serialize import FORMAT_VERSION, to_data


def environment_document(env: Environment, source_name: str) -> dict[str, Any]:
    """The JSON document of ``heiki show --format json``: the whole model, plus a summary."""
    data = to_data(env)
    return {
        "format_version": FORMAT_VERSION,
        "source": source_name,
        "summary": summary(env),
        "environment": data,
    }


def summary(env: Environment) -> dict[str, int]:
    return {
        "virtual_networks": len(env.virtual_networks),
        "subnets": sum(len(v.subnets) for v in env.virtual_networks),
        "peerings": sum(len(v.peerings) for v in env.virtual_networks),
        "firewalls": len(env.firewalls),
        "private_endpoints": len(env.private_endpoints),
        "private_dns_zones": len(env.private_dns_zones),
        "workspaces": len(env.workspaces),
        "computes": len(env.computes) + len(env.kubernetes_computes),
        "virtual_machines": len(env.virtual_machines),
        "resources": sum(1 for _ in env.resources()),
        "not_modelled": len(env.unmodelled),
    }


def _name(env: Environment, rid: ResourceId | None) -> str:
    if rid is None:
        return "-"
    found = env.get(rid)
    return found.name if found else f"{rid.name} (missing)"


def render_environment(env: Environment) -> RenderableType:
    """A reading of the environment in the order a platform engineer reviews it."""
    parts: list[RenderableType] = [
        Text(f"{env.name} ({env.location})", style="bold"),
        Text(env.description, style="dim") if env.description else Text(""),
        _networks(env),
        _routes(env),
        _firewalls(env),
        _dns(env),
        _endpoints(env),
    ]
    if env.on_premises:
        parts.append(_onprem(env))
    gaps = coverage_gaps(env.unmodelled)
    if gaps:
        parts.append(Text("Not modelled (the verdict does not cover):", style="bold"))
        parts += [Text(f"  {gap.text}") for gap in gaps]
    return Group(*parts)


def _networks(env: Environment) -> RenderableType:
    table = Table(title="Virtual networks and subnets", title_justify="left", expand=False)
    for column in (
        "VNet",
        "address space",
        "DNS servers",
        "subnet",
        "prefix",
        "NSG",
        "route table",
    ):
        table.add_column(column, overflow="fold")
    for vnet in env.virtual_networks:
        dns = ", ".join(str(a) for a in vnet.dns_servers) or "Azure-provided"
        first = True
        for subnet in vnet.subnets or ():
            table.add_row(
                vnet.name if first else "",
                ", ".join(str(p) for p in vnet.address_space) if first else "",
                dns if first else "",
                subnet.name,
                str(subnet.address_prefix),
                _name(env, subnet.network_security_group),
                _name(env, subnet.route_table),
            )
            first = False
    peer_table = Table(title="Peerings", title_justify="left")
    for column in ("from", "to", "vnet access", "forwarded", "gateway transit", "remote gateways"):
        peer_table.add_column(column, overflow="fold")
    for vnet in env.virtual_networks:
        for peering in vnet.peerings:
            peer_table.add_row(
                vnet.name,
                _name(env, peering.remote_virtual_network),
                _yes(peering.allow_virtual_network_access),
                _yes(peering.allow_forwarded_traffic),
                _yes(peering.allow_gateway_transit),
                _yes(peering.use_remote_gateways),
            )
    return Group(table, peer_table)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _routes(env: Environment) -> RenderableType:
    table = Table(title="Route tables", title_justify="left")
    for column in ("route table", "used by", "route", "prefix", "next hop", "BGP propagation"):
        table.add_column(column, overflow="fold")
    users: dict[ResourceId, list[str]] = {}
    for vnet in env.virtual_networks:
        for subnet in vnet.subnets:
            if subnet.route_table:
                users.setdefault(subnet.route_table, []).append(f"{vnet.name}/{subnet.name}")
    for rt in env.route_tables:
        first = True
        for route in rt.routes:
            hop = route.next_hop_type.value
            if route.next_hop_ip_address:
                hop += f" {route.next_hop_ip_address}"
            table.add_row(
                rt.name if first else "",
                "\n".join(users.get(rt.id, ["(unused)"])) if first else "",
                route.name,
                route.address_prefix,
                hop,
                ("off" if rt.disable_bgp_route_propagation else "on") if first else "",
            )
            first = False
    return table


def _firewalls(env: Environment) -> RenderableType:
    if not env.firewalls:
        return Text("No Azure Firewall: egress is controlled by NSGs alone.", style="yellow")
    trees: list[RenderableType] = []
    for fw in env.firewalls:
        trees.append(_firewall_tree(env, fw))
    return Group(*trees)


def _firewall_tree(env: Environment, fw: AzureFirewall) -> Tree:
    tree = Tree(
        f"[bold]Azure Firewall {fw.name}[/] {fw.sku_tier.value}, private IP "
        f"{fw.private_ip_address or 'unknown'}"
    )
    policy = env.get_typed(fw.firewall_policy, FirewallPolicy)
    if policy is None:
        tree.add("no firewall policy")
        return tree
    dns = policy.dns_settings
    proxy = "DNS proxy on" if dns and dns.enable_proxy else "DNS proxy off"
    servers = ", ".join(str(s) for s in dns.servers) if dns and dns.servers else "Azure DNS"
    node = tree.add(
        f"policy {policy.name}: threat intel {policy.threat_intel_mode.value}, {proxy} "
        f"(upstream {servers})"
    )
    for group in sorted(policy.rule_collection_groups, key=lambda g: g.priority):
        group_node = node.add(f"rule collection group {group.name} ({group.priority})")
        for collection in sorted(group.rule_collections, key=lambda c: c.priority):
            coll_node = group_node.add(
                f"{collection.name} ({collection.priority}) {collection.action.value}: "
                f"{len(collection.rules)} rules"
            )
            for rule in collection.rules:
                coll_node.add(rule.name)
    return tree


def _dns(env: Environment) -> RenderableType:
    parts: list[RenderableType] = []
    for resolver in env.dns_resolvers:
        parts.append(_resolver_text(env, resolver))
    for vm in env.virtual_machines:
        if vm.dns_forwarders:
            forwarders = "; ".join(
                f"{zone} -> {', '.join(str(t) for t in targets)}"
                for zone, targets in vm.dns_forwarders
            )
            parts.append(Text(f"DNS server VM {vm.name}: {forwarders}"))
    for policy in env.firewall_policies:
        if policy.dns_settings and policy.dns_settings.enable_proxy:
            parts.append(Text(f"Firewall DNS proxy ({policy.name}) enabled"))
    table = Table(title="Private DNS zones", title_justify="left")
    table.add_column("zone")
    table.add_column("linked VNets")
    for zone in env.private_dns_zones:
        table.add_row(zone.name, _links(env, zone))
    parts.append(table)
    return Group(*parts)


def _resolver_text(env: Environment, resolver: DnsResolver) -> Text:
    inbound = ", ".join(
        f"{e.name} {e.private_ip_address or 'dynamic'}" for e in resolver.inbound_endpoints
    )
    outbound = ", ".join(e.name for e in resolver.outbound_endpoints)
    return Text(
        f"DNS Private Resolver {resolver.name} in {_name(env, resolver.virtual_network)}: "
        f"inbound {inbound or '-'}; outbound {outbound or '-'}"
    )


def _links(env: Environment, zone: PrivateDnsZone) -> str:
    return ", ".join(_name(env, link.virtual_network) for link in zone.virtual_network_links) or "-"


def _endpoints(env: Environment) -> RenderableType:
    table = Table(title="Private endpoints", title_justify="left")
    for column in ("endpoint", "target", "group", "IPs", "zones (linked VNets)"):
        table.add_column(column, overflow="fold")
    for pe in env.private_endpoints:
        zones = []
        for group in pe.dns_zone_groups:
            for config in group.zone_configs:
                zone = env.get_typed(config.private_dns_zone, PrivateDnsZone)
                zones.append(
                    f"{config.private_dns_zone.name} ({_links(env, zone) if zone else '?'})"
                )
        table.add_row(
            pe.name,
            pe.private_link_service.name,
            ", ".join(pe.group_ids),
            ", ".join(str(c.private_ip_address) for c in pe.ip_configurations) or "dynamic",
            "\n".join(zones) or "no zone group",
        )
    return table


def _onprem(env: Environment) -> RenderableType:
    onprem = env.on_premises
    assert onprem is not None
    tree = Tree(
        f"[bold]On-premises {onprem.name}[/] {', '.join(str(p) for p in onprem.address_space)}"
    )
    if onprem.connection:
        tree.add(
            f"connected by {onprem.connection.kind} to {_name(env, onprem.connection.gateway)}"
        )
    for client in onprem.clients:
        tree.add(f"clients {client.name} {client.prefix}")
    for server in onprem.dns_servers:
        node = tree.add(f"DNS server {server.name} {server.address}")
        for fwd in server.conditional_forwarders:
            node.add(f"forward {fwd.zone} -> {', '.join(str(t) for t in fwd.targets)}")
        for zone in server.zones:
            records = ", ".join(
                f"{r.name} {r.record_type.value} "
                + (", ".join(str(a) for a in r.a_records) if r.a_records else str(r.cname))
                for r in zone.record_sets
            )
            node.add(f"zone {zone.zone}: {records}")
    for source in onprem.data_sources:
        tree.add(f"data source {source.name} {source.address}:{source.port}/{source.protocol}")
    return tree
