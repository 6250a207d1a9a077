"""Network security group evaluation: first matching rule by priority, default rules included.

Service tags are resolved against the model: ``VirtualNetwork`` is the VNet's space, connected
peered VNets, on-premises space reachable through the gateway, 168.63.129.16 and the VNet's UDR
prefixes, 0.0.0.0/0 included (see the catalog decision); ``Internet`` is every public address
(Azure's public services included); ``AzureLoadBalancer`` is 168.63.129.16; any other tag matches
a symbolic public endpoint that carries it. Rules with ASGs match only NICs in the group; a flow
from a whole subnet against an ASG rule cannot be decided and says so.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from heiki.analyses.addressing import (
    Endpoint,
    Match,
    PublicEndpoint,
    RangeSet,
    combine_all,
    is_public,
    parse_cidr,
    range_match,
    tag_matches,
)
from heiki.catalog import Catalog
from heiki.model.environment import Environment
from heiki.model.network import (
    Access,
    Direction,
    NetworkSecurityGroup,
    NsgProtocol,
    RouteTable,
    SecurityRule,
    VirtualNetwork,
)
from heiki.model.values import Prefix, ResourceId


@dataclass(frozen=True, slots=True)
class FlowSide:
    """One end of a flow as an NSG sees it: a range of private addresses or an endpoint."""

    prefix: Prefix | None = None
    endpoint: Endpoint | None = None
    asgs: tuple[ResourceId, ...] | None = None
    """ASGs of the NIC at this end; ``None`` when the end is not one known NIC."""


@dataclass(frozen=True, slots=True)
class NsgDecision:
    """What an NSG does with a flow, and the rule that decided."""

    access: Access | None
    """``None``: the outcome cannot be decided offline (see ``detail``)."""
    rule: SecurityRule | None
    nsg: NetworkSecurityGroup
    detail: str


class NsgEvaluator:
    """Evaluates NSGs of one environment; the VirtualNetwork tag scope is cached per VNet."""

    def __init__(
        self, env: Environment, catalog: Catalog, onprem_reachers: set[ResourceId]
    ) -> None:
        self.env = env
        self.catalog = catalog
        self._onprem_reachers = onprem_reachers
        self._scopes: dict[ResourceId, tuple[Prefix, ...]] = {}
        self._ranges: dict[ResourceId, tuple[RangeSet, bool]] = {}
        self._parsed: dict[str, tuple[str, int, int, bool]] = {}
        self._decisions: dict[tuple[object, ...], NsgDecision] = {}
        self._ordered: dict[tuple[ResourceId, Direction], tuple[SecurityRule, ...]] = {}
        self._peered = {
            (vnet.id, peering.remote_virtual_network)
            for vnet in env.virtual_networks
            for peering in vnet.peerings
        }
        """(VNet, remote VNet) of every peering: a spoke asks whether the hub peers back, and
        scanning the hub's thousand peerings per spoke was quadratic."""

    def virtual_network_scope(self, vnet_id: ResourceId) -> tuple[Prefix, ...]:
        found = self._scopes.get(vnet_id)
        if found is not None:
            return found
        env = self.env
        vnet = env.get_typed(vnet_id, VirtualNetwork)
        scope: list[Prefix] = [ipaddress.IPv4Network(f"{self.catalog.azure_dns}/32")]
        if vnet is not None:
            scope += vnet.address_space
            for peering in vnet.peerings:
                remote = env.get_typed(peering.remote_virtual_network, VirtualNetwork)
                if remote and (remote.id, vnet.id) in self._peered:
                    scope += remote.address_space
            if env.on_premises and vnet.id in self._onprem_reachers:
                scope += env.on_premises.address_space
            for subnet in vnet.subnets:
                table = env.get_typed(subnet.route_table, RouteTable)
                for route in table.routes if table else ():
                    prefix = route.prefix
                    if prefix is not None:
                        scope.append(prefix)  # 0.0.0.0/0 included (catalog decision)
        result = tuple(scope)
        self._scopes[vnet_id] = result
        return result

    def _scope_ranges(self, vnet_id: ResourceId) -> tuple[RangeSet, bool]:
        found = self._ranges.get(vnet_id)
        if found is None:
            scope = self.virtual_network_scope(vnet_id)
            found = (
                RangeSet([(int(p.network_address), int(p.broadcast_address)) for p in scope]),
                any(p.prefixlen == 0 for p in scope),
            )
            self._ranges[vnet_id] = found
        return found

    def _parse(self, entry: str) -> tuple[str, int, int, bool]:
        """("any"|"cidr"|tag in lower case, start, end, public), parsed once per text."""
        found = self._parsed.get(entry)
        if found is None:
            text = entry.strip()
            cidr = parse_cidr(text)
            if text.lower() in ("*", "any") or (cidr is not None and cidr.prefixlen == 0):
                found = ("any", 0, 0, True)
            elif cidr is not None:
                found = (
                    "cidr",
                    int(cidr.network_address),
                    int(cidr.broadcast_address),
                    is_public(cidr.network_address),
                )
            else:
                found = (text.lower(), 0, 0, True)
            self._parsed[entry] = found
        return found

    def _entry(self, entry: str, side: FlowSide, vnet_id: ResourceId) -> Match:
        kind, start, end, public = self._parse(entry)
        if kind == "any":
            return Match.YES
        prefix = side.prefix
        endpoint = side.endpoint
        if kind == "cidr":
            if prefix is not None:
                return range_match(
                    int(prefix.network_address), int(prefix.broadcast_address), start, end
                )
            if isinstance(endpoint, PublicEndpoint):
                return Match.UNKNOWN if public else Match.NO
            assert endpoint is not None
            return Match.YES if start <= int(endpoint) <= end else Match.NO
        if kind == "virtualnetwork":
            ranges, has_default = self._scope_ranges(vnet_id)
            if prefix is not None:
                return ranges.match(int(prefix.network_address), int(prefix.broadcast_address))
            if isinstance(endpoint, PublicEndpoint):
                return Match.YES if has_default else Match.NO
            assert endpoint is not None
            value = int(endpoint)
            return Match.YES if ranges.match(value, value) is Match.YES else Match.NO
        if kind == "internet":
            if prefix is not None:
                return Match.YES if is_public(prefix.network_address) else Match.NO
            assert endpoint is not None
            return Match.YES if is_public(endpoint) else Match.NO
        if kind == "azureloadbalancer":
            azure = int(self.catalog.azure_dns)
            if prefix is not None:
                return range_match(
                    int(prefix.network_address), int(prefix.broadcast_address), azure, azure
                )
            return Match.YES if endpoint == self.catalog.azure_dns else Match.NO
        # Any other service tag: only public Azure addresses carry it.
        if endpoint is None or not is_public(endpoint):
            return Match.NO
        if isinstance(endpoint, PublicEndpoint):
            return Match.YES if tag_matches(kind, endpoint.service_tags) else Match.NO
        return Match.UNKNOWN  # a public IP literal against a tag's unknown ranges

    def _field(
        self,
        prefixes: tuple[str, ...],
        asgs: tuple[ResourceId, ...],
        side: FlowSide,
        vnet_id: ResourceId,
    ) -> Match:
        if asgs:
            if side.asgs is None:
                return Match.UNKNOWN
            return Match.YES if set(asgs) & set(side.asgs) else Match.NO
        result = Match.NO
        for prefix in prefixes:
            match = self._entry(prefix, side, vnet_id)
            if match is Match.YES:
                return Match.YES
            if match is Match.UNKNOWN:
                result = Match.UNKNOWN
        return result

    def rule_match(
        self,
        rule: SecurityRule,
        source: FlowSide,
        destination: FlowSide,
        port: int,
        protocol: str,
        vnet_id: ResourceId,
    ) -> Match:
        if rule.protocol is not NsgProtocol.ANY and rule.protocol.value.lower() != protocol.lower():
            return Match.NO
        ports = (
            Match.YES
            if protocol.lower() == "icmp"
            else (
                Match.YES
                if any(r.contains(port) for r in rule.destination_port_ranges)
                else Match.NO
            )
        )
        # The client's source port is ephemeral: a rule restricted by source port is undecidable.
        source_ports = (
            Match.YES
            if any(r.low == 0 and r.high == 65535 for r in rule.source_port_ranges)
            else Match.UNKNOWN
        )
        return combine_all(
            [
                ports,
                source_ports,
                self._field(
                    rule.source_address_prefixes,
                    rule.source_application_security_groups,
                    source,
                    vnet_id,
                ),
                self._field(
                    rule.destination_address_prefixes,
                    rule.destination_application_security_groups,
                    destination,
                    vnet_id,
                ),
            ]
        )

    def evaluate(
        self,
        nsg: NetworkSecurityGroup,
        direction: Direction,
        source: FlowSide,
        destination: FlowSide,
        port: int,
        protocol: str,
        vnet_id: ResourceId,
    ) -> NsgDecision:
        # An NSG sees a symbolic public address only through its service tags, so flows to
        # pypi.org and to github.com from one subnet share the decision.
        key = (
            nsg.id,
            direction,
            _side_key(source),
            _side_key(destination),
            port,
            protocol.lower(),
            vnet_id,
        )
        found = self._decisions.get(key)
        if found is None:
            found = self._evaluate(nsg, direction, source, destination, port, protocol, vnet_id)
            self._decisions[key] = found
        return found

    def _evaluate(
        self,
        nsg: NetworkSecurityGroup,
        direction: Direction,
        source: FlowSide,
        destination: FlowSide,
        port: int,
        protocol: str,
        vnet_id: ResourceId,
    ) -> NsgDecision:
        undecided: list[SecurityRule] = []
        ordered = self._ordered.get((nsg.id, direction))
        if ordered is None:
            ordered = self._ordered[(nsg.id, direction)] = nsg.rules(direction)
        for rule in ordered:
            match = self.rule_match(rule, source, destination, port, protocol, vnet_id)
            if match is Match.NO:
                continue
            if match is Match.UNKNOWN:
                undecided.append(rule)
                continue
            if any(u.access is not rule.access for u in undecided):
                first = undecided[0]
                return NsgDecision(
                    None,
                    first,
                    nsg,
                    f"rule {first.name} ({first.priority}) may match first and would "
                    f"{first.access.value.lower()}; it cannot be decided offline",
                )
            kind = "default rule" if rule.is_default else "rule"
            return NsgDecision(
                rule.access,
                rule,
                nsg,
                f"{direction.value.lower()} {kind} {rule.name} ({rule.priority}) "
                f"{'allows' if rule.access is Access.ALLOW else 'denies'}",
            )
        # Unreachable with the default rules in place; an NSG without them allows nothing.
        return NsgDecision(Access.DENY, None, nsg, "no rule matched")


def _side_key(side: FlowSide) -> tuple[object, ...]:
    """A hashable key with cheap hashes (ints and strings, not ``ipaddress`` objects)."""
    endpoint = side.endpoint
    endpoint_key: object
    if isinstance(endpoint, PublicEndpoint):
        endpoint_key = endpoint.service_tags
    elif endpoint is not None:
        endpoint_key = int(endpoint)
    else:
        endpoint_key = None
    prefix = side.prefix
    prefix_key = (int(prefix.network_address), prefix.prefixlen) if prefix is not None else None
    return (prefix_key, endpoint_key, side.asgs)
