"""Traces shared between subnets of the same shape: one walk per path signature, not per subnet.

In a hub-and-spoke estate the workload subnets of hundreds of spokes differ in their names,
IDs, prefixes and source lines, and in nothing else that decides a flow to the outside: the same
NSG rules, the same route table, the same peering flags, firewall rules of the same content
(often one collection per spoke, with the spoke's prefix as the source). A flow from such a
subnet to a public destination takes the same steps as from any other subnet of that shape; only
the names in its text differ.

``subnet_shape`` reduces a subnet to its *shape*: a key holding everything the walk reads about
the subnet (its NSG's rules and how its prefix falls in their prefixes, its route table, service
endpoints and their policies, NAT gateway, default outbound access, instance public IPs, its
VNet's peerings and their flags, the VirtualNetwork tag's extra scope, the content of the
firewall rules that may match its prefix), and, in walk order, the identities that differ
between two subnets of one shape (names, resource IDs, source locations). Two subnets with equal
keys get traces that differ only by those identities: ``Relabel`` maps one onto the other.

What the shape cannot promise, the walk declares. Where the far side of a flow reads the
subnet's own prefix - a private destination's NSG, the route its replies take back, a peering
that asks whether the packet is forwarded, a destination inside the subnet's own VNet - the walk
records the read and what it found as a *guard*; another subnet of the shape gets the trace only
when the same reads of its own prefix find the same (a DNS server in the hub, on-premises
addresses behind the firewall: one walk for every spoke). A step that reads something
subnet-specific no guard states (a service endpoint into one of the environment's own services,
a return path that fails and names the source's address) marks the walk as not shareable, and
such a trace is computed for every subnet on its own. The tracer's ``exact`` mode turns sharing
off; the property tests compare both on random estates, the designs and the benchmark estates,
and ``tests/test_trace_guards.py`` on estates whose far side singles out one spoke.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from heiki.analyses.addressing import is_public, parse_cidr
from heiki.analyses.trace import DeferredHops, Hop, Trace, TraceStep
from heiki.analyses.vantage import Vantage, VantageKind
from heiki.model.firewall import FirewallPolicy
from heiki.model.network import (
    NetworkSecurityGroup,
    Route,
    RouteTable,
    SecurityRule,
    ServiceEndpointPolicy,
    VirtualNetwork,
)
from heiki.model.source import SourceLocation
from heiki.model.values import Prefix, ResourceId

if TYPE_CHECKING:
    from heiki.analyses.dns.types import Resolution
    from heiki.analyses.trace import Tracer

_BEFORE = r"(?<![A-Za-z0-9_.\-])"
_AFTER = r"(?![A-Za-z0-9_\-]|\.[A-Za-z0-9])"


def _plain(value: Any) -> Any:
    """A hashable form of a model value without its source location."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return (
            type(value).__name__,
            *(
                _plain(getattr(value, f.name))
                for f in fields
                if f.name != "source" and f.name[0] != "_"
            ),
        )
    if isinstance(value, (tuple, list)):
        return tuple(_plain(item) for item in value)
    return value


def _relative_once(
    tracer: Tracer,
    items: tuple[SecurityRule, ...] | tuple[Route, ...],
    spaces: tuple[Prefix, ...],
    build: _Builder,
) -> Any:
    """The shape key of an NSG's rules or a table's routes: their content, with each address or
    prefix inside the VNet's own space written relative to it (a rule or route that names the
    spoke's own subnets reads the same in every spoke); those texts become identities the
    relabelling maps. Worked out once per object and VNet (a spoke's subnets share them)."""
    cache_key = (id(items), spaces)
    found = tracer.plain_forms.get(cache_key)
    if found is None:
        texts: list[str] = []

        def relative(entry: str) -> object:
            cidr = parse_cidr(entry)
            if cidr is None:
                return entry  # a service tag, "*"
            for index, space in enumerate(spaces):
                if cidr.subnet_of(space):
                    texts.append(entry.strip())
                    texts.append(str(cidr))  # as a route prints it
                    offset = int(cidr.network_address) - int(space.network_address)
                    return ("own", index, offset, cidr.prefixlen)
            return entry

        key: list[object] = []
        for item in items:
            if isinstance(item, SecurityRule):
                key.append(
                    (
                        _plain(
                            dataclasses.replace(
                                item, source_address_prefixes=(), destination_address_prefixes=()
                            )
                        ),
                        tuple(relative(e) for e in item.source_address_prefixes),
                        tuple(relative(e) for e in item.destination_address_prefixes),
                    )
                )
            else:
                hop = item.next_hop_ip_address
                key.append(
                    (
                        _plain(
                            dataclasses.replace(item, address_prefix="", next_hop_ip_address=None)
                        ),
                        relative(item.address_prefix),
                        relative(str(hop)) if hop is not None else None,
                    )
                )
        found = tracer.plain_forms[cache_key] = (tuple(key), tuple(texts))
    build.names += found[1]
    return found[0]


