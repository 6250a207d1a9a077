"""Synthetic estates of growing size, written as blueprints (what a user would write)."""

from __future__ import annotations

from typing import Any

from heiki.model.environment import Environment
from heiki.sources import load_blueprint
from heiki.sources.yamlread import parse_yaml


def spoke_estate(spokes: int, workspaces: bool = False) -> str:
    """A hub with a resolver and firewall, on-premises forwarding to it, and ``spokes`` spokes.

    Each spoke is a /24 with a VM subnet holding one VM and a private-endpoint subnet with a
    storage account's blob endpoint; with ``workspaces`` each spoke also gets an Azure ML
    workspace with four compute instances and a cluster (six more endpoints).
    """
    lines = [
        "name: synthetic",
        "location: japaneast",
        "onprem:",
        "  address_space: [192.168.0.0/16]",
        "  clients: [192.168.10.0/24]",
        "  dns: {servers: [192.168.0.53], forward_to: hub}",
        "hub:",
        "  address_space: 10.0.0.0/16",
        "  firewall: {sku: standard}",
        "spokes:",
    ]
    for index in range(spokes):
        second, third = divmod(index, 256)
        base = f"10.{second + 1}.{third}"
        lines += [
            f"  s{index}:",
            f"    address_space: {base}.0/24",
            "    egress: [pypi]",
            f"    storage_accounts: [{{name: st{index:05d}syn, private_endpoints: [blob]}}]",
            f"    vms: [{{name: vm-{index}}}]",
        ]
        if workspaces:
            lines += [
                "    subnets: {compute: " + f"{base}.0/27, cluster: {base}.64/26, "
                f"pe: {base}.32/27, vms: {base}.128/27" + "}",
                "    workspace:",
                f"      name: mlw-{index}",
                "      compute:",
                f"        instances: [ci-{index}-a, ci-{index}-b, ci-{index}-c, ci-{index}-d]",
                f"        clusters: [{{name: cc-{index}, image_build: true}}]",
            ]
        else:
            lines += ["    subnets: {pe: " + f"{base}.0/27, vms: {base}.32/27" + "}"]
    return "\n".join(lines) + "\n"


def load_estate(spokes: int, workspaces: bool = False) -> Environment:
    return load_blueprint(
        parse_yaml(spoke_estate(spokes, workspaces), "synthetic.yaml")
    ).environment


ARM_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
ARM_COPY_MAX = 800
"""Azure's limit on a copy loop's count: a loop of spoke deployments holds at most 800."""


def _arm_spoke_module() -> dict[str, Any]:
    """One spoke as a platform team writes it once: a VNet with a workload subnet behind an NSG
    and a route table that sends everything to the hub firewall, a peering to the hub, a VM."""
    name = "[format('vnet-s{0}', parameters('index'))]"
    table = "[resourceId('Microsoft.Network/routeTables', format('rt-s{0}', parameters('index')))]"
    nsg = (
        "[resourceId('Microsoft.Network/networkSecurityGroups', "
        "format('nsg-s{0}', parameters('index')))]"
    )
    nic = "[resourceId('Microsoft.Network/networkInterfaces', format('nic-s{0}', parameters('index')))]"
    vnet = "[resourceId('Microsoft.Network/virtualNetworks', variables('name'))]"
    return {
        "$schema": ARM_SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {
            "index": {"type": "int"},
            "hubId": {"type": "string"},
            "firewallIp": {"type": "string"},
        },
        "variables": {
            "name": name,
            "prefix": "[format('10.{0}.{1}.0/24', add(div(parameters('index'), 256), 1), "
            "mod(parameters('index'), 256))]",
        },
        "resources": [
            {
                "type": "Microsoft.Network/routeTables",
                "apiVersion": "2023-09-01",
                "name": "[format('rt-s{0}', parameters('index'))]",
                "location": "japaneast",
                "properties": {
                    "disableBgpRoutePropagation": True,
                    "routes": [
                        {
                            "name": "default",
                            "properties": {
                                "addressPrefix": "0.0.0.0/0",
                                "nextHopType": "VirtualAppliance",
                                "nextHopIpAddress": "[parameters('firewallIp')]",
                            },
                        }
                    ],
                },
            },
            {
                "type": "Microsoft.Network/networkSecurityGroups",
                "apiVersion": "2023-09-01",
                "name": "[format('nsg-s{0}', parameters('index'))]",
                "location": "japaneast",
                "properties": {"securityRules": []},
            },
            {
                "type": "Microsoft.Network/virtualNetworks",
                "apiVersion": "2023-09-01",
                "name": "[variables('name')]",
                "location": "japaneast",
                "dependsOn": [table, nsg],
                "properties": {
                    "addressSpace": {"addressPrefixes": ["[variables('prefix')]"]},
                    "dhcpOptions": {"dnsServers": ["[parameters('firewallIp')]"]},
                    "subnets": [
                        {
                            "name": "snet-workload",
                            "properties": {
                                "addressPrefix": "[variables('prefix')]",
                                "defaultOutboundAccess": False,
                                "routeTable": {"id": table},
                                "networkSecurityGroup": {"id": nsg},
                            },
                        }
                    ],
                },
            },
            {
                "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
                "apiVersion": "2023-09-01",
                "name": "[format('{0}/to-hub', variables('name'))]",
                "dependsOn": [vnet],
                "properties": {
                    "remoteVirtualNetwork": {"id": "[parameters('hubId')]"},
                    "allowVirtualNetworkAccess": True,
                    "allowForwardedTraffic": True,
                },
            },
            {
                "type": "Microsoft.Network/networkInterfaces",
                "apiVersion": "2023-09-01",
                "name": "[format('nic-s{0}', parameters('index'))]",
                "location": "japaneast",
                "dependsOn": [vnet],
                "properties": {
                    "ipConfigurations": [
                        {
                            "name": "ip",
                            "properties": {
                                "privateIPAllocationMethod": "Dynamic",
                                "subnet": {
                                    "id": "[resourceId('Microsoft.Network/virtualNetworks/"
                                    "subnets', variables('name'), 'snet-workload')]"
                                },
                            },
                        }
                    ]
                },
            },
            {
                "type": "Microsoft.Compute/virtualMachines",
                "apiVersion": "2023-09-01",
                "name": "[format('vm-s{0}', parameters('index'))]",
                "location": "japaneast",
                "dependsOn": [nic],
                "properties": {
                    "hardwareProfile": {"vmSize": "Standard_B2s"},
                    "networkProfile": {"networkInterfaces": [{"id": nic}]},
                },
            },
        ],
    }


