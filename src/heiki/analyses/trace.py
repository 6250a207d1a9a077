"""``trace(env, vantage, destination, port, protocol)``: follow one flow hop by hop, offline.

A trace is pybatfish-shaped: a verdict (delivered / dropped / unknown) and hops, each a list of
steps naming the NSG rule, route, peering flag or firewall rule that decided. The walk:

1. the destination: an IP, a name resolved from the vantage as the client would, or a symbolic
   class (``any-internet``, ``foreign-storage``);
2. leaving the source: NIC NSG then subnet NSG (outbound), then the subnet's effective route;
3. each next hop: VNet-local delivery, a peering (``allowVirtualNetworkAccess``;
   ``allowForwardedTraffic`` for packets whose source is outside the sending VNet), a private
   endpoint /32, the firewall (policy evaluation, SNAT, then the AzureFirewallSubnet's routes), the
   gateway to on-premises, the internet (instance public IP, NAT gateway, default outbound access or
   the firewall's public IP), a service endpoint, or a blackhole;
4. arriving: subnet NSG then NIC NSG (inbound); private endpoints only when the subnet's network
   policies enable NSGs; a PaaS public endpoint whose public network access is disabled refuses;
5. the return path: a flow whose forward path crosses the firewall but whose reply does not (or
   the other way round) is dropped by the firewall, which has no session for it.

On-premises traffic enters Azure through the hub gateway and follows the GatewaySubnet's routes.
"""

from __future__ import annotations

import bisect
import ipaddress
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, overload

from heiki.analyses.addressing import (
    ANY_INTERNET,
    FOREIGN_STORAGE,
    MICROSOFT_PROBE_LABEL,
    Endpoint,
    PublicEndpoint,
    is_public,
    tag_matches,
)
from heiki.analyses.connectivity import AddressSpaceConnectivity, PathCheck
from heiki.analyses.dns.resolver import Resolver
from heiki.analyses.dns.types import Outcome, Resolution
from heiki.analyses.endpoint_policy import (
    SCOPED_SERVICE_ENDPOINT,
    PolicyDecision,
    policy_decision,
    service_of_route,
)
from heiki.analyses.firewall import FirewallEvaluator, FirewallFlow
from heiki.analyses.nsg import FlowSide, NsgDecision, NsgEvaluator
from heiki.analyses.routing import (
    EffectiveRoute,
    HopType,
    RouteTableIndex,
    RoutingContext,
    effective_routes,
)
from heiki.analyses.service_firewall import Admission, service_decision
from heiki.analyses.vantage import Vantage, VantageKind
from heiki.catalog import Catalog
from heiki.model.endpoints import ConnectionState, PrivateEndpoint
from heiki.model.environment import Environment
from heiki.model.firewall import AzureFirewall, FirewallAction
from heiki.model.ml import (
    Compute,
    IsolationMode,
    ManagedNetwork,
    OutboundRuleType,
    Workspace,
)
from heiki.model.network import (
    Access,
    Direction,
    NetworkInterface,
    NetworkSecurityGroup,
    PrivateEndpointNetworkPolicies,
    Subnet,
    VirtualMachine,
    VirtualNetwork,
)
from heiki.model.source import SourceLocation
from heiki.model.values import Address, DnsName, Prefix, ResourceId

if TYPE_CHECKING:
    from heiki.analyses.trace_share import Relabel, SubnetShape, VnetPart

MAX_HOPS = 12


class Verdict(StrEnum):
    DELIVERED = "delivered"
    DROPPED = "dropped"
    UNKNOWN = "unknown"


class StepKind(StrEnum):
    DNS = "dns"
    NSG = "nsg"
    ROUTE = "route"
    PEERING = "peering"
    FIREWALL = "firewall"
    EGRESS = "egress"
    ENDPOINT = "endpoint"
    SERVICE = "service"
    RETURN = "return"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One step of a hop: a route, an NSG rule, a firewall rule, a DNS answer."""

    kind: StepKind
    detail: str
    action: str
    """allow / deny / forward / deliver / drop / unknown / info."""
    resource: ResourceId | None = None
    location: SourceLocation | None = None

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.detail} [{self.action}]"


@dataclass(frozen=True, slots=True)
class Hop:
    """One node a flow crosses (subnet, peering, firewall, service), with the steps taken there."""

    node: str
    steps: tuple[TraceStep, ...]


class DeferredHops(Sequence[Hop]):
    """The hops of a trace shared from a subnet of the same shape, relabelled when first read.

    A thousand spokes ask for 100,000 flows of which a report prints the evidence of a few:
    relabelling every hop up front was a third of the egress analysis. Equal to (and hashed as)
    the tuple of hops it stands for, so a trace compares equal to its exact twin."""

    __slots__ = ("_hops", "_make")

    def __init__(self, make: Callable[[], tuple[Hop, ...]]) -> None:
        self._make: Callable[[], tuple[Hop, ...]] | None = make
        self._hops: tuple[Hop, ...] = ()

    def _resolved(self) -> tuple[Hop, ...]:
        if self._make is not None:
            self._hops = self._make()
            self._make = None
        return self._hops

    @overload
    def __getitem__(self, index: int) -> Hop: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Hop, ...]: ...
    def __getitem__(self, index: int | slice) -> Hop | tuple[Hop, ...]:
        return self._resolved()[index]

    def __len__(self) -> int:
        return len(self._resolved())

    def __iter__(self) -> Iterator[Hop]:
        return iter(self._resolved())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DeferredHops):
            return self._resolved() == other._resolved()
        if isinstance(other, tuple):
            return self._resolved() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._resolved())

    def __repr__(self) -> str:
        return repr(self._resolved())


@dataclass(frozen=True, slots=True)
class Trace:
    """A flow from a vantage to a destination: its verdict, the reason and the hops as evidence."""

    vantage: str
    destination: str
    port: int
    protocol: str
    verdict: Verdict
    reason: str
    hops: Sequence[Hop]
    """A tuple, or ``DeferredHops`` for a trace shared between subnets of one shape."""
    resolution: Resolution | None = None
    crossed_firewall: bool = False
    egress: str = ""
    """For flows that left Azure: how (``firewall``, ``default outbound access``, ...)."""
    managed_endpoint: bool = False
    """Delivered through a managed VNet's own private endpoint, whose address Azure's managed
    DNS answers inside that VNet - not the address of the customer's endpoint."""

    @property
    def deciding_step(self) -> TraceStep | None:
        for hop in reversed(self.hops):
            for step in reversed(hop.steps):
                if step.action in ("deny", "drop", "unknown", "deliver"):
                    return step
        return None


@dataclass
class _Walk:
    """Mutable state of one trace (the result is frozen)."""

    hops: list[Hop] = field(default_factory=list)
    current: list[TraceStep] = field(default_factory=list)
    node: str = ""
    crossed_firewall: bool = False
    firewall: AzureFirewall | None = None
    snat: bool = False
    shareable: bool = True
    """False once the walk read something about its subnet that the subnet's shape does not
    hold (see ``trace_share``): the trace is then not given to other subnets."""
    name_read: bool = False
    """True once the walk past DNS read the host name (a firewall weighed an application or
    FQDN rule, a managed VNet its outbound rules): only then do two names of one address
    walk differently."""
    origin: Prefix | None = None
    """The prefix of the subnet the walk starts from (the object itself, passed on unchanged
    until a firewall translates it): reads of it outside the subnet's shape become guards."""
    origin_vnet: ResourceId | None = None
    guards: list[_Guard] = field(default_factory=list)
    """What the walk read of its own prefix outside the subnet's shape, and what it found (see
    ``_Guard``): the trace goes to another subnet of the shape only where the reads agree."""

    def sharing(self) -> tuple[_Guard, ...] | None:
        """The guards of a shareable walk, ``None`` for one that is not."""
        return tuple(self.guards) if self.shareable else None

    def guard(self, kind: str, args: tuple[Any, ...], value: object) -> None:
        self.guards.append(_Guard(kind, args, value))

    def open(self, node: str) -> None:
        self.close()
        self.node = node

    def close(self) -> None:
        if self.node or self.current:
            self.hops.append(Hop(self.node, tuple(self.current)))
        self.current = []
        self.node = ""

    def add(
        self,
        kind: StepKind,
        detail: str,
        action: str,
        resource: ResourceId | None = None,
        location: SourceLocation | None = None,
    ) -> None:
        self.current.append(TraceStep(kind, detail, action, resource, location))


