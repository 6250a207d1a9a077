"""Rules that know the context: Azure Bastion's documented NSG rules are the entry point working
as designed, and studio storage behind a service endpoint beside the workspace's private endpoint
is Microsoft's documented alternative to storage private endpoints."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from heiki.catalog import load_catalog
from heiki.reports.record import check_environment
from heiki.sources import load
from test_coverage import ML, NET, ml_template, resource, rid, write

CATALOG = load_catalog()


def _rule(name: str, priority: int, direction: str, peer: str, ports: list[str]) -> dict[str, Any]:
    inbound = direction == "Inbound"
    return {
        "name": name,
        "properties": {
            "priority": priority,
            "direction": direction,
            "access": "Allow",
            "protocol": "Tcp",
            "sourceAddressPrefix": peer if inbound else "*",
            "sourcePortRange": "*",
            "destinationAddressPrefix": "*" if inbound else peer,
            "destinationPortRanges": ports,
        },
    }


# Microsoft's documented rules for AzureBastionSubnet (learn.microsoft.com/azure/bastion/bastion-nsg)
BASTION_RULES = [
    _rule("AllowHttpsInbound", 120, "Inbound", "Internet", ["443"]),
    _rule("AllowGatewayManagerInbound", 130, "Inbound", "GatewayManager", ["443"]),
    _rule("AllowAzureLoadBalancerInbound", 140, "Inbound", "AzureLoadBalancer", ["443"]),
    _rule("AllowBastionHostCommunication", 150, "Inbound", "VirtualNetwork", ["8080", "5701"]),
    _rule("AllowSshRdpOutbound", 100, "Outbound", "VirtualNetwork", ["22", "3389"]),
    _rule("AllowAzureCloudOutbound", 110, "Outbound", "AzureCloud", ["443"]),
    _rule("AllowBastionCommunication", 120, "Outbound", "VirtualNetwork", ["8080", "5701"]),
    _rule("AllowHttpOutbound", 130, "Outbound", "Internet", ["80"]),
]


def _with_bastion(extra_rules: list[dict[str, Any]]) -> dict[str, Any]:
    document = ml_template()
    nsg = rid(f"{NET}/networkSecurityGroups", "nsg-bastion")
    document["resources"][0]["properties"]["subnets"].append(
        {
            "name": "AzureBastionSubnet",
            "properties": {"addressPrefix": "10.20.250.0/26", "networkSecurityGroup": {"id": nsg}},
        }
    )
    document["resources"] += [
        resource(
            f"{NET}/networkSecurityGroups",
            "nsg-bastion",
            {"securityRules": BASTION_RULES + extra_rules},
        ),
        resource(f"{NET}/publicIPAddresses", "pip-bastion", sku={"name": "Standard"}),
        resource(
            f"{NET}/bastionHosts",
            "bas-ml",
            {
                "ipConfigurations": [
                    {
                        "name": "ipconfig",
                        "properties": {
                            "subnet": {
                                "id": rid(
                                    f"{NET}/virtualNetworks/subnets",
                                    "vnet-ml",
                                    "AzureBastionSubnet",
                                )
                            },
                            "publicIPAddress": {
                                "id": rid(f"{NET}/publicIPAddresses", "pip-bastion")
                            },
                        },
                    }
                ]
            },
        ),
    ]
    return document


def _check(tmp_path: Path, document: dict[str, Any]) -> Any:
    return check_environment(load([write(tmp_path, document)]).environment, CATALOG)


def test_bastion_with_exactly_the_documented_rules_is_an_access_path(tmp_path: Path) -> None:
    result = _check(tmp_path, _with_bastion([]))
    rules = {f.rule_id for f in result.findings}
    assert "CLS001" not in rules and "NSG002" not in rules
    check = result.closure.get("no public inbound")
    assert check.status.value == "pass"
    assert "access path: Azure Bastion bas-ml" in check.summary


@pytest.mark.parametrize(
    ("extra", "rule"),
    [
        (_rule("AllowSshFromInternet", 200, "Inbound", "Internet", ["22"]), "CLS001"),
        (_rule("AllowStorageOut", 200, "Outbound", "Storage", ["443"]), "NSG002"),
    ],
)
def test_a_rule_beyond_bastions_is_reported(tmp_path: Path, extra: Any, rule: str) -> None:
    result = _check(tmp_path, _with_bastion([extra]))
    assert rule in {f.rule_id for f in result.findings}


def test_bastion_rules_on_a_workload_subnet_are_not_exempt(tmp_path: Path) -> None:
    document = _with_bastion([])
    compute = document["resources"][0]["properties"]["subnets"][0]["properties"]
    compute["networkSecurityGroup"] = {"id": rid(f"{NET}/networkSecurityGroups", "nsg-bastion")}
    assert "CLS001" in {f.rule_id for f in _check(tmp_path, document).findings}


# -- AML006: studio storage behind a service endpoint ---------------------------------------------


def _studio(service_endpoint_subnet: str) -> dict[str, Any]:
    """A private workspace with its endpoint in snet-pe; its storage is public-enabled but
    denies by default, admitting one subnet whose Microsoft.Storage service endpoint is on."""
    document = copy.deepcopy(ml_template())
    subnets = {s["name"]: s for s in document["resources"][0]["properties"]["subnets"]}
    subnets[service_endpoint_subnet]["properties"]["serviceEndpoints"] = [
        {"service": "Microsoft.Storage"}
    ]
    storage = next(r for r in document["resources"] if r["name"] == "stml")
    storage["properties"] = {
        "publicNetworkAccess": "Enabled",
        "allowSharedKeyAccess": False,
        "networkAcls": {
            "defaultAction": "Deny",
            "virtualNetworkRules": [
                {"id": rid(f"{NET}/virtualNetworks/subnets", "vnet-ml", service_endpoint_subnet)}
            ],
        },
    }
    document["resources"].append(
        resource(
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
    )
    return document


def test_storage_service_endpoint_beside_the_workspace_endpoint_serves_studio(
    tmp_path: Path,
) -> None:
    result = _check(tmp_path, _studio("snet-pe"))
    assert "AML006" not in {f.rule_id for f in result.findings}


def test_storage_service_endpoint_in_another_subnet_does_not(tmp_path: Path) -> None:
    result = _check(tmp_path, _studio("snet-compute"))
    messages = [f.message for f in result.findings if f.rule_id == "AML006"]
    assert messages and "no blob private endpoint" in messages[0]
