"""Effective routes of a subnet, and route lookup, as Azure computes them.

Routes a subnet gets: system routes (each VNet range -> VnetLocal, 0.0.0.0/0 -> Internet, the
RFC1918 / RFC6598 ranges -> None unless a VNet range covers them or a default UDR exists), one route
per range of each connected peered VNet, on-premises prefixes learned by the gateway (own or by
transit; not with ``disableBgpRoutePropagation``), a /32 per private endpoint in this and peered
VNets, service-endpoint routes for the subnet's service endpoints, and the route table's UDRs
(CIDR or service tag).

Selection: longest prefix; on the same prefix UDR > BGP > system; VNet, peering and
service-endpoint system routes win over BGP even when BGP is more specific; a private endpoint's
/32 is invalidated by a UDR at least as long as its VNet's address space when the endpoint's
subnet enables route-table network policies (a default route never invalidates it).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from heiki.analyses.addressing import Endpoint, Match, PublicEndpoint, tag_matches
from heiki.catalog import Catalog
from heiki.model.endpoints import PrivateEndpoint
from heiki.model.environment import Environment
from heiki.model.network import (
    NextHopType,
    PrivateEndpointNetworkPolicies,
    RouteTable,
    Subnet,
    VirtualNetwork,
)
from heiki.model.values import Address, Prefix, ResourceId


class RouteSource(StrEnum):
    DEFAULT = "Default"
    USER = "User"
    GATEWAY = "VirtualNetworkGateway"


class HopType(StrEnum):
    VNET_LOCAL = "VnetLocal"
    INTERNET = "Internet"
    NONE = "None"
    VNET_PEERING = "VNetPeering"
    GATEWAY = "VirtualNetworkGateway"
    APPLIANCE = "VirtualAppliance"
    SERVICE_ENDPOINT = "VirtualNetworkServiceEndpoint"
    INTERFACE_ENDPOINT = "InterfaceEndpoint"


_USER_HOPS = {
    NextHopType.VIRTUAL_NETWORK_GATEWAY: HopType.GATEWAY,
    NextHopType.VNET_LOCAL: HopType.VNET_LOCAL,
    NextHopType.INTERNET: HopType.INTERNET,
    NextHopType.VIRTUAL_APPLIANCE: HopType.APPLIANCE,
    NextHopType.NONE: HopType.NONE,
}
_SOURCE_RANK = {RouteSource.USER: 0, RouteSource.GATEWAY: 1, RouteSource.DEFAULT: 2}


@dataclass(frozen=True, slots=True)
class EffectiveRoute:
    """A route in a subnet's effective route table, with where it came from and whether it is
    active."""

    source: RouteSource
    prefix: Prefix | None
    """``None`` for a service-tag route; the tag is in ``tag``."""
    tag: str
    next_hop_type: HopType
    next_hop_ip: Address | None = None
    active: bool = True
    name: str = ""
    resource: ResourceId | None = None
    remote_vnet: ResourceId | None = None
    invalid_reason: str = ""

    @property
    def state(self) -> str:
        return "Active" if self.active else "Invalid"

    @property
    def address_prefix(self) -> str:
        return str(self.prefix) if self.prefix is not None else self.tag

    def __str__(self) -> str:
        hop = self.next_hop_type.value + (f" {self.next_hop_ip}" if self.next_hop_ip else "")
        label = f" ({self.name})" if self.name else ""
        return f"{self.source.value} {self.address_prefix} -> {hop}{label}"


@dataclass(frozen=True, slots=True)
class RouteLookup:
    """The route a destination takes, and how certain heiki is of it."""

    route: EffectiveRoute | None
    certainty: Match
    """``UNKNOWN`` when a UDR for a public CIDR might apply to a symbolic public destination."""
    note: str = ""


_EndpointRoute = tuple["EffectiveRoute", Prefix, PrivateEndpointNetworkPolicies]
"""An endpoint's /32 route, the widest VNet range it must beat, its subnet's network policies."""


class RoutingContext:
    """What every subnet's route computation looks up, indexed once per environment."""

    def __init__(self, env: Environment) -> None:
        self.peerings = {
            (vnet.id, p.remote_virtual_network): p
            for vnet in env.virtual_networks
            for p in vnet.peerings
        }
        self.gateways: dict[ResourceId, ResourceId] = {}
        for gateway in env.virtual_network_gateways:
            owner = env.vnet_of_subnet(gateway.subnet)
            if owner is not None:
                self.gateways.setdefault(owner.id, gateway.id)
        self.endpoints: dict[ResourceId, list[tuple[PrivateEndpoint, Subnet]]] = {}
        for endpoint in env.private_endpoints:
            owner = env.vnet_of_subnet(endpoint.subnet)
            subnet = env.subnet(endpoint.subnet)
            if owner is not None and subnet is not None:
                self.endpoints.setdefault(owner.id, []).append((endpoint, subnet))

        self._endpoint_routes: dict[ResourceId, tuple[_EndpointRoute, ...]] = {}

    def endpoint_routes(self, owner: VirtualNetwork) -> tuple[_EndpointRoute, ...]:
        """The /32 routes of the private endpoints in a VNet, as every subnet of it and of its
        peers sees them before its own UDRs decide their state (built once per VNet: a hub
        subnet has the endpoints of every spoke)."""
        found = self._endpoint_routes.get(owner.id)
        if found is not None:
            return found
        smallest_space = max((s.prefixlen for s in owner.address_space), default=32)
        # the widest route the endpoint's /32 must beat (its mask only matters), parsed once
        widest = Prefix((0, smallest_space))
        routes = []
        for endpoint, pe_subnet in self.endpoints.get(owner.id, ()):
            for config in endpoint.ip_configurations:
                route = EffectiveRoute(
                    RouteSource.DEFAULT,
                    Prefix((config.private_ip_address, 32)),
                    "",
                    HopType.INTERFACE_ENDPOINT,
                    name=f"private endpoint {endpoint.name}",
                    resource=endpoint.id,
                )
                routes.append((route, widest, pe_subnet.private_endpoint_network_policies))
        found = self._endpoint_routes[owner.id] = tuple(routes)
        return found

    def connected_peerings(
        self, env: Environment, vnet: VirtualNetwork
    ) -> list[tuple[VirtualNetwork, bool]]:
        """Peered VNets with a peering on both sides, and whether this side may use their
        gateway (gateway transit)."""
        result = []
        for peering in vnet.peerings:
            back = self.peerings.get((peering.remote_virtual_network, vnet.id))
            remote = env.get_typed(peering.remote_virtual_network, VirtualNetwork)
            if remote is None or back is None:
                continue
            result.append((remote, peering.use_remote_gateways and back.allow_gateway_transit))
        return result


