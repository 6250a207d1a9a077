"""Nothing dropped silently: every input resource is modelled or named in the coverage notice,
closure reads the public surface of the types it does not simulate, and a template that needs
parameters is still checked without them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from heiki.cli.main import cli
from heiki.sources import load

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
ROLE = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
NET = "Microsoft.Network"
ML = "Microsoft.MachineLearningServices"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.output


def resource(
    resource_type: str, name: str, properties: dict[str, Any] | None = None, **extra: Any
) -> Any:
    return {
        "type": resource_type,
        "apiVersion": "2024-01-01",
        "name": name,
        "location": "japaneast",
        "properties": properties or {},
        **extra,
    }


def outbound_allow(name: str, destination: str | list[str], port: str = "443") -> dict[str, Any]:
    """An outbound allow rule from the VNet to ``destination`` (one entry, or a list written as
    ``destinationAddressPrefixes``)."""
    field = (
        "destinationAddressPrefixes"
        if isinstance(destination, list)
        else "destinationAddressPrefix"
    )
    return {
        "name": name,
        "properties": {
            "priority": 100,
            "direction": "Outbound",
            "access": "Allow",
            "protocol": "Tcp",
            "sourceAddressPrefix": "VirtualNetwork",
            "sourcePortRange": "*",
            field: destination,
            "destinationPortRange": port,
        },
    }


def rid(kind: str, *names: str) -> str:
    quoted = ", ".join(f"'{n}'" if not n.startswith("[") else n[1:-1] for n in names)
    return f"[resourceId('{kind}', {quoted})]"


def ml_template(*extra: Any, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    """A VNet with a compute subnet, a workspace with its storage and vault, one cluster."""
    subnet = rid(f"{NET}/virtualNetworks/subnets", "vnet-ml", "snet-compute")
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": parameters or {},
        "resources": [
            resource(
                f"{NET}/virtualNetworks",
                "vnet-ml",
                {
                    "addressSpace": {"addressPrefixes": ["10.20.0.0/16"]},
                    "subnets": [
                        {"name": "snet-compute", "properties": {"addressPrefix": "10.20.1.0/24"}},
                        {"name": "snet-pe", "properties": {"addressPrefix": "10.20.2.0/24"}},
                    ],
                },
            ),
            resource(
                "Microsoft.Storage/storageAccounts",
                "stml",
                {"publicNetworkAccess": "Disabled", "allowSharedKeyAccess": False},
                kind="StorageV2",
                sku={"name": "Standard_LRS"},
            ),
            resource("Microsoft.KeyVault/vaults", "kv-ml", {"publicNetworkAccess": "Disabled"}),
            resource(
                f"{ML}/workspaces",
                "mlw",
                {
                    "storageAccount": rid("Microsoft.Storage/storageAccounts", "stml"),
                    "keyVault": rid("Microsoft.KeyVault/vaults", "kv-ml"),
                    "publicNetworkAccess": "Disabled",
                },
            ),
            resource(
                f"{ML}/workspaces/computes",
                "mlw/cluster",
                {
                    "computeType": "AmlCompute",
                    "properties": {"subnet": {"id": subnet}, "enableNodePublicIp": False},
                },
            ),
            *extra,
        ],
    }


def write(tmp_path: Path, document: Any, name: str = "main.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return str(path)


AKS = resource(
    "Microsoft.ContainerService/managedClusters",
    "aks-infer",
    {"agentPoolProfiles": [{"name": "system", "count": 1}]},
)
ATTACHED = resource(
    f"{ML}/workspaces/computes",
    "mlw/k8s",
    {
        "computeType": "Kubernetes",
        "resourceId": rid("Microsoft.ContainerService/managedClusters", "aks-infer"),
    },
)
AI_SERVICES = resource(
    "Microsoft.CognitiveServices/accounts",
    "ais-ml",
    {"publicNetworkAccess": "Enabled", "disableLocalAuth": False},
    kind="AIServices",
)
SEARCH = resource("Microsoft.Search/searchServices", "srch-ml", {})


def test_unmodelled_services_fail_closure_by_name_and_are_listed(tmp_path: Path) -> None:
    path = write(tmp_path, ml_template(AKS, ATTACHED, AI_SERVICES, SEARCH))
    code, stdout, output = run("check", path, "--format", "json")
    assert code == 1, output
    record = json.loads(stdout)
    closure = {c["check"]: c for c in record["closure"]["checks"]}
    public = closure["no public inbound"]
    assert public["status"] == "fail"
    evidence = "\n".join(public["evidence"])
    assert "AI Services account ais-ml accepts public network access" in evidence
    assert "AI Search service srch-ml accepts public network access" in evidence
    assert "AKS cluster aks-infer accepts public network access" in evidence
    local = "\n".join(closure["local authentication off"]["evidence"])
    assert "AI Services account ais-ml accepts local authentication" in local
    assert "AI Search service srch-ml accepts local authentication" in local
    coverage = {gap["what"]: gap for gap in record["coverage"]}
    # the Kubernetes compute is modelled (its scoring front end); its cluster is read
    assert set(coverage) == {"AI Search service", "AI Services account", "AKS cluster"}
    assert record["summary"]["not_modelled"] == 3
    serving = next(c for c in record["readiness"] if c["capability"] == "serving")
    assert (
        "the cluster's Azure ML extension (microsoft.azureml.kubernetes) is not in the input"
        in (serving["summary"])
    )
    assert {f["rule"] for f in record["findings"]} >= {"CLS001", "CLS002"}


def test_the_text_report_leads_with_what_the_verdict_does_not_cover(tmp_path: Path) -> None:
    vm = resource(
        f"{ML}/workspaces/computes",
        "mlw/vm-1",
        {
            "computeType": "VirtualMachine",
            "resourceId": rid("Microsoft.Compute/virtualMachines", "vm"),
        },
    )
    path = write(tmp_path, ml_template(AKS, vm, vm | {"name": "mlw/vm-2"}))
    _, stdout, _ = run("check", path)
    head = stdout[: stdout.index("Readiness")]
    assert "Not modelled (the verdict does not cover):" in head
    assert "2 attached VM computes not modelled" in head
    assert "3 not modelled" in head  # the count line
    _, shown, _ = run("show", path)
    assert "1 AKS cluster not modelled" in shown


def test_closed_surfaces_pass_and_name_what_was_read(tmp_path: Path) -> None:
    closed = resource(
        "Microsoft.CognitiveServices/accounts",
        "oai-ml",
        {"publicNetworkAccess": "Disabled", "disableLocalAuth": True},
        kind="OpenAI",
    )
    search = resource(
        "Microsoft.Search/searchServices",
        "srch-ml",
        {"publicNetworkAccess": "disabled", "disableLocalAuth": True},
    )
    env = load([write(tmp_path, ml_template(closed, search))]).environment
    from heiki.analyses.closure import local_auth_off, public_inbound

    public = public_inbound(env)
    assert public.status.value == "pass"
    assert "also read: public access of AI Search service, Azure OpenAI account" in public.summary
    assert local_auth_off(env).status.value == "pass"


@pytest.mark.parametrize(
    ("properties", "open_"),
    [
        ({}, True),  # Azure's default is Enabled
        ({"publicNetworkAccess": "Enabled", "networkAcls": {"defaultAction": "Deny"}}, False),
        (
            {
                "publicNetworkAccess": "Enabled",
                "networkAcls": {"defaultAction": "Deny", "ipRules": [{"value": "203.0.113.0/24"}]},
            },
            True,
        ),
        ({"publicNetworkAccess": "Disabled"}, False),
    ],
)
def test_service_firewall_of_an_unmodelled_type(
    tmp_path: Path, properties: dict[str, Any], open_: bool
) -> None:
    account = resource("Microsoft.CognitiveServices/accounts", "ais", properties, kind="AIServices")
    env = load([write(tmp_path, ml_template(account))]).environment
    from heiki.analyses.closure import public_inbound

    assert (public_inbound(env).status.value == "fail") is open_


def test_event_hubs_rules_in_a_child_resource(tmp_path: Path) -> None:
    namespace = resource("Microsoft.EventHub/namespaces", "evh", {"disableLocalAuth": True})
    rules = resource(
        "Microsoft.EventHub/namespaces/networkRuleSets",
        "evh/default",
        {"defaultAction": "Deny", "ipRules": []},
    )
    sql = resource("Microsoft.Sql/servers", "sql-ml", {"publicNetworkAccess": "Enabled"})
    env = load([write(tmp_path, ml_template(namespace, rules, sql))]).environment
    from heiki.analyses.closure import public_inbound

    # Event Hubs denies by its rule set; a SQL server without firewall rules admits nobody
    assert public_inbound(env).status.value == "pass"
    rule = resource(
        "Microsoft.Sql/servers/firewallRules",
        "sql-ml/office",
        {"startIpAddress": "203.0.113.1", "endIpAddress": "203.0.113.9"},
    )
    env = load([write(tmp_path, ml_template(namespace, rules, sql, rule))]).environment
    check = public_inbound(env)
    assert check.status.value == "fail" and "203.0.113.1-203.0.113.9" in check.summary


def test_a_private_endpoint_to_an_unmodelled_type_is_not_blamed_on_azure(tmp_path: Path) -> None:
    endpoint = resource(
        f"{NET}/privateEndpoints",
        "pe-ais",
        {
            "subnet": {"id": rid(f"{NET}/virtualNetworks/subnets", "vnet-ml", "snet-pe")},
            "privateLinkServiceConnections": [
                {
                    "name": "ais",
                    "properties": {
                        "privateLinkServiceId": rid(
                            "Microsoft.CognitiveServices/accounts", "ais-ml"
                        ),
                        "groupIds": ["account"],
                    },
                }
            ],
        },
    )
    result = load([write(tmp_path, ml_template(AI_SERVICES, endpoint))])
    assert not [d for d in result.diagnostics if "not in the environment" in d.message]


def test_every_input_resource_is_modelled_or_listed(tmp_path: Path) -> None:
    """The invariant: input resources = modelled (by ID, children under a modelled parent) +
    listed as not modelled."""
    document = ml_template(AKS, ATTACHED, AI_SERVICES, SEARCH)
    env = load([write(tmp_path, document)]).environment
    listed = {r.resource_id.rsplit("/", 1)[-1] for r in env.unmodelled}
    modelled = {r.name.rsplit("/", 1)[-1] for r in env.resources()}
    for declared in document["resources"]:
        short = declared["name"].rsplit("/", 1)[-1]
        assert short in listed or short in modelled, declared["name"]


# -- a template that needs parameters is checked without them ---------------------------------


def needs_parameters() -> dict[str, Any]:
    principal = (
        "[guid(reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', "
        "'id-ml'), '2023-01-31').principalId, 'reader')]"
    )
    document = ml_template(
        resource("Microsoft.ManagedIdentity/userAssignedIdentities", "id-ml"),
        {
            "type": "Microsoft.Authorization/roleAssignments",
            "apiVersion": "2022-04-01",
            "scope": "[format('Microsoft.Storage/storageAccounts/{0}', 'stml')]",
            "name": principal,
            "properties": {"roleDefinitionId": ROLE, "principalId": "x"},
        },
        parameters={
            "prefix": {"type": "string", "maxLength": 10},
            "adminSshPublicKey": {"type": "securestring"},
        },
    )
    # the VNet takes its name from the prefix, the workspace uses the SSH key's parameter nowhere
    document["resources"][0]["name"] = "[format('vnet-{0}', parameters('prefix'))]"
    document["resources"][4]["properties"]["properties"]["subnet"]["id"] = (
        "[resourceId('Microsoft.Network/virtualNetworks/subnets', "
        "format('vnet-{0}', parameters('prefix')), 'snet-compute')]"
    )
    return document


def test_a_template_with_required_parameters_is_checked_without_them(tmp_path: Path) -> None:
    path = write(tmp_path, needs_parameters())
    code, stdout, output = run("check", path, "--format", "json")
    assert code in (0, 1), output
    _, _, text = run("check", path)
    flat = " ".join(text.split())  # the terminal wraps long warnings
    assert f"{path}:5:13: warning IN065: 2 parameter(s) have no value and no default" in flat
    assert 'prefix = "prefix"' in flat and "adminSshPublicKey = unknown (secure" in flat
    record = json.loads(stdout)
    assert {c["capability"] for c in record["readiness"]} >= {"tuning compute", "packages"}
    assert "vnet-prefix" in json.dumps(record)
    assert record["summary"]["not_modelled"] == 2  # the identity and the runtime-named assignment
    assert any("known only when the deployment runs" in d["message"] for d in record["diagnostics"])


def test_parameters_on_the_command_line_as_name_value(tmp_path: Path) -> None:
    path = write(tmp_path, needs_parameters())
    secret = "ssh-ed25519 AAAAC3Nza-never-shown"
    code, stdout, output = run(
        "check",
        path,
        "--parameters",
        "prefix=team1",
        "--parameters",
        f"adminSshPublicKey={secret}",
        "--format",
        "json",
    )
    assert code in (0, 1), output
    assert "IN065" not in output and secret not in output
    assert "vnet-team1" in stdout


def test_a_later_parameter_wins_over_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, needs_parameters())
    values = tmp_path / "values.json"
    values.write_text(json.dumps({"parameters": {"prefix": {"value": "fromfile"}}}))
    _, stdout, _ = run(
        "show", path, "--parameters", str(values), "--parameters", "prefix=last", "--format", "json"
    )
    assert "vnet-last" in stdout and "vnet-fromfile" not in stdout
    _, stdout, _ = run(
        "show",
        path,
        "--parameters",
        "prefix=first",
        "--parameters",
        f"@{values}",
        "--format",
        "json",
    )
    assert "vnet-fromfile" in stdout


SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
FIXTURES = Path(__file__).parent / "fixtures" / "arm"
TEMPLATES = {
    "alz-hub-spoke": FIXTURES / "hub-spoke.json",
    **{
        name: SHARED / "templates" / "azure-quickstart" / name / "azuredeploy.json"
        for name in ("machine-learning-end-to-end-secure", "machine-learning-workspace-vnet")
    },
}
SHAPES = sorted((SHARED / "arm-shapes").rglob("*.json")) if SHARED.is_dir() else []


def _assert_all_accounted_for(declared: list[str], env: Any) -> None:
    modelled = {str(r.id).lower() for r in env.resources()}
    listed = {r.resource_id.lower() for r in env.unmodelled}
    for resource_id in declared:
        lowered = resource_id.lower()
        parents = {lowered.rsplit("/", 2 * n)[0] for n in range(1, lowered.count("/") // 2)}
        assert lowered in listed or lowered in modelled or parents & modelled, resource_id


@pytest.mark.parametrize("case", sorted(TEMPLATES))
def test_no_template_resource_is_dropped_silently(case: str) -> None:
    """Every resource a real template deploys is in the model (itself, or folded into a modelled
    parent) or listed as not modelled."""
    from heiki.sources.arm.load import read_json
    from heiki.sources.arm.template import expand_template

    path = TEMPLATES[case]
    if not path.is_file():
        pytest.skip("../shared not present")
    expansion = expand_template(read_json(path), str(path), loader=read_json)
    _assert_all_accounted_for([r.id for r in expansion.resources], load([str(path)]).environment)


@pytest.mark.parametrize("path", SHAPES, ids=[p.name for p in SHAPES])
def test_no_recorded_resource_is_dropped_silently(path: Path) -> None:
    """The same for recorded Azure responses and REST specification examples."""
    from heiki.catalog import load_catalog
    from heiki.sources.arm.convert.build import build_environment
    from heiki.sources.arm.load import deployed_resources
    from test_arm_load import _bodies

    resources = [r for body in _bodies(path) for r in deployed_resources(body, str(path))]
    env, _ = build_environment(resources, path.stem, load_catalog())
    _assert_all_accounted_for([str(r.id) for r in resources], env)


def test_a_foundry_project_is_named_as_not_modelled(tmp_path: Path) -> None:
    hub = rid(f"{ML}/workspaces", "mlw")
    project = resource(f"{ML}/workspaces", "proj-rag", {"hubResourceId": hub}, kind="Project")
    env = load([write(tmp_path, ml_template(project))]).environment
    (listed,) = env.unmodelled
    assert listed.title == "AI Foundry project" and listed.kind == "Project"
    assert "shares with the hub" in listed.not_covered


# -- AKS node egress (outboundType) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("outbound", "bypasses"),
    [
        (None, True),  # Azure's default: the cluster's own load balancer
        ("loadBalancer", True),
        ("managedNATGateway", True),
        ("userDefinedRouting", False),  # a route table sends the nodes to the firewall
    ],
)
def test_aks_nodes_that_leave_without_a_firewall_fail_egress_closure(
    tmp_path: Path, outbound: str | None, bypasses: bool
) -> None:
    from heiki.analyses.closure import egress_inspected
    from heiki.analyses.egress import egress_report
    from heiki.catalog import load_catalog

    profile: dict[str, Any] = {"agentPoolProfiles": [{"name": "system", "count": 1}]}
    if outbound is not None:
        profile["networkProfile"] = {"networkPlugin": "azure", "outboundType": outbound}
    aks = resource("Microsoft.ContainerService/managedClusters", "aks-infer", profile)
    env = load([write(tmp_path, ml_template(aks))]).environment
    check = egress_inspected(env, egress_report(env, load_catalog()))
    mentioned = any("aks-infer" in e for e in check.evidence)
    assert mentioned is bypasses, check
    if bypasses:
        assert check.status.value == "fail"
        assert f"outboundType {outbound or 'loadBalancer'}" in check.summary + " ".join(
            check.evidence
        )


# -- online deployments' legacy egress flag ------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "managed", "bypasses"),
    [
        (None, False, True),  # Azure's default: Enabled
        ("Enabled", False, True),
        ("Disabled", False, False),
        ("Enabled", True, False),  # a workspace managed network decides instead
    ],
)
def test_an_online_deployment_with_public_egress_fails_egress_closure(
    tmp_path: Path, flag: str | None, managed: bool, bypasses: bool
) -> None:
    from heiki.analyses.closure import egress_inspected
    from heiki.analyses.egress import egress_report
    from heiki.catalog import load_catalog

    endpoint = resource(
        f"{ML}/workspaces/onlineEndpoints",
        "mlw/ep-score",
        {"authMode": "AMLToken", "publicNetworkAccess": "Disabled"},
        kind="Managed",
    )
    properties: dict[str, Any] = {"endpointComputeType": "Managed"}
    if flag is not None:
        properties["egressPublicNetworkAccess"] = flag
    deployment = resource(
        f"{ML}/workspaces/onlineEndpoints/deployments", "mlw/ep-score/blue", properties
    )
    document = ml_template(endpoint, deployment)
    if managed:
        workspace = next(r for r in document["resources"] if r["name"] == "mlw")
        workspace["properties"]["managedNetwork"] = {"isolationMode": "AllowOnlyApprovedOutbound"}
    env = load([write(tmp_path, document)]).environment
    check = egress_inspected(env, egress_report(env, load_catalog()))
    named = [e for e in check.evidence if "blue" in e]
    assert bool(named) is bypasses, check
    if bypasses:
        assert check.status.value == "fail"
        assert "egressPublicNetworkAccess Enabled" in named[0]


def test_a_foundry_project_of_an_ai_services_account_goes_with_the_account(
    tmp_path: Path,
) -> None:
    """The new Foundry's projects (``accounts/projects``) have no network settings of their
    own: they are listed as reached through the account, and closure judges the account."""
    from heiki.analyses.closure import public_inbound

    account = resource(
        "Microsoft.CognitiveServices/accounts",
        "ais-ml",
        {"publicNetworkAccess": "Disabled", "disableLocalAuth": True},
        kind="AIServices",
    )
    project = resource("Microsoft.CognitiveServices/accounts/projects", "ais-ml/proj", {})
    env = load([write(tmp_path, ml_template(account, project))]).environment
    listed = {u.type: u for u in env.unmodelled}
    assert listed["Microsoft.CognitiveServices/accounts/projects"].no_surface
    assert "through the account's network" in (
        listed["Microsoft.CognitiveServices/accounts/projects"].not_covered
    )
    check = public_inbound(env)
    assert check.status.value == "pass" and "not checked" not in check.summary


# -- AKS node subnets and Azure CNI (NET006) ------------------------------------------------------


@pytest.mark.parametrize(
    ("network", "pool", "fires"),
    [
        # Azure CNI on the node subnet: (10 + 1) x (1 + 30) = 341 addresses > a /24's 251
        ({"networkPlugin": "azure"}, {"count": 10}, True),
        ({"networkPlugin": "azure"}, {"count": 6}, False),  # 7 x 31 = 217
        # autoscaling counts maxCount, and maxPods is read
        ({"networkPlugin": "azure"}, {"count": 2, "enableAutoScaling": True, "maxCount": 9}, True),
        ({"networkPlugin": "azure"}, {"count": 10, "maxPods": 10}, False),  # 11 x 11 = 121
        # overlay, kubenet and a pod subnet give pods no node-subnet addresses
        ({"networkPlugin": "azure", "networkPluginMode": "overlay"}, {"count": 100}, False),
        ({"networkPlugin": "kubenet"}, {"count": 100}, False),
        ({}, {"count": 100}, False),
    ],
)
def test_an_aks_node_subnet_too_small_for_its_pods(
    tmp_path: Path, network: dict[str, Any], pool: dict[str, Any], fires: bool
) -> None:
    from heiki.catalog import load_catalog
    from heiki.rules.engine import run_rules

    subnet = rid(f"{NET}/virtualNetworks/subnets", "vnet-aks", "snet-aks")
    vnet = resource(
        f"{NET}/virtualNetworks",
        "vnet-aks",
        {
            "addressSpace": {"addressPrefixes": ["10.30.0.0/16"]},
            "subnets": [{"name": "snet-aks", "properties": {"addressPrefix": "10.30.1.0/24"}}],
        },
    )
    aks = resource(
        "Microsoft.ContainerService/managedClusters",
        "aks-cni",
        {
            "agentPoolProfiles": [{"name": "system", "vnetSubnetID": subnet, **pool}],
            "networkProfile": {"outboundType": "userDefinedRouting", **network},
        },
    )
    env = load([write(tmp_path, ml_template(vnet, aks))]).environment
    (cluster,) = [u for u in env.unmodelled if u.name == "aks-cni"]
    assert cluster.node_pools and cluster.node_pools[0].subnet.endswith("/snet-aks")
    findings = run_rules(env, load_catalog(), select=["NET006"])
    assert bool(findings) is fires, findings
    if fires:
        assert "snet-aks" in findings[0].message and "aks-cni" in findings[0].message
        assert findings[0].location is not None  # at the cluster that asks for the addresses


def test_terraform_reads_the_node_pool_and_network_plugin(tmp_path: Path) -> None:
    folder = tmp_path / "tf"
    folder.mkdir()
    (folder / "main.tf").write_text(
        """
