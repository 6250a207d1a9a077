"""Round trip of the Bicep output: the project ``heiki build --to bicep`` writes, read back from
its text (tests/bicep_subset.py, since no Bicep compiler can be installed here) and imported by
heiki, is the environment that was verified - with the same readiness, closure, toil and findings.
The ARM output has the same proof in test_roundtrip.py."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bicep_subset import BicepSubsetError, compile_to_file, parse
from heiki.catalog import Catalog, DeploymentLimits, load_catalog
from heiki.designs import BUILTIN_DESIGNS
from heiki.generators.arm import resource_group_of
from heiki.generators.bicep import bicep_project
from heiki.generators.deployment import subscription_template
from heiki.model.environment import Environment
from heiki.reports.serialize import dumps
from heiki.sources import load
from heiki.sources.arm.load import DeploymentTarget, load_arm
from test_roundtrip import _model, _verdict, _write_parameters

CATALOG = load_catalog()


def _import(
    env: Environment, folder: Path, catalog: Catalog = CATALOG, **values: object
) -> Environment:
    for name, text in bicep_project(env, catalog).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    template = compile_to_file(folder / "main.bicep", folder / "main.json")
    parameters = folder / "main.parameters.json"
    _write_parameters(parameters, dict(values), template)
    target = DeploymentTarget(resource_group=resource_group_of(env), location=env.location)
    return load_arm(
        [template], [parameters], target=target, on_premises=env.on_premises
    ).environment


@pytest.mark.parametrize("design", BUILTIN_DESIGNS)
def test_the_bicep_project_is_the_verified_environment(design: str, tmp_path: Path) -> None:
    original = load(design).environment
    imported = _import(original, tmp_path)
    assert _model(imported) == _model(original)
    assert _verdict(imported) == _verdict(original)


def test_cut_and_grouped_bicep_is_the_verified_environment(tmp_path: Path) -> None:
    tight = replace(CATALOG, deployment_limits=DeploymentLimits(parameters=8, resources=25))
    original = load("closed-aml").environment
    imported = _import(original, tmp_path, tight)
    assert _model(imported) == _model(original)
    assert _verdict(imported) == _verdict(original)


def test_a_moved_address_space_moves_the_bicep_environment(tmp_path: Path) -> None:
    original = load("closed-aml").environment
    moved = _import(original, tmp_path, vnetMlAddressSpace="10.11.0.0/16")
    spoke = next(v for v in moved.virtual_networks if v.name == "vnet-ml")
    assert all(str(s.address_prefix).startswith("10.11.") for s in spoke.subnets)
    assert all(s in ("ready", "not-applicable") for _, _, s, _ in _verdict(moved)["readiness"])


def test_the_reader_refuses_what_it_does_not_know() -> None:
    with pytest.raises(BicepSubsetError):
        parse("output x string = 'a'\n")
    with pytest.raises(BicepSubsetError):
        parse("var a = '${'b'}'\n")


def test_a_renamed_vnet_is_renamed_in_every_module(tmp_path: Path) -> None:
    """Modules keep defaults (checkov reads them), so a parameter main.bicep forgot to pass would
    go unnoticed with default values: renaming shows every module receives it."""
    original = load("closed-aml").environment
    renamed = _import(original, tmp_path, vnetMlName="vnet-ml-renamed", vnetHubName="vnet-core")
    names = {v.name for v in renamed.virtual_networks}
    assert {"vnet-ml-renamed", "vnet-core"} <= names and not {"vnet-ml", "vnet-hub"} & names
    text = str(_model(renamed))
    assert "/virtualNetworks/vnet-ml'" not in text and "/virtualNetworks/vnet-hub'" not in text
    assert "virtualNetworks/vnet-ml/" not in text and "virtualNetworks/vnet-hub/" not in text
    verdict = _verdict(renamed)
    assert verdict["errors"] == []
    assert all(s in ("ready", "not-applicable") for _, _, s, _ in verdict["readiness"])


def test_spaces_ending_inside_an_octet_round_trip(tmp_path: Path) -> None:
    """/20../23 spaces: the Bicep addresses use int(x[2]) + k arithmetic."""
    from test_address_parameters import ODD, _environment

    original = _environment(ODD)
    assert "int(vnetHubAddressSpaceOctets[2])" in str(bicep_project(original))
    imported = _import(original, tmp_path)
    assert _model(imported) == _model(original)
    assert _verdict(imported) == _verdict(original)


FIXTURES = Path(__file__).parent / "fixtures" / "arm"
QUICKSTARTS = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "templates" / "azure-quickstart"
)
IMPORTED = {
    "alz-hub-spoke": ([str(FIXTURES / "hub-spoke.json")], [], str(FIXTURES / "onprem.yaml")),
    **{
        name: (
            [str(QUICKSTARTS / name / "azuredeploy.json")],
            [str(QUICKSTARTS / name / "azuredeploy.parameters.json")],
            None,
        )
        for name in ("machine-learning-workspace-vnet", "machine-learning-end-to-end-secure")
    },
}


@pytest.mark.parametrize("case", sorted(IMPORTED))
@pytest.mark.parametrize("output", ["arm", "bicep"])
def test_an_imported_environment_round_trips_too(case: str, output: str, tmp_path: Path) -> None:
    """Not only blueprints: an environment imported from ARM (the ALZ-style fixture, the Azure
    quickstarts) regenerates as ARM and Bicep that import as the same environment and verdict."""
    sources, parameters, onprem = IMPORTED[case]
    if not Path(sources[0]).is_file():
        pytest.skip("../shared not present")
    original = load(sources, onprem=onprem, parameters=parameters).environment
    if output == "bicep":
        imported = _import(original, tmp_path)
    else:
        template = tmp_path / "azuredeploy.json"
        template.write_text(dumps(subscription_template(original)), encoding="utf-8")
        key = tmp_path / "key.json"
        _write_parameters(key, {}, template)
        imported = load_arm(
            [template],
            [key],
            target=DeploymentTarget(location=original.location),
            on_premises=original.on_premises,
        ).environment
    assert _model(imported) == _model(original)
    # the generators write what heiki models and the AKS clusters it reads (API server, node
    # pools, egress); other resources it does not model (the quickstart's Log Analytics
    # workspace) are not regenerated, so the verdicts agree on what is written back
    written = {
        "Microsoft.Authorization/roleAssignments",
        "Microsoft.ContainerService/managedClusters",
    }
    assert {r.type for r in imported.unmodelled} <= written
    clusters = [u for u in original.unmodelled if u.type in written]
    assert _clusters(imported) == _clusters(original)
    assert _verdict(imported) == _verdict(replace(original, unmodelled=tuple(clusters)))


def _clusters(env: Environment) -> list[tuple[object, ...]]:
    """What heiki reads of each AKS cluster, which the generators write back."""
    return sorted(
        (
            u.resource_id.lower(),
            u.surface,
            u.subnets,
            u.api_server_zone,
            u.node_pools,
            u.network_plugin,
            u.network_plugin_mode,
        )
        for u in env.unmodelled
        if u.type == "Microsoft.ContainerService/managedClusters"
    )


def test_bicep_parts_are_the_verified_environment(tmp_path: Path) -> None:
    """More modules than main.bicep may hold: parts/part-N.bicep, deployed one after another."""
    parted = replace(CATALOG, deployment_limits=DeploymentLimits(parameters=8, resources=6))
    original = load("closed-aml").environment
    files = bicep_project(original, parted)
    parts = sorted(name for name in files if name.startswith("parts/"))
    assert len(parts) > 1
    assert files["main.bicep"].count("\nmodule ") == len(parts)
    for name in parts:
        assert files[name].count("\nmodule ") <= 6
    imported = _import(original, tmp_path, parted)
    assert _model(imported) == _model(original)
    assert _verdict(imported) == _verdict(original)
