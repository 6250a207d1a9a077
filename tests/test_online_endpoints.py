"""Managed online endpoints of a private-link workspace: the scoring name
(``<endpoint>.<region>.inference.ml.azure.com``) chains into the workspace's privatelink zone,
where the zone group's wildcard inference record answers the endpoint's third IP (catalog
``online_endpoint_names``); the DNS matrix expects it private, and a trace follows it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dnshelp import CATALOG
from heiki.analyses.dns import Resolver
from heiki.analyses.dns.types import Outcome
from heiki.analyses.trace import Tracer, Verdict
from heiki.analyses.vantage import find_vantage
from heiki.catalog.names import online_endpoint_names
from heiki.model.values import DnsName
from heiki.sources import load
from test_coverage import ML, NET, ml_template, resource, rid, run, write

ZONES = ["privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"]


def _workspace_endpoint(zones: list[str]) -> list[Any]:
    endpoint = resource(
        f"{NET}/privateEndpoints",
        "pe-mlw",
        {
            "subnet": {"id": rid(f"{NET}/virtualNetworks/subnets", "vnet-ml", "snet-pe")},
            "privateLinkServiceConnections": [
                {
                    "name": "mlw",
                    "properties": {
                        "privateLinkServiceId": rid(f"{ML}/workspaces", "mlw"),
                        "groupIds": ["amlworkspace"],
                    },
                }
            ],
        },
    )
    group = resource(
        f"{NET}/privateEndpoints/privateDnsZoneGroups",
        "pe-mlw/default",
        {
            "privateDnsZoneConfigs": [
                {
                    "name": zone.replace(".", "-"),
                    "properties": {"privateDnsZoneId": rid(f"{NET}/privateDnsZones", zone)},
                }
                for zone in zones
            ]
        },
    )
    parts = [endpoint, group]
    for zone in zones:
        parts.append(resource(f"{NET}/privateDnsZones", zone, {}, location="global"))
        parts.append(
            resource(
                f"{NET}/privateDnsZones/virtualNetworkLinks",
                f"{zone}/link-ml",
                {
                    "virtualNetwork": {"id": rid(f"{NET}/virtualNetworks", "vnet-ml")},
                    "registrationEnabled": False,
                },
                location="global",
            )
        )
    return parts


ONLINE = resource(
    f"{ML}/workspaces/onlineEndpoints",
    "mlw/ep-rag",
    {"authMode": "AMLToken", "publicNetworkAccess": "Disabled"},
)


def _env(tmp_path: Path, zones: list[str] = ZONES) -> Any:
    return load([write(tmp_path, ml_template(*_workspace_endpoint(zones), ONLINE))]).environment


def test_the_scoring_name_chains_into_the_workspace_zone(tmp_path: Path) -> None:
    env = _env(tmp_path)
    (online,) = online_endpoint_names(CATALOG, env)
    workspace = env.workspaces[0]
    assert str(online.public) == "ep-rag.japaneast.inference.ml.azure.com"
    assert str(online.target) == (
        f"ep-rag.{workspace.workspace_id}.inference.japaneast.privatelink.api.azureml.ms"
    )
    resolver = Resolver(env, CATALOG)
    answer = resolver.resolve(find_vantage(env, "cluster"), DnsName(str(online.public)))
    assert answer.outcome is Outcome.PRIVATE, answer
    (endpoint,) = resolver.world.env.private_endpoints
    inference = endpoint.ip_configurations[2].private_ip_address
    assert answer.addresses == (inference,)


def test_the_matrix_expects_the_scoring_name_private(tmp_path: Path) -> None:
    path = write(tmp_path, ml_template(*_workspace_endpoint(ZONES), ONLINE))
    _, stdout, _ = run("check", path, "--format", "json")
    record = json.loads(stdout)
    cells = [c for c in record["dns"]["cells"] if c["name"].startswith("ep-rag.")]
    assert cells and all(c["ok"] and c["expected"] == "private" for c in cells), cells


def test_a_trace_to_the_scoring_name_reaches_the_private_endpoint(tmp_path: Path) -> None:
    env = _env(tmp_path)
    flow = Tracer(env, CATALOG).trace(
        find_vantage(env, "cluster"), "ep-rag.japaneast.inference.ml.azure.com", 443
    )
    assert flow.verdict is Verdict.DELIVERED, flow.reason
    assert "through pe-mlw" in flow.reason


def test_without_a_workspace_private_endpoint_no_private_name_is_expected(tmp_path: Path) -> None:
    env = load([write(tmp_path, ml_template(ONLINE))]).environment
    assert online_endpoint_names(CATALOG, env) == ()


def _jumpbox() -> list[Any]:
    nic = resource(
        f"{NET}/networkInterfaces",
        "nic-jump",
        {
            "ipConfigurations": [
                {
                    "name": "ipconfig1",
                    "properties": {
                        "subnet": {
                            "id": rid(f"{NET}/virtualNetworks/subnets", "vnet-ml", "snet-compute")
                        },
                        "privateIPAllocationMethod": "Dynamic",
                    },
                }
            ]
        },
    )
    vm = resource(
        "Microsoft.Compute/virtualMachines",
        "vm-jump",
        {
            "networkProfile": {
                "networkInterfaces": [{"id": rid(f"{NET}/networkInterfaces", "nic-jump")}]
            }
        },
        tags={"heiki-role": "jumpbox"},
    )
    return [nic, vm]


def _serving(tmp_path: Path, *extra: Any) -> dict[str, Any]:
    path = write(tmp_path, ml_template(*_workspace_endpoint(ZONES), *extra))
    _, stdout, _ = run("check", path, "--format", "json")
    record = json.loads(stdout)
    return next(c for c in record["readiness"] if c["capability"] == "serving")


def test_callers_reach_the_online_endpoint_privately(tmp_path: Path) -> None:
    capability = _serving(tmp_path, ONLINE, *_jumpbox())
    assert capability["status"] == "ready", capability
    assert capability["loop"] == "outer" and capability["via"] == "workspace private endpoint"


def test_serving_without_callers_or_endpoints_is_not_applicable(tmp_path: Path) -> None:
    assert _serving(tmp_path, ONLINE)["summary"] == (
        "no caller network declared (on-premises or jump box)"
    )
    assert _serving(tmp_path, *_jumpbox())["summary"] == "no online endpoint"


def test_on_premises_callers_without_a_dns_path_are_not_served(tmp_path: Path) -> None:
    onprem = tmp_path / "onprem.yaml"
    onprem.write_text(
        "onprem:\n  address_space: [192.168.0.0/16]\n  clients: [192.168.10.0/24]\n"
        "  dns: {servers: [192.168.0.53]}\n",
        encoding="utf-8",
    )
    path = write(tmp_path, ml_template(*_workspace_endpoint(ZONES), ONLINE))
    _, stdout, _ = run("check", path, "--onprem", str(onprem), "--format", "json")
    record = json.loads(stdout)
    capability = next(c for c in record["readiness"] if c["capability"] == "serving")
    assert capability["status"] == "not-ready", capability
    assert "ep-rag.japaneast.inference.ml.azure.com" in capability["summary"]


# -- AKS node pools: their subnets are traced for AKS's required outbound ------------------------


def _with_aks(private_subnet: bool) -> dict[str, Any]:
    document = ml_template(
        resource(
            "Microsoft.ContainerService/managedClusters",
            "aks-infer",
            {
                "agentPoolProfiles": [
                    {
                        "name": "system",
                        "count": 2,
                        "vnetSubnetID": rid(
                            f"{NET}/virtualNetworks/subnets", "vnet-ml", "snet-aks"
                        ),
                    }
                ],
                "networkProfile": {"networkPlugin": "azure", "outboundType": "userDefinedRouting"},
            },
        )
    )
    document["resources"][0]["properties"]["subnets"].append(
        {
            "name": "snet-aks",
            "properties": {
                "addressPrefix": "10.20.3.0/24",
                "defaultOutboundAccess": not private_subnet,
            },
        }
    )
    return document


def test_aks_node_subnets_are_traced_for_what_aks_needs(tmp_path: Path) -> None:
    from heiki.analyses.egress import egress_report

    env = load([write(tmp_path, _with_aks(private_subnet=True))]).environment
    report = egress_report(env, CATALOG)
    (nodes,) = [s for s in report.subnets if s.vantage.name == "ml/aks"]
    assert nodes.roles == ("aks-nodes",)
    wanted = {r.target for r in nodes.required if r.profile == "aks"}
    assert {"mcr.microsoft.com", "management.azure.com", "packages.aks.azure.com"} <= wanted


def test_serving_is_not_ready_when_aks_nodes_cannot_leave(tmp_path: Path) -> None:
    _, stdout, _ = run("check", write(tmp_path, _with_aks(private_subnet=True)), "--format", "json")
    record = json.loads(stdout)
    serving = next(c for c in record["readiness"] if c["capability"] == "serving")
    assert serving["status"] == "not-ready", serving
    assert serving["summary"].startswith("reach what AKS nodes need: blocked from ml/aks")


def test_aks_nodes_with_default_outbound_serve_but_bypass_the_firewall(tmp_path: Path) -> None:
    _, stdout, _ = run(
        "check", write(tmp_path, _with_aks(private_subnet=False)), "--format", "json"
    )
    record = json.loads(stdout)
    serving = next(c for c in record["readiness"] if c["capability"] == "serving")
    assert serving["status"] == "ready" and serving["via"] == "AKS required outbound"
    closure = {c["check"]: c for c in record["closure"]["checks"]}
    egress = closure["egress through an inspecting firewall"]
    assert egress["status"] == "fail"
    assert any(e.startswith("ml/aks reaches the internet") for e in egress["evidence"])
