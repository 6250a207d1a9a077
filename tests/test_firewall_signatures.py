"""The firewall evaluator decides once per source signature (the rules a source may match, and
how) and flow; the decision must be what evaluating each flow on its own gives (the exact mode,
``_evaluate``) - on random sources, destinations, names and ports, against every design with a
firewall, and with the cache warmed by the other flows."""

from __future__ import annotations

import ipaddress

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heiki.analyses.addressing import PublicEndpoint
from heiki.analyses.firewall import FirewallEvaluator, FirewallFlow
from heiki.catalog import load_catalog
from heiki.model.values import DnsName
from heiki.sources import load

CATALOG = load_catalog()
DESIGNS = {name: load(name).environment for name in ("closed-aml", "locked-down", "dev-prod")}
NAMES = ["pypi.org", "files.pythonhosted.org", "github.com", "example.com", "huggingface.co"]

sources = st.builds(
    lambda address, length: ipaddress.IPv4Network(f"{address}/{length}", strict=False),
    st.ip_addresses(v=4, network="10.0.0.0/12"),
    st.sampled_from([32, 27, 24, 16]),
)
destinations = st.one_of(
    st.builds(lambda name: PublicEndpoint(DnsName(name), ("Internet",)), st.sampled_from(NAMES)),
    st.ip_addresses(v=4, network="10.0.0.0/12"),
)
flows = st.builds(
    FirewallFlow,
    source=sources,
    destination=destinations,
    name=st.one_of(st.none(), st.sampled_from(NAMES).map(DnsName)),
    port=st.sampled_from([22, 53, 80, 443, 445]),
    protocol=st.sampled_from(["tcp", "udp"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(DESIGNS)), st.lists(flows, min_size=1, max_size=25))
def test_decisions_by_signature_are_the_exact_decisions(design: str, batch: list) -> None:  # type: ignore[type-arg]
    env = DESIGNS[design]
    shared = FirewallEvaluator(env, CATALOG)
    for firewall in env.firewalls:
        for flow in batch + batch:  # the second round is answered from the cache
            exact = FirewallEvaluator(env, CATALOG)._evaluate(firewall, flow)
            assert shared.evaluate(firewall, flow) == exact, flow


def test_subnets_of_one_spoke_share_a_signature() -> None:
    env = DESIGNS["closed-aml"]
    evaluator = FirewallEvaluator(env, CATALOG)
    (firewall,) = env.firewalls
    name = DnsName("pypi.org")
    flow = FirewallFlow(
        ipaddress.IPv4Network("10.1.0.4/32"), PublicEndpoint(name, ("Internet",)), name, 443, "tcp"
    )
    evaluator.evaluate(firewall, flow)
    evaluator.evaluate(
        firewall,
        FirewallFlow(ipaddress.IPv4Network("10.1.0.5/32"), flow.destination, name, 443, "tcp"),
    )
    assert len(evaluator._decisions) == 1