def effective_routes(
    env: Environment,
    catalog: Catalog,
    subnet_id: ResourceId,
    context: RoutingContext | None = None,
) -> tuple[EffectiveRoute, ...]:
    """All routes of a subnet with their state, in Azure's display order. They depend on the
    subnet only through its VNet, its route table and its service endpoints (the tracer shares
    them among subnets that have those in common)."""
    context = context or RoutingContext(env)
    vnet = env.vnet_of_subnet(subnet_id)
    subnet = env.subnet(subnet_id)
    if vnet is None or subnet is None:
        return ()
    table = env.get_typed(subnet.route_table, RouteTable)
    user: list[EffectiveRoute] = []
    for udr in table.routes if table else ():
        prefix = udr.prefix
        user.append(
            EffectiveRoute(
                RouteSource.USER,
                prefix,
                "" if prefix is not None else udr.address_prefix,
                _USER_HOPS[udr.next_hop_type],
                udr.next_hop_ip_address,
                name=udr.name,
                resource=table.id if table else None,
            )
        )
    default_udr = any(r.prefix is not None and r.prefix.prefixlen == 0 for r in user)
    system: list[EffectiveRoute] = [
        EffectiveRoute(
            RouteSource.DEFAULT,
            space,
            "",
            HopType.VNET_LOCAL,
            name="VNet address space",
            resource=vnet.id,
        )
        for space in vnet.address_space
    ]
    system.append(
        EffectiveRoute(
            RouteSource.DEFAULT, _DEFAULT_ROUTE, "", HopType.INTERNET, name="default route"
        )
    )
    if not default_udr:
        for none in catalog.system_none_prefixes:
            if any(none.subnet_of(space) for space in vnet.address_space):
                continue  # a VNet range covers it: the None route is removed
            system.append(
                EffectiveRoute(RouteSource.DEFAULT, none, "", HopType.NONE, name="reserved range")
            )
    peers = context.connected_peerings(env, vnet)
    for remote, _ in peers:
        for space in remote.address_space:
            system.append(
                EffectiveRoute(
                    RouteSource.DEFAULT,
                    space,
                    "",
                    HopType.VNET_PEERING,
                    name=f"peering to {remote.name}",
                    resource=remote.id,
                    remote_vnet=remote.id,
                )
            )
    region = vnet.location or env.location
    for service in subnet.service_endpoints:
        tag = catalog.service_endpoint_tag(service, region)
        if tag:
            system.append(
                EffectiveRoute(
                    RouteSource.DEFAULT,
                    None,
                    tag,
                    HopType.SERVICE_ENDPOINT,
                    name=f"service endpoint {service}",
                )
            )
    gateway_routes: list[EffectiveRoute] = []
    gateway = context.gateways.get(vnet.id)
    transit_gateway = next(
        (context.gateways.get(remote.id) for remote, transit in peers if transit), None
    )
    onprem = env.on_premises
    connected_gateway = onprem.connection.gateway if onprem and onprem.connection else None
    propagate = not (table and table.disable_bgp_route_propagation)
    if (
        onprem
        and propagate
        and connected_gateway
        and connected_gateway in (gateway, transit_gateway)
    ):
        for space in onprem.address_space:
            gateway_routes.append(
                EffectiveRoute(
                    RouteSource.GATEWAY,
                    space,
                    "",
                    HopType.GATEWAY,
                    name=f"learned from {onprem.name}",
                    resource=connected_gateway,
                )
            )
    endpoint_routes = [
        entry
        for owner in [vnet, *(remote for remote, _ in peers)]
        for entry in context.endpoint_routes(owner)
    ]
    # States: UDRs override same-prefix system and BGP routes; BGP never beats VNet ranges.
    user_prefixes = {r.prefix for r in user if r.prefix is not None}
    local = [
        r.prefix
        for r in system
        if r.next_hop_type in (HopType.VNET_LOCAL, HopType.VNET_PEERING) and r.prefix
    ]
    result: list[EffectiveRoute] = []
    for route in system:
        if route.prefix is not None and route.prefix in user_prefixes:
            route = _invalid(route, "overridden by a user-defined route")
        result.append(route)
    for route in gateway_routes:
        if route.prefix in user_prefixes:
            route = _invalid(route, "overridden by a user-defined route")
        elif any(route.prefix is not None and route.prefix.subnet_of(p) for p in local):
            route = _invalid(route, "VNet and peering routes win over BGP")
        result.append(route)
    policies_on = (
        PrivateEndpointNetworkPolicies.ENABLED,
        PrivateEndpointNetworkPolicies.ROUTE_TABLE_ENABLED,
    )
    # user prefixes as (network, length) integers: "is this address in a user route of at
    # least this length" is then one set lookup per distinct length, not a scan of the routes
    user_networks = {
        (int(r.prefix.network_address), r.prefix.prefixlen)
        for r in user
        if r.prefix is not None and r.prefix.prefixlen > 0
    }
    user_lengths = sorted({length for _, length in user_networks})
    for route, space_len, policies in endpoint_routes:
        assert route.prefix is not None
        address = int(route.prefix.network_address)
        exact = route.prefix in user_prefixes
        summarised = policies in policies_on and any(
            ((address >> (32 - length)) << (32 - length), length) in user_networks
            for length in user_lengths
            if length >= space_len.prefixlen
        )
        if exact:
            route = _invalid(route, "overridden by a /32 user-defined route")
        elif summarised:
            route = _invalid(
                route,
                "a user-defined route at least as long as the VNet range "
                "applies (route-table network policies on the endpoint's subnet)",
            )
        result.append(route)
    result.extend(user)
    return tuple(result)