@dataclass(frozen=True, slots=True)
class SubnetShape:
    """A subnet's path signature: what walks read of it, and the identities that differ."""

    key: tuple[Any, ...]
    names: tuple[str, ...]
    ids: tuple[ResourceId | None, ...]
    locations: tuple[SourceLocation | None, ...]


class _Builder:
    def __init__(self) -> None:
        self.key: list[Any] = []
        self.names: list[str] = []
        self.ids: list[ResourceId | None] = []
        self.locations: list[SourceLocation | None] = []

    def name(self, text: str) -> None:
        self.names.append(text)

    def resource(self, resource_id: ResourceId | None, location: SourceLocation | None) -> None:
        self.ids.append(resource_id)
        self.locations.append(location)

    def place(self, location: SourceLocation | None) -> None:
        self.locations.append(location)


@dataclass(frozen=True, slots=True)
class VnetPart:
    """What every subnet's shape takes from its VNet (worked out once per VNet): the
    VirtualNetwork tag's scope beyond the VNet, and its peerings - their flags and those of the
    peerings back - with their names, IDs and source locations."""

    scope: tuple[Prefix, ...]
    key: tuple[Any, ...]
    names: tuple[str, ...]
    ids: tuple[ResourceId | None, ...]
    locations: tuple[SourceLocation | None, ...]


def _vnet_part(tracer: Tracer, vnet: VirtualNetwork) -> VnetPart:
    spaces = vnet.address_space
    build = _Builder()
    for peering in vnet.peerings:
        back = tracer.routing.peerings.get((peering.remote_virtual_network, vnet.id))
        build.name(peering.name)
        build.resource(peering.id, peering.source)
        flags = (
            peering.remote_virtual_network,
            peering.allow_virtual_network_access,
            peering.allow_forwarded_traffic,
            peering.allow_gateway_transit,
            peering.use_remote_gateways,
        )
        if back is None:
            build.key.append(("peering", flags, None))
            continue
        build.name(back.name)
        build.resource(back.id, back.source)
        build.key.append(
            (
                "peering",
                flags,
                (
                    back.allow_virtual_network_access,
                    back.allow_forwarded_traffic,
                    back.allow_gateway_transit,
                    back.use_remote_gateways,
                ),
            )
        )
    return VnetPart(
        # the VirtualNetwork tag's scope beyond the VNet (its own space, and UDR prefixes inside
        # it, add nothing: they are the VNet's in every spoke)
        tuple(
            p
            for p in tracer.nsgs.virtual_network_scope(vnet.id)
            if not any(p.subnet_of(space) for space in spaces)
        ),
        tuple(build.key),
        tuple(build.names),
        tuple(build.ids),
        tuple(build.locations),
    )


def subnet_shape(tracer: Tracer, vantage: Vantage) -> SubnetShape | None:
    """The shape of a subnet vantage, or ``None`` when it is not one whose traces are shared."""
    env = tracer.env
    if vantage.kind is not VantageKind.SUBNET or vantage.address is not None:
        return None
    if vantage.subnet is None or vantage.vnet is None or vantage.resource != vantage.subnet:
        return None
    subnet = env.subnet(vantage.subnet)
    vnet = env.get_typed(vantage.vnet, VirtualNetwork)
    if (
        subnet is None
        or vnet is None
        or any(is_public(p.network_address) for p in vnet.address_space)
    ):
        return None
    build = _Builder()
    build.name(vantage.name)
    build.name(vnet.name)
    build.name(subnet.name)
    build.name(str(subnet.address_prefix))
    build.resource(vnet.id, vnet.source)
    build.resource(subnet.id, subnet.source)
    spaces = vnet.address_space
    of_vnet = tracer.vnet_shapes.get(vnet.id)
    if of_vnet is None:
        of_vnet = tracer.vnet_shapes[vnet.id] = _vnet_part(tracer, vnet)
    build.key += [
        "subnet",
        subnet.default_outbound_access,
        subnet.service_endpoints,
        tuple(space.prefixlen for space in spaces),
        of_vnet.scope,
    ]
    prefix = subnet.address_prefix
    nsg = env.get_typed(subnet.network_security_group, NetworkSecurityGroup)
    if nsg is None:
        build.key.append(("nsg", None))
    else:
        build.name(nsg.name)
        build.resource(nsg.id, nsg.source)
        classes = []
        for rule in nsg.security_rules:
            build.place(rule.source)
            for entry in (*rule.source_address_prefixes, *rule.destination_address_prefixes):
                cidr = parse_cidr(entry)
                if cidr is not None:
                    classes.append((prefix.subnet_of(cidr), prefix.overlaps(cidr)))
        rules = _relative_once(tracer, nsg.security_rules, spaces, build)
        build.key.append(("nsg", rules, tuple(classes)))
    table = env.get_typed(subnet.route_table, RouteTable)
    if table is None:
        build.key.append(("routes", None))
    else:
        build.name(table.name)
        build.resource(table.id, table.source)
        for route in table.routes:
            build.place(route.source)
        routes = _relative_once(tracer, table.routes, spaces, build)
        build.key.append(("routes", routes, table.disable_bgp_route_propagation))
    if subnet.nat_gateway is not None:
        build.name(subnet.nat_gateway.name)
        build.resource(subnet.nat_gateway, None)
    build.key.append(("nat", subnet.nat_gateway is not None))
    host = tracer.public_nics.get(subnet.id)
    if host is not None and host.public_ip_address is not None:
        build.name(host.name)
        build.name(host.public_ip_address.name)
        build.resource(host.id, host.source)
    build.key.append(("public host", host is not None))
    for policy_id in subnet.service_endpoint_policies:
        policy = env.get_typed(policy_id, ServiceEndpointPolicy)
        if policy is None:
            build.key.append(("policy", None))
            continue
        build.name(policy.name)
        build.resource(policy.id, policy.source)
        definitions = []
        for definition in policy.definitions:
            listed = []
            for resource in definition.service_resources:
                if resource.startswith("/subscriptions/"):
                    # an account or scope of the environment: an identity of this subnet's shape
                    build.name(resource.rstrip("/").rsplit("/", 1)[-1])
                    listed.append("resource")
                else:
                    listed.append(resource)
            definitions.append((definition.name, definition.service, tuple(listed)))
        build.key.append(("policy", tuple(definitions)))
    build.names += of_vnet.names
    build.ids += of_vnet.ids
    build.locations += of_vnet.locations
    build.key += of_vnet.key
    for firewall in env.firewalls:
        rules = env.get_typed(firewall.firewall_policy, FirewallPolicy)
        if rules is None:
            continue
        key, names, locations = tracer.firewalls.source_shape(rules, prefix)
        build.names += names
        build.locations += locations
        build.key.append(("firewall", firewall.id, key))
    return SubnetShape(
        tuple(build.key), tuple(build.names), tuple(build.ids), tuple(build.locations)
    )


