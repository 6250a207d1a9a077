"""One case per azurerm type of the reader's table (sources/terraform/azurerm.py): a resource as the
provider's documentation writes it, and the ARM resource it must become (the shape of Azure's
REST API, which the ARM converters read). Defaults are azurerm's where they differ from ARM's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from heiki.catalog import load_catalog
from heiki.sources.terraform.azurerm import ASSOCIATIONS, MAPPINGS
from heiki.sources.terraform.load import load_terraform

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
RG = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg"
SUBNET = f"{RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet"
COMMON = 'location = "westeurope"\n  resource_group_name = "rg"'


def _case(
    tf_type: str, body: str, arm_type: str, expected: dict[str, Any], **top: Any
) -> tuple[str, str, str, dict[str, Any], dict[str, Any]]:
    return (tf_type, f'resource "{tf_type}" "x" {{\n  {body}\n}}\n', arm_type, expected, top)


CASES = [
    _case(
        "azurerm_virtual_network",
        f'name = "vnet"\n  {COMMON}\n  address_space = ["10.0.0.0/16"]\n  dns_servers = ["10.0.0.4"]',
        "Microsoft.Network/virtualNetworks",
        {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "dhcpOptions": {"dnsServers": ["10.0.0.4"]},
        },
    ),
    _case(
        "azurerm_subnet",
        'name = "snet"\n  resource_group_name = "rg"\n  virtual_network_name = "vnet"\n'
        '  address_prefixes = ["10.0.1.0/24"]\n  service_endpoints = ["Microsoft.Storage"]\n'
        '  private_endpoint_network_policies = "Enabled"',
        "Microsoft.Network/virtualNetworks/subnets",
        {
            "addressPrefixes": ["10.0.1.0/24"],
            "serviceEndpoints": [{"service": "Microsoft.Storage"}],
            "privateEndpointNetworkPolicies": "Enabled",
            "defaultOutboundAccess": True,  # azurerm's default
        },
    ),
    _case(
        "azurerm_virtual_network_peering",
        'name = "to-hub"\n  resource_group_name = "rg"\n  virtual_network_name = "vnet"\n'
        f'  remote_virtual_network_id = "{RG}/providers/Microsoft.Network/virtualNetworks/hub"\n'
        "  allow_forwarded_traffic = true",
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        {
            "remoteVirtualNetwork": {"id": f"{RG}/providers/Microsoft.Network/virtualNetworks/hub"},
            "allowForwardedTraffic": True,
            "allowVirtualNetworkAccess": True,
            "useRemoteGateways": False,
        },
    ),
    _case(
        "azurerm_network_security_group",
        f'name = "nsg"\n  {COMMON}\n  security_rule {{\n    name = "deny"\n    priority = 4096\n'
        '    direction = "Outbound"\n    access = "Deny"\n    protocol = "*"\n'
        '    source_port_range = "*"\n    destination_port_ranges = ["80", "443"]\n'
        '    source_address_prefix = "*"\n    destination_address_prefix = "Internet"\n  }',
        "Microsoft.Network/networkSecurityGroups",
        {
            "securityRules": [
                {
                    "name": "deny",
                    "properties": {
                        "priority": 4096,
                        "direction": "Outbound",
                        "access": "Deny",
                        "protocol": "*",
                        "sourcePortRange": "*",
                        "destinationPortRanges": ["80", "443"],
                        "destinationAddressPrefix": "Internet",
                    },
                }
            ]
        },
    ),
    _case(
        "azurerm_network_security_rule",
        'name = "allow-443"\n  resource_group_name = "rg"\n  network_security_group_name = "nsg"\n'
        '  priority = 100\n  direction = "Inbound"\n  access = "Allow"\n  protocol = "Tcp"\n'
        '  source_port_range = "*"\n  destination_port_range = "443"\n'
        '  source_address_prefixes = ["10.0.0.0/8"]\n  destination_address_prefix = "*"',
        "Microsoft.Network/networkSecurityGroups/securityRules",
        {"priority": 100, "protocol": "Tcp", "sourceAddressPrefixes": ["10.0.0.0/8"]},
    ),
    _case(
        "azurerm_route_table",
        f'name = "rt"\n  {COMMON}\n  bgp_route_propagation_enabled = false\n  route {{\n'
        '    name = "default"\n    address_prefix = "0.0.0.0/0"\n'
        '    next_hop_type = "VirtualAppliance"\n    next_hop_in_ip_address = "10.0.0.4"\n  }',
        "Microsoft.Network/routeTables",
        {
            "disableBgpRoutePropagation": True,
            "routes": [
                {
                    "name": "default",
                    "properties": {
                        "addressPrefix": "0.0.0.0/0",
                        "nextHopType": "VirtualAppliance",
                        "nextHopIpAddress": "10.0.0.4",
                    },
                }
            ],
        },
    ),
    _case(
        "azurerm_route",
        'name = "local"\n  resource_group_name = "rg"\n  route_table_name = "rt"\n'
        '  address_prefix = "10.1.0.0/16"\n  next_hop_type = "VnetLocal"',
        "Microsoft.Network/routeTables/routes",
        {"addressPrefix": "10.1.0.0/16", "nextHopType": "VnetLocal"},
    ),
    _case(
        "azurerm_public_ip",
        f'name = "pip"\n  {COMMON}\n  allocation_method = "Static"',
        "Microsoft.Network/publicIPAddresses",
        {"publicIPAllocationMethod": "Static"},
        sku={"name": "Standard"},
    ),
    _case(
        "azurerm_nat_gateway",
        f'name = "nat"\n  {COMMON}',
        "Microsoft.Network/natGateways",
        {},
        sku={"name": "Standard"},
    ),
    _case(
        "azurerm_network_interface",
        f'name = "nic"\n  {COMMON}\n  ip_configuration {{\n    name = "ipconfig1"\n'
        f'    subnet_id = "{SUBNET}"\n    private_ip_address_allocation = "Static"\n'
        '    private_ip_address = "10.0.1.4"\n  }',
        "Microsoft.Network/networkInterfaces",
        {
            "enableIPForwarding": False,
            "ipConfigurations": [
                {
                    "name": "ipconfig1",
                    "properties": {
                        "subnet": {"id": SUBNET},
                        "privateIPAddress": "10.0.1.4",
                        "privateIPAllocationMethod": "Static",
                    },
                }
            ],
        },
    ),
    *[
        _case(
            vm,
            f'name = "vm"\n  {COMMON}\n  network_interface_ids = ["{RG}/providers/Microsoft.Network/networkInterfaces/nic"]',
            "Microsoft.Compute/virtualMachines",
            {
                "networkProfile": {
                    "networkInterfaces": [
                        {"id": f"{RG}/providers/Microsoft.Network/networkInterfaces/nic"}
                    ]
                }
            },
        )
        for vm in (
            "azurerm_linux_virtual_machine",
            "azurerm_windows_virtual_machine",
            "azurerm_virtual_machine",
        )
    ],
    _case(
        "azurerm_bastion_host",
        f'name = "bas"\n  {COMMON}\n  sku = "Standard"\n  ip_configuration {{\n'
        f'    name = "c"\n    subnet_id = "{SUBNET}"\n  }}',
        "Microsoft.Network/bastionHosts",
        {"ipConfigurations": [{"name": "c", "properties": {"subnet": {"id": SUBNET}}}]},
        sku={"name": "Standard"},
    ),
    _case(
        "azurerm_virtual_network_gateway",
        f'name = "vgw"\n  {COMMON}\n  type = "Vpn"\n  sku = "VpnGw1"\n  ip_configuration {{\n'
        f'    name = "c"\n    subnet_id = "{SUBNET}"\n  }}',
        "Microsoft.Network/virtualNetworkGateways",
        {"gatewayType": "Vpn", "sku": {"name": "VpnGw1"}},
    ),
    _case(
        "azurerm_firewall",
        f'name = "afw"\n  {COMMON}\n  sku_name = "AZFW_VNet"\n  sku_tier = "Premium"\n'
        f'  firewall_policy_id = "{RG}/providers/Microsoft.Network/firewallPolicies/afwp"\n'
        f'  ip_configuration {{\n    name = "c"\n    subnet_id = "{SUBNET}"\n  }}',
        "Microsoft.Network/azureFirewalls",
        {
            "sku": {"name": "AZFW_VNet", "tier": "Premium"},
            "firewallPolicy": {"id": f"{RG}/providers/Microsoft.Network/firewallPolicies/afwp"},
        },
    ),
    _case(
        "azurerm_firewall_policy",
        f'name = "afwp"\n  {COMMON}\n  sku = "Premium"\n  threat_intelligence_mode = "Deny"\n'
        "  dns {\n    proxy_enabled = true\n  }",
        "Microsoft.Network/firewallPolicies",
        {
            "sku": {"tier": "Premium"},
            "threatIntelMode": "Deny",
            "dnsSettings": {"enableProxy": True, "servers": []},
        },
    ),
    _case(
        "azurerm_firewall_policy_rule_collection_group",
        f'name = "rcg"\n  firewall_policy_id = "{RG}/providers/Microsoft.Network/firewallPolicies/afwp"\n'
        '  priority = 200\n  application_rule_collection {\n    name = "pypi"\n    priority = 100\n'
        '    action = "Allow"\n    rule {\n      name = "pypi"\n      source_addresses = ["10.1.0.0/16"]\n'
        '      destination_fqdns = ["pypi.org"]\n      protocols {\n        type = "Https"\n'
        "        port = 443\n      }\n    }\n  }",
        "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
        {
            "priority": 200,
            "ruleCollections": [
                {
                    "ruleCollectionType": "FirewallPolicyFilterRuleCollection",
                    "name": "pypi",
                    "priority": 100,
                    "action": {"type": "Allow"},
                    "rules": [
                        {
                            "ruleType": "ApplicationRule",
                            "targetFqdns": ["pypi.org"],
                            "protocols": [{"protocolType": "Https", "port": 443}],
                        }
                    ],
                }
            ],
        },
    ),
    _case(
        "azurerm_private_endpoint",
        f'name = "pep"\n  {COMMON}\n  subnet_id = "{SUBNET}"\n  private_service_connection {{\n'
        '    name = "c"\n    is_manual_connection = false\n'
        f'    private_connection_resource_id = "{RG}/providers/Microsoft.KeyVault/vaults/kv"\n'
        '    subresource_names = ["vault"]\n  }',
        "Microsoft.Network/privateEndpoints",
        {
            "subnet": {"id": SUBNET},
            "privateLinkServiceConnections": [
                {
                    "name": "c",
                    "properties": {
                        "privateLinkServiceId": f"{RG}/providers/Microsoft.KeyVault/vaults/kv",
                        "groupIds": ["vault"],
                    },
                }
            ],
        },
    ),
    _case(
        "azurerm_private_dns_zone",
        'name = "privatelink.vaultcore.azure.net"\n  resource_group_name = "rg"',
        "Microsoft.Network/privateDnsZones",
        {},
    ),
    _case(
        "azurerm_private_dns_zone_virtual_network_link",
        'name = "link"\n  resource_group_name = "rg"\n'
        '  private_dns_zone_name = "privatelink.vaultcore.azure.net"\n'
        f'  virtual_network_id = "{RG}/providers/Microsoft.Network/virtualNetworks/vnet"',
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
        {
            "virtualNetwork": {"id": f"{RG}/providers/Microsoft.Network/virtualNetworks/vnet"},
            "registrationEnabled": False,
        },
    ),
    _case(
        "azurerm_private_dns_a_record",
        'name = "kv"\n  resource_group_name = "rg"\n  zone_name = "privatelink.vaultcore.azure.net"\n'
        '  ttl = 10\n  records = ["10.0.1.5"]',
        "Microsoft.Network/privateDnsZones/A",
        {"ttl": 10, "aRecords": [{"ipv4Address": "10.0.1.5"}]},
    ),
    _case(
        "azurerm_private_dns_cname_record",
        'name = "www"\n  resource_group_name = "rg"\n  zone_name = "contoso.internal"\n'
        '  ttl = 300\n  record = "web.contoso.internal"',
        "Microsoft.Network/privateDnsZones/CNAME",
        {"ttl": 300, "cnameRecord": {"cname": "web.contoso.internal"}},
    ),
    _case(
        "azurerm_storage_account",
        f'name = "st"\n  {COMMON}\n  account_tier = "Standard"\n  account_replication_type = "ZRS"\n'
        "  public_network_access_enabled = false\n  shared_access_key_enabled = false\n"
        '  network_rules {\n    default_action = "Deny"\n    bypass = ["AzureServices"]\n  }',
        "Microsoft.Storage/storageAccounts",
        {
            "publicNetworkAccess": "Disabled",
            "allowSharedKeyAccess": False,
            "isLocalUserEnabled": True,  # azurerm's default
            "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"},
        },
        sku={"name": "Standard_ZRS"},
        kind="StorageV2",
    ),
    _case(
        "azurerm_key_vault",
        f'name = "kv"\n  {COMMON}\n  tenant_id = "t"\n  sku_name = "premium"\n'
        "  rbac_authorization_enabled = true\n  purge_protection_enabled = true",
        "Microsoft.KeyVault/vaults",
        {
            "enableRbacAuthorization": True,
            "enablePurgeProtection": True,
            "publicNetworkAccess": "Enabled",  # azurerm's default
            "sku": {"name": "premium"},
        },
    ),
    _case(
        "azurerm_container_registry",
        f'name = "cr"\n  {COMMON}\n  sku = "Premium"\n  public_network_access_enabled = false',
        "Microsoft.ContainerRegistry/registries",
        {"publicNetworkAccess": "Disabled", "adminUserEnabled": False},
        sku={"name": "Premium"},
    ),
    _case(
        "azurerm_application_insights",
        f'name = "appi"\n  {COMMON}\n  application_type = "web"\n  internet_ingestion_enabled = false',
        "Microsoft.Insights/components",
        {"publicNetworkAccessForIngestion": "Disabled", "publicNetworkAccessForQuery": "Enabled"},
    ),
    _case(
        "azurerm_log_analytics_workspace",
        f'name = "log"\n  {COMMON}\n  local_authentication_enabled = false',
        "Microsoft.OperationalInsights/workspaces",
        {"features": {"disableLocalAuth": True}},
    ),
    _case(
        "azurerm_machine_learning_workspace",
        f'name = "mlw"\n  {COMMON}\n  key_vault_id = "kv"\n  storage_account_id = "st"\n'
        '  application_insights_id = "appi"\n  public_network_access_enabled = false\n'
        '  managed_network {\n    isolation_mode = "AllowOnlyApprovedOutbound"\n  }\n'
        '  identity {\n    type = "SystemAssigned"\n  }',
        "Microsoft.MachineLearningServices/workspaces",
        {
            "publicNetworkAccess": "Disabled",
            "keyVault": "kv",
            "managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"},
        },
        kind="Default",
    ),
    _case(
        "azurerm_ai_foundry",
        f'name = "hub"\n  {COMMON}\n  key_vault_id = "kv"\n  storage_account_id = "st"\n'
        '  public_network_access = "Disabled"\n'
        '  managed_network {\n    isolation_mode = "AllowInternetOutbound"\n  }\n'
        '  identity {\n    type = "SystemAssigned"\n  }',
        "Microsoft.MachineLearningServices/workspaces",
        {
            "publicNetworkAccess": "Disabled",
            "storageAccount": "st",
            "managedNetwork": {"isolationMode": "AllowInternetOutbound"},
        },
        kind="Hub",
    ),
    _case(
        "azurerm_ai_foundry_project",
        f'name = "proj"\n  location = "westeurope"\n'
        f'  ai_services_hub_id = "{RG}/providers/Microsoft.MachineLearningServices/workspaces/hub"',
        "Microsoft.MachineLearningServices/workspaces",
        {"hubResourceId": f"{RG}/providers/Microsoft.MachineLearningServices/workspaces/hub"},
        kind="Project",
    ),
    _case(
        "azurerm_machine_learning_compute_instance",
        f'name = "ci"\n  machine_learning_workspace_id = "{RG}/providers/Microsoft.MachineLearningServices/workspaces/mlw"\n'
        f'  virtual_machine_size = "Standard_DS3_v2"\n  subnet_resource_id = "{SUBNET}"\n'
        "  node_public_ip_enabled = false",
        "Microsoft.MachineLearningServices/workspaces/computes",
        {
            "computeType": "ComputeInstance",
            "disableLocalAuth": False,
            "properties": {
                "vmSize": "Standard_DS3_v2",
                "subnet": {"id": SUBNET},
                "enableNodePublicIp": False,
            },
        },
    ),
    _case(
        "azurerm_machine_learning_compute_cluster",
        f'name = "cpu"\n  location = "westeurope"\n  machine_learning_workspace_id = "{RG}/providers/Microsoft.MachineLearningServices/workspaces/mlw"\n'
        f'  vm_size = "Standard_DS3_v2"\n  vm_priority = "Dedicated"\n  subnet_resource_id = "{SUBNET}"\n'
        "  local_auth_enabled = false\n  scale_settings {\n    min_node_count = 0\n"
        '    max_node_count = 4\n    scale_down_nodes_after_idle_duration = "PT120S"\n  }',
        "Microsoft.MachineLearningServices/workspaces/computes",
        {
            "computeType": "AmlCompute",
            "disableLocalAuth": True,
            "properties": {
                "vmPriority": "Dedicated",
                "enableNodePublicIp": True,  # azurerm's default
                "scaleSettings": {"minNodeCount": 0, "maxNodeCount": 4},
            },
        },
    ),
    _case(
        "azurerm_machine_learning_registry",
        f'name = "mlr"\n  {COMMON}\n  public_network_access_enabled = false\n'
        '  replication_regions {\n    location = "northeurope"\n  }',
        "Microsoft.MachineLearningServices/registries",
        {"publicNetworkAccess": "Disabled", "regionDetails": [{"location": "northeurope"}]},
    ),
    _case(
        "azurerm_kubernetes_cluster",
        f'name = "aks"\n  {COMMON}\n  private_cluster_enabled = true\n  local_account_disabled = true',
        "Microsoft.ContainerService/managedClusters",
        {"apiServerAccessProfile": {"enablePrivateCluster": True}, "disableLocalAccounts": True},
    ),
    _case(
        "azurerm_kubernetes_cluster_node_pool",
        f'name = "user"\n  kubernetes_cluster_id = "{RG}/providers/Microsoft.ContainerService/managedClusters/aks"\n'
        f'  vm_size = "Standard_D4s_v5"\n  vnet_subnet_id = "{SUBNET}"\n  node_count = 2\n  max_pods = 50',
        "Microsoft.ContainerService/managedClusters/agentPools",
        {"mode": "User", "vnetSubnetID": SUBNET, "count": 2, "maxPods": 50},
    ),
    _case(
        "azurerm_machine_learning_inference_cluster",
        f'name = "aks-v1"\n  location = "westeurope"\n  machine_learning_workspace_id = "{RG}/providers/Microsoft.MachineLearningServices/workspaces/mlw"\n'
        f'  kubernetes_cluster_id = "{RG}/providers/Microsoft.ContainerService/managedClusters/aks"',
        "Microsoft.MachineLearningServices/workspaces/computes",
        {
            "computeType": "AKS",
            "resourceId": f"{RG}/providers/Microsoft.ContainerService/managedClusters/aks",
            "properties": {
                "clusterPurpose": "FastProd",
                "sslConfiguration": {"status": "Disabled"},
            },
        },
    ),
    _case(
        "azurerm_kubernetes_cluster_extension",
        f'name = "azureml"\n  cluster_id = "{RG}/providers/Microsoft.ContainerService/managedClusters/aks"\n'
        '  extension_type = "microsoft.azureml.kubernetes"\n'
        '  configuration_settings = {\n    enableInference = "True"\n  }',
        "Microsoft.KubernetesConfiguration/extensions",
        {
            "extensionType": "microsoft.azureml.kubernetes",
            "configurationSettings": {"enableInference": "True"},
        },
    ),
    _case(
        "azurerm_cognitive_account",
        f'name = "ais"\n  {COMMON}\n  kind = "OpenAI"\n  sku_name = "S0"\n'
        "  public_network_access_enabled = false\n  local_auth_enabled = false",
        "Microsoft.CognitiveServices/accounts",
        {"publicNetworkAccess": "Disabled", "disableLocalAuth": True},
        kind="OpenAI",
    ),
    _case(
        "azurerm_search_service",
        f'name = "srch"\n  {COMMON}\n  sku = "standard"\n  public_network_access_enabled = false',
        "Microsoft.Search/searchServices",
        {"publicNetworkAccess": "disabled", "disableLocalAuth": False},
    ),
    _case(
        "azurerm_private_dns_resolver",
        f'name = "dnspr"\n  {COMMON}\n  virtual_network_id = "{RG}/providers/Microsoft.Network/virtualNetworks/hub"',
        "Microsoft.Network/dnsResolvers",
        {"virtualNetwork": {"id": f"{RG}/providers/Microsoft.Network/virtualNetworks/hub"}},
    ),
    _case(
        "azurerm_private_dns_resolver_inbound_endpoint",
        'name = "in"\n  location = "westeurope"\n'
        f'  private_dns_resolver_id = "{RG}/providers/Microsoft.Network/dnsResolvers/dnspr"\n'
        f'  ip_configurations {{\n    subnet_id = "{SUBNET}"\n  }}',
        "Microsoft.Network/dnsResolvers/inboundEndpoints",
        {"ipConfigurations": [{"subnet": {"id": SUBNET}, "privateIpAllocationMethod": "Dynamic"}]},
    ),
    _case(
        "azurerm_private_dns_resolver_outbound_endpoint",
        'name = "out"\n  location = "westeurope"\n'
        f'  private_dns_resolver_id = "{RG}/providers/Microsoft.Network/dnsResolvers/dnspr"\n'
        f'  subnet_id = "{SUBNET}"',
        "Microsoft.Network/dnsResolvers/outboundEndpoints",
        {"subnet": {"id": SUBNET}},
    ),
    _case(
        "azurerm_private_dns_resolver_dns_forwarding_ruleset",
        f'name = "rs"\n  {COMMON}\n  private_dns_resolver_outbound_endpoint_ids = ["{RG}/providers/Microsoft.Network/dnsResolvers/dnspr/outboundEndpoints/out"]',
        "Microsoft.Network/dnsForwardingRulesets",
        {
            "dnsResolverOutboundEndpoints": [
                {"id": f"{RG}/providers/Microsoft.Network/dnsResolvers/dnspr/outboundEndpoints/out"}
            ]
        },
    ),
    _case(
        "azurerm_private_dns_resolver_forwarding_rule",
        'name = "onprem"\n'
        f'  dns_forwarding_ruleset_id = "{RG}/providers/Microsoft.Network/dnsForwardingRulesets/rs"\n'
        '  domain_name = "corp.contoso.com."\n  target_dns_servers {\n    ip_address = "192.168.0.10"\n  }',
        "Microsoft.Network/dnsForwardingRulesets/forwardingRules",
        {
            "domainName": "corp.contoso.com.",
            "forwardingRuleState": "Enabled",
            "targetDnsServers": [{"ipAddress": "192.168.0.10", "port": 53}],
        },
    ),
    _case(
        "azurerm_private_dns_resolver_virtual_network_link",
        'name = "spoke"\n'
        f'  dns_forwarding_ruleset_id = "{RG}/providers/Microsoft.Network/dnsForwardingRulesets/rs"\n'
        f'  virtual_network_id = "{RG}/providers/Microsoft.Network/virtualNetworks/spoke"',
        "Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks",
        {"virtualNetwork": {"id": f"{RG}/providers/Microsoft.Network/virtualNetworks/spoke"}},
    ),
    _case(
        "azurerm_ip_group",
        f'name = "ipg"\n  {COMMON}\n  cidrs = ["10.1.0.0/16"]',
        "Microsoft.Network/ipGroups",
        {"ipAddresses": ["10.1.0.0/16"]},
    ),
    _case(
        "azurerm_application_security_group",
        f'name = "asg"\n  {COMMON}',
        "Microsoft.Network/applicationSecurityGroups",
        {},
    ),
    _case(
        "azurerm_service_endpoint_policy",
        f'name = "sep"\n  {COMMON}\n  definition {{\n    name = "lake"\n'
        f'    service_resources = ["{RG}/providers/Microsoft.Storage/storageAccounts/stlake"]\n  }}',
        "Microsoft.Network/serviceEndpointPolicies",
        {
            "serviceEndpointPolicyDefinitions": [
                {
                    "name": "lake",
                    "properties": {
                        "service": "Microsoft.Storage",
                        "serviceResources": [
                            f"{RG}/providers/Microsoft.Storage/storageAccounts/stlake"
                        ],
                    },
                }
            ]
        },
    ),
    _case(
        "azurerm_monitor_private_link_scope",
        'name = "ampls"\n  resource_group_name = "rg"\n  ingestion_access_mode = "PrivateOnly"',
        "Microsoft.Insights/privateLinkScopes",
        {"accessModeSettings": {"ingestionAccessMode": "PrivateOnly", "queryAccessMode": "Open"}},
    ),
    _case(
        "azurerm_monitor_private_link_scoped_service",
        'name = "appi"\n  resource_group_name = "rg"\n  scope_name = "ampls"\n'
        f'  linked_resource_id = "{RG}/providers/Microsoft.Insights/components/appi"',
        "Microsoft.Insights/privateLinkScopes/scopedResources",
        {"linkedResourceId": f"{RG}/providers/Microsoft.Insights/components/appi"},
    ),
    _case(
        "azurerm_data_factory",
        f'name = "adf"\n  {COMMON}\n  public_network_enabled = false',
        "Microsoft.DataFactory/factories",
        {"publicNetworkAccess": "Disabled"},
    ),
]


def _contains(actual: Any, expected: Any, path: str = "") -> None:
    """``expected`` is in ``actual``: every key of an object, every item of a list in order."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), (path, actual)
        for key, value in expected.items():
            assert key in actual, (path, key, actual)
            _contains(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), (path, actual)
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _contains(a, e, f"{path}[{i}]")
    else:
        assert actual == expected, (path, actual, expected)