def _invalid(route: EffectiveRoute, reason: str) -> EffectiveRoute:
    return EffectiveRoute(
        route.source,
        route.prefix,
        route.tag,
        route.next_hop_type,
        route.next_hop_ip,
        False,
        route.name,
        route.resource,
        route.remote_vnet,
        reason,
    )


_TAG_RANK_GLOBAL = ("azurecloud",)


_DEFAULT_ROUTE = Prefix("0.0.0.0/0")
_SHARED_ADDRESS_SPACE = Prefix("100.64.0.0/10")
"""RFC 6598 space, private to Azure routing though ``is_private`` says no (parsed once: a hub
subnet has a route per peered spoke and endpoint)."""


def _tag_rank(tag: str) -> int:
    """Regional tag > global tag > AzureCloud.region > AzureCloud (lower is better)."""
    lowered = tag.lower()
    if lowered.startswith("azurecloud"):
        return 2 if "." in lowered else 3
    return 0 if "." in lowered else 1


class RouteTableIndex:
    """Active routes of one subnet, indexed for longest-prefix lookup (32 dict probes at most)."""

    def __init__(self, routes: tuple[EffectiveRoute, ...]) -> None:
        self.routes = routes
        self._by_length: dict[int, dict[int, list[EffectiveRoute]]] = {}
        self._tags: list[EffectiveRoute] = []
        for route in routes:
            if not route.active:
                continue
            if route.prefix is None:
                self._tags.append(route)
                continue
            bucket = self._by_length.setdefault(route.prefix.prefixlen, {})
            bucket.setdefault(int(route.prefix.network_address), []).append(route)
        self._lengths = sorted(self._by_length, reverse=True)
        self._public: dict[tuple[str, ...], RouteLookup] = {}
        self._public_cidrs: list[EffectiveRoute] | None = None

    @property
    def public_cidrs(self) -> list[EffectiveRoute]:
        """Active routes for public prefixes (other than the default route), found on the first
        lookup of a public destination: ``is_private`` is slow, and a hub subnet has a route
        per spoke and endpoint that no public lookup ever asks about."""
        if self._public_cidrs is None:
            self._public_cidrs = [
                route
                for route in self.routes
                if route.active
                and route.prefix is not None
                and route.prefix.prefixlen > 0
                and not route.prefix.is_private
                and not route.prefix.subnet_of(_SHARED_ADDRESS_SPACE)
            ]
        return self._public_cidrs

    def lookup(self, destination: Endpoint) -> RouteLookup:
        if isinstance(destination, PublicEndpoint):
            return self._lookup_public(destination)
        value = int(destination)
        for length in self._lengths:
            mask = (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF if length else 0
            candidates = self._by_length[length].get(value & mask)
            if candidates:
                return RouteLookup(self._best(candidates), Match.YES)
        return RouteLookup(None, Match.YES, "no route")

    @staticmethod
    def _best(candidates: list[EffectiveRoute]) -> EffectiveRoute:
        # Same prefix: UDR > BGP > system. (BGP inside VNet ranges was invalidated already.)
        return min(candidates, key=lambda r: _SOURCE_RANK[r.source])

    def _lookup_public(self, destination: PublicEndpoint) -> RouteLookup:
        # routes see a symbolic address only through its service tags
        found = self._public.get(destination.service_tags)
        if found is None:
            found = self._public[destination.service_tags] = self._find_public(destination)
        return found

    def _find_public(self, destination: PublicEndpoint) -> RouteLookup:
        tagged = [r for r in self._tags if tag_matches(r.tag, destination.service_tags)]
        if tagged:
            best = min(tagged, key=lambda r: (_tag_rank(r.tag), _SOURCE_RANK[r.source]))
            return RouteLookup(best, Match.YES)
        default = self._by_length.get(0, {}).get(0)
        note = ""
        certainty = Match.YES
        public_cidrs = self.public_cidrs
        if public_cidrs:
            certainty = Match.UNKNOWN
            note = (
                f"user-defined routes for public prefixes "
                f"({', '.join(r.address_prefix for r in public_cidrs[:3])}) may apply; "
                "the addresses of a public name are not known offline"
            )
        return RouteLookup(self._best(default) if default else None, certainty, note)


def route_index(env: Environment, catalog: Catalog, subnet: Subnet) -> RouteTableIndex:
    return RouteTableIndex(effective_routes(env, catalog, subnet.id))
