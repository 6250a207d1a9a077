"""The DNS matrix shares one answer per DNS view; it must equal resolving every cell alone."""

from __future__ import annotations

import pytest

from dnshelp import CATALOG, design
from heiki.analyses.dns import Resolver
from heiki.analyses.dns.matrix import dns_matrix
from heiki.designs import BUILTIN_DESIGNS


@pytest.mark.parametrize("name", BUILTIN_DESIGNS)
def test_shared_views_give_the_same_cells_as_resolving_each_alone(name: str) -> None:
    env = design(name)
    matrix = dns_matrix(env, CATALOG)
    vantages = {v.name: v for v in matrix.vantages}
    for cell in matrix.cells:
        alone = Resolver(env, CATALOG).resolve(vantages[cell.vantage], cell.name)
        assert (cell.resolution.outcome, cell.resolution.addresses) == (
            alone.outcome,
            alone.addresses,
        ), (cell.name, cell.vantage)
        if not cell.ok:  # failing cells carry their own evidence
            assert cell.resolution.vantage == cell.vantage
    assert matrix.failures == tuple(c for c in matrix.cells if not c.ok)
