"""Attached Kubernetes computes (issue 14): the AKS (v1) compute and the Kubernetes compute that
runs the Azure ML extension are modelled with their scoring front end (azureml-fe). Serving
traces the callers to an internal front end and the nodes to what the extension and the
deployments need; a public front end is one finding (AML011) with its closure and serving
consequences; what the input does not show is said, never judged."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from dnshelp import CATALOG, env_of
from heiki.analyses.closure import CheckStatus
from heiki.analyses.readiness import Status
from heiki.designs import design_file
from heiki.generators.arm import arm_template
from heiki.model.environment import Environment
from heiki.model.ml import ScoringExposure
from heiki.rules.context import RuleContext
from heiki.rules.engine import run_rules
from heiki.sources import load

BASE = design_file("closed-genai").read_text(encoding="utf-8")  # type: ignore[union-attr]
QUICKSTART = (
    Path(__file__).resolve().parents[2]
    / "shared/data/templates/azure-quickstart/machine-learning-end-to-end-secure"
)


def _attached(compute: str = "{name: k8s-score, cluster: aks-score}", cluster: str = "") -> str:
    """closed-genai with an AKS cluster in the ML spoke attached to its workspace; the spoke's
    egress adds AKS's and the Azure ML extension's lists."""
    text = BASE.replace(
        "      batch_endpoints: [bep-score]\n",
        f"      batch_endpoints: [bep-score]\n      kubernetes_computes:\n        - {compute}\n",
        1,
    )
    text = text.replace(
        "egress: [azure-ml, mcr, pypi, conda, huggingface, github]",
        "egress: [azure-ml, mcr, pypi, conda, huggingface, github, aks, azureml-kubernetes]",
        1,
    )
    return text.replace(
        "      - {name: srch-genai}\n",
        f"      - {{name: srch-genai}}\n    aks_clusters:\n      - {{name: aks-score{cluster}}}\n",
        1,
    )


@cache
def _context(text: str) -> RuleContext:
    return RuleContext(env_of(text), CATALOG)


def _serving(ctx: RuleContext) -> Any:
    return ctx.readiness.get("serving")


def _roots(ctx: RuleContext) -> list[Any]:
    return [f for f in run_rules(ctx.env, CATALOG, context=ctx) if f.caused_by is None]


def test_an_internal_front_end_serves_the_callers_privately() -> None:
    ctx = _context(_attached())
    (compute,) = ctx.env.kubernetes_computes
    assert compute.exposure is ScoringExposure.INTERNAL
    assert compute.attach_type == "Kubernetes" and compute.https
    assert compute.scoring_subnet is not None and compute.scoring_subnet.name == "snet-aks"
    serving = _serving(ctx)
    assert serving.status is Status.READY
    assert "internal load balancer of k8s-score" in serving.via
    assert "Azure ML extension outbound" in serving.via
    # the callers' flow to the front end: on-premises to an address of snet-aks on 443
    scored = [t for t in serving.flows if t.port == 443 and t.destination.startswith("10.1.")]
    assert scored and all(t.vantage.startswith("onprem") for t in scored)
    assert ctx.closure.closed
    assert [f for f in _roots(ctx) if f.severity.value != "info"] == []


def test_the_cluster_and_compute_are_modelled_not_skipped() -> None:
    env = env_of(_attached())
    titles = {u.title for u in env.unmodelled}
    assert "Kubernetes compute" not in titles
    assert "Microsoft.KubernetesConfiguration/extensions" not in {u.type for u in env.unmodelled}
    cluster = env.unmodelled_resource(env.kubernetes_computes[0].cluster)  # type: ignore[arg-type]
    assert (
        cluster is not None
        and cluster.subnets
        and cluster.api_server_zone.endswith("privatelink.japaneast.azmk8s.io")
    )
    # the zone the blueprint brings is linked where the spoke resolves: the hub (no DNS016)
    assert any(z.name == "privatelink.japaneast.azmk8s.io" for z in env.private_dns_zones)


def test_a_public_front_end_is_one_finding_with_its_consequences() -> None:
    ctx = _context(_attached("{name: k8s-score, cluster: aks-score, front_end: public}"))
    serving = _serving(ctx)
    assert serving.status is Status.NOT_READY
    assert "public IP" in serving.summary
    assert ctx.closure.get("no public inbound").status is CheckStatus.FAIL
    roots = _roots(ctx)
    assert [f.rule_id for f in roots if f.severity.value == "error"] == ["AML011"]
    (root,) = [f for f in roots if f.rule_id == "AML011"]
    assert "inferenceRouterServiceType loadBalancer without an internal provider" in root.message
    findings = run_rules(ctx.env, CATALOG, context=ctx)
    folded = {f.rule_id for f in findings if f.caused_by == root.id}
    assert folded == {"CLS001", "RDY001"}
    assert root.location is not None and root.location.line > 0


def test_a_cluster_only_front_end_cannot_serve_callers_outside() -> None:
    ctx = _context(_attached("{name: k8s-score, cluster: aks-score, front_end: cluster-ip}"))
    serving = _serving(ctx)
    assert serving.status is Status.NOT_READY
    assert "only inside the cluster" in serving.summary
    assert ctx.closure.closed  # nothing is public: the defect is usability, not closure


def test_a_node_port_front_end_is_said_not_judged() -> None:
    ctx = _context(_attached("{name: k8s-score, cluster: aks-score, front_end: node-port}"))
    serving = _serving(ctx)
    assert serving.status is Status.READY  # the rest of serving is judged and works
    assert "not judged" in serving.summary and "node port" in serving.summary


def test_a_training_only_compute_has_no_scoring_path() -> None:
    ctx = _context(_attached("{name: k8s-train, cluster: aks-score, front_end: none}"))
    assert ctx.env.kubernetes_computes[0].exposure is ScoringExposure.NONE
    serving = _serving(ctx)
    assert serving.status is Status.READY
    assert "k8s-train" not in serving.summary


def test_a_v1_aks_compute_with_an_internal_load_balancer() -> None:
    ctx = _context(_attached("{name: aks-v1, cluster: aks-score, type: AKS}"))
    (compute,) = ctx.env.kubernetes_computes
    assert compute.attach_type == "AKS" and compute.exposure is ScoringExposure.INTERNAL
    serving = _serving(ctx)
    assert serving.status is Status.READY
    # a v1 compute runs no extension: its nodes need the workspace's dependencies only
    assert "workspace dependencies" in serving.via
    assert "Azure ML extension outbound" not in serving.via


def test_the_extension_needs_its_hosts_through_the_firewall() -> None:
    text = _attached().replace(", azureml-kubernetes]", "]", 1)
    serving = _serving(_context(text))
    assert serving.status is Status.NOT_READY
    assert any("archive.ubuntu.com" in e or "kusto" in e for e in serving.evidence)


def test_local_accounts_stay_on_where_the_extension_runs() -> None:
    ctx = _context(_attached())
    check = ctx.closure.get("local authentication off")
    assert check.status is CheckStatus.PASS
    assert "aks-score keep local accounts, which the Azure ML extension requires" in check.summary
    # the same cluster with no Kubernetes compute on it: local accounts fail closure
    alone = _context(
        _attached(cluster=", local_accounts: true").replace(
            "      kubernetes_computes:\n        - {name: k8s-score, cluster: aks-score}\n", "", 1
        )
    )
    assert alone.closure.get("local authentication off").status is CheckStatus.FAIL


def test_a_compute_naming_an_unknown_cluster_is_refused_where_written() -> None:
    from heiki.diagnostics import InputError

    with pytest.raises(InputError) as raised:
        env_of(_attached("{name: k8s-score, cluster: aks-other}"))
    assert "aks-other" in str(raised.value)


def test_the_attached_cluster_round_trips_through_the_generated_template(tmp_path: Path) -> None:
    env = env_of(_attached())
    generated = arm_template(env, address_parameters=False, name_parameters=False)
    types = {r["type"] for r in generated["resources"]}
    assert {
        "Microsoft.ContainerService/managedClusters",
        "Microsoft.KubernetesConfiguration/extensions",
    } <= types
    path = tmp_path / "again.json"
    path.write_text(json.dumps(generated), encoding="utf-8")
    again = load([str(path)]).environment
    assert _front_ends(again) == _front_ends(env)


def _front_ends(env: Environment) -> list[tuple[Any, ...]]:
    return sorted(
        (c.name, c.attach_type, c.exposure, c.https, c.scoring_subnet and c.scoring_subnet.name)
        for c in env.kubernetes_computes
    )


def test_the_quickstart_aks_compute_is_modelled_with_azures_default() -> None:
    path = QUICKSTART / "azuredeploy.json"
    if not path.is_file():
        pytest.skip("../shared not present")
    result = load([str(path)], parameters=[str(QUICKSTART / "azuredeploy.parameters.json")])
    env = result.environment
    (compute,) = env.kubernetes_computes
    assert compute.attach_type == "AKS" and compute.exposure is ScoringExposure.PUBLIC
    assert compute.exposure_default and "Azure's default" in compute.exposure_reason
    assert "Kubernetes compute" not in {u.title for u in env.unmodelled}
    ctx = RuleContext(env, CATALOG)
    aml011 = [f for f in _roots(ctx) if f.rule_id == "AML011"]
    assert len(aml011) == 1 and aml011[0].location is not None
    assert aml011[0].location.line == 1941  # the compute's properties in the nested template


TERRAFORM = """
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
  address_prefixes     = ["10.4.0.0/22"]
}
resource "azurerm_kubernetes_cluster" "aks" {
  name                    = "aks-tf"
  location                = "westeurope"
  resource_group_name     = "rg"
  dns_prefix              = "akstf"
  private_cluster_enabled = true
  default_node_pool {
    name           = "system"
    vm_size        = "Standard_D4s_v5"
    vnet_subnet_id = azurerm_subnet.aks.id
  }
  network_profile {
    network_plugin = "azure"
    outbound_type  = "userDefinedRouting"
  }
}
resource "azurerm_kubernetes_cluster_extension" "ml" {
  name           = "azureml"
  cluster_id     = azurerm_kubernetes_cluster.aks.id
  extension_type = "Microsoft.AzureML.Kubernetes"
  configuration_settings = {
    enableInference              = "True"
    inferenceRouterServiceType   = "loadBalancer"
    internalLoadBalancerProvider = "azure"
    allowInsecureConnections     = "False"
  }
}
resource "azapi_resource" "k8s" {
  type      = "Microsoft.MachineLearningServices/workspaces/computes@2024-10-01"
  name      = "k8s-tf"
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/mlw-tf"
  location  = "westeurope"
  body = {
    properties = {
      computeType = "Kubernetes"
      resourceId  = azurerm_kubernetes_cluster.aks.id
    }
  }
}
resource "azurerm_machine_learning_inference_cluster" "v1" {
  name                          = "aks-v1"
  location                      = "westeurope"
  machine_learning_workspace_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/mlw-tf"
  kubernetes_cluster_id         = azurerm_kubernetes_cluster.aks.id
  cluster_purpose               = "FastProd"
}
"""


def test_terraform_extension_and_inference_cluster(tmp_path: Path) -> None:
    folder = tmp_path / "tf"
    folder.mkdir()
    (folder / "main.tf").write_text(TERRAFORM, encoding="utf-8")
    env = load([str(folder)]).environment
    by_name = {c.name: c for c in env.kubernetes_computes}
    assert by_name["k8s-tf"].exposure is ScoringExposure.INTERNAL
    assert str(by_name["k8s-tf"].scoring_subnet).endswith("/subnets/snet-aks")
    assert by_name["k8s-tf"].exposure_source is not None
    assert by_name["k8s-tf"].exposure_source.line > 0
    # azurerm's inference cluster writes no load balancer type: Azure's default, public
    assert by_name["aks-v1"].exposure is ScoringExposure.PUBLIC
    assert "Microsoft.KubernetesConfiguration/extensions" not in {u.type for u in env.unmodelled}


def test_a_kubernetes_compute_without_its_extension_is_unknown(tmp_path: Path) -> None:
    folder = tmp_path / "tf"
    folder.mkdir()
    blocks = TERRAFORM.split("\nresource ")
    kept = [b for b in blocks if "cluster_extension" not in b and "inference_cluster" not in b]
    text = "\nresource ".join(kept)
    (folder / "main.tf").write_text(text, encoding="utf-8")
    env = load([str(folder)]).environment
    (compute,) = env.kubernetes_computes
    assert compute.exposure is ScoringExposure.UNKNOWN
    assert "extension" in compute.exposure_reason


def test_on_premises_forwards_the_api_server_zone() -> None:
    from heiki.analyses.dns.forwarders import forwarder_plan

    plan = forwarder_plan(env_of(_attached()), CATALOG)
    assert "japaneast.azmk8s.io" in plan.zones
    # a public API server needs no forwarder
    public = env_of(_attached(cluster=", private: false"))
    assert "japaneast.azmk8s.io" not in forwarder_plan(public, CATALOG).zones


def test_the_html_diagram_places_the_internal_front_end(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from heiki.cli.main import cli

    design = tmp_path / "aks.yaml"
    design.write_text(_attached(), encoding="utf-8")
    page = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["check", str(design), "--format", "html", "-o", str(page)])
    assert result.exit_code == 0, result.output
    assert "scoring k8s-score" in page.read_text(encoding="utf-8")


def test_a_blueprint_cluster_on_azure_cni_must_fit_its_subnet() -> None:
    """Azure CNI on the node subnet: 8 nodes take (8 + 1) x 31 = 279 addresses, more than
    snet-aks (/24) holds - NET006; the default overlay takes the nodes only."""
    crowded = _context(_attached(cluster=", network_plugin: azure, nodes: 8"))
    findings = [f for f in _roots(crowded) if f.rule_id == "NET006"]
    assert len(findings) == 1 and "279 addresses" in findings[0].message
    assert not [
        f for f in _roots(_context(_attached(cluster=", nodes: 8"))) if f.rule_id == "NET006"
    ]


def test_an_extension_cluster_without_local_accounts_is_not_said_to_keep_them() -> None:
    ctx = _context(_attached(cluster=", local_accounts: false"))
    check = ctx.closure.get("local authentication off")
    assert check.status is CheckStatus.PASS
    assert "keep local accounts" not in check.summary


def test_a_v1_load_balancer_subnet_apart_from_the_nodes_round_trips(tmp_path: Path) -> None:
    from test_coverage import ML, NET, ml_template, resource, rid, write

    def subnet(name: str) -> str:
        return rid(f"{NET}/virtualNetworks/subnets", "vnet-aks", name)

    vnet = resource(
        f"{NET}/virtualNetworks",
        "vnet-aks",
        {
            "addressSpace": {"addressPrefixes": ["10.30.0.0/16"]},
            "subnets": [
                {"name": "snet-nodes", "properties": {"addressPrefix": "10.30.1.0/24"}},
                {"name": "snet-lb", "properties": {"addressPrefix": "10.30.2.0/27"}},
            ],
        },
    )
    aks = resource(
        "Microsoft.ContainerService/managedClusters",
        "aks-v1",
        {
            "agentPoolProfiles": [{"name": "system", "vnetSubnetID": subnet("snet-nodes")}],
            "networkProfile": {"networkPlugin": "kubenet", "outboundType": "userDefinedRouting"},
            "apiServerAccessProfile": {"enablePrivateCluster": True},
        },
    )
    compute = resource(
        f"{ML}/workspaces/computes",
        "mlw/aks-v1",
        {
            "computeType": "AKS",
            "resourceId": rid("Microsoft.ContainerService/managedClusters", "aks-v1"),
            "properties": {
                "loadBalancerType": "InternalLoadBalancer",
                "loadBalancerSubnet": "snet-lb",
                "aksNetworkingConfiguration": {"subnetId": subnet("snet-nodes")},
            },
        },
    )
    env = load([write(tmp_path, ml_template(vnet, aks, compute))]).environment
    (attached,) = env.kubernetes_computes
    assert attached.scoring_subnet is not None and attached.scoring_subnet.name == "snet-lb"
    generated = arm_template(env, address_parameters=False, name_parameters=False)
    written = next(r for r in generated["resources"] if r["name"] == "mlw/aks-v1")
    networking = written["properties"]["properties"]["aksNetworkingConfiguration"]
    assert "snet-nodes" in networking["subnetId"]  # the cluster's subnet, not the balancer's
    path = tmp_path / "again.json"
    path.write_text(json.dumps(generated), encoding="utf-8")
    again = load([str(path)]).environment
    assert _front_ends(again) == _front_ends(env)
