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

import bisect
import dataclasses
from dataclasses import dataclass
from enum import StrEnum

from heiki.analyses.addressing import (
    Endpoint,
    Match,
    PublicEndpoint,
    RangeSet,
    combine_all,
    is_public,
    parse_cidr,
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
from heiki.model.source import SourceLocation
from heiki.model.values import DnsName, Prefix, ResourceId


class RuleType(StrEnum):
    DNAT = "DNAT"
    NETWORK = "network"
    APPLICATION = "application"


@dataclass(frozen=True, slots=True)
class FirewallFlow:
    """A flow as the firewall sees it: source, destination address or name, port, protocol."""

    source: Prefix
    destination: Endpoint
    name: DnsName | None
    """The name the client asked for (SNI / Host); ``None`` for an address typed directly."""
    port: int
    protocol: str


@dataclass(frozen=True, slots=True)
class FirewallDecision:
    """What the firewall does with a flow, and the rule, collection, group and policy that decided."""

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
    name_read: bool = False
    """Whether the decision read the flow's host name (an application rule, or an FQDN network
    rule behind the DNS proxy, was weighed before it): when not, every name of the same
    address gets the same decision (traces reuse the walk past DNS, ``analyses/trace.py``)."""


@dataclass(frozen=True, slots=True)
class _Ordered:
    """A rule collection in processing order, with its group and policy."""

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


_MASKS = [(0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF if length else 0 for length in range(33)]
_RANK = {RuleType.DNAT: 0, RuleType.NETWORK: 1, RuleType.APPLICATION: 2}


@dataclass(frozen=True, slots=True)
class _Destinations:
    """A network rule's destination field, parsed: ranges, tags and wildcards."""

    anything: bool
    ranges: RangeSet
    public_cidrs: bool
    tags: tuple[str, ...]

    def match(self, destination: Endpoint) -> Match:
        if self.anything:
            return Match.YES
        if isinstance(destination, PublicEndpoint):
            if any(tag_matches(t, destination.service_tags) for t in self.tags):
                return Match.YES
            return Match.UNKNOWN if self.public_cidrs else Match.NO
        value = int(destination)
        if self.ranges and self.ranges.match(value, value) is Match.YES:
            return Match.YES
        return Match.UNKNOWN if self.tags and is_public(destination) else Match.NO


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A rule with its address fields parsed once, and its place in the processing order."""

    order: int
    rule_type: RuleType
    rule: FirewallRule
    item: _Ordered
    sources: RangeSet | None
    """``None`` for ``*``."""
    source_keys: tuple[tuple[int, int], ...]
    """(network, length) of each source prefix, for the policy's source index."""
    destinations: _Destinations


def _cidr_entry(prefix: Prefix) -> tuple[int, int, int]:
    return (int(prefix.network_address), int(prefix.broadcast_address), prefix.prefixlen)


class _PolicyIndex:
    """A policy's rules in processing order, indexed by source prefix.

    A flow only needs the rules whose source can cover its source: the wildcard ones, those on a
    supernet of it (33 dictionary probes) and those on a part of it. In a hub with a thousand
    spokes that is a handful of collections instead of thousands.
    """

    def __init__(self, rules: list[_Compiled]) -> None:
        self.rules = rules
        self.wild: list[int] = []
        self.by_prefix: dict[tuple[int, int], list[int]] = {}
        for index, rule in enumerate(rules):
            if rule.sources is None:
                self.wild.append(index)
                continue
            for key in rule.source_keys:
                self.by_prefix.setdefault(key, []).append(index)
        self.keys = sorted(self.by_prefix)
        self._candidates: dict[tuple[int, int], list[_Compiled]] = {}

    def candidates(self, source: Prefix) -> list[_Compiled]:
        key = (int(source.network_address), source.prefixlen)
        found = self._candidates.get(key)
        if found is None:
            found = self._candidates[key] = self._find(source)
        return found

    def _find(self, source: Prefix) -> list[_Compiled]:
        start = int(source.network_address)
        end = int(source.broadcast_address)
        length = source.prefixlen
        found = set(self.wild)
        for bits in range(length + 1):
            hit = self.by_prefix.get((start & _MASKS[bits], bits))
            if hit:
                found.update(hit)
        position = bisect.bisect_left(self.keys, (start, length + 1))
        while position < len(self.keys) and self.keys[position][0] <= end:
            key = self.keys[position]
            if key[1] > length:
                found.update(self.by_prefix[key])
            position += 1
        return [self.rules[i] for i in sorted(found)]


class FirewallEvaluator:
    def __init__(self, env: Environment, catalog: Catalog) -> None:
        self.env = env
        self.catalog = catalog
        self._indexes: dict[ResourceId, _PolicyIndex] = {}
        self._sources: dict[
            tuple[tuple[str, ...], tuple[ResourceId, ...]],
            tuple[RangeSet | None, tuple[tuple[int, int], ...]],
        ] = {}
        self._signatures: dict[tuple[ResourceId, int, int], tuple[tuple[int, Match], ...]] = {}
        self._contents: dict[int, tuple[object, ...]] = {}
        """A compiled rule's part of ``source_shape`` keys, by the rule's identity."""
        self._decisions: dict[tuple[object, ...], FirewallDecision] = {}

    def _index(self, policy: FirewallPolicy) -> _PolicyIndex:
        found = self._indexes.get(policy.id)
        if found is None:
            found = self._compile(policy)
            self._indexes[policy.id] = found
        return found

    def _addresses(self, entries: tuple[str, ...], groups: tuple[ResourceId, ...]) -> list[str]:
        values = list(entries)
        for group_id in groups:
            group = self.env.get_typed(group_id, IpGroup)
            values += list(group.ip_addresses) if group else []
        return values

    def _compile(self, policy: FirewallPolicy) -> _PolicyIndex:
        compiled: list[_Compiled] = []
        sequence = 0
        for rule_type, kind in (
            (RuleType.DNAT, NatRule),
            (RuleType.NETWORK, NetworkRule),
            (RuleType.APPLICATION, ApplicationRule),
        ):
            for item in ordered_collections(self.env, policy):
                for rule in item.collection.rules:
                    if not isinstance(rule, kind):
                        continue
                    sequence += 1
                    compiled.append(
                        _Compiled(
                            _RANK[rule_type] * 10**9 + sequence,
                            rule_type,
                            rule,
                            item,
                            *self._compile_sources(rule),
                            self._compile_destinations(rule),
                        )
                    )
        return _PolicyIndex(compiled)

    def _compile_sources(
        self, rule: FirewallRule
    ) -> tuple[RangeSet | None, tuple[tuple[int, int], ...]]:
        # rules of one collection usually share their sources: parse each set once
        key = (rule.source_addresses, rule.source_ip_groups)
        found = self._sources.get(key)
        if found is None:
            found = self._sources[key] = self._parse_sources(rule)
        return found

    def _parse_sources(
        self, rule: FirewallRule
    ) -> tuple[RangeSet | None, tuple[tuple[int, int], ...]]:
        entries = self._addresses(rule.source_addresses, rule.source_ip_groups)
        if any(e.strip() == "*" for e in entries):
            return None, ()
        parsed = [p for p in (parse_cidr(e) for e in entries) if p is not None]
        ranges = RangeSet([(int(p.network_address), int(p.broadcast_address)) for p in parsed])
        return ranges, tuple((int(p.network_address), p.prefixlen) for p in parsed)

    def _compile_destinations(self, rule: FirewallRule) -> _Destinations:
        if not isinstance(rule, NetworkRule):
            return _Destinations(False, RangeSet([]), False, ())
        anything = False
        ranges: list[tuple[int, int]] = []
        public_cidrs = False
        tags: list[str] = []
        for entry in self._addresses(rule.destination_addresses, rule.destination_ip_groups):
            text = entry.strip()
            cidr = parse_cidr(text)
            if text == "*" or (cidr is not None and cidr.prefixlen == 0):
                anything = True
            elif cidr is None:
                tags.append(text)  # a service tag, kept by name
            else:
                ranges.append((int(cidr.network_address), int(cidr.broadcast_address)))
                public_cidrs = public_cidrs or is_public(cidr.network_address)
        return _Destinations(anything, RangeSet(ranges), public_cidrs, tuple(tags))

    @staticmethod
    def _source(entries: RangeSet | None, source: Prefix) -> Match:
        if entries is None:
            return Match.YES
        return entries.match(int(source.network_address), int(source.broadcast_address))

    @staticmethod
    def _protocols(protocols: tuple[NetworkProtocol, ...], protocol: str) -> Match:
        wanted = protocol.upper()
        ok = any(p is NetworkProtocol.ANY or p.value == wanted for p in protocols)
        return Match.YES if ok else Match.NO

    def network_match(
        self, compiled: _Compiled, flow: FirewallFlow, proxy: bool
    ) -> tuple[Match, str, bool]:
        """How the rule matches the flow, a note, and whether it read the flow's name."""
        rule = compiled.rule
        assert isinstance(rule, NetworkRule)
        if self._protocols(rule.ip_protocols, flow.protocol) is Match.NO:
            return Match.NO, "", False
        if not (
            flow.protocol.lower() == "icmp"
            or not rule.destination_ports
            or any(r.contains(flow.port) for r in rule.destination_ports)
        ):
            return Match.NO, "", False
        source = self._source(compiled.sources, flow.source)
        if source is Match.NO:
            return Match.NO, "", False
        destination = compiled.destinations.match(flow.destination)
        note = ""
        read = False
        if rule.destination_fqdns:
            if not proxy:
                note = f"FQDN network rule {rule.name} is ignored: the DNS proxy is off"
            elif flow.name is not None:
                read = True
                if flow.name in rule.destination_fqdns:
                    destination = Match.YES
        return combine_all([source, destination]), note, read

    def application_match(self, compiled: _Compiled, flow: FirewallFlow) -> tuple[Match, str, bool]:
        """How the rule matches the flow, a note, and whether it read the flow's name."""
        rule = compiled.rule
        assert isinstance(rule, ApplicationRule)
        if flow.protocol.lower() != "tcp":
            return Match.NO, "", False
        if not any(p.port == flow.port for p in rule.protocols):
            return Match.NO, "", False
        source = self._source(compiled.sources, flow.source)
        if source is Match.NO:
            return Match.NO, "", False
        if flow.name is None:
            return Match.NO, "no host name (SNI / Host) to match application rules on", True
        name = flow.name
        target = Match.YES if any(p.matches(name) for p in rule.target_fqdns) else Match.NO
        if target is Match.NO and (rule.fqdn_tags or rule.web_categories):
            target = Match.UNKNOWN  # FQDN tag and web-category members are not known offline
        if target is Match.NO and rule.target_urls:
            hosts = [u.split("/", 1)[0].split(":", 1)[0].lower() for u in rule.target_urls]
            target = Match.YES if str(name) in hosts else Match.NO
        return combine_all([source, target]), "", True

    def _signature(self, policy: FirewallPolicy, source: Prefix) -> tuple[tuple[int, Match], ...]:
        """What a source means to a policy: the rules whose sources it may match, in order, with
        how they match. Sources with the same signature get the same decision for every flow."""
        key = (policy.id, int(source.network_address), source.prefixlen)
        found = self._signatures.get(key)
        if found is None:
            found = tuple(
                (id(compiled), match)  # the compiled rules live as long as the evaluator
                for compiled in self._index(policy).candidates(source)
                if (match := self._source(compiled.sources, source)) is not Match.NO
            )
            self._signatures[key] = found
        return found

    def source_shape(
        self, policy: FirewallPolicy, source: Prefix
    ) -> tuple[tuple[object, ...], tuple[str, ...], tuple[SourceLocation | None, ...]]:
        """What a source means to a policy by content, for traces shared between subnets
        (``analyses/trace_share.py``): per rule it may match, in order, the rule without its
        source field, how the source matches it, and its collection and group without the
        collection's name and priority (the list is in processing order); the collections as
        decisions name them and the rules' locations come apart, as the names and places that
        differ between two subnets of the same shape."""
        key: list[object] = []
        names: list[str] = []
        locations: list[SourceLocation | None] = []
        for compiled in self._index(policy).candidates(source):
            match = self._source(compiled.sources, source)
            if match is Match.NO:
                continue
            rule = compiled.rule
            item = compiled.item
            content = self._contents.get(id(compiled))
            if content is None:  # the same rules match the subnets of many spokes
                content = self._contents[id(compiled)] = (
                    compiled.rule_type,
                    tuple(
                        (field.name, getattr(rule, field.name))
                        for field in dataclasses.fields(rule)
                        if field.name not in ("source", "source_addresses", "source_ip_groups")
                    ),
                    item.policy.id,
                    item.group.name,
                    item.group.priority,
                    item.collection.action,
                    item.collection.kind,
                )
            key.append((content, match))
            # as decisions name it ("collection egress-s1 210"); the order is the list's
            names.append(f"{item.collection.name} {item.collection.priority}")
            locations += [rule.source, item.collection.source]
        return tuple(key), tuple(names), tuple(locations)

    def evaluate(self, firewall: AzureFirewall, flow: FirewallFlow) -> FirewallDecision:
        """The policy's decision on a flow; computed once per source signature and flow (the
        subnets of many spokes share the rules that match them)."""
        policy = self.env.get_typed(firewall.firewall_policy, FirewallPolicy)
        if policy is None:
            return self._evaluate(firewall, flow)
        key = (
            firewall.id,
            self._signature(policy, flow.source),
            flow.destination,
            flow.name,
            flow.port,
            flow.protocol,
        )
        found = self._decisions.get(key)
        if found is None:
            found = self._decisions[key] = self._evaluate(firewall, flow)
        return found

    def _evaluate(self, firewall: AzureFirewall, flow: FirewallFlow) -> FirewallDecision:
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
        undecided: list[_Compiled] = []
        read = False
        for compiled in self._index(policy).candidates(flow.source):
            if compiled.rule_type is RuleType.DNAT:
                continue  # DNAT applies to the firewall's public IPs, not to these flows
            if compiled.rule_type is RuleType.NETWORK:
                match, note, named = self.network_match(compiled, flow, proxy)
            else:
                match, note, named = self.application_match(compiled, flow)
            read = read or named
            if note and note not in notes:
                notes.append(note)
            if match is Match.NO:
                continue
            if match is Match.UNKNOWN:
                undecided.append(compiled)
                continue
            item, rule, rule_type = compiled.item, compiled.rule, compiled.rule_type
            action = item.collection.action
            if undecided and undecided[0].item.collection.action is not action:
                first = undecided[0]
                return FirewallDecision(
                    None,
                    first.rule_type,
                    first.rule,
                    first.item.collection.name,
                    first.item.group.name,
                    first.item.policy.id,
                    f"rule {first.rule.name} in {first.item.collection.name} may match first; "
                    "it cannot be decided offline",
                    notes=tuple(notes),
                    name_read=read,
                )
            where = f", policy {item.policy.name}" if item.policy.id != policy.id else ""
            verb = "denies" if action is FirewallAction.DENY else "allows"
            return FirewallDecision(
                FirewallAction.DENY if action is FirewallAction.DENY else FirewallAction.ALLOW,
                rule_type,
                rule,
                item.collection.name,
                item.group.name,
                item.policy.id,
                f"{rule_type.value} rule {rule.name} (collection {item.collection.name} "
                f"{item.collection.priority}, group {item.group.name} {item.group.priority}"
                f"{where}) {verb}",
                self._snat(policy, rule_type, flow),
                tuple(notes),
                read,
            )
        if undecided:
            first = undecided[0]
            return FirewallDecision(
                None,
                None,
                first.rule,
                first.item.collection.name,
                first.item.group.name,
                first.item.policy.id,
                f"only rule {first.rule.name} might allow it, undecidable offline",
                notes=tuple(notes),
                name_read=read,
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
            name_read=read,
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
