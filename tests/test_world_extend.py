"""DNS toil builds the DNS world of each hypothetical event (a new compute instance, endpoint or
workspace) by extending today's world instead of building it anew (issue 17). The extended world
must be the world built from scratch, and the toil the same - on every design, an imported
template and a benchmark estate."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from dnshelp import CATALOG, design
from heiki.analyses.allocation import allocate_endpoint_ips
from heiki.analyses.dns import toil as toil_module
from heiki.analyses.dns.toil import dns_toil
from heiki.analyses.dns.world import DnsWorld, _extend, build_world
from heiki.designs import BUILTIN_DESIGNS
from heiki.model.environment import Environment
from heiki.model.ml import Compute, ComputeType
from heiki.sources import load

FIXTURES = Path(__file__).parent / "fixtures" / "arm"


def _from_scratch(env: Environment, catalog: Any, base: DnsWorld | None = None) -> DnsWorld:
    return build_world(env, catalog)


def _environments() -> list[tuple[str, Environment]]:
    found = [(name, design(name)) for name in BUILTIN_DESIGNS]
    found.append(
        (
            "alz-hub-spoke",
            load(
                [str(FIXTURES / "hub-spoke.json")],
                onprem=str(FIXTURES / "onprem.yaml"),
                parameters=[str(FIXTURES / "hub-spoke.fixed.parameters.json")],
            ).environment,
        )
    )
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from estates import load_estate

    found.append(("estate-12", load_estate(12, workspaces=True)))
    return found


ENVIRONMENTS = _environments()


@pytest.mark.parametrize(("name", "env"), ENVIRONMENTS, ids=[n for n, _ in ENVIRONMENTS])
def test_the_toil_is_the_same_with_extended_worlds(
    name: str, env: Environment, monkeypatch: pytest.MonkeyPatch
) -> None:
    extended = dns_toil(env, CATALOG)
    monkeypatch.setattr(toil_module, "build_world", _from_scratch)
    assert dns_toil(env, CATALOG) == extended


@pytest.mark.parametrize(("name", "env"), ENVIRONMENTS, ids=[n for n, _ in ENVIRONMENTS])
def test_an_extended_world_is_the_world_built_from_scratch(name: str, env: Environment) -> None:
    env = allocate_endpoint_ips(env, CATALOG)
    base = build_world(env, CATALOG)
    # a new compute instance beside the first one, and a copy of the first private endpoint's
    # service: what the toil events add
    additions: list[Environment] = []
    if env.computes:
        first = env.computes[0]
        extra = Compute(
            id=first.workspace.child("computes", "ci-extra"),
            name="ci-extra",
            location=first.location,
            workspace=first.workspace,
            compute_type=ComputeType.COMPUTE_INSTANCE,
            subnet=first.subnet,
            enable_node_public_ip=False,
        )
        additions.append(replace(env, computes=(*env.computes, extra)))
    for after in additions:
        # the extension is taken (not a silent rebuild) and gives the same world
        assert _extend(base, allocate_endpoint_ips(after, CATALOG), CATALOG) is not None
        assert build_world(after, CATALOG, base) == build_world(after, CATALOG)
    # a change that is no addition (a zone removed) is built from scratch, and still equal
    if env.private_dns_zones:
        changed = replace(env, private_dns_zones=env.private_dns_zones[1:])
        assert build_world(changed, CATALOG, base) == build_world(changed, CATALOG)
