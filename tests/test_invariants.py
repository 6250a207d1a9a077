"""Invariants of the verdict, on every built-in design, the fixtures and the shared templates: a
report never contradicts itself.

- No capability is ready while one of its own flows is not delivered, or one of the names it uses
  fails in the DNS matrix from the same vantage (resolves to the public endpoint, say, while the
  resource has a private endpoint).
- No capability is ready with nothing behind it: a ready capability has the flows that make it so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from heiki.analyses.readiness import Status
from heiki.analyses.trace import Verdict
from heiki.catalog import load_catalog
from heiki.designs import BUILTIN_DESIGNS
from heiki.reports.record import check_environment
from heiki.sources import load

FIXTURES = Path(__file__).parent / "fixtures" / "arm"
QUICKSTARTS = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "templates" / "azure-quickstart"
)
SOURCES: dict[str, tuple[list[str], list[str], str | None]] = {
    **{design: ([design], [], None) for design in BUILTIN_DESIGNS},
    "alz-hub-spoke": ([str(FIXTURES / "hub-spoke.json")], [], str(FIXTURES / "onprem.yaml")),
    "alz-hub-spoke-fixed": (
        [str(FIXTURES / "hub-spoke.json")],
        [str(FIXTURES / "hub-spoke.fixed.parameters.json")],
        str(FIXTURES / "onprem.yaml"),
    ),
    **{
        name: (
            [str(QUICKSTARTS / name / "azuredeploy.json")],
            [str(QUICKSTARTS / name / "azuredeploy.parameters.json")],
            None,
        )
        for name in ("machine-learning-workspace-vnet", "machine-learning-end-to-end-secure")
    },
    "end-to-end-secure-without-parameters": (
        [str(QUICKSTARTS / "machine-learning-end-to-end-secure" / "azuredeploy.json")],
        [],
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(SOURCES))
def test_no_capability_is_ready_against_its_own_evidence(case: str) -> None:
    sources, parameters, onprem = SOURCES[case]
    if not Path(sources[0]).exists() and sources[0] not in BUILTIN_DESIGNS:
        pytest.skip("../shared not present")
    loaded = load(sources, onprem=onprem, parameters=parameters)
    result = check_environment(loaded.environment, load_catalog())
    failing_cells = {(str(c.name), v) for c in result.matrix.failures for v in c.vantages}
    for capability in result.readiness.capabilities:
        if capability.status is not Status.READY:
            continue
        assert capability.flows, f"{capability.name} is ready with nothing behind it"
        for flow in capability.flows:
            assert flow.verdict is Verdict.DELIVERED, (capability.name, flow.reason)
            assert (flow.destination, flow.vantage) not in failing_cells, (
                f"{capability.name} is ready, but {flow.destination} fails in the DNS matrix "
                f"from {flow.vantage}"
            )
