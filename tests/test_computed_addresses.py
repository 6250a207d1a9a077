"""Private IPs left to Azure are given as Azure gives them, in Terraform and in ARM: what refers
to them (a spoke's DNS servers, a route to the firewall, an A record of a private endpoint) is
checked with that address instead of being dropped as unknown - the hub-and-spoke pattern of
almost every real configuration (``dns_servers = [azurerm_firewall.hub.ip_configuration[0].
private_ip_address]``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from heiki.sources import load

TF_HUB = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-hub"
  location = "westeurope"
}
resource "azurerm_virtual_network" "hub" {
  name                = "vnet-hub"
  location            = "westeurope"
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = ["10.0.0.0/16"]
  subnet {
    name             = "AzureFirewallSubnet"
    address_prefixes = ["10.0.0.0/26"]
  }
}
resource "azurerm_subnet" "inbound" {
  name                 = "snet-inbound"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.0.1.0/28"]
}
resource "azurerm_subnet" "shared" {
  name                 = "snet-shared"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.0.2.0/24"]
}
resource "azurerm_firewall" "hub" {
  name                = "afw-hub"
  location            = "westeurope"
  resource_group_name = azurerm_resource_group.rg.name
  sku_name            = "AZFW_VNet"
  sku_tier            = "Standard"
  ip_configuration {
    name      = "config"
    subnet_id = "${azurerm_virtual_network.hub.id}/subnets/AzureFirewallSubnet"
  }
}
resource "azurerm_private_dns_resolver" "hub" {
  name                = "dnspr-hub"
  location            = "westeurope"
  resource_group_name = azurerm_resource_group.rg.name
  virtual_network_id  = azurerm_virtual_network.hub.id
}
resource "azurerm_private_dns_resolver_inbound_endpoint" "in" {
  name                    = "in"
  location                = "westeurope"
  private_dns_resolver_id = azurerm_private_dns_resolver.hub.id
  ip_configurations {
    subnet_id = azurerm_subnet.inbound.id
  }
}
resource "azurerm_network_interface" "fixed" {
  name                = "nic-fixed"
  location            = "westeurope"
  resource_group_name = azurerm_resource_group.rg.name
  ip_configuration {
    name                          = "ip"
    subnet_id                     = azurerm_subnet.shared.id
    private_ip_address_allocation = "Static"
    private_ip_address            = "10.0.2.4"
  }
}
resource "azurerm_network_interface" "dns" {
  name                = "nic-dns"
  location            = "westeurope"
  resource_group_name = azurerm_resource_group.rg.name
  ip_configuration {
    name                          = "ip"
    subnet_id                     = azurerm_subnet.shared.id
    private_ip_address_allocation = "Dynamic"
  }
}
resource "azurerm_virtual_network" "spoke" {
  name                = "vnet-spoke"
  location            = "westeurope"
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = ["10.1.0.0/16"]
  dns_servers         = [azurerm_firewall.hub.ip_configuration[0].private_ip_address]
}
resource "azurerm_virtual_network" "other" {
  name                = "vnet-other"
  location            = "westeurope"
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = ["10.2.0.0/16"]
  dns_servers         = [
    azurerm_private_dns_resolver_inbound_endpoint.in.ip_configurations[0].private_ip_address,
    azurerm_network_interface.dns.private_ip_address,
  ]
}
resource "azurerm_route_table" "spoke" {
  name                = "rt-spoke"
  location            = "westeurope"
  resource_group_name = azurerm_resource_group.rg.name
  route {
    name                   = "default"
    address_prefix         = "0.0.0.0/0"
    next_hop_type          = "VirtualAppliance"
    next_hop_in_ip_address = azurerm_firewall.hub.ip_configuration[0].private_ip_address
  }
}
resource "azurerm_storage_account" "st" {
  name                     = "stcomputed"
  location                 = "westeurope"
  resource_group_name      = azurerm_resource_group.rg.name
  account_tier             = "Standard"
  account_replication_type = "LRS"
}
resource "azurerm_private_dns_zone" "blob" {
  name                = "privatelink.blob.core.windows.net"
  resource_group_name = azurerm_resource_group.rg.name
}
resource "azurerm_private_endpoint" "blob" {
  name                = "pep-blob"
  location            = "westeurope"
  resource_group_name = azurerm_resource_group.rg.name
  subnet_id           = azurerm_subnet.shared.id
  private_service_connection {
    name                           = "blob"
    private_connection_resource_id = azurerm_storage_account.st.id
    subresource_names              = ["blob"]
    is_manual_connection           = false
  }
}
resource "azurerm_private_dns_a_record" "blob" {
  name                = azurerm_storage_account.st.name
  zone_name           = azurerm_private_dns_zone.blob.name
  resource_group_name = azurerm_resource_group.rg.name
  ttl                 = 300
  records             = [azurerm_private_endpoint.blob.private_service_connection[0].private_ip_address]
}
"""


