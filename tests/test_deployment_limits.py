"""Azure limits every deployment to 256 parameters and 800 resources (catalog
``deployment_limits``). The generators cut modules into parts and group parameters into objects
when a deployment would exceed them - and the cut output is still the verified environment."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from heiki.catalog import Catalog, DeploymentLimits, load_catalog
from heiki.generators.bicep import bicep_project
from heiki.generators.deployment import subscription_template
from heiki.model.environment import Environment
from heiki.reports.serialize import dumps
from heiki.sources import load
from heiki.sources.arm.load import load_arm
from test_roundtrip import _model, _verdict, _write_parameters

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from estates import load_estate

CATALOG = load_catalog()
TIGHT = replace(CATALOG, deployment_limits=DeploymentLimits(parameters=8, resources=25))
"""closed-aml does not come near Azure's limits; these make it cut and group."""


def _deployments(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        r["properties"]["template"]
        for r in template["resources"]
        if r["type"] == "Microsoft.Resources/deployments"
    ]


def _assert_within(template: dict[str, Any], limits: DeploymentLimits) -> None:
    assert len(template["parameters"]) <= limits.parameters + 1  # + resourceGroupName
    for inner in _deployments(template):
        assert len(inner["resources"]) <= limits.resources, inner["metadata"]["module"]
        assert len(inner["parameters"]) <= limits.parameters, inner["metadata"]["module"]
    assert len(template["resources"]) <= limits.resources


def _roundtrip(env: Environment, catalog: Catalog, folder: Path, **values: Any) -> Environment:
    template = folder / "azuredeploy.json"
    template.write_text(dumps(subscription_template(env, catalog)), encoding="utf-8")
    parameters = folder / "parameters.json"
    _write_parameters(parameters, values, template)
    return load_arm([template], [parameters], on_premises=env.on_premises).environment


def test_a_large_estate_fits_every_deployment_limit() -> None:
    env = load_estate(25, workspaces=True)
    template = subscription_template(env, CATALOG)
    # as little is grouped as fits: names and address spaces, SKUs and sizes stay apart
    assert {"resourceNames", "addressSpaces"} <= set(template["parameters"])
    assert "skus" not in template["parameters"] and "afwHubTier" in template["parameters"]
    _assert_within(template, CATALOG.deployment_limits)
    files = bicep_project(env, CATALOG)
    main = files["main.bicep"]
    assert main.count("\nparam ") <= CATALOG.deployment_limits.parameters
    assert "  name: resourceNames.vnetS7Name\n" in files["modules/spoke-s7.bicep"]


def test_small_designs_keep_one_parameter_each() -> None:
    template = subscription_template(load("closed-aml").environment, CATALOG)
    assert "resourceNames" not in template["parameters"]
    assert "vnetMlName" in template["parameters"]


def test_cut_and_grouped_output_is_the_verified_environment(tmp_path: Path) -> None:
    original = load("closed-aml").environment
    template = subscription_template(original, TIGHT)
    _assert_within(template, TIGHT.deployment_limits)
    modules = [inner["metadata"]["module"] for inner in _deployments(template)]
    assert "endpoints-2" in modules  # cut into parts
    assert set(template["parameters"]) >= {"resourceNames", "addressSpaces", "skus"}
    imported = _roundtrip(original, TIGHT, tmp_path)
    assert _model(imported) == _model(original)
    assert _verdict(imported) == _verdict(original)


def test_a_grouped_parameter_is_given_as_its_whole_object(tmp_path: Path) -> None:
    original = load("closed-aml").environment
    spaces = subscription_template(original, TIGHT)["parameters"]["addressSpaces"]["defaultValue"]
    moved = _roundtrip(
        original, TIGHT, tmp_path, addressSpaces={**spaces, "vnetMlAddressSpace": "10.11.0.0/16"}
    )
    spoke = next(v for v in moved.virtual_networks if v.name == "vnet-ml")
    assert [str(p) for p in spoke.address_space] == ["10.11.0.0/16"]
    assert all(str(s.address_prefix).startswith("10.11.") for s in spoke.subnets)
    verdict = _verdict(moved)
    assert verdict["errors"] == []
    assert all(s in ("ready", "not-applicable") for _, _, s, _ in verdict["readiness"])


@pytest.mark.parametrize("limit", [25, 60])
def test_bicep_modules_follow_the_same_cut(limit: int) -> None:
    catalog = replace(CATALOG, deployment_limits=DeploymentLimits(parameters=8, resources=limit))
    env = load("closed-aml").environment
    files = bicep_project(env, catalog)
    template = subscription_template(env, catalog)
    assert sorted(
        f"modules/{inner['metadata']['module']}.bicep" for inner in _deployments(template)
    ) == sorted(name for name in files if name.startswith("modules/"))
    for name, text in files.items():
        if name.startswith("modules/"):
            assert text.count("\nresource ") <= limit, name
    assert "addressSpaces.vnetMlAddressSpace" in json.dumps(files)
