"""Egress profiles -> firewall rule collections or NSG rules (pure functions, no blueprint I/O).

Service tags become network rules (L3/L4). FQDNs on 80/443 become application rules (SNI/Host,
L7); FQDNs on other ports become FQDN network rules, which Azure Firewall honours only with its
DNS proxy on. An NSG can express service tags only: FQDN destinations stay blocked without a
firewall, which is the talk's slide-9 failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from heiki.catalog import EgressDestination
from heiki.model.firewall import (
    ApplicationProtocol,
    ApplicationRule,
    FirewallAction,
    FirewallRule,
    NetworkProtocol,
    NetworkRule,
    RuleCollection,
    RuleCollectionGroup,
    RuleCollectionKind,
)
from heiki.model.ml import OutboundRule, OutboundRuleType
from heiki.model.network import Access, Direction, NsgProtocol, SecurityRule
from heiki.model.onprem import DataSource
from heiki.model.values import DnsName, FqdnPattern, PortRange, Prefix

WEB_PORTS = (80, 443)


@dataclass(frozen=True)
class SpokeEgress:
    """What one spoke may reach: its source ranges and the destinations of its profiles."""

    key: str
    sources: tuple[str, ...]
    destinations: tuple[EgressDestination, ...]


def sanitize(text: str, allowed: str = "a-z0-9") -> str:
    return re.sub(f"[^{allowed}]", "", text.lower())


def _ports(ports: tuple[int, ...] | list[int]) -> tuple[PortRange, ...]:
    return tuple(PortRange(p, p) for p in ports)


def net_protocols(protocol: str) -> tuple[NetworkProtocol, ...]:
    if protocol.lower() == "any":
        return (NetworkProtocol.TCP, NetworkProtocol.UDP)
    return (NetworkProtocol(protocol.upper()),)


def nsg_protocol(protocol: str) -> NsgProtocol:
    return {"tcp": NsgProtocol.TCP, "udp": NsgProtocol.UDP}.get(protocol.lower(), NsgProtocol.ANY)


def egress_rules(
    spoke: SpokeEgress, dns_proxy: bool
) -> tuple[tuple[FirewallRule, ...], tuple[FirewallRule, ...]]:
    """(network rules, application rules) allowing the spoke's destinations."""
    network: list[FirewallRule] = []
    application: list[FirewallRule] = []
    for d in spoke.destinations:
        if d.service_tag:
            network.append(
                NetworkRule(
                    name=f"{sanitize(d.service_tag, 'a-z0-9.')}-{d.protocol.lower()}",
                    ip_protocols=net_protocols(d.protocol),
                    source_addresses=spoke.sources,
                    destination_addresses=(d.service_tag,),
                    destination_ports=_ports(d.ports),
                    description=d.note,
                )
            )
            continue
        web = [p for p in d.ports if p in WEB_PORTS]
        other = [p for p in d.ports if p not in WEB_PORTS]
        if web and d.protocol.lower() in ("tcp", "any"):
            application.append(
                ApplicationRule(
                    name=sanitize(d.fqdn.replace("*", "star"), "a-z0-9.-"),
                    protocols=tuple(
                        ApplicationProtocol("Http" if p == 80 else "Https", p) for p in web
                    ),
                    source_addresses=spoke.sources,
                    target_fqdns=(FqdnPattern(d.fqdn),),
                    description=d.note,
                )
            )
        # FQDN network rules take no wildcards and need the DNS proxy; otherwise the service
        # tags of the same profile carry these ports.
        if other and dns_proxy and not d.fqdn.startswith("*"):
            network.append(
                NetworkRule(
                    name=f"fqdn-{sanitize(d.fqdn, 'a-z0-9.-')}",
                    ip_protocols=net_protocols(d.protocol),
                    source_addresses=spoke.sources,
                    destination_fqdns=(DnsName(d.fqdn),),
                    destination_ports=_ports(other),
                    description=d.note,
                )
            )
    return dedupe_rules(network), dedupe_rules(application)


def data_source_rule(source: DataSource, shir_subnet: Prefix) -> NetworkRule:
    """The self-hosted integration runtime reading an on-premises data source."""
    return NetworkRule(
        name=f"shir-to-{source.name}",
        ip_protocols=(NetworkProtocol(source.protocol.upper()),),
        source_addresses=(str(shir_subnet),),
        destination_addresses=(f"{source.address}/32",),
        destination_ports=(PortRange(source.port, source.port),),
        description="Self-hosted integration runtime reads the on-premises source.",
    )