def _terraform(tmp_path: Path, text: str = TF_HUB) -> Any:
    folder = tmp_path / "hub"
    folder.mkdir()
    (folder / "main.tf").write_text(text, encoding="utf-8")
    return load([str(folder)])


def test_terraform_dedicated_subnets_give_the_first_assignable_address(tmp_path: Path) -> None:
    loaded = _terraform(tmp_path)
    env = loaded.environment
    vnets = {v.name: v for v in env.virtual_networks}
    assert [str(a) for a in vnets["vnet-spoke"].dns_servers] == ["10.0.0.4"]
    (table,) = env.route_tables
    assert str(table.routes[0].next_hop_ip_address) == "10.0.0.4"
    (firewall,) = env.firewalls
    assert str(firewall.private_ip_address) == "10.0.0.4"
    notes = [d.message for d in loaded.diagnostics if "left to Azure" in d.message]
    assert any("azurerm_firewall.hub" in n and "10.0.0.4" in n for n in notes)
    assert all("heiki-assumed" in n for n in notes)


def test_terraform_shared_subnets_skip_static_addresses_and_agree_with_the_model(
    tmp_path: Path,
) -> None:
    env = _terraform(tmp_path).environment
    vnets = {v.name: v for v in env.virtual_networks}
    # the inbound endpoint owns its subnet (.4); the dynamic NIC skips the static 10.0.2.4
    assert [str(a) for a in vnets["vnet-other"].dns_servers] == ["10.0.1.4", "10.0.2.5"]
    nics = {n.name: n for n in env.network_interfaces}
    assert str(nics["nic-dns"].private_ip_address) == "10.0.2.5"
    (endpoint,) = env.private_endpoints
    (config,) = endpoint.ip_configurations
    assert str(config.private_ip_address) == "10.0.2.6"
    (zone,) = env.private_dns_zones
    (record,) = zone.record_sets
    # the A record written from the endpoint's attribute holds the endpoint's own address
    assert [str(a) for a in record.a_records] == ["10.0.2.6"]


def test_a_subnet_declared_elsewhere_leaves_the_address_unknown(tmp_path: Path) -> None:
    text = """
resource "azurerm_firewall" "hub" {
  name                = "afw-hub"
  location            = "westeurope"
  resource_group_name = "rg"
  sku_name            = "AZFW_VNet"
  sku_tier            = "Standard"
  ip_configuration {
    name      = "config"
    subnet_id = var.firewall_subnet_id
  }
}
variable "firewall_subnet_id" {
  default = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/AzureFirewallSubnet"
}
resource "azurerm_virtual_network" "spoke" {
  name                = "vnet-spoke"
  location            = "westeurope"
  resource_group_name = "rg"
  address_space       = ["10.1.0.0/16"]
  dns_servers         = [azurerm_firewall.hub.ip_configuration[0].private_ip_address]
}
"""
    loaded = _terraform(tmp_path, text)
    (vnet,) = loaded.environment.virtual_networks
    assert vnet.dns_servers == ()
    assert any(
        "dnsServers[0] is unknown before deployment" in d.message for d in loaded.diagnostics
    )


