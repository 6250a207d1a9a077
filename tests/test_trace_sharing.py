"""Traces shared between subnets of one shape (``analyses/trace_share.py``) must be exactly the
traces each subnet's own walk gives (the tracer's exact mode): compared trace by trace and as
whole check records, on random estates, on every design and on the benchmark estates."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heiki.analyses.egress import egress_report
from heiki.analyses.trace import Trace, Tracer
from heiki.catalog import load_catalog
from heiki.designs import BUILTIN_DESIGNS
from heiki.model.environment import Environment
from heiki.reports.record import check_environment, check_record
from heiki.rules.context import RuleContext
from heiki.sources import load, load_blueprint
from heiki.sources.yamlread import parse_yaml

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
from estates import load_estate, spoke_loop_template

CATALOG = load_catalog()


def _traces(env: Environment, tracer: Tracer) -> list[Trace]:
    report = egress_report(env, CATALOG, tracer)
    found: list[Trace] = []
    for subnet in report.subnets:
        found += [r.trace for r in subnet.required]
        found += [subnet.any_internet, subnet.foreign_storage]
    return found


def _record(env: Environment, exact: bool) -> dict[str, object]:
    context = RuleContext(env, CATALOG)
    context.__dict__["tracer"] = Tracer(env, CATALOG, exact=exact)
    return check_record(check_environment(env, CATALOG, "x", context=context))


def assert_same(env: Environment) -> Tracer:
    shared = Tracer(env, CATALOG)
    exact = _traces(env, Tracer(env, CATALOG, exact=True))
    for mine, theirs in zip(_traces(env, shared), exact, strict=True):
        assert mine == theirs, (mine.vantage, mine.destination)
    assert _record(env, exact=False) == _record(env, exact=True)
    return shared


def test_every_design_gets_the_exact_traces() -> None:
    for design in BUILTIN_DESIGNS:
        assert_same(load(design).environment)


FIXTURES = Path(__file__).parent / "fixtures" / "arm"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "templates"
INPUTS = [
    ((str(FIXTURES / "hub-spoke.json"),), str(FIXTURES / "onprem.yaml"), ()),
    (
        (str(FIXTURES / "hub-spoke.json"),),
        str(FIXTURES / "onprem.yaml"),
        (str(FIXTURES / "hub-spoke.fixed.parameters.json"),),
    ),
    *(
        ((str(folder / "azuredeploy.json"),), None, (str(folder / "azuredeploy.parameters.json"),))
        for folder in sorted((SHARED / "azure-quickstart").glob("machine-learning-*"))
    ),
    *(((str(folder),), None, ()) for folder in sorted((SHARED / "azure-terraform").glob("*-*"))),
]


@pytest.mark.parametrize(("sources", "onprem", "parameters"), INPUTS)
def test_every_fixture_gets_the_exact_traces(
    sources: tuple[str, ...], onprem: str | None, parameters: tuple[str, ...]
) -> None:
    """Templates we did not write (the landing-zone fixture, Azure's quickstarts in ARM and
    Terraform, where ../shared is present) check alike with shared and exact traces."""
    assert_same(load(sources, onprem, parameters).environment)


def test_the_benchmark_estate_gets_the_exact_traces_from_one_walk_per_shape() -> None:
    env = load_estate(12, workspaces=True)
    shared = assert_same(env)
    walked = sum(len(models) for models in shared._shared.values())
    flows = len(_traces(env, shared))
    # twelve spokes of one shape: the outside flows are walked for the first spoke only
    assert walked * 10 < flows


def test_spokes_of_an_arm_copy_loop_get_the_exact_traces(tmp_path: Path) -> None:
    """The ARM a platform team writes for many spokes - one spoke module deployed by a copy loop
    (``benchmarks/bench_arm_loop.py``) - is read spoke by spoke and shares its walks."""
    import json

    template = tmp_path / "main.json"
    template.write_text(json.dumps(spoke_loop_template(6)), encoding="utf-8")
    env = load((str(template),)).environment
    spokes = sorted(v.name for v in env.virtual_networks if v.name != "vnet-hub")
    assert spokes == [f"vnet-s{i}" for i in range(6)]
    hub = next(v for v in env.virtual_networks if v.name == "vnet-hub")
    assert len(hub.peerings) == 6
    shared = assert_same(env)
    walked = sum(len(models) for models in shared._shared.values())
    # six spokes of one shape: any-internet and foreign storage walked once each
    assert (walked, len(_traces(env, shared))) == (2, 12)


def test_a_subnet_of_another_shape_is_walked_on_its_own() -> None:
    text = _blueprint(
        [
            ("a", ["pypi"], False, False),
            ("b", ["pypi"], False, False),
            ("c", ["pypi", "conda"], False, False),  # more firewall rules: another shape
        ],
        firewall=True,
    )
    env = load_blueprint(parse_yaml(text, "t.yaml")).environment
    shared = assert_same(env)
    shapes = {number for shape, number in shared._shapes.values() if shape is not None}
    assert len(shapes) >= 2


def _blueprint(
    spokes: list[tuple[str, list[str], bool, bool]],
    firewall: bool,
    dns: str = "private-resolver",
    workspaces: bool = True,
) -> str:
    lines = [
        "name: random",
        "location: japaneast",
        "onprem:",
        "  address_space: [192.168.0.0/16]",
        "  clients: [192.168.10.0/24]",
        "  dns: {servers: [192.168.0.53], forward_to: hub}",
        "hub:",
        "  address_space: 10.0.0.0/16",
        f"  firewall: {'{sku: standard}' if firewall else 'none'}",
        f"  dns: {dns}",
        "spokes:",
    ]
    for index, (name, egress, outbound, public_vm) in enumerate(spokes):
        lines += [
            f"  {name}:",
            f"    address_space: 10.{index + 1}.0.0/16",
            f"    egress: [{', '.join(egress)}]",
            f"    default_outbound_access: {'true' if outbound else 'false'}",
            "    vms: [{name: vm-" + name + (", public_ip: true" if public_vm else "") + "}]",
        ]
        if workspaces:
            lines += [
                "    workspace:",
                f"      name: mlw-{name}",
                "      compute:",
                f"        instances: [ci-{name}]",
                f"        clusters: [{{name: cc-{name}, image_build: true}}]",
            ]
    return "\n".join(lines) + "\n"


PROFILES = ["azure-ml", "mcr", "pypi", "conda", "huggingface", "github"]
spoke = st.tuples(
    st.lists(st.sampled_from(PROFILES), min_size=0, max_size=4, unique=True),
    st.booleans(),
    st.booleans(),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(spoke, min_size=1, max_size=5),
    st.booleans(),
    st.sampled_from(["private-resolver", "firewall-proxy", "dns-vm"]),
)
def test_random_estates_get_the_exact_traces(
    spokes: list[tuple[list[str], bool, bool]], firewall: bool, dns: str
) -> None:
    if not firewall and dns == "firewall-proxy":
        dns = "private-resolver"
    named = [
        (f"s{i}", egress, outbound, public) for i, (egress, outbound, public) in enumerate(spokes)
    ]
    env = load_blueprint(parse_yaml(_blueprint(named, firewall, dns), "t.yaml")).environment
    assert_same(env)


def test_a_shared_trace_serialises_as_its_exact_twin() -> None:
    # its hops are relabelled when first read (DeferredHops): the JSON of `heiki trace` must
    # still list them
    from heiki.reports.serialize import dumps, to_data

    env = load_estate(3, workspaces=True)
    shared = _traces(env, Tracer(env, CATALOG))
    exact = _traces(env, Tracer(env, CATALOG, exact=True))
    deferred = [t for t in shared if not isinstance(t.hops, tuple)]
    assert deferred  # the estate's second and third spokes share the first one's walks
    for mine, theirs in zip(shared, exact, strict=True):
        assert dumps(to_data(mine)) == dumps(to_data(theirs))


def _own_rules(env: Environment, spoke: str, index: int, offset: str) -> Environment:
    """Spoke ``spoke``'s NSG denies SMB to one of its own subnets and its route table sends
    that subnet's prefix to VnetLocal: rules and routes that name the spoke's own prefixes."""
    from dataclasses import replace

    from heiki.model.network import (
        Access,
        Direction,
        NextHopType,
        NsgProtocol,
        PortRange,
        Route,
        SecurityRule,
    )

    own = f"10.{index + 1}.{offset}"
    rule = SecurityRule(
        "deny-smb-inside",
        200,
        Direction.OUTBOUND,
        Access.DENY,
        NsgProtocol.TCP,
        destination_address_prefixes=(own,),
        destination_port_ranges=(PortRange(445, 445),),
    )
    route = Route("inside", own, NextHopType.VNET_LOCAL)
    return replace(
        env,
        network_security_groups=tuple(
            replace(n, security_rules=(*n.security_rules, rule)) if n.name == f"nsg-{spoke}" else n
            for n in env.network_security_groups
        ),
        route_tables=tuple(
            replace(t, routes=(*t.routes, route)) if t.name == f"rt-{spoke}" else t
            for t in env.route_tables
        ),
    )


def test_rules_and_routes_that_name_their_own_subnets_share_a_shape() -> None:
    text = _blueprint([(name, ["pypi"], False, False) for name in ("a", "b", "c")], firewall=True)
    env = load_blueprint(parse_yaml(text, "t.yaml")).environment
    env = _own_rules(env, "a", 0, "1.32/27")
    env = _own_rules(env, "b", 1, "1.32/27")  # the same subnet of its own spoke
    env = _own_rules(env, "c", 2, "1.64/27")  # another of its subnets: another shape
    shared = assert_same(env)
    numbers = {
        name.split("/")[0]: number
        for (_, name), (shape, number) in shared._shapes.items()
        if shape is not None and name.endswith("/compute")
    }
    assert numbers["a"] == numbers["b"] != numbers["c"]
