"""Round trip: the ARM template generated from each built-in design, imported again, is the same
environment and gets the same verdict - what we deploy is what we verified."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from heiki.analyses.allocation import allocate_endpoint_ips
from heiki.catalog import load_catalog
from heiki.designs import BUILTIN_DESIGNS
from heiki.generators.arm import arm_template
from heiki.generators.deployment import subscription_template
from heiki.model.environment import Environment
from heiki.model.ml import DatastoresAuthMode
from heiki.model.values import ResourceId
from heiki.reports.serialize import dumps, to_data
from heiki.rules.context import RuleContext
from heiki.rules.engine import check_rules
from heiki.sources import load
from heiki.sources.arm.load import DeploymentTarget, load_arm
from heiki.sources.validate import validate
from nethelp import replace_in
from surfaces import ROLE_ASSIGNMENTS, surfaces

_PROVENANCE = ("source", "allocated_by_heiki", "exposure_source", "exposure_reason")
"""Where a value was read and how (a line, "not set: Azure's default"), not what it is."""


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in _PROVENANCE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


@cache
def _pair(design: str, folder: Path) -> tuple[Environment, Environment, Any]:
    original = load(design).environment
    path = folder / f"{design}.json"
    # what `heiki build --to arm` writes: the resource group and the environment nested in it
    path.write_text(dumps(subscription_template(original)), encoding="utf-8")
    parameters = folder / f"{design}.parameters.json"
    _write_parameters(parameters, {}, path)
    imported = load_arm(
        [path],
        [parameters],
        target=DeploymentTarget(location=original.location),
        on_premises=original.on_premises,
    )
    return original, imported.environment, imported


def _write_parameters(path: Path, values: dict[str, Any], template: Path | None = None) -> None:
    """A parameter file with ``values`` and the VMs' SSH key - where the template declares it
    (Azure rejects a parameter the template does not have, and so does heiki)."""
    declared = (
        json.loads(template.read_text(encoding="utf-8")).get("parameters", {})
        if template is not None
        else {"adminSshPublicKey": {}}
    )
    key = (
        {"adminSshPublicKey": "ssh-ed25519 AAAAtest heiki"}
        if "adminSshPublicKey" in declared
        else {}
    )
    entries = {**key, **values}
    document = {"parameters": {name: {"value": value} for name, value in entries.items()}}
    path.write_text(json.dumps(document), encoding="utf-8")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("roundtrip")


def _model(env: Environment) -> Any:
    """The environment as data, every list of resources in ID order (the ARM output deploys
    module by module, so resources come back grouped by module, not in blueprint order), with
    endpoint IPs allocated as Azure would where the output leaves them to Azure (members whose
    Azure names the catalog does not know get no static IP) - the same IPs every analysis uses."""
    data = _strip(to_data(allocate_endpoint_ips(env, load_catalog())))
    # what heiki does not model it does not generate either; the tests say what is left out
    for key in ("name", "description", "unmodelled"):
        data.pop(key, None)
    return _by_id(data)


def _by_id(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _by_id(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_by_id(v) for v in value]
        if items and all(isinstance(v, dict) and "id" in v for v in items):
            return sorted(items, key=lambda v: str(v["id"]).lower())
        return items
    return value


@pytest.mark.parametrize("design", BUILTIN_DESIGNS)
def test_the_imported_template_is_the_same_environment(design: str, folder: Path) -> None:
    original, imported, result = _pair(design, folder)
    assert _model(imported) == _model(original)
    # the only things heiki writes but does not model: the data-role assignments of workspaces
    # whose datastores use their identity; their principal ID exists only after deployment
    roles = sum(
        len(load_catalog().workspace_storage_roles)
        for w in original.workspaces
        if w.system_datastores_auth_mode.value == "Identity"
    )
    assert result.unknowns == roles
    # resources read as a public surface (AI Services, AI Search, online endpoints) come back
    assert surfaces(imported) == surfaces(original)
    assert len([r for r in imported.unmodelled if r.type == ROLE_ASSIGNMENTS]) == roles
    skipped = [
        d.message
        for d in result.diagnostics
        if d.code in ("IN061", "IN062") and "roleAssignments" in d.message
    ]
    assert skipped == (
        [
            f"{roles} resources of type Microsoft.Authorization/roleAssignments not modelled: "
            "access control (RBAC, identities) is not part of the network verdict"
        ]
        if roles
        else []
    )


def _verdict(env: Environment) -> dict[str, Any]:
    catalog = load_catalog()
    context = RuleContext(env, catalog)
    run = check_rules(env, catalog, context=context)
    return {
        "readiness": [
            (c.loop.value, c.name, c.status.value, c.summary)
            for c in context.readiness.capabilities
        ],
        "closure": [(c.name, c.status.value, c.summary) for c in context.closure.checks],
        "toil": [(e.event, e.manual_changes, e.who) for e in context.toil.events],
        "errors": sorted(
            (f.rule_id, f.resource or "", f.message)
            for f in run.findings
            if f.severity.value == "error"
        ),
        "warnings": sorted(
            (f.rule_id, f.message) for f in run.findings if f.severity.value == "warning"
        ),
    }


@pytest.mark.parametrize("design", BUILTIN_DESIGNS)
def test_the_imported_template_gets_the_same_verdict(design: str, folder: Path) -> None:
    original, imported, _ = _pair(design, folder)
    assert _verdict(imported) == _verdict(original)


def test_generation_is_deterministic() -> None:
    env = load("dev-prod").environment
    assert dumps(arm_template(env)) == dumps(arm_template(load("dev-prod").environment))


def test_generated_template_uses_resource_ids_and_a_location_parameter() -> None:
    template = arm_template(load("closed-aml").environment)
    text = json.dumps(template)
    assert template["parameters"]["location"]["defaultValue"] == "japaneast"
    assert "/subscriptions/" not in text  # every in-group reference is resourceId()
    types = {r["type"] for r in template["resources"]}
    assert {
        "Microsoft.Network/azureFirewalls",
        "Microsoft.Network/dnsResolvers/inboundEndpoints",
        "Microsoft.MachineLearningServices/workspaces/computes",
    } <= types


def test_build_writes_the_template_deterministically_and_never_overwrites(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from heiki.cli.main import cli

    out = tmp_path / "out"
    first = CliRunner().invoke(cli, ["build", "closed-aml", "--to", "arm", "-o", str(out)])
    assert first.exit_code == 0, first.output
    written = (out / "azuredeploy.json").read_bytes()
    refused = CliRunner().invoke(cli, ["build", "nsg-only", "-o", str(out)])
    assert refused.exit_code == 2 and "IN070" in refused.output
    assert (out / "azuredeploy.json").read_bytes() == written  # nothing written
    again = CliRunner().invoke(cli, ["build", "closed-aml", "-o", str(out), "--force"])
    assert again.exit_code == 0 and (out / "azuredeploy.json").read_bytes() == written
    written_files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written_files == [
        ".heiki-build.json",  # the manifest: what a later --force may replace
        "azuredeploy.json",
        "azuredeploy.parameters.json",
        "firewall-rules.md",
        "onprem/named.conf.forwarders",
        "onprem/onprem.yaml",
        "onprem/windows-dns-forwarders.ps1",
    ]


@pytest.mark.parametrize("blocker", ["parent-is-a-file", "target-is-a-folder"])
def test_build_that_cannot_write_exits_2_and_leaves_nothing(blocker: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from heiki.cli.main import cli

    if blocker == "parent-is-a-file":
        (tmp_path / "file").write_text("x", encoding="utf-8")
        out = tmp_path / "file" / "out"
        arguments = ["build", "closed-aml", "--to", "bicep", "-o", str(out)]
    else:  # a folder where modules/hub.bicep goes: found before anything is renamed
        out = tmp_path / "out"
        (out / "modules" / "hub.bicep").mkdir(parents=True)
        arguments = ["build", "closed-aml", "--to", "bicep", "-o", str(out), "--force"]
    before = sorted(p for p in tmp_path.rglob("*"))
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 2, result.output
    assert "IN072" in result.output and "nothing written" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and p not in before]
    assert leftovers == []


@pytest.mark.parametrize("design", BUILTIN_DESIGNS)
def test_dependencies_are_declared_and_acyclic(design: str) -> None:
    """ARM deploys in parallel: every in-template reference must be a dependsOn, with no cycle."""
    from graphlib import TopologicalSorter

    template = arm_template(
        load(design).environment, address_parameters=False, name_parameters=False
    )  # literal names
    names = {
        "[resourceId({})]".format(", ".join(f"'{p}'" for p in [r["type"], *r["name"].split("/")]))
        for r in template["resources"]
    }
    graph = {}
    for resource in template["resources"]:
        key = "[resourceId({})]".format(
            ", ".join(f"'{p}'" for p in [resource["type"], *resource["name"].split("/")])
        )
        depends = resource.get("dependsOn", [])
        assert set(depends) <= names, set(depends) - names
        graph[key] = set(depends)
    order = list(TopologicalSorter(graph).static_order())  # raises CycleError on a cycle
    assert len(order) == len(names)
    zone_groups = [r for r in template["resources"] if r["type"].endswith("privateDnsZoneGroups")]
    assert all(any("privateEndpoints'" in d for d in r["dependsOn"]) for r in zone_groups)


def test_bicep_project_has_a_module_per_concern_and_the_arm_resources() -> None:
    from heiki.generators.bicep import bicep_project

    env = load("closed-aml").environment
    files = bicep_project(env)
    assert sorted(files) == [
        "main.bicep",
        "main.parameters.json",
        "modules/compute.bicep",
        "modules/data.bicep",
        "modules/dns.bicep",
        "modules/endpoints.bicep",
        "modules/hub.bicep",
        "modules/ml.bicep",
        "modules/spoke-data.bicep",
        "modules/spoke-devops.bicep",
        "modules/spoke-ml.bicep",
    ]
    declared = sum(
        text.count("\nresource ") for name, text in files.items() if name != "main.bicep"
    )
    assert declared == len(arm_template(env)["resources"])
    main = files["main.bicep"]
    assert "module endpoints 'modules/endpoints.bicep'" in main and "@secure()" in main
    assert "param vnetHubName string = 'vnet-hub'" in main  # names are parameters here too
    assert "param vnetMlAddressSpace string = '10.1.0.0/16'" in main  # and address spaces
    assert "@allowed([" in main and "param afwHubTier string = 'Standard'" in main
    hub = files["modules/hub.bicep"]
    assert "  name: vnetHubName\n" in hub and "'Microsoft.Network/azureFirewalls@" in hub
    assert "dependsOn: [" in hub  # symbolic, from the literal names
    spoke = files["modules/spoke-ml.bicep"]
    # the spoke module peers itself with the hub, both ways
    assert "name: format('{0}/peer-hub-to-ml', vnetHubName)" in spoke
    assert "name: format('{0}/peer-ml-to-hub', vnetMlName)" in spoke
    assert "var vnetMlAddressSpaceOctets = split(split(vnetMlAddressSpace, '/')[0], '.')" in spoke
    assert (
        "addressPrefix: '${vnetMlAddressSpaceOctets[0]}.${vnetMlAddressSpaceOctets[1]}.1.32/27'"
        in spoke
    )
    assert "'Microsoft.Compute/virtualMachines@" in files["modules/spoke-devops.bicep"]
    assert "'Microsoft.MachineLearningServices/workspaces@" in files["modules/ml.bicep"]
    assert "'Microsoft.DataFactory/factories@" in files["modules/data.bicep"]
    assert "'Microsoft.Network/dnsResolvers@" in files["modules/dns.bicep"]
    endpoints = files["modules/endpoints.bicep"]
    assert "'Microsoft.Network/privateEndpoints@" in endpoints
    assert "'Microsoft.Network/privateDnsZones@" in endpoints
    # modules in dependency order; spokes one after another (their peerings share the hub)
    order = re.findall(r"^module (\w+) ", main, flags=re.MULTILINE)
    assert order == [
        "hub",
        "spoke_data",
        "spoke_devops",
        "dns",
        "ml",  # the compute subnets' service endpoint policy lists the workspace storage
        "spoke_ml",
        "data",
        "endpoints",
        "compute",  # after the workspace's private endpoints and their DNS records
    ]
    compute = files["modules/compute.bicep"]
    assert "'Microsoft.MachineLearningServices/workspaces/computes@" in compute
    assert "  dependsOn: [\n    hub\n    spoke_data\n  ]" in main
    assert bicep_project(load("closed-aml").environment) == files  # deterministic


def test_peerings_sharing_a_vnet_are_deployed_one_after_another() -> None:
    """Azure fails a peering while another operation updates either VNet
    (ReferencedResourceNotProvisioned / AnotherOperationInProgress)."""
    template = arm_template(load("closed-aml").environment, name_parameters=False)
    peerings = [r for r in template["resources"] if r["type"].endswith("virtualNetworkPeerings")]
    assert len(peerings) == 6
    chained = [
        r for r in peerings if sum("virtualNetworkPeerings" in d for d in r["dependsOn"]) == 1
    ]
    assert len(chained) == 5  # every peering but the first waits for one before it


def test_address_parameters_move_a_vnet_consistently(tmp_path: Path) -> None:
    """One parameter moves the ML spoke: subnets, endpoint IPs, routes and firewall/NSG rules
    follow, and heiki verifies the moved environment before anything is deployed."""
    original = load("closed-aml").environment
    template = tmp_path / "azuredeploy.json"
    template.write_text(dumps(subscription_template(original)), encoding="utf-8")
    parameters = tmp_path / "moved.parameters.json"
    _write_parameters(parameters, {"vnetMlAddressSpace": "10.11.0.0/16"}, template)
    moved = load_arm([template], [parameters], on_premises=original.on_premises).environment
    spoke = next(v for v in moved.virtual_networks if v.name == "vnet-ml")
    assert [str(p) for p in spoke.address_space] == ["10.11.0.0/16"]
    assert all(str(s.address_prefix).startswith("10.11.") for s in spoke.subnets)
    endpoint_ips = [
        str(c.private_ip_address)
        for pe in moved.private_endpoints
        for c in pe.ip_configurations
        if moved.vnet_of_subnet(pe.subnet) == spoke
    ]
    assert endpoint_ips and all(ip.startswith("10.11.") for ip in endpoint_ips)
    text = json.dumps(to_data(moved))
    assert "10.1.0.0/16" not in text  # every rule that named the old space names the new one
    verdict = _verdict(moved)
    assert all(
        status == "ready" or status == "not-applicable" for _, _, status, _ in verdict["readiness"]
    )
    assert all(status != "fail" for _, status, _ in verdict["closure"])
    assert verdict["errors"] == []


def test_a_sku_parameter_change_is_verified_before_deployment(tmp_path: Path) -> None:
    """A Basic registry cannot be private: heiki sees it from the parameter file alone."""
    original = load("closed-aml").environment
    template = tmp_path / "azuredeploy.json"
    template.write_text(dumps(subscription_template(original)), encoding="utf-8")
    registry = original.container_registries[0].name
    parameters = tmp_path / "basic.parameters.json"
    _write_parameters(parameters, {f"{registry}Sku": "Basic"}, template)
    env = load_arm([template], [parameters], on_premises=original.on_premises).environment
    capability = next(
        c
        for c in RuleContext(env, load_catalog()).readiness.capabilities
        if c.name == "re-runnable pipelines"
    )
    assert capability.status.value == "not-ready" and "Basic" in capability.summary


def test_the_firewall_tier_is_one_parameter_for_the_firewall_and_its_policy(
    tmp_path: Path,
) -> None:
    """Azure needs the policy in the firewall's tier: one parameter sets both, and heiki says
    from the parameter file what Basic would break (no DNS proxy, a management NIC needed)."""
    original = load("closed-aml").environment
    template = tmp_path / "azuredeploy.json"
    generated = subscription_template(original)
    spec = generated["parameters"]["afwHubTier"]
    assert spec["defaultValue"] == "Standard"
    assert spec["allowedValues"] == ["Basic", "Standard", "Premium"]
    template.write_text(dumps(generated), encoding="utf-8")
    parameters = tmp_path / "basic.parameters.json"
    _write_parameters(parameters, {"afwHubTier": "Basic"}, template)
    env = load_arm([template], [parameters], on_premises=original.on_premises).environment
    assert {f.sku_tier.value for f in env.firewalls} == {"Basic"}
    assert {p.sku_tier.value for p in env.firewall_policies} == {"Basic"}
    findings = check_rules(env, load_catalog(), select=["DNS010"]).findings
    assert [f.rule_id for f in findings] == ["DNS010"]
    assert any("management NIC" in d.message for d in validate(env, load_catalog()))
    # a tier Azure does not know is caught from the parameter file as well, at the declaration
    parameters.write_text(
        json.dumps(
            {"parameters": {"adminSshPublicKey": {"value": "k"}, "afwHubTier": {"value": "Basik"}}}
        ),
        encoding="utf-8",
    )
    loaded = load_arm([template], [parameters], on_premises=original.on_premises)
    warning = next(d for d in loaded.diagnostics if d.code == "IN064")
    assert '"Basik" is not one of the allowed values' in warning.message
    assert warning.location is not None and warning.location.line is not None
    lines = template.read_text(encoding="utf-8").splitlines()
    assert '"afwHubTier"' in lines[warning.location.line - 1]


def test_a_renamed_storage_account_is_renamed_everywhere(tmp_path: Path) -> None:
    """Storage names are global: one parameter renames the account, its endpoints' targets, the
    workspace's reference and the names clients resolve - and the verdict holds."""
    original = load("closed-aml").environment
    old = next(a.name for a in original.storage_accounts if a.name.startswith("stmlw"))
    template = tmp_path / "azuredeploy.json"
    template.write_text(dumps(subscription_template(original)), encoding="utf-8")
    parameter = next(
        name
        for name, spec in subscription_template(original)["parameters"].items()
        if spec.get("defaultValue") == old and name.endswith("Name")
    )
    parameters = tmp_path / "renamed.parameters.json"
    _write_parameters(parameters, {parameter: "stteamrenamed01"})
    env = load_arm([template], [parameters], on_premises=original.on_premises).environment
    assert "stteamrenamed01" in {a.name for a in env.storage_accounts}
    assert f"/{old}" not in json.dumps(to_data(env))  # no reference to the old account is left
    assert str(env.workspaces[0].storage_account).endswith("/stteamrenamed01")
    assert any(
        str(pe.private_link_service).endswith("/stteamrenamed01") for pe in env.private_endpoints
    )
    verdict = _verdict(env)
    assert verdict["errors"] == []
    assert all(s in ("ready", "not-applicable") for _, _, s, _ in verdict["readiness"])