@dataclass(frozen=True, slots=True)
class _Guard:
    """A read of the walk's own prefix on the far side of a flow: a private destination's NSG,
    the way its replies take back, whether a peering sees the packet as forwarded, whether the
    destination lies in the source's own VNet. A subnet of the same shape gets the trace only
    when the same read of its own prefix finds the same value (``Tracer._guards_hold``)."""

    kind: str
    args: tuple[Any, ...]
    value: object


@dataclass(frozen=True, slots=True)
class _AfterDns:
    """What a walk did once its name resolved: reused for another name of the same address."""

    hops: tuple[Hop, ...]
    ending: _Ending
    crossed_firewall: bool
    shareable: bool
    name_read: bool
    guards: tuple[_Guard, ...]


@dataclass(frozen=True, slots=True)
class _Ending:
    """How a walk ended: the verdict, its reason, the egress it took."""

    verdict: Verdict
    reason: str
    egress: str = ""
    managed_endpoint: bool = False


SHARED_MODELS = 4
"""Walks of one flow kept for sharing per shape: where the far side treats a few subnets of the
shape differently (the one whose own VNet holds the destination), the rest still share."""


class Tracer:
    """Traces flows in one environment; routes, NSG scopes and DNS answers are computed once."""

    def __init__(
        self,
        env: Environment,
        catalog: Catalog,
        resolver: Resolver | None = None,
        *,
        exact: bool = False,
    ) -> None:
        """``resolver`` answers names in traces; by default one whose DNS hops are themselves
        checked by tracing them (UDP/TCP 53 through routes, NSGs and the firewall). ``exact``
        walks every flow on its own instead of sharing traces between subnets of one shape."""
        from heiki.analyses.trace_share import Relabel, subnet_shape  # it builds on this module

        self.catalog = catalog
        self.exact = exact
        self._subnet_shape = subnet_shape
        self._relabel = Relabel
        self._shapes: dict[tuple[ResourceId | None, str], tuple[SubnetShape | None, int]] = {}
        self._shape_numbers: dict[tuple[object, ...], int] = {}
        self._shared: dict[
            tuple[object, ...], list[tuple[SubnetShape, Trace, tuple[_Guard, ...]]]
        ] = {}
        """Per flow and shape, the shareable walks so far (at most ``SHARED_MODELS``): a
        subnet takes the first whose guards hold for it."""
        self._relabels: dict[tuple[int, int], Relabel | None] = {}
        self.plain_forms: dict[
            tuple[int, tuple[Prefix, ...]], tuple[tuple[object, ...], tuple[str, ...]]
        ] = {}
        """Shape keys of NSG rules and route tables by object and VNet (``trace_share``)."""
        self.vnet_shapes: dict[ResourceId, VnetPart] = {}
        """What subnet shapes take from each VNet (``trace_share``)."""
        base = resolver or Resolver(env, catalog)
        self.resolver = base
        self.env = base.world.env
        env = self.env
        connectivity = AddressSpaceConnectivity(env, catalog)
        self.connectivity = connectivity
        self.nsgs = NsgEvaluator(env, catalog, connectivity.onprem_reachers)
        self.firewalls = FirewallEvaluator(env, catalog)
        self._routes: dict[ResourceId, RouteTableIndex] = {}
        self._route_tables: dict[tuple[object, ...], RouteTableIndex] = {}
        self._traces: dict[tuple[object, ...], Trace] = {}
        self._after_dns: dict[tuple[object, ...], _AfterDns] = {}
        """Walks past DNS by (vantage, address, port, protocol): the names of one endpoint (a
        workspace's API, its compute instances...) resolve to one address."""
        self.routing = RoutingContext(env)
        self._names: dict[str, DnsName] = {}
        self._literals: dict[str, ipaddress.IPv4Address | None] = {}
        """Destinations parsed as an address once (most are names: parsing fails, slowly)."""
        if resolver is None:
            self.resolver = Resolver(env, catalog, TraceConnectivity(self), world=base.world)
        self._tags: dict[str, PublicEndpoint] = {}
        self.firewall_by_ip = {
            f.private_ip_address: f for f in env.firewalls if f.private_ip_address is not None
        }
        self.endpoint_by_ip: dict[Address, PrivateEndpoint] = {}
        for endpoint in env.private_endpoints:
            for config in endpoint.ip_configurations:
                self.endpoint_by_ip[config.private_ip_address] = endpoint
        self.nic_by_ip = {
            n.private_ip_address: n for n in env.network_interfaces if n.private_ip_address
        }
        # hosts of a subnet with an instance-level public IP: their own exit to the internet
        self.public_nics: dict[ResourceId, NetworkInterface] = {}
        for nic in env.network_interfaces:
            if nic.public_ip_address is not None:
                self.public_nics.setdefault(nic.subnet, nic)
        subnets = sorted(
            ((s.address_prefix, s) for v in env.virtual_networks for s in v.subnets),
            key=lambda item: int(item[0].network_address),
        )
        self._subnet_starts = [int(p.network_address) for p, _ in subnets]
        self._subnets = subnets
        gateway_subnets = {g.subnet for g in env.virtual_network_gateways}
        connection = env.on_premises.connection if env.on_premises else None
        self.onprem_gateway = next(
            (
                g
                for g in env.virtual_network_gateways
                if connection is not None and g.id == connection.gateway
            ),
            None,
        )
        self._gateway_subnets = gateway_subnets
        storage_tags = next(
            (
                e.service_tags
                for e in catalog.public_endpoints
                if e.pattern == "*.blob.core.windows.net"
            ),
            ("Storage", "Internet"),
        )
        region = env.location
        self.symbolic = {
            ANY_INTERNET: PublicEndpoint(DnsName(ANY_INTERNET), ("Internet",)),
            FOREIGN_STORAGE: PublicEndpoint(
                DnsName("foreign-account.blob.core.windows.net"),
                tuple(t.replace("{region}", region) for t in storage_tags),
            ),
        }

    # -- lookups --------------------------------------------------------------------------------
    def routes(self, subnet_id: ResourceId) -> RouteTableIndex:
        found = self._routes.get(subnet_id)
        if found is None:
            # a subnet's effective routes depend on it only through its VNet, its route table
            # and its service endpoints: the subnets of a spoke that share a table share them
            subnet = self.env.subnet(subnet_id)
            vnet = self.env.vnet_of_subnet(subnet_id)
            inputs: tuple[object, ...] = (
                (vnet.id, subnet.route_table, subnet.service_endpoints)
                if subnet is not None and vnet is not None
                else (subnet_id,)
            )
            found = self._route_tables.get(inputs)
            if found is None:
                found = self._route_tables[inputs] = RouteTableIndex(
                    effective_routes(self.env, self.catalog, subnet_id, self.routing)
                )
            self._routes[subnet_id] = found
        return found

    def subnet_of(self, address: Address) -> Subnet | None:
        value = int(address)
        index = bisect.bisect_right(self._subnet_starts, value) - 1
        while index >= 0:
            prefix, subnet = self._subnets[index]
            if address in prefix:
                return subnet
            if index and int(self._subnets[index - 1][0].broadcast_address) < value:
                break
            index -= 1
        return None

    def _location(self, resource: ResourceId | None) -> SourceLocation | None:
        found = self.env.get(resource) if resource else None
        return found.source if found else None

    # -- entry point ----------------------------------------------------------------------------
    def trace(
        self, vantage: Vantage, destination: str, port: int = 443, protocol: str = "tcp"
    ) -> Trace:
        # the egress report, readiness and rules ask for many of the same flows: trace once
        # keyed without the vantage's prefix and address: hashing an IPv4Network is slow
        key = (vantage.name, vantage.kind, vantage.resource, destination, port, protocol.lower())
        found = self._traces.get(key)
        if found is None:
            shared = None if self.exact else self._from_shape(vantage, destination, port, protocol)
            if shared is None:
                shared = self._trace(vantage, destination, port, protocol)[0]
            found = self._traces[key] = shared
        return found

    def _from_shape(
        self, vantage: Vantage, destination: str, port: int, protocol: str
    ) -> Trace | None:
        """The flow's trace from the first subnet of the same shape, relabelled; ``None`` when
        it must be walked (not a subnet, not shareable, or its reads of its own prefix beyond
        the shape - a private destination's NSG, the way back - differ from the first's)."""
        known = self._shapes.get((vantage.resource, vantage.name))
        if known is None:
            shape = self._subnet_shape(self, vantage)
            # the key is a deep tuple whose hash is not cached: number each distinct shape once
            number = (
                self._shape_numbers.setdefault(shape.key, len(self._shape_numbers)) if shape else -1
            )
            known = self._shapes[(vantage.resource, vantage.name)] = (shape, number)
        shape, number = known
        if shape is None:
            return None
        text = destination.strip().lower()
        resolution: Resolution | None = None
        if text.startswith("tag:") or text in self.symbolic:
            answer: object = None
        else:
            if text in self._literals:
                literal = self._literals[text]
            else:
                literal = self._literals[text] = _literal_address(text)
            if literal is None:
                name = self._names.get(text) or self._names.setdefault(text, DnsName(text))
                resolution = self.resolver.resolve(vantage, name)
                if resolution.outcome is Outcome.PRIVATE:
                    answer = resolution.addresses
                elif resolution.outcome is Outcome.PUBLIC and resolution.public is not None:
                    answer = (resolution.public.name, resolution.public.service_tags)
                else:
                    return None
            else:
                answer = literal
        key = (number, text, port, protocol.lower(), answer)
        models = self._shared.get(key)
        if models is None:
            models = self._shared[key] = []
        for first, model, guards in models:
            if guards and not self._guards_hold(guards, vantage):
                continue
            pair = (id(first), id(shape))
            if pair not in self._relabels:
                try:
                    self._relabels[pair] = self._relabel(first, shape)
                except ValueError:
                    self._relabels[pair] = None
            relabel = self._relabels[pair]
            if relabel is not None:
                return relabel.trace(model, vantage.name, resolution)
        if len(models) >= SHARED_MODELS:
            return None
        # e.g. the first spoke reaches an address in its own VNet, the others through the hub
        walked, walked_guards = self._trace(vantage, destination, port, protocol)
        if walked_guards is not None:
            models.append((shape, walked, walked_guards))
        return walked

    def _trace(
        self, vantage: Vantage, destination: str, port: int, protocol: str
    ) -> tuple[Trace, tuple[_Guard, ...] | None]:
        """The trace, and the guards under which subnets of the same shape may share it
        (``None``: they may not)."""
        walk = _Walk()
        target, name, resolution, early = self._destination(vantage, destination, walk)
        if early is not None or target is None:
            ending = early or _Ending(Verdict.DROPPED, "no destination")
            return self._finish(
                vantage, destination, port, protocol, walk, ending, resolution
            ), walk.sharing()
        reusable = not self.exact and name is not None and isinstance(target, ipaddress.IPv4Address)
        key = (vantage.name, vantage.kind, vantage.resource, target, port, protocol.lower())
        known = self._after_dns.get(key) if reusable else None
        if known is not None and not known.name_read:
            # another name of this address walked it already, and its walk read no name
            walk.close()
            walk.hops.extend(known.hops)
            walk.crossed_firewall = known.crossed_firewall
            walk.shareable = known.shareable
            walk.guards.extend(known.guards)
            trace = self._finish(
                vantage, destination, port, protocol, walk, known.ending, resolution
            )
            return trace, walk.sharing()
        # the answer is the walk's only hop so far, and stays alone in it (the walk past DNS
        # opens hops of its own): what follows is what any name of the address walks
        answer_only = reusable and not walk.hops and len(walk.current) == 1
        ending = self._walk(vantage, target, name, port, protocol, walk)
        trace = self._finish(vantage, destination, port, protocol, walk, ending, resolution)
        if answer_only and len(trace.hops[0].steps) == 1:
            self._after_dns.setdefault(
                key,
                _AfterDns(
                    tuple(trace.hops[1:]),
                    ending,
                    walk.crossed_firewall,
                    walk.shareable,
                    walk.name_read,
                    tuple(walk.guards),
                ),
            )
        return trace, walk.sharing()

    def _finish(
        self,
        vantage: Vantage,
        destination: str,
        port: int,
        protocol: str,
        walk: _Walk,
        ending: _Ending,
        resolution: Resolution | None,
    ) -> Trace:
        walk.close()
        return Trace(
            vantage.name,
            destination,
            port,
            protocol.lower(),
            ending.verdict,
            ending.reason,
            tuple(walk.hops),
            resolution,
            walk.crossed_firewall,
            ending.egress,
            ending.managed_endpoint,
        )

    def _destination(
        self, vantage: Vantage, text: str, walk: _Walk
    ) -> tuple[Endpoint | None, DnsName | None, Resolution | None, _Ending | None]:
        key = text.strip().lower()
        if key.startswith("tag:"):
            endpoint = self._tags.get(key) or self._tags.setdefault(
                key, service_tag_endpoint(text.strip()[4:])
            )
            walk.open("destination")
            walk.add(StepKind.NOTE, f"an address of service tag {text.strip()[4:]}", "info")
            return endpoint, None, None, None
        if key in self.symbolic:
            endpoint = self.symbolic[key]
            walk.open("destination")
            walk.add(StepKind.NOTE, f"{key} stands for {endpoint}", "info")
            return endpoint, endpoint.name, None, None
        try:
            return ipaddress.IPv4Address(key), None, None, None
        except ValueError:
            pass
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = DnsName(key)
        resolution = self.resolver.resolve(vantage, name)
        walk.open(f"DNS from {vantage.name}")
        if resolution.outcome is Outcome.PRIVATE:
            walk.add(StepKind.DNS, f"{name} resolves to {resolution.answer_text}", "info")
            return resolution.addresses[0], name, resolution, None
        if resolution.outcome is Outcome.PUBLIC and resolution.public is not None:
            endpoint = PublicEndpoint(resolution.public.name, resolution.public.service_tags)
            walk.add(StepKind.DNS, f"{name} resolves to {endpoint}", "info")
            return endpoint, name, resolution, None
        walk.add(StepKind.DNS, f"{name} does not resolve: {resolution.outcome.value}", "drop")
        return (
            None,
            name,
            resolution,
            _Ending(
                Verdict.DROPPED,
                f"{name} does not resolve from {vantage.name} ({resolution.outcome.value})",
            ),
        )

    # -- the walk -------------------------------------------------------------------------------
    def _walk(
        self,
        vantage: Vantage,
        target: Endpoint,
        name: DnsName | None,
        port: int,
        protocol: str,
        walk: _Walk,
    ) -> _Ending:
        if vantage.kind is VantageKind.MANAGED:
            return self._from_managed(vantage, target, name, port, protocol, walk)
        if vantage.vnet is None:
            return self._from_onprem(vantage, target, name, port, protocol, walk)
        subnet = self.env.subnet(vantage.subnet) if vantage.subnet else None
        vnet = self.env.get_typed(vantage.vnet, VirtualNetwork)
        if subnet is None or vnet is None:
            return _Ending(Verdict.UNKNOWN, f"vantage {vantage.name} is not in a subnet")
        source = Prefix(f"{vantage.address}/32") if vantage.address else subnet.address_prefix
        nic = self.nic_by_ip.get(vantage.address) if vantage.address else None
        if vantage.address is None:
            walk.origin, walk.origin_vnet = source, vnet.id
            if isinstance(target, ipaddress.IPv4Address) and not is_public(target):
                # the subnet's own VNet routes a private destination inside it (VnetLocal)
                walk.guard("own", (target,), self._read_own(target, vnet))
        walk.open(f"{vnet.name}/{subnet.name}")
        ending = self._leave(subnet, vnet, nic, source, target, port, protocol, walk)
        if ending is not None:
            return ending
        return self._forward(
            subnet,
            vnet,
            source,
            target,
            name,
            port,
            protocol,
            walk,
            origin_vnet=vnet.id,
            source_nic=nic,
            vantage=vantage,
        )

    def _leave(
        self,
        subnet: Subnet,
        vnet: VirtualNetwork,
        nic: NetworkInterface | None,
        source: Prefix,
        target: Endpoint,
        port: int,
        protocol: str,
        walk: _Walk,
    ) -> _Ending | None:
        """Outbound NSGs: the NIC's first, then the subnet's."""
        destination = FlowSide(endpoint=target)
        side = FlowSide(prefix=source, asgs=nic.application_security_groups if nic else None)
        nsgs = []
        if nic and nic.network_security_group:
            nsgs.append(nic.network_security_group)
        if subnet.network_security_group:
            nsgs.append(subnet.network_security_group)
        for nsg_id in nsgs:
            ending = self._nsg(
                nsg_id, Direction.OUTBOUND, side, destination, port, protocol, vnet.id, walk
            )
            if ending is not None:
                return ending
        return None

    def _nsg(
        self,
        nsg_id: ResourceId,
        direction: Direction,
        source: FlowSide,
        destination: FlowSide,
        port: int,
        protocol: str,
        vnet_id: ResourceId,
        walk: _Walk,
    ) -> _Ending | None:
        nsg = self.env.get_typed(nsg_id, NetworkSecurityGroup)
        if nsg is None:
            return None
        decision = self.nsgs.evaluate(nsg, direction, source, destination, port, protocol, vnet_id)
        if direction is Direction.INBOUND and source.prefix is walk.origin:
            # a destination's NSG weighs the source's own prefix
            walk.guard(
                "nsg",
                (nsg, direction, destination, port, protocol, vnet_id),
                _decided(decision),
            )
        where = decision.rule.source if decision.rule and decision.rule.source else nsg.source
        if decision.access is None:
            walk.add(StepKind.NSG, f"NSG {nsg.name}: {decision.detail}", "unknown", nsg.id, where)
            return _Ending(Verdict.UNKNOWN, f"NSG {nsg.name}: {decision.detail}")
        action = "allow" if decision.access is Access.ALLOW else "deny"
        walk.add(StepKind.NSG, f"NSG {nsg.name}: {decision.detail}", action, nsg.id, where)
        if decision.access is Access.DENY:
            return _Ending(Verdict.DROPPED, f"NSG {nsg.name}: {decision.detail}")
        return None

    def _from_managed(
        self,
        vantage: Vantage,
        target: Endpoint,
        name: DnsName | None,
        port: int,
        protocol: str,
        walk: _Walk,
    ) -> _Ending:
        """Compute in a workspace's managed VNet: its isolation mode and outbound rules decide."""
        walk.name_read = name is not None  # FQDN outbound rules and approvals read it
        compute = self.env.get_typed(vantage.resource, Compute) if vantage.resource else None
        workspace = self.env.get_typed(compute.workspace, Workspace) if compute else None
        if workspace is None:
            return _Ending(Verdict.UNKNOWN, f"{vantage.name} belongs to no workspace in the model")
        network = workspace.managed_network
        mode = network.isolation_mode
        walk.open(f"managed VNet of {workspace.name}")
        walk.add(
            StepKind.NOTE, f"isolation mode {mode.value}", "info", workspace.id, workspace.source
        )
        if isinstance(target, Address) and not is_public(target):
            walk.add(
                StepKind.ROUTE,
                "a managed VNet has no route to customer networks or "
                "on-premises; reach them through a private endpoint outbound rule",
                "drop",
            )
            return _Ending(Verdict.DROPPED, "no route from the managed VNet to private space")
        service = (
            self.resolver.world.services_by_name.get(target.name)
            if isinstance(target, PublicEndpoint)
            else None
        )
        if service is not None:
            required = {workspace.id, workspace.storage_account, workspace.key_vault}
            if workspace.container_registry:
                required.add(workspace.container_registry)
            approved = {
                r.service_resource_id
                for r in network.outbound_rules
                if r.rule_type is OutboundRuleType.PRIVATE_ENDPOINT
            }
            if service in required or service in approved:
                why = "a required" if service in required else "an approved"
                walk.add(
                    StepKind.ENDPOINT,
                    f"{service.name} through {why} managed private endpoint",
                    "deliver",
                    service,
                )
                return _Ending(
                    Verdict.DELIVERED,
                    f"delivered to {service.name} through a managed private endpoint",
                    managed_endpoint=True,
                )
            # the managed VNet leaves from Microsoft-managed public addresses
            refusal = service_decision(self.env, service, via_service_endpoint=False, subnet=None)
            if refusal.admission is not Admission.ADMITTED:
                walk.add(
                    StepKind.SERVICE,
                    refusal.reason + "; add a private endpoint outbound rule",
                    "drop" if refusal.admission is Admission.REFUSED else "unknown",
                    service,
                )
                verdict = (
                    Verdict.DROPPED if refusal.admission is Admission.REFUSED else Verdict.UNKNOWN
                )
                return _Ending(verdict, refusal.reason)
        if mode in (IsolationMode.DISABLED, IsolationMode.ALLOW_INTERNET_OUTBOUND):
            walk.add(StepKind.EGRESS, "the managed VNet allows internet outbound", "deliver")
            return _Ending(
                Verdict.DELIVERED,
                f"delivered to {target} (internet outbound allowed)",
                "managed VNet",
            )
        decision = self._approved(network, workspace, target, name, port, protocol)
        if decision:
            walk.add(StepKind.EGRESS, decision, "deliver")
            return _Ending(Verdict.DELIVERED, decision, "managed VNet firewall")
        if isinstance(target, Address):
            walk.add(
                StepKind.EGRESS, "service-tag rules cannot be decided for an address", "unknown"
            )
            return _Ending(Verdict.UNKNOWN, "approved-outbound rules against a public address")
        walk.add(
            StepKind.EGRESS,
            f"{target} is not an approved outbound destination",
            "drop",
            workspace.id,
            workspace.source,
        )
        return _Ending(Verdict.DROPPED, f"{target} is not approved for the managed VNet")

    def _approved(
        self,
        network: ManagedNetwork,
        workspace: Workspace,
        target: Endpoint,
        name: DnsName | None,
        port: int,
        protocol: str,
    ) -> str:
        """Which outbound rule of an approved-only managed VNet allows the flow, if any."""
        if not isinstance(target, PublicEndpoint):
            return ""
        region = workspace.location
        required = [
            t.replace("{region}", region) for t in self.catalog.managed_network_required_tags
        ]
        for tag in required:
            if tag_matches(tag, target.service_tags):
                return f"required outbound rule for service tag {tag}"
        host = name or target.name
        for rule in network.outbound_rules:
            if (
                rule.rule_type is OutboundRuleType.FQDN
                and rule.destination is not None
                and port in self.catalog.managed_network_fqdn_ports
                and rule.destination.matches(host)
            ):
                return f"FQDN outbound rule {rule.name} ({rule.destination})"
            if rule.rule_type is OutboundRuleType.SERVICE_TAG and tag_matches(
                rule.service_tag, target.service_tags
            ):
                ports_ok = not rule.port_ranges or any(r.contains(port) for r in rule.port_ranges)
                protocol_ok = rule.protocol.lower() in ("", "*", "any", protocol.lower())
                if ports_ok and protocol_ok:
                    return f"service tag outbound rule {rule.name} ({rule.service_tag})"
        return ""

    def _from_onprem(
        self,
        vantage: Vantage,
        target: Endpoint,
        name: DnsName | None,
        port: int,
        protocol: str,
        walk: _Walk,
    ) -> _Ending:
        onprem = self.env.on_premises
        source = vantage.prefix or (
            onprem.address_space[0] if onprem and onprem.address_space else Prefix("192.0.2.0/24")
        )
        walk.open("on-premises")
        if (
            isinstance(target, Address)
            and onprem
            and any(target in s for s in onprem.address_space)
        ):
            walk.add(
                StepKind.EGRESS, "destination is on-premises (not modelled further)", "deliver"
            )
            return _Ending(Verdict.DELIVERED, "stays on-premises")
        if is_public(target):
            walk.add(
                StepKind.EGRESS,
                "public destination: on-premises internet egress is outside the environment",
                "unknown",
            )
            return _Ending(Verdict.UNKNOWN, "on-premises internet egress is not modelled")
        gateway = self.onprem_gateway
        if gateway is None:
            walk.add(StepKind.ROUTE, "on-premises has no gateway connection to Azure", "drop")
            return _Ending(Verdict.DROPPED, "no connection from on-premises to Azure")
        gateway_subnet = self.env.subnet(gateway.subnet)
        hub = self.env.vnet_of_subnet(gateway.subnet)
        if gateway_subnet is None or hub is None:
            return _Ending(Verdict.UNKNOWN, "the gateway's subnet is not in the model")
        walk.add(
            StepKind.ROUTE,
            f"enters Azure through {gateway.name} ({gateway.gateway_type.value})",
            "forward",
            gateway.id,
            gateway.source,
        )
        walk.open(f"{hub.name}/{gateway_subnet.name}")
        return self._forward(
            gateway_subnet,
            hub,
            source,
            target,
            name,
            port,
            protocol,
            walk,
            origin_vnet=None,
            source_nic=None,
            vantage=vantage,
            via_gateway=True,
        )

    def _forward(
        self,
        subnet: Subnet,
        vnet: VirtualNetwork,
        source: Prefix,
        target: Endpoint,
        name: DnsName | None,
        port: int,
        protocol: str,
        walk: _Walk,
        *,
        origin_vnet: ResourceId | None,
        source_nic: NetworkInterface | None,
        vantage: Vantage,
        via_gateway: bool = False,
        depth: int = 0,
    ) -> _Ending:
        """Route from ``subnet`` and follow the next hop."""
        if depth > MAX_HOPS:
            walk.add(StepKind.ROUTE, f"more than {MAX_HOPS} hops: routing loop", "drop")
            return _Ending(Verdict.DROPPED, "routing loop")
        lookup = self.routes(subnet.id).lookup(target)
        route = lookup.route
        if route is None:
            walk.add(StepKind.ROUTE, f"no route to {target}", "drop")
            return _Ending(Verdict.DROPPED, f"no route from {subnet.name} to {target}")
        walk.add(
            StepKind.ROUTE,
            f"route {route}",
            "forward",
            route.resource,
            self._location(route.resource),
        )
        if lookup.certainty.value == "unknown":
            walk.add(StepKind.ROUTE, lookup.note, "unknown")
            return _Ending(Verdict.UNKNOWN, lookup.note)
        hop = route.next_hop_type
        if hop is HopType.NONE:
            walk.add(StepKind.ROUTE, f"next hop None: {route.address_prefix} is dropped", "drop")
            return _Ending(
                Verdict.DROPPED, f"route {route.address_prefix} -> None in {subnet.name}"
            )
        if hop is HopType.INTERNET:
            return self._internet(subnet, source_nic, target, route, walk, vantage)
        if hop is HopType.SERVICE_ENDPOINT:
            how = "service endpoint"
            scoped = self._endpoint_policy(subnet, route.tag, target, walk)
            if scoped is not None and not scoped.allowed:
                walk.add(StepKind.EGRESS, scoped.reason, "drop", subnet.id, subnet.source)
                return _Ending(Verdict.DROPPED, scoped.reason)
            if scoped is not None:
                how = f"{SCOPED_SERVICE_ENDPOINT} {', '.join(scoped.policies)}"
                walk.add(StepKind.EGRESS, scoped.reason, "allow", subnet.id, subnet.source)
            walk.add(
                StepKind.EGRESS,
                f"service endpoint route {route.tag}: straight to the "
                "service, bypassing any firewall",
                "deliver",
            )
            return self._arrive_public(target, walk, how, subnet)
        if hop is HopType.GATEWAY:
            onprem = self.env.on_premises
            if (
                isinstance(target, Address)
                and onprem
                and any(target in s for s in onprem.address_space)
            ):
                walk.add(
                    StepKind.EGRESS, "to on-premises through the gateway", "deliver", route.resource
                )
                return self._returns(
                    target,
                    source,
                    vnet,
                    walk,
                    _Ending(Verdict.DELIVERED, "delivered to on-premises through the gateway"),
                    destination_subnet=None,
                )
            walk.add(StepKind.ROUTE, "gateway route for an address that is not on-premises", "drop")
            return _Ending(Verdict.DROPPED, "no on-premises network holds the destination")
        if hop is HopType.APPLIANCE:
            return self._appliance(
                subnet,
                vnet,
                route,
                source,
                target,
                name,
                port,
                protocol,
                walk,
                origin_vnet=origin_vnet,
                vantage=vantage,
                depth=depth,
            )
        # VnetLocal, VNet peering, private endpoint: delivered inside Azure
        assert isinstance(target, Address)
        destination_subnet = self.subnet_of(target)
        destination_vnet = (
            self.env.vnet_of_subnet(destination_subnet.id) if destination_subnet else None
        )
        if destination_vnet is None or destination_subnet is None:
            walk.add(StepKind.ROUTE, f"no subnet holds {target}", "drop")
            return _Ending(Verdict.DROPPED, f"{target} is in no subnet")
        if destination_vnet.id != vnet.id:
            ending = self._peering(vnet, destination_vnet, source, walk, via_gateway=via_gateway)
            if ending is not None:
                return ending
        walk.open(f"{destination_vnet.name}/{destination_subnet.name}")
        return self._arrive(
            destination_subnet,
            destination_vnet,
            source,
            target,
            port,
            protocol,
            walk,
            origin_vnet=origin_vnet,
            source_vnet=vnet,
        )

    def _peering(
        self,
        sender: VirtualNetwork,
        receiver: VirtualNetwork,
        source: Prefix,
        walk: _Walk,
        via_gateway: bool = False,
    ) -> _Ending | None:
        out = self.routing.peerings.get((sender.id, receiver.id))
        back = self.routing.peerings.get((receiver.id, sender.id))
        if out is None or back is None:
            walk.add(StepKind.PEERING, f"{sender.name} and {receiver.name} are not peered", "drop")
            return _Ending(Verdict.DROPPED, f"no peering between {sender.name} and {receiver.name}")
        if not out.allow_virtual_network_access:
            walk.add(
                StepKind.PEERING,
                f"peering {out.name}: allowVirtualNetworkAccess is off",
                "drop",
                out.id,
                out.source,
            )
            return _Ending(Verdict.DROPPED, f"{out.name} does not allow access to {receiver.name}")
        forwarded = not any(source.subnet_of(space) for space in sender.address_space)
        if source is walk.origin and sender.id != walk.origin_vnet:
            # (a subnet's prefix is in its own VNet: that much the shape holds)
            walk.guard("forwarded", (sender,), forwarded)
        if forwarded and not via_gateway and not back.allow_forwarded_traffic:
            walk.add(
                StepKind.PEERING,
                f"peering {back.name} of {receiver.name} does not allow "
                f"forwarded traffic, and the packet's source {source} is not in "
                f"{sender.name}",
                "drop",
                back.id,
                back.source,
            )
            return _Ending(Verdict.DROPPED, f"{back.name}: allowForwardedTraffic is off")
        detail = f"peering {sender.name} -> {receiver.name}"
        if forwarded:
            detail += " (forwarded traffic allowed)" if not via_gateway else " (gateway transit)"
        walk.add(StepKind.PEERING, detail, "forward", out.id, out.source)
        return None

    def _appliance(
        self,
        subnet: Subnet,
        vnet: VirtualNetwork,
        route: EffectiveRoute,
        source: Prefix,
        target: Endpoint,
        name: DnsName | None,
        port: int,
        protocol: str,
        walk: _Walk,
        *,
        origin_vnet: ResourceId | None,
        vantage: Vantage,
        depth: int,
    ) -> _Ending:
        address = route.next_hop_ip
        firewall = self.firewall_by_ip.get(address) if address else None
        if firewall is None:
            nic = self.nic_by_ip.get(address) if address else None
            if nic is not None and nic.enable_ip_forwarding:
                walk.add(
                    StepKind.ROUTE,
                    f"next hop {address} is network appliance {nic.name}; "
                    "heiki does not simulate third-party appliances",
                    "unknown",
                    nic.id,
                )
                return _Ending(Verdict.UNKNOWN, f"traffic goes to appliance {nic.name}")
            walk.add(
                StepKind.ROUTE,
                f"next hop {address} is not a firewall or appliance: traffic is blackholed",
                "drop",
                route.resource,
            )
            return _Ending(Verdict.DROPPED, f"next hop {address} does not exist")
        if walk.crossed_firewall and walk.firewall is firewall:
            walk.add(
                StepKind.ROUTE,
                "the route sends the packet back to the firewall it came from: loop",
                "drop",
            )
            return _Ending(Verdict.DROPPED, "routing loop through the firewall")
        firewall_subnet = self.env.subnet(firewall.subnet)
        firewall_vnet = self.env.vnet_of_subnet(firewall.subnet)
        if firewall_subnet is None or firewall_vnet is None:
            return _Ending(Verdict.UNKNOWN, "the firewall's subnet is not in the model")
        if firewall_vnet.id != vnet.id:
            ending = self._peering(vnet, firewall_vnet, source, walk)
            if ending is not None:
                return ending
        walk.open(f"firewall {firewall.name}")
        decision = self.firewalls.evaluate(
            firewall, FirewallFlow(source, target, name, port, protocol)
        )
        walk.name_read = walk.name_read or decision.name_read
        for note in decision.notes:
            walk.add(StepKind.NOTE, note, "info")
        location = (
            decision.rule.source
            if decision.rule and decision.rule.source
            else self._location(decision.policy)
        )
        if decision.action is None:
            walk.add(StepKind.FIREWALL, decision.detail, "unknown", decision.policy, location)
            return _Ending(Verdict.UNKNOWN, f"firewall {firewall.name}: {decision.detail}")
        if decision.action is FirewallAction.DENY:
            walk.add(StepKind.FIREWALL, decision.detail, "deny", decision.policy, location)
            return _Ending(Verdict.DROPPED, f"firewall {firewall.name}: {decision.detail}")
        walk.add(StepKind.FIREWALL, decision.detail, "allow", decision.policy, location)
        walk.crossed_firewall = True
        walk.firewall = firewall
        walk.snat = decision.snat
        if isinstance(target, PublicEndpoint) or is_public(target):
            walk.open(f"{firewall_vnet.name}/{firewall_subnet.name}")
            lookup = self.routes(firewall_subnet.id).lookup(target)
            if lookup.route is None or lookup.route.next_hop_type is not HopType.INTERNET:
                walk.add(
                    StepKind.ROUTE,
                    f"the firewall subnet routes {target} to "
                    f"{lookup.route or 'nowhere'}, not to the internet",
                    "unknown",
                )
                return _Ending(Verdict.UNKNOWN, "forced tunnelling from the firewall subnet")
            walk.add(
                StepKind.EGRESS,
                "leaves through the firewall's public IP (SNAT)",
                "deliver",
                firewall.id,
            )
            return self._return_to_source(
                origin_vnet, firewall_vnet, walk, self._arrive_public(target, walk, "firewall")
            )
        new_source = source
        if decision.snat:
            assert firewall.private_ip_address is not None
            new_source = Prefix(f"{firewall.private_ip_address}/32")
            walk.add(
                StepKind.NOTE,
                f"SNAT to the firewall's private address {firewall.private_ip_address}",
                "info",
            )
        walk.open(f"{firewall_vnet.name}/{firewall_subnet.name}")
        ending = self._forward(
            firewall_subnet,
            firewall_vnet,
            new_source,
            target,
            name,
            port,
            protocol,
            walk,
            origin_vnet=origin_vnet,
            source_nic=None,
            vantage=vantage,
            depth=depth + 1,
        )
        if ending.verdict is Verdict.DELIVERED:
            return self._return_to_source(origin_vnet, firewall_vnet, walk, ending)
        return ending

    def _return_to_source(
        self,
        origin_vnet: ResourceId | None,
        firewall_vnet: VirtualNetwork,
        walk: _Walk,
        ending: _Ending,
    ) -> _Ending:
        """Replies leave the firewall towards the client with an outside source address."""
        if ending.verdict is not Verdict.DELIVERED or origin_vnet is None:
            return ending
        if origin_vnet == firewall_vnet.id:
            return ending
        back = self.routing.peerings.get((origin_vnet, firewall_vnet.id))
        if back is not None and not back.allow_forwarded_traffic:
            walk.open("return path")
            walk.add(
                StepKind.RETURN,
                f"replies come back from the firewall with the server's "
                f"address as source, but {back.name} does not allow forwarded traffic",
                "drop",
                back.id,
                back.source,
            )
            return _Ending(
                Verdict.DROPPED, f"{back.name}: allowForwardedTraffic is off for the replies"
            )
        return ending

    def _internet(
        self,
        subnet: Subnet,
        nic: NetworkInterface | None,
        target: Endpoint,
        route: EffectiveRoute,
        walk: _Walk,
        vantage: Vantage,
    ) -> _Ending:
        if not is_public(target):
            walk.add(
                StepKind.ROUTE, f"private address {target} routed to the internet: dropped", "drop"
            )
            return _Ending(Verdict.DROPPED, f"{target} is private and has no route")
        how = self._internet_exit(subnet, nic, vantage)
        if how is None:
            walk.add(
                StepKind.EGRESS,
                f"{subnet.name} is a private subnet (no default outbound "
                "access) and has no NAT gateway or public IP",
                "drop",
                subnet.id,
                subnet.source,
            )
            return _Ending(Verdict.DROPPED, "no way to the internet from this subnet")
        walk.add(StepKind.EGRESS, f"to the internet via {how}, not through a firewall", "deliver")
        return self._arrive_public(target, walk, how)

    def _internet_exit(
        self, subnet: Subnet, nic: NetworkInterface | None, vantage: Vantage
    ) -> str | None:
        if nic is None and vantage.resource is not None:
            nic = self._public_nic_of(vantage.resource)
        if nic is not None and nic.public_ip_address is not None:
            return f"the public IP {nic.public_ip_address.name} of {nic.name}"
        if vantage.kind is VantageKind.SUBNET and (host := self.public_nics.get(subnet.id)):
            # a subnet speaks for its hosts: one with its own public IP leaves through it
            assert host.public_ip_address is not None
            return f"the public IP {host.public_ip_address.name} of {host.name} in {subnet.name}"
        compute = self.env.get_typed(vantage.resource, Compute) if vantage.resource else None
        if compute is not None and compute.enable_node_public_ip:
            return f"the public IP of compute {compute.name}"
        if subnet.nat_gateway is not None:
            return f"NAT gateway {subnet.nat_gateway.name}"
        if subnet.default_outbound_access is False:
            return None
        return "Azure default outbound access"

    def _endpoint_policy(
        self, subnet: Subnet, tag: str, target: Endpoint, walk: _Walk
    ) -> PolicyDecision | None:
        """The subnet's service endpoint policies for the service behind route ``tag``."""
        if not subnet.service_endpoint_policies or not isinstance(target, PublicEndpoint):
            return None
        service = service_of_route(self.catalog, subnet, tag, self.env.location)
        if service is None:
            return None
        account = self.resolver.world.services_by_name.get(target.name)
        if account is not None:
            walk.shareable = False  # the policy lists this subnet's own accounts
        label = str(target.name).split(".", 1)[0].lower()
        owner = "azure-ml" if label == MICROSOFT_PROBE_LABEL else ""
        what = (
            account.name
            if account is not None
            else "Microsoft's storage for Azure ML"
            if owner
            else f"{target.name} (an account outside the environment)"
        )
        return policy_decision(self.env, self.catalog, subnet, service, account, owner, what)

    def _public_nic_of(self, vm_id: ResourceId) -> NetworkInterface | None:
        """The first NIC of a VM that has an instance-level public IP (its internet exit)."""
        vm = self.env.get_typed(vm_id, VirtualMachine)
        for nic_id in vm.network_interfaces if vm is not None else ():
            nic = self.env.get_typed(nic_id, NetworkInterface)
            if nic is not None and nic.public_ip_address is not None:
                return nic
        return None

    def _arrive_public(
        self, target: Endpoint, walk: _Walk, how: str, subnet: Subnet | None = None
    ) -> _Ending:
        """At a public endpoint: its service's public access and firewall decide. ``subnet`` is
        the source subnet when the flow came over its service endpoint."""
        if isinstance(target, PublicEndpoint):
            service = self.resolver.world.services_by_name.get(target.name)
            if service is not None and subnet is not None:
                walk.shareable = False  # the service's rules name the subnets they admit
            if service is not None:
                decision = service_decision(
                    self.env,
                    service,
                    via_service_endpoint=subnet is not None,
                    subnet=subnet.id if subnet is not None else None,
                )
                if decision.admission is Admission.REFUSED:
                    walk.add(StepKind.SERVICE, decision.reason, "drop", service)
                    return _Ending(Verdict.DROPPED, decision.reason, how)
                if decision.admission is Admission.UNKNOWN:
                    walk.add(StepKind.SERVICE, decision.reason, "unknown", service)
                    return _Ending(Verdict.UNKNOWN, decision.reason, how)
                if decision.reason:
                    walk.add(StepKind.SERVICE, decision.reason, "allow", service)
        return _Ending(Verdict.DELIVERED, f"delivered to {target} via {how}", how)

    def _arrive(
        self,
        subnet: Subnet,
        vnet: VirtualNetwork,
        source: Prefix,
        target: Address,
        port: int,
        protocol: str,
        walk: _Walk,
        *,
        origin_vnet: ResourceId | None,
        source_vnet: VirtualNetwork,
    ) -> _Ending:
        endpoint = self.endpoint_by_ip.get(target)
        side = FlowSide(prefix=source)
        if endpoint is not None:
            if endpoint.connection_state is not ConnectionState.APPROVED:
                walk.add(
                    StepKind.ENDPOINT,
                    f"private endpoint {endpoint.name} is "
                    f"{endpoint.connection_state.value}; only approved endpoints pass "
                    "traffic",
                    "drop",
                    endpoint.id,
                    endpoint.source,
                )
                return _Ending(Verdict.DROPPED, f"{endpoint.name} is not approved")
            policies = subnet.private_endpoint_network_policies
            if policies in (
                PrivateEndpointNetworkPolicies.ENABLED,
                PrivateEndpointNetworkPolicies.NSG_ENABLED,
            ):
                if subnet.network_security_group:
                    ending = self._nsg(
                        subnet.network_security_group,
                        Direction.INBOUND,
                        side,
                        FlowSide(endpoint=target),
                        port,
                        protocol,
                        vnet.id,
                        walk,
                    )
                    if ending is not None:
                        return ending
            elif subnet.network_security_group:
                walk.add(
                    StepKind.NSG,
                    f"NSG of {subnet.name} is not applied to private "
                    "endpoints (network policies disabled)",
                    "info",
                    subnet.id,
                )
            walk.add(
                StepKind.ENDPOINT,
                f"private endpoint {endpoint.name} of {endpoint.private_link_service.name}",
                "deliver",
                endpoint.id,
                endpoint.source,
            )
            ending = _Ending(
                Verdict.DELIVERED,
                f"delivered to {endpoint.private_link_service.name} through {endpoint.name}",
            )
            return self._returns(target, source, source_vnet, walk, ending, subnet)
        nic = self.nic_by_ip.get(target)
        # the destination NIC's ASGs decide ASG rules in the subnet NSG as in the NIC's own
        arriving = FlowSide(endpoint=target, asgs=nic.application_security_groups if nic else None)
        nsgs = [
            n
            for n in (subnet.network_security_group, nic.network_security_group if nic else None)
            if n is not None
        ]
        for nsg_id in nsgs:
            ending = self._nsg(
                nsg_id, Direction.INBOUND, side, arriving, port, protocol, vnet.id, walk
            )
            if ending is not None:
                return ending
        what = f"{nic.name} " if nic else ""
        walk.add(
            StepKind.ENDPOINT,
            f"arrives at {what}{target} in {subnet.name}",
            "deliver",
            nic.id if nic else subnet.id,
        )
        ending = _Ending(Verdict.DELIVERED, f"delivered to {target} in {vnet.name}/{subnet.name}")
        return self._returns(target, source, source_vnet, walk, ending, subnet)

    def _returns(
        self,
        target: Address,
        source: Prefix,
        source_vnet: VirtualNetwork,
        walk: _Walk,
        ending: _Ending,
        destination_subnet: Subnet | None,
    ) -> _Ending:
        """Symmetry: the reply must cross the firewall exactly when the request did."""
        if walk.snat:
            return ending  # replies return to the firewall's own address
        reply_to = source.network_address
        if destination_subnet is None:
            gateway = self.onprem_gateway
            if gateway is None:
                return ending
            reply_subnet = self.env.subnet(gateway.subnet)
            where = "the gateway subnet"
        else:
            reply_subnet = destination_subnet
            where = destination_subnet.name
        if reply_subnet is None:
            return ending
        route = self.routes(reply_subnet.id).lookup(reply_to).route
        via_firewall = self._via_firewall(route)
        if via_firewall == walk.crossed_firewall:
            if source is walk.origin:
                walk.guard("return", (reply_subnet.id,), via_firewall)
            return ending
        walk.shareable = False  # the drop names the source's own address and route
        walk.open("return path")
        if walk.crossed_firewall:
            detail = (
                f"the reply from {target} to {reply_to} leaves {where} by route {route}, "
                "bypassing the firewall: the firewall never sees it and drops the session"
            )
        else:
            detail = (
                f"the reply from {target} to {reply_to} is routed to the firewall ({route}), "
                "which never saw the request and drops it"
            )
        walk.add(StepKind.RETURN, detail, "drop", route.resource if route else None)
        return _Ending(Verdict.DROPPED, "asymmetric routing")

    def _via_firewall(self, route: EffectiveRoute | None) -> bool:
        return bool(
            route
            and route.next_hop_type is HopType.APPLIANCE
            and route.next_hop_ip in self.firewall_by_ip
        )

    # -- guards of shared traces ----------------------------------------------------------------
    def _read_own(self, target: Address, vnet: VirtualNetwork) -> tuple[bool, bool]:
        """Whether ``target`` is in ``vnet``'s address space, and in one of its subnets."""
        inside = any(target in space for space in vnet.address_space)
        subnet = self.subnet_of(target)
        home = self.env.vnet_of_subnet(subnet.id) if subnet is not None else None
        return inside, home is not None and home.id == vnet.id

    def _guards_hold(self, guards: tuple[_Guard, ...], vantage: Vantage) -> bool:
        """Whether each read the first subnet's walk made of its own prefix beyond its shape
        finds the same for ``vantage``'s subnet (then the relabelled trace is its own)."""
        subnet = self.env.subnet(vantage.subnet) if vantage.subnet else None
        vnet = self.env.get_typed(vantage.vnet, VirtualNetwork) if vantage.vnet else None
        if subnet is None or vnet is None:
            return False
        source = subnet.address_prefix
        for guard in guards:
            if guard.kind == "own":
                found: object = self._read_own(guard.args[0], vnet)
            elif guard.kind == "forwarded":
                sender: VirtualNetwork = guard.args[0]
                found = not any(source.subnet_of(space) for space in sender.address_space)
            elif guard.kind == "nsg":
                nsg, direction, destination, port, protocol, vnet_id = guard.args
                found = _decided(
                    self.nsgs.evaluate(
                        nsg,
                        direction,
                        FlowSide(prefix=source),
                        destination,
                        port,
                        protocol,
                        vnet_id,
                    )
                )
            elif guard.kind == "return":
                route = self.routes(guard.args[0]).lookup(source.network_address).route
                found = self._via_firewall(route)
            else:  # pragma: no cover - every kind the walk records is read above
                raise AssertionError(guard.kind)
            if found != guard.value:
                return False
        return True