def firewall_rule_collection_groups(
    private_ranges: tuple[str, ...],
    east_west_ports: list[int],
    data_rules: list[NetworkRule],
    spokes: list[SpokeEgress],
    dns_proxy: bool,
) -> tuple[RuleCollectionGroup, ...]:
    """The policy's rule collection groups: private east-west first, then each spoke's egress."""
    east_west = NetworkRule(
        name="private-east-west",
        ip_protocols=(NetworkProtocol.TCP,),
        source_addresses=private_ranges,
        destination_addresses=private_ranges,
        destination_ports=_ports(sorted(set(east_west_ports))),
        description="On-premises clients and spokes to each other's private services.",
    )
    network = [_allow("private", 100, (east_west, *data_rules))]
    application: list[RuleCollection] = []
    for index, spoke in enumerate(spokes):
        if not spoke.destinations:
            continue
        net_rules, app_rules = egress_rules(spoke, dns_proxy)
        priority = 200 + index * 10
        if net_rules:
            network.append(_allow(f"egress-{spoke.key}", priority, net_rules))
        if app_rules:
            application.append(_allow(f"egress-{spoke.key}", priority, app_rules))
    groups = [RuleCollectionGroup("network", 200, tuple(network))]
    if application:
        groups.append(RuleCollectionGroup("application", 300, tuple(application)))
    return tuple(groups)


def _allow(name: str, priority: int, rules: tuple[FirewallRule, ...]) -> RuleCollection:
    return RuleCollection(
        name=name,
        priority=priority,
        kind=RuleCollectionKind.FILTER,
        action=FirewallAction.ALLOW,
        rules=rules,
    )


def nsg_egress_rules(
    destinations: tuple[EgressDestination, ...],
) -> tuple[tuple[SecurityRule, ...], tuple[str, ...]]:
    """NSG-only closure: allow the service tags, deny the rest of the internet.

    Returns the rules and the FQDN destinations an NSG cannot express.
    """
    rules: list[SecurityRule] = []
    seen: set[tuple[str, str, tuple[int, ...]]] = set()
    unexpressed: list[str] = []
    priority = 100
    for d in destinations:
        if not d.service_tag:
            unexpressed.append(d.fqdn)
            continue
        key = (d.service_tag, d.protocol, d.ports)
        if key in seen:
            continue
        seen.add(key)
        rules.append(
            SecurityRule(
                name=f"Allow-{sanitize(d.service_tag)}-{d.protocol.lower()}",
                priority=priority,
                direction=Direction.OUTBOUND,
                access=Access.ALLOW,
                protocol=nsg_protocol(d.protocol),
                destination_address_prefixes=(d.service_tag,),
                destination_port_ranges=_ports(d.ports),
            )
        )
        priority += 10
    rules.append(
        SecurityRule(
            name="DenyInternetOutBound",
            priority=4096,
            direction=Direction.OUTBOUND,
            access=Access.DENY,
            protocol=NsgProtocol.ANY,
            destination_address_prefixes=("Internet",),
            description="NSG-only closure: everything not allowed above is denied.",
        )
    )
    return tuple(rules), tuple(unexpressed)


def dedupe_rules(rules: list[FirewallRule]) -> tuple[FirewallRule, ...]:
    """Drop exact repeats (one destination in several profiles); rename clashing names."""
    kept: dict[str, FirewallRule] = {}
    for rule in rules:
        name = rule.name
        counter = 2
        while name in kept and replace(kept[name], name=rule.name) != rule:
            name = f"{rule.name}-{counter}"
            counter += 1
        if name not in kept:
            kept[name] = replace(rule, name=name)
    return tuple(kept.values())


def managed_outbound_rules(
    destinations: tuple[EgressDestination, ...], fqdn_ports: tuple[int, ...]
) -> tuple[OutboundRule, ...]:
    """Egress profiles as managed-VNet outbound rules: FQDN rules (80/443 only) and service tags."""
    rules: dict[str, OutboundRule] = {}
    for d in destinations:
        if d.service_tag:
            name = f"tag-{sanitize(d.service_tag, 'a-z0-9.-')}-{d.protocol.lower()}"
            rules.setdefault(
                name,
                OutboundRule(
                    name,
                    OutboundRuleType.SERVICE_TAG,
                    service_tag=d.service_tag,
                    protocol=d.protocol.upper(),
                    port_ranges=tuple(PortRange(p, p) for p in d.ports),
                ),
            )
        elif any(p in fqdn_ports for p in d.ports):
            name = f"fqdn-{sanitize(d.fqdn.replace('*', 'star'), 'a-z0-9.-')}"
            rules.setdefault(
                name, OutboundRule(name, OutboundRuleType.FQDN, destination=FqdnPattern(d.fqdn))
            )
    return tuple(rules.values())