resource "azurerm_virtual_network" "v" {
  name                = "vnet-aks"
  location            = "westeurope"
  resource_group_name = "rg"
  address_space       = ["10.4.0.0/16"]
}
resource "azurerm_subnet" "aks" {
  name                 = "snet-aks"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.v.name
  address_prefixes     = ["10.4.0.0/24"]
}
resource "azurerm_kubernetes_cluster" "aks" {
  name                    = "aks-tf"
  location                = "westeurope"
  resource_group_name     = "rg"
  dns_prefix              = "akstf"
  private_cluster_enabled = true
  default_node_pool {
    name                 = "system"
    vm_size              = "Standard_D4s_v5"
    vnet_subnet_id       = azurerm_subnet.aks.id
    auto_scaling_enabled = true
    node_count           = 3
    max_count            = 12
    max_pods             = 30
  }
  network_profile {
    network_plugin = "azure"
    outbound_type  = "userDefinedRouting"
  }
}
resource "azurerm_kubernetes_cluster_node_pool" "user" {
  name                  = "user"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.aks.id
  vm_size               = "Standard_D4s_v5"
  vnet_subnet_id        = azurerm_subnet.aks.id
  node_count            = 2
}
""",
        encoding="utf-8",
    )
    from heiki.catalog import load_catalog
    from heiki.rules.engine import run_rules

    env = load([str(folder)]).environment
    (cluster,) = [u for u in env.unmodelled if u.name == "aks-tf"]
    assert cluster.network_plugin == "azure"
    assert [(p.name, p.nodes, p.max_pods) for p in cluster.node_pools] == [
        ("system", 12, 30),
        ("user", 2, None),
    ]
    (finding,) = run_rules(env, load_catalog(), select=["NET006"])
    assert "496 addresses" in finding.message  # (12 + 1) x (1 + 30) + (2 + 1) x (1 + 30)


def test_agent_pools_declared_apart_are_pools_of_their_cluster(tmp_path: Path) -> None:
    """A node pool declared as an ``agentPools`` child (or azurerm_kubernetes_cluster_node_pool)
    runs nodes too: its subnet's egress is traced like the inline pool's, NET006 counts it, and it
    is not listed as a resource heiki does not read."""
    from heiki.analyses.egress import AKS_NODES, egress_report
    from heiki.catalog import load_catalog
    from heiki.rules.engine import run_rules

    subnets = [
        {"name": "snet-system", "properties": {"addressPrefix": "10.30.1.0/24"}},
        {"name": "snet-user", "properties": {"addressPrefix": "10.30.2.0/27"}},
    ]
    vnet = resource(
        f"{NET}/virtualNetworks",
        "vnet-aks",
        {"addressSpace": {"addressPrefixes": ["10.30.0.0/16"]}, "subnets": subnets},
    )

    def subnet(name: str) -> str:
        return rid(f"{NET}/virtualNetworks/subnets", "vnet-aks", name)

    aks = resource(
        "Microsoft.ContainerService/managedClusters",
        "aks-pools",
        {
            "agentPoolProfiles": [
                {"name": "system", "count": 2, "vnetSubnetID": subnet("snet-system")}
            ],
            "networkProfile": {"networkPlugin": "azure", "outboundType": "userDefinedRouting"},
        },
    )
    user = resource(
        "Microsoft.ContainerService/managedClusters/agentPools",
        "aks-pools/user",
        {"mode": "User", "count": 3, "vnetSubnetID": subnet("snet-user")},
    )
    env = load([write(tmp_path, ml_template(vnet, aks, user))]).environment
    (cluster,) = [u for u in env.unmodelled if u.name == "aks-pools"]
    assert [p.name for p in cluster.node_pools] == ["system", "user"]
    assert "Microsoft.ContainerService/managedClusters/agentPools" not in {
        u.type for u in env.unmodelled
    }
    roles = {s.vantage.name: s.roles for s in egress_report(env, load_catalog()).subnets}
    assert AKS_NODES in roles["aks/user"]  # the vantage of vnet-aks/snet-user
    # the user pool's 3 nodes with Azure CNI: 4 x 31 = 124 addresses in a /27 (27 usable)
    (finding,) = run_rules(env, load_catalog(), select=["NET006"])
    assert "snet-user" in finding.message and "124 addresses" in finding.message