def _decided(decision: NsgDecision) -> tuple[object, ...]:
    """What of an NSG decision shows in a trace: its access, its rule, its words."""
    return (decision.access, id(decision.rule), decision.detail)


def _literal_address(text: str) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        return None


def trace(
    env: Environment, vantage: Vantage, destination: str, port: int, protocol: str, catalog: Catalog
) -> Trace:
    """Trace one flow; build a ``Tracer`` to trace many in the same environment."""
    return Tracer(env, catalog).trace(vantage, destination, port, protocol)


def service_tag_endpoint(tag: str) -> PublicEndpoint:
    """A representative public address of a service tag, for flows given by tag.

    ``Storage.japaneast`` is also in ``Storage``; every tag's addresses are on the internet.
    """
    tags = [tag]
    if "." in tag:
        tags.append(tag.split(".", 1)[0])
    tags.append("Internet")
    label = "".join(c if c.isalnum() else "-" for c in tag.lower())
    return PublicEndpoint(DnsName(f"{label}.service-tag"), tuple(tags))


class TraceConnectivity:
    """The full ``Connectivity`` for DNS: a query is a UDP flow to port 53, traced like any other.

    A query is sent from a VNet; the sender is the subnet that really sends it there: the
    resolver's outbound endpoint, the firewall (DNS proxy), a DNS VM, or a workload subnet.
    """

    def __init__(self, tracer: Tracer) -> None:
        self._tracer = tracer
        self._senders: dict[ResourceId, Vantage] = {}
        env = tracer.env
        preferred: dict[ResourceId, list[ResourceId]] = {}
        for resolver in env.dns_resolvers:
            for outbound in resolver.outbound_endpoints:
                preferred.setdefault(resolver.virtual_network, []).append(outbound.subnet)
        for firewall in env.firewalls:
            owner = env.vnet_of_subnet(firewall.subnet)
            if owner is not None:
                preferred.setdefault(owner.id, []).append(firewall.subnet)
        workloads = {c.subnet for c in env.computes if c.subnet} | {
            n.subnet for n in env.network_interfaces
        }
        for vnet in env.virtual_networks:
            candidates = (
                preferred.get(vnet.id, [])
                + [s.id for s in vnet.subnets if s.id in workloads]
                + [s.id for s in vnet.subnets]
            )
            subnet = env.subnet(candidates[0]) if candidates else None
            if subnet is not None:
                self._senders[vnet.id] = Vantage(
                    f"{vnet.name}/{subnet.name}",
                    VantageKind.SUBNET,
                    vnet=vnet.id,
                    subnet=subnet.id,
                    prefix=subnet.address_prefix,
                    resource=subnet.id,
                )
        onprem = env.on_premises
        self._onprem = Vantage(
            "onprem",
            VantageKind.ONPREM,
            prefix=(
                onprem.clients[0].prefix
                if onprem and onprem.clients
                else onprem.address_space[0]
                if onprem and onprem.address_space
                else None
            ),
        )

    def check(
        self, source_vnet: ResourceId | None, destination: Address, port: int, protocol: str
    ) -> PathCheck:
        azure_dns = self._tracer.catalog.azure_dns
        if destination == azure_dns:
            if source_vnet is None:
                return PathCheck(
                    False, f"{destination} is reachable only from inside an Azure VNet"
                )
            return PathCheck(True, f"{destination} is the Azure platform DNS of the VNet")
        sender = self._onprem if source_vnet is None else self._senders.get(source_vnet)
        if sender is None:
            return PathCheck(False, f"no subnet sends from {source_vnet}")
        flow = self._tracer.trace(sender, str(destination), port, protocol)
        where = f"traced from {sender.name}: {flow.reason}"
        if flow.verdict is Verdict.DROPPED:
            return PathCheck(False, where)
        if flow.verdict is Verdict.UNKNOWN:
            return PathCheck(True, f"{where} (undecided offline; assumed reachable)")
        return PathCheck(True, where)
