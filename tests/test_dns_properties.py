"""Property: resolution terminates with an outcome on any graph of zones, forwarders and CNAMEs."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnshelp import CATALOG, design
from heiki.analyses.dns import Outcome, Resolver
from heiki.analyses.dns.resolver import MAX_CNAME_CHAIN, MAX_STEPS
from heiki.analyses.vantage import list_vantages
from heiki.model.dns import ForwardingRule, RecordSet, RecordType, TargetDnsServer
from heiki.model.onprem import ConditionalForwarder, OnPremDnsZone
from heiki.model.values import DnsName

BASE = design("closed-aml")
INBOUND = BASE.dns_resolvers[0].inbound_endpoints[0].private_ip_address
ONPREM_DNS = ipaddress.IPv4Address("192.168.0.53")
SERVERS = [
    INBOUND,
    ONPREM_DNS,
    ipaddress.IPv4Address("168.63.129.16"),
    ipaddress.IPv4Address("10.0.1.200"),
]
DOMAINS = ["a.test", "b.test", "test", "privatelink.blob.core.windows.net", "corp.example.com"]
LABELS = ["x", "y", "z", "w"]
VANTAGES = [v for v in list_vantages(BASE) if v.name in ("onprem", "ml/compute", "data/shir")]

names = st.builds(
    lambda label, domain: f"{label}.{domain}", st.sampled_from(LABELS), st.sampled_from(DOMAINS)
)


@st.composite
def environments(draw):  # type: ignore[no-untyped-def]
    env = BASE
    cnames = draw(st.lists(st.tuples(st.sampled_from(LABELS), names), max_size=6))
    zone = "privatelink.blob.core.windows.net"
    records = tuple(
        RecordSet(label, RecordType.CNAME, cname=DnsName(target))
        for label, target in {label: target for label, target in cnames}.items()
    )
    env = replace(
        env,
        private_dns_zones=tuple(
            replace(z, record_sets=records) if z.name == zone else z for z in env.private_dns_zones
        ),
    )
    forwarders = draw(
        st.lists(st.tuples(st.sampled_from(DOMAINS), st.sampled_from(SERVERS)), max_size=5)
    )
    hosted = draw(
        st.lists(st.tuples(st.sampled_from(DOMAINS), st.sampled_from(LABELS), names), max_size=4)
    )
    assert env.on_premises is not None
    server = env.on_premises.dns_servers[0]
    zones = {}
    for domain, label, target in hosted:
        zones.setdefault(domain, []).append(
            RecordSet(label, RecordType.CNAME, cname=DnsName(target))
        )
    server = replace(
        server,
        conditional_forwarders=tuple(
            ConditionalForwarder(DnsName(d), (s,)) for d, s in dict(forwarders).items()
        )
        + server.conditional_forwarders,
        zones=tuple(OnPremDnsZone(DnsName(d), tuple(r)) for d, r in zones.items()),
    )
    env = replace(env, on_premises=replace(env.on_premises, dns_servers=(server,)))
    rules = draw(
        st.lists(st.tuples(st.sampled_from(DOMAINS), st.sampled_from(SERVERS)), max_size=4)
    )
    env = replace(
        env,
        dns_forwarding_rulesets=tuple(
            replace(
                r,
                forwarding_rules=tuple(
                    ForwardingRule(f"r{i}", DnsName(d), (TargetDnsServer(s),))
                    for i, (d, s) in enumerate(dict(rules).items())
                ),
            )
            for r in env.dns_forwarding_rulesets
        ),
    )
    return env


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(environments(), names, st.sampled_from(VANTAGES))
def test_resolution_always_terminates_with_an_outcome(env, name, vantage) -> None:  # type: ignore[no-untyped-def]
    resolution = Resolver(env, CATALOG).resolve(vantage, name)
    assert resolution.outcome in set(Outcome)
    assert len(resolution.steps) <= MAX_STEPS + 1
    assert len(resolution.cname_chain) <= MAX_CNAME_CHAIN
    if resolution.outcome is Outcome.PRIVATE:
        assert resolution.addresses
    # deterministic: the same question gives the same answer and steps
    assert Resolver(env, CATALOG).resolve(vantage, name) == resolution


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    environments(), st.lists(st.tuples(names, st.sampled_from(VANTAGES)), min_size=2, max_size=6)
)
def test_shared_memo_never_changes_an_answer(env, questions) -> None:  # type: ignore[no-untyped-def]
    """One resolver answering many questions gives what a fresh resolver gives for each."""
    shared = Resolver(env, CATALOG)
    for name, vantage in questions + questions:
        assert shared.resolve(vantage, name) == Resolver(env, CATALOG).resolve(vantage, name)