def test_identity_datastores_come_with_their_storage_roles() -> None:
    """Shared keys are off on the workspace storage, so the workspace uses its identity for the
    system datastores (AML002 otherwise) - and that identity needs data roles on the account."""
    env = load("closed-aml").environment
    workspace = env.workspaces[0]
    assert workspace.system_datastores_auth_mode.value == "Identity"
    template = arm_template(env, name_parameters=False)
    ws = next(r for r in template["resources"] if r["type"].endswith("/workspaces"))
    assert ws["properties"]["systemDatastoresAuthMode"] == "Identity"
    roles = [
        r for r in template["resources"] if r["type"] == "Microsoft.Authorization/roleAssignments"
    ]
    storage = (
        f"[resourceId('Microsoft.Storage/storageAccounts', '{workspace.storage_account.name}')]"
    )
    assert {r["scope"] for r in roles} == {storage}
    assert sorted(r["properties"]["roleDefinitionId"].split("'")[-2] for r in roles) == sorted(
        guid for _, guid in load_catalog().workspace_storage_roles
    )
    assert all(".identity.principalId" in r["properties"]["principalId"] for r in roles)
    assert all(storage in r["dependsOn"] for r in roles)
    keys = replace_in(
        env, "workspaces", lambda w: True, system_datastores_auth_mode=DatastoresAuthMode.ACCESS_KEY
    )
    plain = arm_template(keys, name_parameters=False)
    assert not [r for r in plain["resources"] if r["type"].endswith("roleAssignments")]


