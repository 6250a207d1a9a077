"""The DNS matrix resolves each name once per DNS view; the answer must be what every vantage of
the view gets when it resolves alone (view-based DNS = per-vantage DNS)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from dnshelp import CATALOG, design
from heiki.analyses.dns import Resolver
from heiki.analyses.dns.matrix import dns_matrix
from heiki.designs import BUILTIN_DESIGNS
from test_dns_properties import environments


@pytest.mark.parametrize("name", BUILTIN_DESIGNS)
def test_shared_views_give_the_same_cells_as_resolving_each_alone(name: str) -> None:
    env = design(name)
    _assert_views_are_exact(env)
    matrix = dns_matrix(env, CATALOG)
    vantages = {v.name: v for v in matrix.vantages}
    # the evidence of a cell is its first vantage's own
    assert all(cell.resolution.vantage == cell.vantage for cell in matrix.cells)
    assert matrix.failures == tuple(c for c in matrix.cells if not c.ok)
    # every vantage is in exactly one view, and every cell's vantages are of its view
    members = {view.id: set(view.vantages) for view in matrix.views}
    assert sorted(v for view in matrix.views for v in view.vantages) == sorted(vantages)
    assert all(set(c.vantages) <= members[c.view] for c in matrix.cells)


def _assert_views_are_exact(env) -> None:  # type: ignore[no-untyped-def]
    matrix = dns_matrix(env, CATALOG)
    vantages = {v.name: v for v in matrix.vantages}
    for cell in matrix.cells:
        for vantage in cell.vantages:
            alone = Resolver(env, CATALOG).resolve(vantages[vantage], cell.name)
            assert (cell.resolution.outcome, cell.resolution.addresses) == (
                alone.outcome,
                alone.addresses,
            ), (cell.name, vantage)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(environments())
def test_views_are_exact_on_random_dns_graphs(env) -> None:  # type: ignore[no-untyped-def]
    """CNAMEs, on-premises zones and forwarders, and ruleset rules drawn at random."""
    _assert_views_are_exact(env)


def test_views_are_exact_on_a_spoke_estate() -> None:
    """The benchmark's shape: a hub with a resolver and firewall, on-premises forwarding to it,
    spokes with workspaces (every spoke shares the hub's view)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from estates import load_estate

    env = load_estate(6, workspaces=True)
    _assert_views_are_exact(env)
    matrix = dns_matrix(env, CATALOG)
    assert len(matrix.views) < len(matrix.vantages) / 4