def _load(tmp_path: Path, text: str) -> list[Any]:
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    loaded = load_terraform([tmp_path], [], [], load_catalog(), SUBSCRIPTION, "rg")
    return loaded.resources


@pytest.mark.parametrize(
    ("tf_type", "text", "arm_type", "expected", "top"), CASES, ids=[c[0] for c in CASES]
)
def test_each_azurerm_type_becomes_its_arm_resource(
    tf_type: str,
    text: str,
    arm_type: str,
    expected: dict[str, Any],
    top: dict[str, Any],
    tmp_path: Path,
) -> None:
    resources = [r for r in _load(tmp_path, text) if r.type == arm_type]
    assert len(resources) == 1, [r.type for r in _load(tmp_path, text)]
    (resource,) = resources
    _contains(resource.properties, expected)
    for key, value in top.items():
        assert getattr(resource, key) == value, key


def test_every_type_of_the_table_has_a_case() -> None:
    assert {c[0] for c in CASES} == set(MAPPINGS)


@pytest.mark.parametrize(
    ("association", "attribute", "arm_property"),
    [(name, attribute, prop) for name, (attribute, prop) in sorted(ASSOCIATIONS.items())],
)
def test_associations_fold_into_the_subnet(
    association: str, attribute: str, arm_property: str, tmp_path: Path
) -> None:
    target = f"{RG}/providers/Microsoft.Network/x/y"
    text = (
        f'resource "azurerm_virtual_network" "v" {{\n  name = "vnet"\n  {COMMON}\n'
        '  address_space = ["10.0.0.0/16"]\n}\n'
        'resource "azurerm_subnet" "s" {\n  name = "snet"\n  resource_group_name = "rg"\n'
        "  virtual_network_name = azurerm_virtual_network.v.name\n"
        '  address_prefixes = ["10.0.1.0/24"]\n}\n'
        f'resource "{association}" "a" {{\n  subnet_id = azurerm_subnet.s.id\n'
        f'  {attribute} = "{target}"\n}}\n'
    )
    (subnet,) = [
        r for r in _load(tmp_path, text) if r.type == "Microsoft.Network/virtualNetworks/subnets"
    ]
    assert subnet.properties[arm_property] == {"id": target}