def test_static_endpoint_ips_only_where_azure_member_names_are_known() -> None:
    """A static IP configuration must name every member of the group as Azure does; where the
    catalog is not sure of the names (workspace, AMPLS, Data Factory) Azure allocates - after the
    pinned endpoints of the subnet and in declaration order, the order heiki verified."""
    template = arm_template(load("closed-aml").environment, name_parameters=False)
    endpoints = {
        r["name"]: r for r in template["resources"] if r["type"].endswith("/privateEndpoints")
    }
    static = {n for n, r in endpoints.items() if r["properties"].get("ipConfigurations")}
    assert "pep-stmlwclosed88c3a0-blob" in static and "pep-crmlwclosed88c3a0-registry" in static
    dynamic = sorted(set(endpoints) - static)
    assert dynamic == [
        "pep-adf-closed-aml88c3a0-datafactory",
        "pep-ampls-mlw-closed-azuremonitor",
        "pep-mlw-closed-amlworkspace",
    ]
    workspace = endpoints["pep-mlw-closed-amlworkspace"]["dependsOn"]
    assert any("pep-stmlwclosed88c3a0-blob" in d for d in workspace)  # pinned first
    assert any("pep-ampls-mlw-closed-azuremonitor" in d for d in workspace)  # declared before


def test_computes_wait_for_the_workspace_endpoints_and_their_dns() -> None:
    """A compute created before the workspace's private endpoint (and its DNS records) cannot
    connect; Azure refuses no-public-IP compute then (field failure 15)."""
    template = arm_template(load("closed-aml").environment, name_parameters=False)
    computes = [r for r in template["resources"] if r["type"].endswith("/computes")]
    assert computes
    for compute in computes:
        assert any("'pep-mlw-closed-amlworkspace')]" in d for d in compute["dependsOn"])
        assert any("privateDnsZoneGroups" in d for d in compute["dependsOn"])


