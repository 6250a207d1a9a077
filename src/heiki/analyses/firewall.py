"""Azure Firewall policy evaluation.

Order: threat intelligence first; then all DNAT rules, all network rules, all application rules
- whatever their priorities. Within a rule type, rule collection groups run by priority with the
parent policy's groups before the child's, then collections by priority; the first matching rule
decides. Nothing matched: deny. Application rules see only HTTP(S)/MSSQL and match the SNI / Host
name (``*.x`` never matches ``x``); network rules with FQDNs apply only with the DNS proxy on
(Standard/Premium). Application rules always SNAT; network rules SNAT unless the destination is in
the private ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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
from heiki.model.firewall import (
    ApplicationRule,
    AzureFirewall,
    FirewallAction,
    FirewallPolicy,
    FirewallRule,
    IpGroup,
    NatRule,
    NetworkProtocol,
    NetworkRule,
    RuleCollection,
    RuleCollectionGroup,
)
from heiki.model.values import DnsName, Prefix, ResourceId


class RuleType(StrEnum):
    DNAT = "DNAT"
    NETWORK = "network"
    APPLICATION = "application"


@dataclass(frozen=True, slots=True)
class FirewallFlow:
    source: Prefix
    destination: Endpoint
    name: DnsName | None
    """The name the client asked for (SNI / Host); ``None`` for an address typed directly."""
    port: int
    protocol: str


@dataclass(frozen=True, slots=True)
class FirewallDecision:
    action: FirewallAction | None
    """``None``: undecidable offline."""
    rule_type: RuleType | None
    rule: FirewallRule | None
    collection: str
    group: str
    policy: ResourceId | None
    detail: str
    snat: bool = False
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Ordered:
    policy: FirewallPolicy
    group: RuleCollectionGroup
    collection: RuleCollection


def policy_chain(env: Environment, policy: FirewallPolicy) -> list[FirewallPolicy]:
    """The policy and its parents, root parent first (its groups are processed first)."""
    chain = [policy]
    seen = {policy.id}
    while chain[0].base_policy is not None:
        parent = env.get_typed(chain[0].base_policy, FirewallPolicy)
        if parent is None or parent.id in seen:
            break
        seen.add(parent.id)
        chain.insert(0, parent)
    return chain


def ordered_collections(env: Environment, policy: FirewallPolicy) -> list[_Ordered]:
    ordered: list[_Ordered] = []
    for member in policy_chain(env, policy):
        for group in sorted(member.rule_collection_groups, key=lambda g: (g.priority, g.name)):
            for collection in sorted(group.rule_collections, key=lambda c: (c.priority, c.name)):
                ordered.append(_Ordered(member, group, collection))
    return ordered


class FirewallEvaluator:
    def __init__(self, env: Environment, catalog: Catalog) -> None:
        self.env = env
        self.catalog = catalog
        self._ordered: dict[ResourceId, list[_Ordered]] = {}

    def _collections(self, policy: FirewallPolicy) -> list[_Ordered]:
        found = self._ordered.get(policy.id)
        if found is None:
            found = ordered_collections(self.env, policy)
            self._ordered[policy.id] = found
        return found

    def _addresses(self, entries: tuple[str, ...], groups: tuple[ResourceId, ...]) -> list[str]:
        values = list(entries)
        for group_id in groups:
            group = self.env.get_typed(group_id, IpGroup)
            values += list(group.ip_addresses) if group else []
        return values

    def _source(self, entries: list[str], source: Prefix) -> Match:
        if not entries:
            return Match.NO
        matches = []
        for entry in entries:
            if entry.strip() == "*":
                return Match.YES
            cidr = parse_cidr(entry)
            matches.append(prefix_match(source, cidr) if cidr is not None else Match.NO)
        return combine_any(matches)

    def _destination(self, entries: list[str], destination: Endpoint) -> Match:
        matches = []
        for entry in entries:
            text = entry.strip()
            if text == "*":
                return Match.YES
            cidr = parse_cidr(text)
            if cidr is not None:
                matches.append(endpoint_in_prefix(destination, cidr))
            elif not is_public(destination):
                matches.append(Match.NO)
            elif isinstance(destination, PublicEndpoint):
                matches.append(
                    Match.YES if tag_matches(text, destination.service_tags) else Match.NO
                )
            else:
                matches.append(Match.UNKNOWN)  # public IP literal against a service tag
        return combine_any(matches) if matches else Match.NO

    @staticmethod
    def _protocols(protocols: tuple[NetworkProtocol, ...], protocol: str) -> Match:
        wanted = protocol.upper()
        ok = any(p is NetworkProtocol.ANY or p.value == wanted for p in protocols)
        return Match.YES if ok else Match.NO

    def network_match(
        self, rule: NetworkRule, flow: FirewallFlow, proxy: bool
    ) -> tuple[Match, str]:
        ports = (
            Match.YES
            if flow.protocol.lower() == "icmp"
            or not rule.destination_ports
            or any(r.contains(flow.port) for r in rule.destination_ports)
            else Match.NO
        )
        destination = self._destination(
            self._addresses(rule.destination_addresses, rule.destination_ip_groups),
            flow.destination,
        )
        note = ""
        if rule.destination_fqdns:
            if not proxy:
                note = f"FQDN network rule {rule.name} is ignored: the DNS proxy is off"
            elif flow.name is not None and flow.name in rule.destination_fqdns:
                destination = Match.YES
        return combine_all(
            [
                self._protocols(rule.ip_protocols, flow.protocol),
                ports,
                self._source(
                    self._addresses(rule.source_addresses, rule.source_ip_groups), flow.source
                ),
                destination,
            ]
        ), note

    def application_match(self, rule: ApplicationRule, flow: FirewallFlow) -> tuple[Match, str]:
        if flow.protocol.lower() != "tcp":
            return Match.NO, ""
        if not any(p.port == flow.port for p in rule.protocols):
            return Match.NO, ""
        source = self._source(
            self._addresses(rule.source_addresses, rule.source_ip_groups), flow.source
        )
        if source is Match.NO:
            return Match.NO, ""
        if flow.name is None:
            return Match.NO, "no host name (SNI / Host) to match application rules on"
        name = flow.name
        target = Match.YES if any(p.matches(name) for p in rule.target_fqdns) else Match.NO
        if target is Match.NO and (rule.fqdn_tags or rule.web_categories):
            target = Match.UNKNOWN  # FQDN tag and web-category members are not known offline
        if target is Match.NO and rule.target_urls:
            hosts = [u.split("/", 1)[0].split(":", 1)[0].lower() for u in rule.target_urls]
            target = Match.YES if str(name) in hosts else Match.NO
        return combine_all([source, target]), ""

    def nat_match(self, rule: NatRule, flow: FirewallFlow, firewall: AzureFirewall) -> Match:
        return Match.NO  # DNAT applies to the firewall's public IPs, not to private flows

    def evaluate(self, firewall: AzureFirewall, flow: FirewallFlow) -> FirewallDecision:
        policy = self.env.get_typed(firewall.firewall_policy, FirewallPolicy)
        if policy is None:
            return FirewallDecision(
                FirewallAction.DENY,
                None,
                None,
                "",
                "",
                None,
                f"firewall {firewall.name} has no policy: everything is denied",
            )
        tier = self.catalog.firewall_tier(firewall.sku_tier.value)
        settings = policy.dns_settings
        proxy = bool(settings and settings.enable_proxy and (tier is None or tier.dns_proxy))
        notes: list[str] = [
            f"threat intelligence {policy.threat_intel_mode.value}: no indicator for this "
            "destination in the model"
        ]
        undecided: list[tuple[_Ordered, FirewallRule]] = []
        ordered = self._collections(policy)
        for rule_type, kind in (
            (RuleType.DNAT, NatRule),
            (RuleType.NETWORK, NetworkRule),
            (RuleType.APPLICATION, ApplicationRule),
        ):
            for item in ordered:
                for rule in item.collection.rules:
                    if not isinstance(rule, kind):
                        continue
                    if isinstance(rule, NatRule):
                        match, note = self.nat_match(rule, flow, firewall), ""
                    elif isinstance(rule, NetworkRule):
                        match, note = self.network_match(rule, flow, proxy)
                    else:
                        assert isinstance(rule, ApplicationRule)
                        match, note = self.application_match(rule, flow)
                    if note and note not in notes:
                        notes.append(note)
                    if match is Match.NO:
                        continue
                    if match is Match.UNKNOWN:
                        undecided.append((item, rule))
                        continue
                    action = item.collection.action
                    if undecided:
                        first_item, first_rule = undecided[0]
                        if first_item.collection.action is not action:
                            return FirewallDecision(
                                None,
                                rule_type,
                                first_rule,
                                first_item.collection.name,
                                first_item.group.name,
                                first_item.policy.id,
                                f"rule {first_rule.name} in {first_item.collection.name} may "
                                "match first; it cannot be decided offline",
                                notes=tuple(notes),
                            )
                    snat = self._snat(policy, rule_type, flow)
                    return FirewallDecision(
                        FirewallAction.DENY
                        if action is FirewallAction.DENY
                        else FirewallAction.ALLOW,
                        rule_type,
                        rule,
                        item.collection.name,
                        item.group.name,
                        item.policy.id,
                        f"{rule_type.value} rule {rule.name} (collection {item.collection.name} "
                        f"{item.collection.priority}, group {item.group.name} {item.group.priority}"
                        f"{', policy ' + item.policy.name if item.policy.id != policy.id else ''}) "
                        f"{'denies' if action is FirewallAction.DENY else 'allows'}",
                        snat,
                        tuple(notes),
                    )
        if undecided:
            item, rule = undecided[0]
            return FirewallDecision(
                None,
                None,
                rule,
                item.collection.name,
                item.group.name,
                item.policy.id,
                f"only rule {rule.name} might allow it, undecidable offline",
                notes=tuple(notes),
            )
        return FirewallDecision(
            FirewallAction.DENY,
            None,
            None,
            "",
            "",
            policy.id,
            "no rule matched: Azure Firewall denies by default",
            notes=tuple(notes),
        )

    def _snat(self, policy: FirewallPolicy, rule_type: RuleType, flow: FirewallFlow) -> bool:
        if rule_type is RuleType.APPLICATION:
            return True
        if isinstance(flow.destination, PublicEndpoint):
            return True
        ranges = [parse_cidr(r) for r in policy.snat_private_ranges] or list(
            self.catalog.firewall_snat_private_ranges
        )
        return not any(r is not None and flow.destination in r for r in ranges)
