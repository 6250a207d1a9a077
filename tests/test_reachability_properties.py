"""Properties: deny rules never add a delivered flow; route lookup is longest-prefix match."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heiki.analyses.routing import EffectiveRoute, HopType, RouteSource, RouteTableIndex
from heiki.analyses.trace import Tracer, Verdict
from heiki.analyses.vantage import find_vantage
from heiki.model.firewall import (
    FirewallAction,
    NetworkProtocol,
    NetworkRule,
    RuleCollection,
    RuleCollectionGroup,
    RuleCollectionKind,
)
from heiki.model.network import Access, Direction, NsgProtocol, SecurityRule
from heiki.model.values import PortRange
from nethelp import CATALOG, design, replace_in

CLOSED = design("closed-aml")
NSG_ONLY = design("nsg-only")
WS_IP = str(
    next(pe for pe in CLOSED.private_endpoints if "amlworkspace" in pe.group_ids)
    .ip_configurations[0]
    .private_ip_address
)
GIT_IP = str(next(n for n in CLOSED.network_interfaces if "git" in n.name).private_ip_address)
FLOWS = [
    ("ml/compute", "pypi.org", 443, "tcp"),
    ("ml/compute", "files.pythonhosted.org", 443, "tcp"),
    ("ml/compute", "foreign-storage", 443, "tcp"),
    ("ml/compute", GIT_IP, 443, "tcp"),
    ("ml/cluster", "tag:AzureMachineLearning", 443, "tcp"),
    ("onprem", WS_IP, 443, "tcp"),
    ("devops/runners", WS_IP, 443, "tcp"),
    ("data/shir", "192.168.20.10", 1433, "tcp"),
]
PREFIXES = [
    "*",
    "Internet",
    "VirtualNetwork",
    "10.0.0.0/8",
    "10.1.0.0/16",
    "10.2.0.0/24",
    "192.168.0.0/16",
    "Storage",
    "AzureMachineLearning",
    "0.0.0.0/0",
]


def verdicts(env):  # type: ignore[no-untyped-def]
    tracer = Tracer(env, CATALOG)
    return [tracer.trace(find_vantage(env, v), d, p, proto).verdict for v, d, p, proto in FLOWS]


BASE = verdicts(CLOSED)


nsg_rules = st.builds(
    lambda priority, direction, protocol, source, destination, low, span: SecurityRule(
        f"deny-{priority}",
        priority,
        direction,
        Access.DENY,
        protocol,
        source_address_prefixes=(source,),
        destination_address_prefixes=(destination,),
        destination_port_ranges=(PortRange(low, min(65535, low + span)),),
    ),
    st.integers(100, 4096),
    st.sampled_from(list(Direction)),
    st.sampled_from([NsgProtocol.ANY, NsgProtocol.TCP, NsgProtocol.UDP]),
    st.sampled_from(PREFIXES),
    st.sampled_from(PREFIXES),
    st.sampled_from([0, 22, 443, 1433, 1000]),
    st.sampled_from([0, 1, 1000, 65535]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([n.name for n in CLOSED.network_security_groups]), nsg_rules)
def test_an_nsg_deny_rule_never_adds_a_delivered_flow(nsg_name, rule) -> None:  # type: ignore[no-untyped-def]
    nsg = next(n for n in CLOSED.network_security_groups if n.name == nsg_name)
    env = replace_in(
        CLOSED,
        "network_security_groups",
        lambda n: n.id == nsg.id,
        security_rules=(rule, *nsg.security_rules),
    )
    for before, after in zip(BASE, verdicts(env), strict=True):
        if after is Verdict.DELIVERED:
            assert before is Verdict.DELIVERED


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(100, 65000),
    st.sampled_from(PREFIXES),
    st.sampled_from(PREFIXES),
    st.sampled_from([None, 443, 1433]),
)
def test_a_firewall_deny_never_adds_a_delivered_flow(priority, source, destination, port) -> None:  # type: ignore[no-untyped-def]
    rule = NetworkRule(
        "deny",
        (NetworkProtocol.ANY,),
        source_addresses=(source,),
        destination_addresses=(destination,),
        destination_ports=(PortRange(port, port),) if port else (),
    )
    group = RuleCollectionGroup(
        "deny",
        priority,
        (RuleCollection("deny", 100, RuleCollectionKind.FILTER, FirewallAction.DENY, (rule,)),),
    )
    policy = CLOSED.firewall_policies[0]
    env = replace(
        CLOSED,
        firewall_policies=(
            replace(policy, rule_collection_groups=(group, *policy.rule_collection_groups)),
        ),
    )
    for before, after in zip(BASE, verdicts(env), strict=True):
        if after is Verdict.DELIVERED:
            assert before is Verdict.DELIVERED


routes = st.lists(
    st.builds(
        lambda network, length, source: EffectiveRoute(
            source,
            ipaddress.IPv4Network((network, length), strict=False),
            "",
            HopType.VNET_LOCAL,
            name=f"{source.value}-{length}",
        ),
        st.integers(0, 2**32 - 1),
        st.integers(0, 32),
        st.sampled_from(list(RouteSource)),
    ),
    min_size=1,
    max_size=25,
)
RANK = {RouteSource.USER: 0, RouteSource.GATEWAY: 1, RouteSource.DEFAULT: 2}


@given(routes, st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=10))
def test_route_lookup_is_longest_prefix_match(table, addresses) -> None:  # type: ignore[no-untyped-def]
    index = RouteTableIndex(tuple(table))
    for value in addresses:
        address = ipaddress.IPv4Address(value)
        matching = [r for r in table if r.prefix is not None and address in r.prefix]
        found = index.lookup(address).route
        if not matching:
            assert found is None
            continue
        longest = max(r.prefix.prefixlen for r in matching)  # type: ignore[union-attr]
        best = min(
            (r for r in matching if r.prefix.prefixlen == longest),  # type: ignore[union-attr]
            key=lambda r: RANK[r.source],
        )
        assert found is not None
        assert found.prefix == best.prefix and RANK[found.source] == RANK[best.source]