def test_the_written_parameter_file_is_the_verified_environment(tmp_path: Path) -> None:
    """azuredeploy.parameters.json holds every default - the place to change names, spaces and
    SKUs - and, with the SSH key from the command line, gives the verified environment."""
    from click.testing import CliRunner

    from heiki.cli.main import cli

    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", "closed-aml", "--to", "arm", "-o", str(out)])
    assert result.exit_code == 0, result.output
    written = json.loads((out / "azuredeploy.parameters.json").read_text(encoding="utf-8"))
    assert written["parameters"]["vnetMlAddressSpace"] == {"value": "10.1.0.0/16"}
    assert "adminSshPublicKey" not in written["parameters"]  # given on the command line
    key = tmp_path / "key.parameters.json"
    _write_parameters(key, {})
    original = load("closed-aml").environment
    loaded = load_arm(
        [out / "azuredeploy.json"],
        [out / "azuredeploy.parameters.json", key],
        on_premises=original.on_premises,
    )
    assert _model(loaded.environment) == _model(original)
    assert not [d for d in loaded.diagnostics if d.code == "IN064"]
    bicep = CliRunner().invoke(
        cli, ["build", "closed-aml", "--to", "bicep", "-o", str(tmp_path / "b")]
    )
    assert bicep.exit_code == 0
    main = json.loads((tmp_path / "b" / "main.parameters.json").read_text(encoding="utf-8"))
    assert main["parameters"] == {
        k: v for k, v in written["parameters"].items() if k != "resourceGroupName"
    }


