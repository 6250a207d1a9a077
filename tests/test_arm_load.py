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
    assert "IN061" in output and "1 App Service / Functions app not modelled" in output


ERRORS = {
    "json-syntax": ('{"resources": [', "IN060", ":1:"),
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


FIXTURES = Path(__file__).parent / "fixtures" / "arm"
HUB = str(FIXTURES / "hub-spoke.json")
ONPREM = str(FIXTURES / "onprem.yaml")


def _check(*extra: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["check", HUB, "--onprem", ONPREM, *extra, "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def test_landing_zone_hub_finds_asymmetric_routing() -> None:
    """The ALZ-style fixture without a GatewaySubnet UDR: on-premises reaches the spoke through
    the gateway, the spoke answers through the firewall (its 0.0.0.0/0 UDR)."""
    code, document = _check()
    assert code == 1
    assert [f["rule"] for f in document["findings"]] == ["NET004", "RDY001"]
    assert document["verdict"]["closed"] is True and document["verdict"]["toil"] == 0
    people = next(c for c in document["readiness"] if c["capability"] == "compute for people")
    assert people["status"] == "not-ready"
    assert "asymmetric routing" in people["evidence"][0]


def test_landing_zone_hub_with_the_gateway_udr_is_ready_and_closed() -> None:
    code, document = _check("--parameters", str(FIXTURES / "hub-spoke.fixed.parameters.json"))
    assert code == 0
    verdict = document["verdict"]
    assert verdict["ready"] and verdict["closed"] and verdict["toil"] == 0
    assert document["findings"] == []
    assert document["summary"]["private_endpoints"] == 5
    assert document["summary"]["firewalls"] == 1


def test_landing_zone_template_expands_with_no_expression_left() -> None:
    from heiki.sources.arm.load import read_json
    from heiki.sources.arm.template import expand_template

    expansion = expand_template(read_json(Path(HUB)), HUB)
    assert expansion.unknowns == () and expansion.notices == ()
    for resource in expansion.resources:
        assert '"[' not in json.dumps(resource.body), resource.name
    assert expansion.outputs["firewallPrivateIp"]["value"] == "10.0.0.4"


ALL_SHAPES = sorted((SHARED / "arm-shapes").rglob("*.json")) if SHARED.is_dir() else []


def _bodies(path: Path) -> list[Any]:
    """The ARM JSON inside a spec example (responses.*.body) or a recording (body)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    if "responses" in document:
        return [
            r["body"] for r in document["responses"].values() if isinstance(r, dict) and "body" in r
        ]
    if isinstance(document, list):  # several recorded calls in one file
        return [d["body"] for d in document if isinstance(d, dict) and "body" in d]
    return [document["body"]] if "body" in document else [document]


@needs_shared
@pytest.mark.parametrize("path", ALL_SHAPES, ids=[p.name for p in ALL_SHAPES])
def test_every_recorded_shape_loads_without_crashing(path: Path) -> None:
    from heiki.catalog import load_catalog
    from heiki.sources.arm.convert.build import build_environment

    resources = [r for body in _bodies(path) for r in deployed_resources(body, str(path))]
    env, notes = build_environment(resources, path.stem, load_catalog())
    assert env.name == path.stem
    assert all(n.severity.value in ("info", "warning") for n in notes)


SHAPE_EXPECTATIONS = {
    "VirtualNetworkGet.json": lambda env: (
        len(env.virtual_networks) == 1 and env.virtual_networks[0].subnets
    ),
    "NetworkSecurityGroupGet.json": lambda env: env.network_security_groups[0].security_rules,
    "RouteTableGet.json": lambda env: env.route_tables[0].routes,
    "PrivateEndpointGet.json": lambda env: env.private_endpoints[0].group_ids,
    "AzureFirewallGet.json": lambda env: env.firewalls[0].subnet is not None,
    "PrivateZoneGet.json": lambda env: str(env.private_dns_zones[0].zone),
    "DnsResolver_Put.json": lambda env: env.dns_resolvers,
    "mlWorkspaces.list.api2020-08-01.json": lambda env: (
        len(env.workspaces) >= 1 and all(w.workspace_id for w in env.workspaces)
    ),
    # its subnet.id is not an ARM resource ID: the compute is kept, outside any known subnet
    "ComputeInstance.json": lambda env: len(env.computes) == 1 and env.computes[0].subnet is None,
}


@needs_shared
@pytest.mark.parametrize("name", sorted(SHAPE_EXPECTATIONS))
def test_recorded_shapes_become_model_objects(name: str) -> None:
    from heiki.catalog import load_catalog
    from heiki.sources.arm.convert.build import build_environment

    path = next(p for p in ALL_SHAPES if p.name == name)
    resources = [r for body in _bodies(path) for r in deployed_resources(body, str(path))]
    env, _ = build_environment(resources, "shape", load_catalog())
    assert SHAPE_EXPECTATIONS[name](env)


@needs_shared
def test_malformed_shapes_are_skipped_with_a_notice() -> None:
    from heiki.catalog import load_catalog
    from heiki.sources.arm.convert.build import build_environment

    path = next(p for p in ALL_SHAPES if p.name == "PrivateEndpointDnsZoneGroupGet.json")
    resources = [r for body in _bodies(path) for r in deployed_resources(body, str(path))]
    _, notes = build_environment(resources, "shape", load_catalog())
    # the example's id says privateLinkServices/... instead of privateEndpoints/...
    assert any(n.code == "IN061" and "privateLinkServices" in n.message for n in notes)


def test_resource_graph_rows_and_single_show_objects(tmp_path: Path) -> None:
    rid = (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-heiki/providers/"
        "Microsoft.Network/virtualNetworks/vnet-graph"
    )
    row = {
        "id": rid,
        "name": "vnet-graph",
        "type": "microsoft.network/virtualnetworks",  # Resource Graph lower-cases types
        "location": "japaneast",
        "properties": {
            "addressSpace": {"addressPrefixes": ["10.9.0.0/16"]},
            "subnets": [{"name": "a", "properties": {"addressPrefix": "10.9.0.0/24"}}],
        },
    }
    graph = _write(tmp_path / "graph.json", {"totalRecords": 1, "count": 1, "data": [row]})
    env = load(graph).environment
    assert [v.name for v in env.virtual_networks] == ["vnet-graph"]
    assert env.virtual_networks[0].subnets[0].name == "a"
    single = _write(tmp_path / "show.json", {**row, "type": "Microsoft.Network/virtualNetworks"})
    assert len(load(single).environment.virtual_networks) == 1


def test_unknown_values_in_modelled_properties_are_reported(tmp_path: Path) -> None:
    document = {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "resources": [
            {
                "type": "Microsoft.Network/virtualNetworks",
                "apiVersion": "2023-09-01",
                "name": "vnet",
                "location": "japaneast",
                "properties": {
                    "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                    "dhcpOptions": {
                        "dnsServers": [
                            "[reference(resourceId('rg-dns', 'Microsoft.Network/dnsResolvers/inboundEndpoints', 'r', 'in'), '2022-07-01').ipConfigurations[0].privateIpAddress]"
                        ]
                    },
                },
            }
        ],
    }
    result = CliRunner().invoke(
        cli, ["check", _write(tmp_path / "t.json", document), "--format", "json"]
    )
    diagnostics = json.loads(result.stdout)["diagnostics"]
    unknown = [d for d in diagnostics if d["code"] == "IN062"]
    assert unknown and "dnsServers" in unknown[0]["message"]
    assert "a resource outside the template" in unknown[0]["message"]


def test_an_endpoint_outside_its_vnets_region_is_flagged(tmp_path: Path) -> None:
    """Azure refuses a private endpoint (or NIC, firewall, gateway...) in another region than
    its VNet; an ARM input gets the located warning IN015 and the analysis goes on."""
    text = (FIXTURES / "hub-spoke.json").read_text(encoding="utf-8")
    marker = """"name": "[format('pe-{0}', variables('endpoints')[copyIndex()].name)]",
              "location": "[parameters('location')]","""
    assert marker in text
    moved = tmp_path / "hub-spoke.json"
    moved.write_text(text.replace(marker, marker.replace("[parameters('location')]", "westeurope")))
    result = load(str(moved), onprem=ONPREM)
    found = [d for d in result.diagnostics if d.code == "IN015"]
    assert found and all(d.severity.value == "warning" for d in found)
    assert "is in westeurope, but its subnet's VNet" in found[0].message
    assert found[0].location is not None and found[0].location.line is not None
