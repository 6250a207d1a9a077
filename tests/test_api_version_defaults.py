"""Defaults that depend on the API version: a subnet declared without ``defaultOutboundAccess``
is private from Microsoft.Network 2025-07-01 on; older API versions (and deployed resources that
do not say false) keep default outbound access."""

from __future__ import annotations

from pathlib import Path

import pytest

from heiki.catalog import load_catalog
from heiki.reports.record import check_environment
from heiki.sources import load
from test_coverage import ml_template, write


def _rules(tmp_path: Path, api_version: str, **subnet: object) -> tuple[set[str], object]:
    document = ml_template()
    vnet = document["resources"][0]
    vnet["apiVersion"] = api_version
    vnet["properties"]["subnets"][0]["properties"].update(subnet)
    env = load([write(tmp_path, document)]).environment
    result = check_environment(env, load_catalog())
    compute = next(s for v in env.virtual_networks for s in v.subnets if s.name == "snet-compute")
    return {f.rule_id for f in result.findings}, compute.default_outbound_access


@pytest.mark.parametrize(("api_version", "private"), [("2024-05-01", False), ("2026-03-01", True)])
def test_a_subnet_without_the_property_follows_its_api_version(
    tmp_path: Path, api_version: str, private: bool
) -> None:
    rules, outbound = _rules(tmp_path, api_version)
    assert outbound is (not private)
    assert ("EXF002" in rules) is (not private) and ("EXF003" in rules) is (not private)


def test_an_explicit_value_wins_over_the_api_version(tmp_path: Path) -> None:
    rules, outbound = _rules(tmp_path, "2026-03-01", defaultOutboundAccess=True)
    assert outbound is True and "EXF002" in rules
    rules, outbound = _rules(tmp_path, "2024-05-01", defaultOutboundAccess=False)
    assert outbound is False and "EXF002" not in rules


def test_the_threshold_is_catalog_data() -> None:
    assert load_catalog().private_subnet_api_version == "2025-07-01"
