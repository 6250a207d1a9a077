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
    combine_all,
    combine_any,
    endpoint_in_prefix,
    is_public,
    parse_cidr,
    prefix_match,
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
                if remote and any(p.remote_virtual_network == vnet.id for p in remote.peerings):
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

    def _entry(self, entry: str, side: FlowSide, vnet_id: ResourceId) -> Match:
        text = entry.strip()
        if text in ("*", "0.0.0.0/0", "Any", "any"):
            return Match.YES
        cidr = parse_cidr(text)
        if cidr is not None:
            if side.prefix is not None:
                return prefix_match(side.prefix, cidr)
            assert side.endpoint is not None
            return endpoint_in_prefix(side.endpoint, cidr)
        tag = text
        lowered = tag.lower()
        if lowered == "virtualnetwork":
            scope = self.virtual_network_scope(vnet_id)
            if side.prefix is not None:
                return combine_any([prefix_match(side.prefix, p) for p in scope])
            assert side.endpoint is not None
            if isinstance(side.endpoint, PublicEndpoint):
                return Match.YES if any(p.prefixlen == 0 for p in scope) else Match.NO
            return Match.YES if any(side.endpoint in p for p in scope) else Match.NO
        if lowered == "internet":
            if side.prefix is not None:
                return Match.NO if not is_public(side.prefix.network_address) else Match.YES
            assert side.endpoint is not None
            return Match.YES if is_public(side.endpoint) else Match.NO
        if lowered == "azureloadbalancer":
            azure = ipaddress.IPv4Network(f"{self.catalog.azure_dns}/32")
            if side.prefix is not None:
                return prefix_match(side.prefix, azure)
            return Match.YES if side.endpoint == self.catalog.azure_dns else Match.NO
        # Any other service tag: only public Azure addresses carry it.
        if side.endpoint is None or not is_public(side.endpoint):
            return Match.NO
        if isinstance(side.endpoint, PublicEndpoint):
            return Match.YES if tag_matches(tag, side.endpoint.service_tags) else Match.NO
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
        return combine_any([self._entry(p, side, vnet_id) for p in prefixes])

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
        undecided: list[SecurityRule] = []
        for rule in nsg.rules(direction):
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
