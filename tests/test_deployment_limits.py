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
from hypothesis import given, settings
from hypothesis import strategies as st

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


PARTED = replace(CATALOG, deployment_limits=DeploymentLimits(parameters=8, resources=6))
"""So many modules that the subscription template cannot hold them all: parts."""


def test_more_modules_than_a_template_holds_go_into_parts(tmp_path: Path) -> None:
    original = load("closed-aml").environment
    template = subscription_template(original, PARTED)
    limits = PARTED.deployment_limits
    assert len(template["resources"]) <= limits.resources
    parts = [r for r in template["resources"] if r["type"] == "Microsoft.Resources/deployments"]
    assert len(parts) > 1 and all("part" in p["properties"]["template"]["metadata"] for p in parts)
    for part in parts:
        inner = part["properties"]["template"]
        assert len(inner["resources"]) <= limits.resources - 1
    # each part after the first waits for the one before it
    assert all("part-" in json.dumps(p["dependsOn"]) for p in parts[1:])
    imported = _roundtrip(original, PARTED, tmp_path)
    assert _model(imported) == _model(original)
    assert _verdict(imported) == _verdict(original)


def test_beyond_the_size_limits_the_modules_are_linked_files(tmp_path: Path) -> None:
    """A job over 1 MB compressed (here: a limit of 6 KB) is written as azuredeploy.json with
    modules/*.json linked by relativePath - and read back, it is the verified environment."""
    from heiki.generators.deployment import arm_deployment
    from heiki.sources.arm.size import compressed_size

    small = DeploymentLimits(
        parameters=8, resources=6, job_bytes=8_000, job_metadata_allowance=2_000
    )
    catalog = replace(CATALOG, deployment_limits=small)
    original = load("closed-aml").environment
    deployment = arm_deployment(original, catalog)
    assert deployment.linked and deployment.whole
    assert any(name.startswith("modules/") for name in deployment.files)
    main = deployment.files["azuredeploy.json"]
    assert compressed_size(main) < compressed_size(subscription_template(original, catalog))
    assert "relativePath" in json.dumps(main) and '"template": {"$schema' not in json.dumps(
        [r["properties"].get("template", {}).get("resources", []) for r in main["resources"][1:]]
    )
    for name, document in deployment.files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dumps(document), encoding="utf-8")
    imported = load_arm(
        [tmp_path / "azuredeploy.json"],
        [
            tmp_path / "azuredeploy.parameters.json",
            ("adminSshPublicKey", "ssh-ed25519 AAAAtest heiki"),
        ],
        on_premises=original.on_premises,
    ).environment
    assert _model(imported) == _model(original)
    assert _verdict(imported) == _verdict(original)


def test_closed_aml_fits_in_one_file() -> None:
    from heiki.generators.deployment import arm_deployment

    deployment = arm_deployment(load("closed-aml").environment)
    assert not deployment.linked and set(deployment.files) == {
        "azuredeploy.json",
        "azuredeploy.parameters.json",
    }


def test_an_imported_template_over_the_size_limits_is_checked_with_a_warning(
    tmp_path: Path,
) -> None:
    small = DeploymentLimits(job_bytes=8_000, job_metadata_allowance=2_000, resource_bytes=1_500)
    catalog = replace(CATALOG, deployment_limits=small)
    template = tmp_path / "azuredeploy.json"
    template.write_text(
        dumps(subscription_template(load("closed-aml").environment)), encoding="utf-8"
    )
    loaded = load_arm(
        [template], [("adminSshPublicKey", "ssh-ed25519 AAAAtest heiki")], catalog=catalog
    )
    warnings = [d.message for d in loaded.diagnostics if d.code == "IN073"]
    assert any("deployment job" in w for w in warnings), warnings
    assert any("resource definition" in w for w in warnings), warnings
    assert loaded.environment.virtual_networks  # and the template is checked all the same


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=70_000), st.integers(min_value=0, max_value=3))
def test_a_resource_skipped_as_small_could_never_compress_over_the_limit(
    data: bytes, repeat: int
) -> None:
    """A resource whose JSON is short enough is not compressed to measure it: gzip never makes
    more than the bound of any bytes, incompressible ones included."""
    import gzip

    from heiki.sources.arm.size import _deflate_bound

    text = data * (repeat + 1)
    assert len(gzip.compress(text, compresslevel=6, mtime=0)) <= _deflate_bound(len(text))


def test_a_resource_over_the_limit_is_still_found() -> None:
    from heiki.sources.arm.size import size_problems

    limits = replace(load_catalog().deployment_limits, resource_bytes=2_000)
    noisy = "".join(f"{n * 7919 % 10007:05d}" for n in range(4_000))  # compresses poorly
    template = {"resources": [{"name": "big", "properties": {"x": noisy}}, {"name": "small"}]}
    problems = size_problems(template, limits)
    assert [p.what for p in problems] == ["resource definition big"]
