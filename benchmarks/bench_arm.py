"""Expand a compiled-Bicep-style template with N resources (default 2,000).

Run: python benchmarks/bench_arm.py [--sizes 500,2000,5000]
Each group of five resources is a VNet with two subnets (property loop), an NSG, a private DNS
zone link, a private endpoint with a zone group, in the shapes Bicep emits: format() names,
resourceId() dependencies, uniqueString() suffixes, reference() to the NSG's declared properties.
Columns: resources, file size, expansion seconds (json.loads + expand) and microseconds per
resource, and the full load (read, expand, line positions, conversion into the model).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from heiki.sources.arm.load import load_arm
from heiki.sources.arm.template import expand_template

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def group(i: int) -> list[dict[str, Any]]:
    vnet = f"[format('vnet-{{0}}-{{1}}', parameters('prefix'), {i})]"
    return [
        {
            "type": "Microsoft.Network/networkSecurityGroups",
            "apiVersion": "2023-09-01",
            "name": f"[format('nsg-{{0}}', {i})]",
            "location": "[parameters('location')]",
            "properties": {
                "securityRules": [
                    {
                        "name": "deny",
                        "properties": {
                            "priority": 4096,
                            "access": "Deny",
                            "direction": "Outbound",
                            "protocol": "*",
                            "sourceAddressPrefix": "*",
                            "destinationAddressPrefix": "Internet",
                            "sourcePortRange": "*",
                            "destinationPortRange": "*",
                        },
                    }
                ]
            },
        },
        {
            "type": "Microsoft.Network/virtualNetworks",
            "apiVersion": "2023-09-01",
            "name": vnet,
            "location": "[parameters('location')]",
            "dependsOn": [
                f"[resourceId('Microsoft.Network/networkSecurityGroups', format('nsg-{{0}}', {i}))]"
            ],
            "properties": {
                "addressSpace": {"addressPrefixes": [f"[cidrSubnet('10.0.0.0/8', 20, {i})]"]},
                "copy": [
                    {
                        "name": "subnets",
                        "count": 2,
                        "input": {
                            "name": "[format('snet-{0}', copyIndex('subnets'))]",
                            "properties": {
                                "addressPrefix": f"[cidrSubnet(cidrSubnet('10.0.0.0/8', 20, {i}), 24, copyIndex('subnets'))]",
                                "networkSecurityGroup": {
                                    "id": f"[resourceId('Microsoft.Network/networkSecurityGroups', format('nsg-{{0}}', {i}))]"
                                },
                                "rules": f"[length(reference(resourceId('Microsoft.Network/networkSecurityGroups', format('nsg-{{0}}', {i})), '2023-09-01').securityRules)]",
                            },
                        },
                    }
                ],
            },
        },
        {
            "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            "apiVersion": "2020-06-01",
            "name": f"[format('privatelink.blob.core.windows.net/link-{{0}}', uniqueString('{i}', resourceGroup().id))]",
            "location": "global",
            "properties": {
                "registrationEnabled": False,
                "virtualNetwork": {
                    "id": f"[resourceId('Microsoft.Network/virtualNetworks', format('vnet-{{0}}-{{1}}', parameters('prefix'), {i}))]"
                },
            },
        },
        {
            "type": "Microsoft.Network/privateEndpoints",
            "apiVersion": "2023-09-01",
            "name": f"[format('pe-st{{0}}', {i})]",
            "location": "[parameters('location')]",
            "properties": {
                "subnet": {
                    "id": f"[resourceId('Microsoft.Network/virtualNetworks/subnets', format('vnet-{{0}}-{{1}}', parameters('prefix'), {i}), 'snet-1')]"
                },
                "privateLinkServiceConnections": [
                    {
                        "name": "blob",
                        "properties": {
                            "privateLinkServiceId": f"[resourceId('Microsoft.Storage/storageAccounts', format('st{{0}}', uniqueString('{i}')))]",
                            "groupIds": ["blob"],
                        },
                    }
                ],
            },
        },
        {
            "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
            "apiVersion": "2023-09-01",
            "name": f"[format('pe-st{{0}}/default', {i})]",
            "properties": {
                "privateDnsZoneConfigs": [
                    {
                        "name": "blob",
                        "properties": {
                            "privateDnsZoneId": "[resourceId('Microsoft.Network/privateDnsZones', 'privatelink.blob.core.windows.net')]"
                        },
                    }
                ]
            },
        },
    ]


def estate(size: int) -> str:
    resources = [r for i in range(size // 5) for r in group(i)]
    document = {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {
            "prefix": {"type": "string", "defaultValue": "x"},
            "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
        },
        "resources": resources,
    }
    return json.dumps(document)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="500,2000,5000")
    args = parser.parse_args()
    print(f"{'resources':>9} {'KiB':>6} {'expand s':>9} {'us/res':>7} {'full load s':>11}")
    for size in (int(s) for s in args.sizes.split(",")):
        text = estate(size)
        start = time.perf_counter()
        result = expand_template(json.loads(text), "bench.json")
        expand = time.perf_counter() - start
        count = len(result.resources)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.json"
            path.write_text(text, encoding="utf-8")
            start = time.perf_counter()
            load_arm([path])  # read, expand, locate lines, convert into the model
            full = time.perf_counter() - start
        print(
            f"{count:>9} {len(text) // 1024:>6} {expand:>9.3f} {expand / count * 1e6:>7.1f} "
            f"{full:>11.3f}"
        )


if __name__ == "__main__":
    main()
