"""Effective routes: one named case per behaviour, asserting the route and its state."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

from heiki.analyses.addressing import Match, PublicEndpoint
from heiki.analyses.routing import HopType, RouteSource, RouteTableIndex, effective_routes
from heiki.model.environment import Environment
from heiki.model.network import NextHopType, PrivateEndpointNetworkPolicies, Route
from heiki.model.values import DnsName
from nethelp import CATALOG, design, replace_in, replace_subnet, replace_vnet

IP = ipaddress.IPv4Address
NET = ipaddress.IPv4Network
CLOSED = design("closed-aml")


def routes_of(env: Environment, vnet: str, subnet: str):  # type: ignore[no-untyped-def]
    found = env.vnet_by_name(vnet)
    assert found is not None
    target = found.subnet(subnet)
    assert target is not None
    return effective_routes(env, CATALOG, target.id)


def find(routes, prefix: str, hop: HopType | None = None):  # type: ignore[no-untyped-def]
    for route in routes:
        if route.address_prefix == prefix and (hop is None or route.next_hop_type is hop):
            return route
    raise AssertionError(f"no route {prefix} {hop}")


def test_system_routes_of_a_subnet_without_route_table() -> None:
    routes = routes_of(CLOSED, "vnet-hub", "AzureBastionSubnet")
    assert find(routes, "10.0.0.0/16", HopType.VNET_LOCAL).active
    assert find(routes, "0.0.0.0/0", HopType.INTERNET).active
    for reserved in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"):
        assert find(routes, reserved, HopType.NONE).active


def test_none_route_removed_when_a_vnet_range_covers_it() -> None:
    env = replace_vnet(CLOSED, "vnet-hub", address_space=(NET("10.0.0.0/8"),))
    routes = routes_of(env, "vnet-hub", "AzureBastionSubnet")
    assert not [
        r for r in routes if r.address_prefix == "10.0.0.0/8" and r.next_hop_type is HopType.NONE
    ]
    assert find(routes, "172.16.0.0/12", HopType.NONE)


def test_none_routes_disappear_with_a_default_udr() -> None:
    routes = routes_of(CLOSED, "vnet-ml", "snet-compute")
    assert not [r for r in routes if r.next_hop_type is HopType.NONE]


def test_peering_routes_need_both_sides() -> None:
    routes = routes_of(CLOSED, "vnet-ml", "snet-compute")
    assert find(routes, "10.0.0.0/16", HopType.VNET_PEERING).active
    hub = CLOSED.vnet_by_name("vnet-hub")
    assert hub is not None
    one_sided = replace_vnet(
        CLOSED,
        "vnet-hub",
        peerings=tuple(p for p in hub.peerings if p.remote_virtual_network.name != "vnet-ml"),
    )
    routes = routes_of(one_sided, "vnet-ml", "snet-compute")
    assert not [r for r in routes if r.next_hop_type is HopType.VNET_PEERING]


def test_gateway_routes_in_the_hub_and_by_transit() -> None:
    hub_routes = routes_of(CLOSED, "vnet-hub", "AzureFirewallSubnet")
    learned = find(hub_routes, "192.168.0.0/16", HopType.GATEWAY)
    assert learned.source is RouteSource.GATEWAY and learned.active
    # the ML spoke's route table disables propagation: no on-premises routes there
    assert not [
        r
        for r in routes_of(CLOSED, "vnet-ml", "snet-compute")
        if r.next_hop_type is HopType.GATEWAY
    ]
    env = replace_in(
        CLOSED, "route_tables", lambda t: t.name == "rt-ml", disable_bgp_route_propagation=False
    )
    assert find(routes_of(env, "vnet-ml", "snet-compute"), "192.168.0.0/16", HopType.GATEWAY)


def test_bgp_route_inside_a_vnet_range_is_invalid() -> None:
    assert CLOSED.on_premises is not None
    env = replace(
        CLOSED,
        on_premises=replace(
            CLOSED.on_premises, address_space=(NET("192.168.0.0/16"), NET("10.0.5.0/24"))
        ),
    )
    route = find(routes_of(env, "vnet-hub", "AzureFirewallSubnet"), "10.0.5.0/24", HopType.GATEWAY)
    assert not route.active and "VNet and peering routes win" in route.invalid_reason


def test_private_endpoint_routes_in_own_and_peered_vnets() -> None:
    pe_ip = CLOSED.private_endpoints[1].ip_configurations[0].private_ip_address
    own = find(
        routes_of(CLOSED, "vnet-ml", "snet-compute"), f"{pe_ip}/32", HopType.INTERFACE_ENDPOINT
    )
    peered = find(routes_of(CLOSED, "vnet-hub", "AzureFirewallSubnet"), f"{pe_ip}/32")
    assert own.active and peered.active
    assert not [
        r for r in routes_of(CLOSED, "vnet-devops", "snet-git") if r.address_prefix == f"{pe_ip}/32"
    ]  # not peered with the ML spoke


def test_endpoint_route_summarised_by_a_udr_when_route_policies_are_on() -> None:
    pe_ip = CLOSED.private_endpoints[1].ip_configurations[0].private_ip_address
    route = find(routes_of(CLOSED, "vnet-hub", "GatewaySubnet"), f"{pe_ip}/32")
    assert not route.active and "network policies" in route.invalid_reason


def test_endpoint_route_kept_when_policies_are_disabled() -> None:
    env = replace_subnet(
        CLOSED,
        "vnet-ml",
        "snet-pe",
        private_endpoint_network_policies=PrivateEndpointNetworkPolicies.DISABLED,
    )
    pe_ip = CLOSED.private_endpoints[1].ip_configurations[0].private_ip_address
    assert find(routes_of(env, "vnet-hub", "GatewaySubnet"), f"{pe_ip}/32").active


def test_exact_32_udr_overrides_an_endpoint_route() -> None:
    env = replace_subnet(
        CLOSED,
        "vnet-ml",
        "snet-pe",
        private_endpoint_network_policies=PrivateEndpointNetworkPolicies.DISABLED,
    )
    pe_ip = CLOSED.private_endpoints[1].ip_configurations[0].private_ip_address
    table = next(t for t in env.route_tables if t.name == "rt-hub-gateway")
    env = replace_in(
        env,
        "route_tables",
        lambda t: t.id == table.id,
        routes=(
            *table.routes,
            Route("pin", f"{pe_ip}/32", NextHopType.VIRTUAL_APPLIANCE, IP("10.0.1.4")),
        ),
    )
    routes = routes_of(env, "vnet-hub", "GatewaySubnet")
    assert not find(routes, f"{pe_ip}/32", HopType.INTERFACE_ENDPOINT).active
    assert find(routes, f"{pe_ip}/32", HopType.APPLIANCE).active


def test_udr_marks_the_same_prefix_system_route_invalid() -> None:
    routes = routes_of(CLOSED, "vnet-ml", "snet-compute")
    assert not find(routes, "0.0.0.0/0", HopType.INTERNET).active
    assert find(routes, "0.0.0.0/0", HopType.APPLIANCE).active


def test_service_endpoint_route_and_service_tag_lookup() -> None:
    env = replace_subnet(
        CLOSED, "vnet-ml", "snet-compute", service_endpoints=("Microsoft.Storage",)
    )
    routes = routes_of(env, "vnet-ml", "snet-compute")
    route = find(routes, "Storage.japaneast", HopType.SERVICE_ENDPOINT)
    storage = PublicEndpoint(
        DnsName("x.blob.core.windows.net"), ("Storage.japaneast", "Storage", "Internet")
    )
    assert RouteTableIndex(routes).lookup(storage).route == route
    pypi = PublicEndpoint(DnsName("pypi.org"), ("Internet",))
    assert RouteTableIndex(routes).lookup(pypi).route.next_hop_type is HopType.APPLIANCE  # type: ignore[union-attr]


def test_longest_prefix_and_udr_over_system_on_ties() -> None:
    index = RouteTableIndex(routes_of(CLOSED, "vnet-hub", "GatewaySubnet"))
    route = index.lookup(IP("10.1.0.9")).route
    assert route is not None and route.source is RouteSource.USER  # /16 UDR beats the /16 peering
    assert index.lookup(IP("10.0.0.9")).route.next_hop_type is HopType.VNET_LOCAL  # type: ignore[union-attr]
    assert index.lookup(IP("10.200.0.1")).route.next_hop_type is HopType.NONE  # type: ignore[union-attr]


def test_regional_service_tag_route_beats_the_global_one() -> None:
    table = next(t for t in CLOSED.route_tables if t.name == "rt-ml")
    env = replace_in(
        CLOSED,
        "route_tables",
        lambda t: t.id == table.id,
        routes=(
            *table.routes,
            Route("global", "Storage", NextHopType.INTERNET),
            Route("regional", "Storage.japaneast", NextHopType.NONE),
        ),
    )
    index = RouteTableIndex(routes_of(env, "vnet-ml", "snet-compute"))
    storage = PublicEndpoint(
        DnsName("x.blob.core.windows.net"), ("Storage.japaneast", "Storage", "Internet")
    )
    route = index.lookup(storage).route
    assert route is not None and route.name == "regional"


def test_public_cidr_udr_makes_a_symbolic_lookup_unknown() -> None:
    table = next(t for t in CLOSED.route_tables if t.name == "rt-ml")
    env = replace_in(
        CLOSED,
        "route_tables",
        lambda t: t.id == table.id,
        routes=(*table.routes, Route("office", "20.43.0.0/16", NextHopType.INTERNET)),
    )
    lookup = RouteTableIndex(routes_of(env, "vnet-ml", "snet-compute")).lookup(
        PublicEndpoint(DnsName("pypi.org"), ("Internet",))
    )
    assert lookup.certainty is Match.UNKNOWN and "20.43.0.0/16" in lookup.note
