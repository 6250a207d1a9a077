"""Names that resolve to one address (a workspace's API and its compute instances share the
workspace endpoint's address) walk the same path past DNS - unless something on the way reads
the name. The tracer walks such an address once and reuses the walk for the other names, and
walks again when a firewall weighed an application rule (SNI) or an FQDN network rule: the
traces are the exact mode's in both cases."""

from __future__ import annotations

from dataclasses import replace

from heiki.analyses.trace import Tracer, Verdict
from heiki.analyses.vantage import find_vantage
from heiki.catalog import load_catalog
from heiki.model.environment import Environment
from heiki.model.firewall import (
    ApplicationProtocol,
    ApplicationRule,
    FirewallAction,
    NetworkRule,
    RuleCollection,
    RuleCollectionGroup,
    RuleCollectionKind,
)
from heiki.model.values import FqdnPattern
from heiki.sources import load

CATALOG = load_catalog()
ALICE = "ci-alice.japaneast.instances.ml.azure.ms"
BOB = "ci-bob.japaneast.instances.ml.azure.ms"


def _walks(tracer: Tracer) -> list[str]:
    """The names the tracer walks past DNS for (its resolver's own DNS hops are not counted)."""
    walked: list[str] = []
    original = tracer._walk

    def counting(*args: object, **kwargs: object) -> object:
        if str(args[2]) in (ALICE, BOB):  # (vantage, target, name, port, protocol, walk)
            walked.append(str(args[2]))
        return original(*args, **kwargs)  # type: ignore[arg-type]

    tracer._walk = counting  # type: ignore[assignment,method-assign]
    return walked


def _only_alice_by_sni(env: Environment) -> Environment:
    """The hub policy without its east-west network rule from on-premises, and an application
    rule that lets on-premises clients reach Alice's compute instance by name only."""
    policy = env.firewall_policies[0]
    groups = []
    for group in policy.rule_collection_groups:
        collections = []
        for collection in group.rule_collections:
            rules = tuple(
                r
                for r in collection.rules
                if not (isinstance(r, NetworkRule) and r.name == "private-east-west")
            )
            collections.append(replace(collection, rules=rules))
        groups.append(replace(group, rule_collections=tuple(collections)))
    sni = RuleCollection(
        name="alice-only",
        priority=100,
        kind=RuleCollectionKind.FILTER,
        action=FirewallAction.ALLOW,
        rules=(
            ApplicationRule(
                name="alice-ci",
                protocols=(ApplicationProtocol("Https", 443),),
                source_addresses=("192.168.0.0/16",),
                target_fqdns=(FqdnPattern(ALICE),),
            ),
        ),
    )
    groups.append(RuleCollectionGroup(name="sni", priority=900, rule_collections=(sni,)))
    return replace(env, firewall_policies=(replace(policy, rule_collection_groups=tuple(groups)),))


def test_two_names_of_one_address_are_walked_once_when_nothing_reads_the_name() -> None:
    env = load("closed-aml").environment
    tracer = Tracer(env, CATALOG)
    walked = _walks(tracer)
    onprem = find_vantage(tracer.env, "onprem")
    alice, bob = tracer.trace(onprem, ALICE), tracer.trace(onprem, BOB)
    assert alice.resolution is not None and bob.resolution is not None
    assert alice.resolution.addresses == bob.resolution.addresses  # one endpoint address
    assert walked == [ALICE]
    assert alice.verdict is bob.verdict is Verdict.DELIVERED
    assert alice.hops[1:] == bob.hops[1:]  # past DNS: the same walk
    assert alice.hops[0] != bob.hops[0]  # each its own answer
    exact = Tracer(env, CATALOG, exact=True)
    assert (alice, bob) == (exact.trace(onprem, ALICE), exact.trace(onprem, BOB))


def test_a_firewall_that_reads_the_name_gets_each_name_walked() -> None:
    env = _only_alice_by_sni(load("closed-aml").environment)
    tracer = Tracer(env, CATALOG)
    walked = _walks(tracer)
    onprem = find_vantage(tracer.env, "onprem")
    alice, bob = tracer.trace(onprem, ALICE), tracer.trace(onprem, BOB)
    assert walked == [ALICE, BOB]
    assert alice.verdict is Verdict.DELIVERED, alice.reason
    assert bob.verdict is Verdict.DROPPED
    assert "no rule matched" in bob.reason
    exact = Tracer(env, CATALOG, exact=True)
    assert (alice, bob) == (exact.trace(onprem, ALICE), exact.trace(onprem, BOB))