ARM = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "resources": [
        {
            "type": "Microsoft.Network/virtualNetworks",
            "apiVersion": "2024-05-01",
            "name": "vnet-hub",
            "location": "westeurope",
            "properties": {
                "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                "subnets": [
                    {"name": "AzureFirewallSubnet", "properties": {"addressPrefix": "10.0.1.0/26"}}
                ],
            },
        },
        {
            "type": "Microsoft.Network/virtualNetworks/subnets",
            "apiVersion": "2024-05-01",
            "name": "vnet-hub/snet-inbound",
            "dependsOn": ["[resourceId('Microsoft.Network/virtualNetworks', 'vnet-hub')]"],
            "properties": {"addressPrefixes": ["10.0.2.0/28"]},
        },
        {
            "type": "Microsoft.Network/azureFirewalls",
            "apiVersion": "2024-05-01",
            "name": "afw",
            "location": "westeurope",
            "properties": {
                "sku": {"name": "AZFW_VNet", "tier": "Standard"},
                "ipConfigurations": [
                    {
                        "name": "config",
                        "properties": {
                            "subnet": {
                                "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', "
                                "'vnet-hub', 'AzureFirewallSubnet')]"
                            }
                        },
                    }
                ],
            },
        },
        {
            "type": "Microsoft.Network/dnsResolvers",
            "apiVersion": "2022-07-01",
            "name": "dnspr",
            "location": "westeurope",
            "properties": {
                "virtualNetwork": {
                    "id": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-hub')]"
                }
            },
        },
        {
            "type": "Microsoft.Network/dnsResolvers/inboundEndpoints",
            "apiVersion": "2022-07-01",
            "name": "dnspr/in",
            "location": "westeurope",
            "properties": {
                "ipConfigurations": [
                    {
                        "subnet": {
                            "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', "
                            "'vnet-hub', 'snet-inbound')]"
                        },
                        "privateIpAllocationMethod": "Dynamic",
                    }
                ]
            },
        },
        {
            "type": "Microsoft.Network/routeTables",
            "apiVersion": "2024-05-01",
            "name": "rt-spoke",
            "location": "westeurope",
            "properties": {
                "routes": [
                    {
                        "name": "default",
                        "properties": {
                            "addressPrefix": "0.0.0.0/0",
                            "nextHopType": "VirtualAppliance",
                            "nextHopIpAddress": "[reference(resourceId("
                            "'Microsoft.Network/azureFirewalls', 'afw'))"
                            ".ipConfigurations[0].properties.privateIPAddress]",
                        },
                    }
                ]
            },
        },
        {
            "type": "Microsoft.Network/virtualNetworks",
            "apiVersion": "2024-05-01",
            "name": "vnet-spoke",
            "location": "westeurope",
            "properties": {
                "addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
                "dhcpOptions": {
                    "dnsServers": [
                        "[reference(resourceId('Microsoft.Network/dnsResolvers/inboundEndpoints',"
                        " 'dnspr', 'in')).ipConfigurations[0].privateIpAddress]"
                    ]
                },
            },
        },
    ],
}


def test_arm_reference_gives_the_firewall_and_resolver_addresses(tmp_path: Path) -> None:
    template = tmp_path / "hub.json"
    template.write_text(json.dumps(ARM), encoding="utf-8")
    loaded = load([str(template)])
    env = loaded.environment
    vnets = {v.name: v for v in env.virtual_networks}
    assert [str(a) for a in vnets["vnet-spoke"].dns_servers] == ["10.0.2.4"]
    (table,) = env.route_tables
    assert str(table.routes[0].next_hop_ip_address) == "10.0.1.4"
    notes = [d.message for d in loaded.diagnostics if "left to Azure" in d.message]
    assert len(notes) == 2 and all("heiki-assumed" in n for n in notes)


def test_arm_a_given_address_is_kept(tmp_path: Path) -> None:
    template = json.loads(json.dumps(ARM))
    config = template["resources"][2]["properties"]["ipConfigurations"][0]["properties"]
    config["privateIPAddress"] = "10.0.1.10"
    path = tmp_path / "hub.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    env = load([str(path)]).environment
    (table,) = env.route_tables
    assert str(table.routes[0].next_hop_ip_address) == "10.0.1.10"