class Relabel:
    """Turns a trace of one subnet into the trace of another subnet of the same shape."""

    def __init__(self, source: SubnetShape, target: SubnetShape) -> None:
        """Raises ``ValueError`` when the identities do not map one to one (then the flows are
        traced on their own)."""
        self.names = _mapping(source.names, target.names)
        self.ids = _mapping(source.ids, target.ids)
        self.locations = _mapping(source.locations, target.locations)
        self._texts: dict[str, str] = {}
        self._steps: dict[tuple[object, ...], TraceStep] = {}
        self._sub: Callable[[str], str] | None = None
        if self.names:
            alternatives = "|".join(re.escape(n) for n in sorted(self.names, key=len, reverse=True))
            pattern = re.compile(f"{_BEFORE}({alternatives}){_AFTER}")
            names = self.names
            self._sub = lambda text: pattern.sub(lambda m: names[m.group(1)], text)

    def text(self, text: str) -> str:
        if self._sub is None or not text:
            return text
        found = self._texts.get(text)
        if found is None:
            found = self._texts[text] = self._sub(text)
        return found

    def step(self, step: TraceStep) -> TraceStep:
        # a subnet's flows pass the same steps (its NSG, its route, its peering): relabel each
        # once; resources and locations are the model's own objects, so their ids tell them
        resource, location = step.resource, step.location
        key = (step.kind, step.detail, step.action, id(resource), id(location))
        found = self._steps.get(key)
        if found is not None:
            return found
        relabelled = self._steps[key] = TraceStep(
            step.kind,
            self.text(step.detail),
            step.action,
            self.ids.get(resource, resource) if resource is not None else None,
            self.locations.get(location, location) if location is not None else None,
        )
        return relabelled

    def trace(self, trace: Trace, vantage: str, resolution: Resolution | None) -> Trace:
        text = self.text
        return Trace(
            vantage,
            trace.destination,
            trace.port,
            trace.protocol,
            trace.verdict,
            text(trace.reason),
            DeferredHops(lambda: self.hops(trace.hops)),
            resolution,
            trace.crossed_firewall,
            text(trace.egress),
            trace.managed_endpoint,
        )

    def hops(self, hops: Sequence[Hop]) -> tuple[Hop, ...]:
        text = self.text
        step = self.step
        return tuple(Hop(text(h.node), tuple(step(s) for s in h.steps)) for h in hops)


def _mapping(source: tuple[Any, ...], target: tuple[Any, ...]) -> dict[Any, Any]:
    if len(source) != len(target):
        raise ValueError("shapes of different length")
    found: dict[Any, Any] = {}
    kept: set[Any] = set()
    for old, new in zip(source, target, strict=True):
        if old is None or new is None:
            if old is not new:
                raise ValueError("an identity on one side only")
            continue
        if old == new:
            kept.add(old)
            continue
        if found.setdefault(old, new) != new:
            raise ValueError(f"{old} maps to two identities")
    if kept & set(found):
        raise ValueError("an identity both kept and renamed")
    return found
