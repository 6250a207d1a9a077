"""A trace to a private destination is shared between subnets of one shape only where the far
side treats their prefixes alike: the destination's NSG, the route its replies take back, the
destination lying in the subnet's own VNet. Each case below makes the far side single out one
spoke; shared and exact traces must still agree, the singled-out spoke must get its own verdict,
and a tracer that ignored the guards (a mutant) must get it wrong."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heiki.analyses.trace import Trace, Tracer, Verdict
from heiki.analyses.vantage import find_vantage
from heiki.catalog import load_catalog
from heiki.model.environment import Environment
from heiki.model.network import (
    Access,
    Direction,
    NextHopType,
    NsgProtocol,
    Route,
    SecurityRule,
)
from heiki.model.values import ResourceId
from heiki.sources import load_blueprint
from heiki.sources.yamlread import parse_yaml
from test_trace_sharing import _blueprint, assert_same

CATALOG = load_catalog()
SPOKES = ("a", "b", "c")
RESOLVER_INBOUND = "10.0.1.132"  # in the hub's snet-dns-inbound
FIREWALL = ipaddress.IPv4Address("10.0.1.4")
ONPREM_CLIENT = "192.168.10.20"


def _estate() -> Environment:
    """Three spokes of one shape (a VM subnet each) behind the hub firewall and resolver."""
    spokes = [(name, ["pypi"], False, False) for name in SPOKES]
    text = _blueprint(spokes, firewall=True, workspaces=False)
    return load_blueprint(parse_yaml(text, "guards.yaml")).environment


def _traces(
    env: Environment, destination: str, port: int, protocol: str, **kw: bool
) -> list[Trace]:
    tracer = Tracer(env, CATALOG, **kw)
    return [
        tracer.trace(find_vantage(env, f"{spoke}/vms"), destination, port, protocol)
        for spoke in SPOKES
    ]


@contextmanager
def _guards_ignored() -> Iterator[None]:
    original = Tracer._guards_hold
    Tracer._guards_hold = lambda self, guards, vantage: True  # type: ignore[method-assign]
    try:
        yield
    finally:
        Tracer._guards_hold = original  # type: ignore[method-assign]


def _compare(env: Environment, destination: str, port: int, protocol: str) -> list[Trace]:
    shared = _traces(env, destination, port, protocol)
    exact = _traces(env, destination, port, protocol, exact=True)
    for mine, theirs in zip(shared, exact, strict=True):
        assert mine == theirs, mine.vantage
    with _guards_ignored():
        mutant = _traces(env, destination, port, protocol)
    assert mutant != exact, "the case does not need its guard"
    return exact


def _inbound_rule(env: Environment, rule: SecurityRule) -> Environment:
    return replace(
        env,
        network_security_groups=tuple(
            replace(n, security_rules=(rule, *n.security_rules))
            if n.name == "nsg-hub-resolver-inbound"
            else n
            for n in env.network_security_groups
        ),
    )


def _single_out(
    env: Environment,
    denied: AbstractSet[int] = frozenset(),
    unrouted: AbstractSet[int] = frozenset(),
    hairpin: AbstractSet[int] = frozenset(),
) -> Environment:
    """The far side treats chosen spokes apart: the resolver's NSG denies ``denied``, the
    gateway has no route back through the firewall for ``unrouted``, the resolver's subnet sends
    replies to ``hairpin`` through the firewall."""
    for index in sorted(denied):
        env = _inbound_rule(
            env,
            SecurityRule(
                f"deny-{index}",
                100 + index,
                Direction.INBOUND,
                Access.DENY,
                NsgProtocol.ANY,
                source_address_prefixes=(f"10.{index + 1}.0.0/16",),
            ),
        )
    gone = {f"10.{index + 1}.0.0/16" for index in unrouted}
    env = replace(
        env,
        route_tables=tuple(
            replace(t, routes=tuple(r for r in t.routes if r.address_prefix not in gone))
            if t.name == "rt-hub-gateway"
            else t
            for t in env.route_tables
        ),
    )
    if hairpin:
        template = next(t for t in env.route_tables if t.name == "rt-a")
        table_id = ResourceId(str(template.id).replace("/rt-a", "/rt-hub-inbound"))
        routes = tuple(
            Route(f"hairpin-{i}", f"10.{i + 1}.0.0/16", NextHopType.VIRTUAL_APPLIANCE, FIREWALL)
            for i in sorted(hairpin)
        )
        table = replace(template, id=table_id, name="rt-hub-inbound", routes=routes)
        env = replace(env, route_tables=(*env.route_tables, table))
        env = replace(
            env,
            virtual_networks=tuple(
                replace(
                    v,
                    subnets=tuple(
                        replace(s, route_table=table_id) if s.name == "snet-dns-inbound" else s
                        for s in v.subnets
                    ),
                )
                for v in env.virtual_networks
            ),
        )
    return env


def test_a_destination_nsg_that_denies_one_spoke_is_read_for_each_spoke() -> None:
    a, b, c = _compare(_single_out(_estate(), denied={1}), RESOLVER_INBOUND, 53, "udp")
    assert a.verdict is Verdict.DELIVERED and c.verdict is Verdict.DELIVERED
    assert b.verdict is Verdict.DROPPED and "deny-1" in b.reason


def test_replies_routed_to_the_firewall_for_one_spoke_drop_only_its_flows() -> None:
    a, b, c = _compare(_single_out(_estate(), hairpin={2}), RESOLVER_INBOUND, 53, "udp")
    assert a.verdict is Verdict.DELIVERED and b.verdict is Verdict.DELIVERED
    assert c.verdict is Verdict.DROPPED and c.reason == "asymmetric routing"


def test_a_gateway_that_returns_one_spoke_past_the_firewall_drops_only_its_flows() -> None:
    a, b, c = _compare(_single_out(_estate(), unrouted={1}), ONPREM_CLIENT, 443, "tcp")
    assert a.verdict is c.verdict
    assert b.verdict is Verdict.DROPPED and b.reason == "asymmetric routing"


@pytest.mark.parametrize("owner", SPOKES)
def test_an_address_in_one_spoke_is_local_there_and_remote_elsewhere(owner: str) -> None:
    env = _estate()
    nic = next(n for n in env.network_interfaces if n.name == f"nic-vm-{owner}")
    assert nic.private_ip_address is not None
    traces = _compare(env, str(nic.private_ip_address), 22, "tcp")
    for spoke, found in zip(SPOKES, traces, strict=True):
        crossed = any(h.node.startswith("firewall") for h in found.hops)
        assert crossed is (spoke != owner), (spoke, found.verdict)


spoke_sets = st.sets(st.integers(min_value=0, max_value=len(SPOKES) - 1))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spoke_sets, spoke_sets, spoke_sets)
def test_random_far_sides_get_the_exact_traces_and_checks(
    denied: set[int], unrouted: set[int], hairpin: set[int]
) -> None:
    env = _single_out(_estate(), denied, unrouted, hairpin)
    for destination, port, protocol in ((RESOLVER_INBOUND, 53, "udp"), (ONPREM_CLIENT, 443, "tcp")):
        shared = _traces(env, destination, port, protocol)
        exact = _traces(env, destination, port, protocol, exact=True)
        assert shared == exact
    assert_same(env)