def test_names_that_spell_the_same_parameter_get_their_own() -> None:
    from heiki.generators.arm import parameterize_names

    resources = [
        {"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg-x", "properties": {}},
        {"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg_x", "properties": {}},
        {"type": "Microsoft.Network/routeTables", "name": "1st-table", "properties": {}},
    ]
    parameters = parameterize_names(resources)
    assert sorted(parameters) == ["nsgXName", "nsgXName2", "r1stTableName"]
    assert {r["name"] for r in resources} == {
        "[parameters('nsgXName')]",
        "[parameters('nsgXName2')]",
        "[parameters('r1stTableName')]",
    }


def test_sku_and_space_parameters_of_look_alike_names_stay_apart() -> None:
    """Two VNets whose names differ only in punctuation keep their own address-space parameter;
    a second range of one VNet is numbered."""
    import ipaddress

    from heiki.generators.addresses import AddressPlan

    env = load("closed-aml").environment
    hub, ml, *rest = env.virtual_networks
    twin = replace(
        ml,
        id=ResourceId(str(ml.id).replace("vnet-ml", "vnet_ml")),
        name="vnet_ml",
        address_space=(ipaddress.IPv4Network("10.8.0.0/16"),),
        subnets=(),
        peerings=(),
    )
    wider = replace(ml, address_space=(*ml.address_space, ipaddress.IPv4Network("10.9.0.0/16")))
    plan = AddressPlan(replace(env, virtual_networks=(hub, wider, twin, *rest)))
    assert {"vnetMlAddressSpace", "vnetMlAddressSpace2", "vnetMl2AddressSpace"} <= set(
        plan.parameters
    )
    assert plan.parameters["vnetMl2AddressSpace"]["defaultValue"] == "10.8.0.0/16"
