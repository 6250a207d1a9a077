"""ARM inputs end to end: templates with parameter files through `heiki check`, deployed-resource
JSON, merging, the deployment context options, and located errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from heiki.cli.main import cli
from heiki.sources import load
from heiki.sources.arm.load import DeploymentTarget, deployed_resources

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
QUICKSTARTS = SHARED / "templates" / "azure-quickstart"
SHAPES = SHARED / "arm-shapes" / "recorded-cloud-custodian"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared not present")
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def quickstart(name: str) -> tuple[str, str]:
    folder = QUICKSTARTS / name
    return str(folder / "azuredeploy.json"), str(folder / "azuredeploy.parameters.json")


@needs_shared
def test_workspace_vnet_quickstart_is_checked() -> None:
    template, parameters = quickstart("machine-learning-workspace-vnet")
    result = CliRunner().invoke(
        cli, ["check", template, "--parameters", parameters, "--format", "json"]
    )
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["summary"]["private_endpoints"] == 1
    assert {f["rule"] for f in document["findings"]} >= {"CLS001", "CLS002"}
    public = next(f for f in document["findings"] if f["rule"] == "CLS001")
    assert public["resource"].endswith("/Microsoft.ContainerRegistry/registries/cr2kc6mpxhbmols")
    assert public["location"]["file"] == template


@needs_shared
def test_end_to_end_secure_quickstart_finds_the_key_vault_zone_bug() -> None:
    template, parameters = quickstart("machine-learning-end-to-end-secure")
    result = CliRunner().invoke(
        cli, ["check", template, "--parameters", parameters, "--format", "json"]
    )
    document = json.loads(result.stdout)
    rules = {f["rule"] for f in document["findings"]}
    # format('privatelink{0}', environment().suffixes.keyvaultDns) = privatelink.vault.azure.net,
    # but Key Vault's private zone is privatelink.vaultcore.azure.net
    assert {"DNS002", "DNS003", "DNS014"} <= rules
    kv = next(f for f in document["findings"] if f["rule"] == "DNS002")
    assert "privatelink.vaultcore.azure.net" in kv["message"]
    assert "/properties/template/" in result.stdout  # locations point into nested templates
    assert {"EXF001", "AML001"} <= rules
    assert document["verdict"]["loops"]["inner"] == "ready"


@needs_shared
def test_deployment_context_options() -> None:
    template, parameters = quickstart("machine-learning-workspace-vnet")
    target = DeploymentTarget("11111111-2222-3333-4444-555555555555", "rg-ml", "westeurope")
    env = load(template, parameters=[parameters], target=target).environment
    assert str(env.workspaces[0].id).startswith(
        "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-ml/"
    )
    code, output = run(
        "show",
        template,
        "--parameters",
        parameters,
        "--resource-group",
        "rg-other",
        "--format",
        "json",
    )
    assert code == 0 and "/resourceGroups/rg-other/" in output


@needs_shared
def test_recorded_nsg_list_loads_as_deployed_resources() -> None:
    path = SHAPES / "networkSecurityGroups.list.api2018-12-01.json"
    recorded = json.loads(path.read_text(encoding="utf-8"))
    found = deployed_resources(recorded["body"], str(path))  # the REST {"value": [...]} body
    assert found and all(r.type == "Microsoft.Network/networkSecurityGroups" for r in found)
    assert found[0].source.pointer == "/value/0"


def _write(path: Path, document: Any) -> str:
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def test_several_files_are_merged(tmp_path: Path) -> None:
    hub = {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "resources": [
            {
                "type": "Microsoft.Network/virtualNetworks",
                "apiVersion": "2023-09-01",
                "name": "vnet-hub",
                "location": "japaneast",
                "properties": {
                    "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                    "subnets": [{"name": "snet-a", "properties": {"addressPrefix": "10.0.1.0/24"}}],
                },
            }
        ],
    }
    deployed = [
        {
            "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-heiki/"
            "providers/Microsoft.Network/virtualNetworks/vnet-spoke",
            "name": "vnet-spoke",
            "type": "Microsoft.Network/virtualNetworks",
            "location": "japaneast",
            "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}, "subnets": []},
        },
        {
            "id": "/subscriptions/0/resourceGroups/r/providers/Microsoft.Web/sites/app",
            "name": "app",
            "type": "Microsoft.Web/sites",
            "location": "japaneast",
        },
    ]
    result = CliRunner().invoke(
        cli,
        [
            "show",
            _write(tmp_path / "hub.json", hub),
            _write(tmp_path / "spoke.json", deployed),
            "--format",
            "json",
        ],
    )
    output = result.output
    assert result.exit_code == 0, output
    document = json.loads(result.stdout)
    names = {v["name"] for v in document["environment"]["virtual_networks"]}
    assert names == {"vnet-hub", "vnet-spoke"}
    assert "IN061" in output and "Microsoft.Web/sites skipped" in output


ERRORS = {
    "json-syntax": ('{"resources": [', "IN060", ":1:"),
    "missing-parameter": (
        json.dumps(
            {
                "$schema": SCHEMA,
                "contentVersion": "1.0.0.0",
                "parameters": {"name": {"type": "string"}},
                "resources": [],
            }
        ),
        "IN060",
        "(at /parameters/name)",
    ),
    "unknown-function": (
        json.dumps(
            {
                "$schema": SCHEMA,
                "contentVersion": "1.0.0.0",
                "resources": [
                    {
                        "type": "Microsoft.Network/virtualNetworks",
                        "apiVersion": "x",
                        "name": "[nope()]",
                    }
                ],
            }
        ),
        "IN060",
        "(at /resources/0/name)",
    ),
    "parameter-file-as-source": (
        json.dumps(
            {
                "$schema": "https://schema.management.azure.com/schemas/2019-04-01/"
                "deploymentParameters.json#",
                "parameters": {},
            }
        ),
        "IN060",
        "give it with --parameters",
    ),
    "not-arm": ('{"hello": "world"}', "IN060", "neither a deployment template"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_bad_arm_input_exits_2_with_location(tmp_path: Path, case: str) -> None:
    text, code_name, fragment = ERRORS[case]
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    code, output = run("check", str(path))
    assert code == 2, output
    assert code_name in output and fragment in output, output
    assert str(path) in output and "Traceback" not in output


def test_bicep_without_a_compiler_says_how(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    path = tmp_path / "main.bicep"
    path.write_text("param x string\n", encoding="utf-8")
    code, output = run("check", str(path))
    assert code == 2 and "IN063" in output and "bicep build main.bicep" in output