def spoke_loop_template(spokes: int) -> dict[str, Any]:
    """A hub with Azure Firewall (DNS proxy on) and ``spokes`` spokes deployed by one copy loop
    over an inline spoke module, the hub's peerings by another (at most ``ARM_COPY_MAX``): the
    ARM a platform team writes for many spokes, one module evaluated once per spoke."""
    firewall = "[resourceId('Microsoft.Network/azureFirewalls', 'afw-hub')]"
    return {
        "$schema": ARM_SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {"spokes": {"type": "int", "defaultValue": spokes}},
        "resources": [
            {
                "type": "Microsoft.Network/virtualNetworks",
                "apiVersion": "2023-09-01",
                "name": "vnet-hub",
                "location": "japaneast",
                "properties": {
                    "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                    "subnets": [
                        {
                            "name": "AzureFirewallSubnet",
                            "properties": {"addressPrefix": "10.0.1.0/26"},
                        }
                    ],
                },
            },
            {
                "type": "Microsoft.Network/publicIPAddresses",
                "apiVersion": "2023-09-01",
                "name": "pip-fw",
                "location": "japaneast",
                "sku": {"name": "Standard"},
                "properties": {"publicIPAllocationMethod": "Static"},
            },
            {
                "type": "Microsoft.Network/firewallPolicies",
                "apiVersion": "2023-09-01",
                "name": "afwp",
                "location": "japaneast",
                "properties": {"sku": {"tier": "Standard"}, "dnsSettings": {"enableProxy": True}},
            },
            {
                "type": "Microsoft.Network/azureFirewalls",
                "apiVersion": "2023-09-01",
                "name": "afw-hub",
                "location": "japaneast",
                "dependsOn": [
                    "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-hub')]",
                    "[resourceId('Microsoft.Network/publicIPAddresses', 'pip-fw')]",
                    "[resourceId('Microsoft.Network/firewallPolicies', 'afwp')]",
                ],
                "properties": {
                    "sku": {"name": "AZFW_VNet", "tier": "Standard"},
                    "firewallPolicy": {
                        "id": "[resourceId('Microsoft.Network/firewallPolicies', 'afwp')]"
                    },
                    "ipConfigurations": [
                        {
                            "name": "ip",
                            "properties": {
                                "subnet": {
                                    "id": "[resourceId('Microsoft.Network/virtualNetworks/"
                                    "subnets', 'vnet-hub', 'AzureFirewallSubnet')]"
                                },
                                "publicIPAddress": {
                                    "id": "[resourceId('Microsoft.Network/publicIPAddresses', "
                                    "'pip-fw')]"
                                },
                            },
                        }
                    ],
                },
            },
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "[format('spoke-{0}', copyIndex())]",
                "copy": {"name": "spokes", "count": "[parameters('spokes')]"},
                "dependsOn": [firewall],
                "properties": {
                    "mode": "Incremental",
                    "expressionEvaluationOptions": {"scope": "inner"},
                    "parameters": {
                        "index": {"value": "[copyIndex()]"},
                        "hubId": {
                            "value": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-hub')]"
                        },
                        "firewallIp": {"value": "10.0.1.4"},
                    },
                    "template": _arm_spoke_module(),
                },
            },
            {
                "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
                "apiVersion": "2023-09-01",
                "name": "[format('vnet-hub/to-s{0}', copyIndex())]",
                "copy": {
                    "name": "hubPeerings",
                    "count": "[parameters('spokes')]",
                    "mode": "serial",
                    "batchSize": 1,
                },
                "dependsOn": ["spokes"],
                "properties": {
                    "remoteVirtualNetwork": {
                        "id": "[resourceId('Microsoft.Network/virtualNetworks', "
                        "format('vnet-s{0}', copyIndex()))]"
                    },
                    "allowVirtualNetworkAccess": True,
                    "allowForwardedTraffic": True,
                },
            },
        ],
    }
