"""ARM resources as azurerm resources, for the types checkov checks (storage, Key Vault,
Container Registry, the workspace and its clusters, NSGs, VMs and their NICs, the firewall, Data
Factory, VNets): one writer per type, in one table.

A writer takes exactly the properties it can say in azurerm and refuses (``Inexpressible``) a
resource with any other; the Terraform writer then keeps that resource an ``azapi_resource``, so
nothing heiki verified is dropped on the way to azurerm. Values stay ARM values (strings with
expressions included): the Terraform writer translates them as it does azapi bodies. What the
reader makes of the attributes is ``sources/terraform/azurerm.py``; the round trip proves that
both say the same.

Attribute names are azurerm 5.x (``rbac_authorization_enabled``, ``service_endpoint`` blocks);
``../shared/reference/arm-details.md`` section 6.2 lists them against ARM's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

AZURERM_VERSION = "~> 5.0"
"""The azurerm provider major version the output is written for."""


class Inexpressible(Exception):
    """The resource has a property this writer has no azurerm attribute for (it stays azapi)."""


@dataclass(frozen=True)
class Blocks:
    """Nested blocks (``network_rules { ... }``), one per item, rather than an attribute."""

    items: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class AzurermResource:
    """An azurerm resource to write: its type, attributes, and what azurerm cannot say."""

    type: str
    attributes: dict[str, Any]
    skips: dict[str, str] = field(default_factory=dict)
    """checkov checks of the azurerm form only (the ARM ones are in the resource's metadata),
    each with the reason the design does not follow it."""


@dataclass(frozen=True)
class Split:
    """Part ``index`` of an ARM value split at ``separator`` (a SKU name's tier and
    replication); the Terraform writer renders it as ``split(...)[index]``."""

    value: Any
    separator: str
    index: int


@dataclass(frozen=True)
class Context:
    """What a writer needs besides the resource."""

    endpoints: Callable[[dict[str, Any]], list[str]]
    """The names of the private endpoints that connect to a resource."""


_TOP = frozenset(
    {"type", "apiVersion", "name", "location", "properties", "tags", "metadata", "dependsOn"}
    | {"identity"}
)


def _only(value: Any, allowed: frozenset[str] | set[str], what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Inexpressible(f"{what} is not an object")
    extra = set(value) - set(allowed)
    if extra:
        raise Inexpressible(f"{what}: {sorted(extra)}")
    return value


def _literal(value: Any, what: str) -> Any:
    if isinstance(value, str) and value.startswith("[") and not value.startswith("[["):
        raise Inexpressible(f"{what} is an expression")
    return value


def _flag(value: Any, what: str) -> bool:
    """ARM's ``Enabled`` / ``Disabled`` as azurerm's bool."""
    text = _literal(value, what)
    if text not in ("Enabled", "Disabled"):
        raise Inexpressible(f"{what} is {text!r}")
    return bool(text == "Enabled")


def _ids(items: Any, what: str) -> list[Any]:
    return [_only(i, {"id"}, what)["id"] for i in items or []]


def _set(attrs: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        attrs[key] = value


def _common(resource: dict[str, Any], extra: frozenset[str] = frozenset()) -> dict[str, Any]:
    _only(resource, _TOP | extra, resource.get("type", "resource"))
    return dict(resource.get("properties") or {})


def _network_acls(acls: Any, what: str, private_links: bool = False) -> dict[str, Any]:
    allowed = {"bypass", "defaultAction", "ipRules", "virtualNetworkRules"}
    if private_links:
        allowed.add("resourceAccessRules")
    acls = _only(acls, allowed, what)
    block: dict[str, Any] = {"default_action": acls.get("defaultAction", "Allow")}
    bypass = _literal(acls.get("bypass"), f"{what} bypass")
    if bypass is not None:
        block["bypass"] = [b.strip() for b in str(bypass).split(",")] if private_links else bypass
    rules = [_only(r, {"value", "action"}, f"{what} ipRules") for r in acls.get("ipRules") or []]
    if any(r.get("action", "Allow") != "Allow" for r in rules):
        raise Inexpressible(f"{what}: an IP rule that is not Allow")
    block["ip_rules"] = [r["value"] for r in rules]
    networks = [_only(r, {"id", "action"}, what) for r in acls.get("virtualNetworkRules") or []]
    block["virtual_network_subnet_ids"] = [r["id"] for r in networks]
    access = [
        _only(r, {"resourceId", "tenantId"}, f"{what} resourceAccessRules")
        for r in acls.get("resourceAccessRules") or []
    ]
    if access:
        block["private_link_access"] = Blocks(
            tuple(
                {"endpoint_resource_id": r["resourceId"], "endpoint_tenant_id": r["tenantId"]}
                for r in access
            )
        )
    return block


# -- the writers ---------------------------------------------------------------------------------


def _private_endpoint_skip(
    check: str, resource: dict[str, Any], context: Context
) -> dict[str, str]:
    endpoints = context.endpoints(resource)
    if not endpoints:
        return {}
    return {
        check: f"reached through private endpoint {', '.join(endpoints)}, written as an "
        "azapi_resource (checkov does not connect azapi resources to azurerm ones)"
    }


_NOT_THE_NETWORK = "outside the network design heiki generates and verifies"


def _storage(resource: dict[str, Any], context: Context) -> AzurermResource:
    props = _only(
        _common(resource, frozenset({"kind", "sku"})),
        {
            "allowBlobPublicAccess",
            "allowSharedKeyAccess",
            "isHnsEnabled",
            "isLocalUserEnabled",
            "minimumTlsVersion",
            "networkAcls",
            "publicNetworkAccess",
            "supportsHttpsTrafficOnly",
        },
        "storage account",
    )
    sku = _only(resource.get("sku"), {"name"}, "storage sku")["name"]
    if isinstance(sku, str) and sku.startswith("["):
        tier: Any = Split(sku, "_", 0)
        replication: Any = Split(sku, "_", 1)
    else:
        tier, _, replication = str(sku).partition("_")
    attrs: dict[str, Any] = {
        "account_kind": _literal(resource.get("kind", "StorageV2"), "kind"),
        "account_tier": tier,
        "account_replication_type": replication,
    }
    _set(attrs, "is_hns_enabled", props.get("isHnsEnabled"))
    _set(attrs, "min_tls_version", props.get("minimumTlsVersion"))
    _set(attrs, "https_traffic_only_enabled", props.get("supportsHttpsTrafficOnly"))
    _set(attrs, "allow_nested_items_to_be_public", props.get("allowBlobPublicAccess"))
    _set(attrs, "shared_access_key_enabled", props.get("allowSharedKeyAccess"))
    _set(attrs, "local_user_enabled", props.get("isLocalUserEnabled"))
    if "publicNetworkAccess" in props:
        attrs["public_network_access_enabled"] = _flag(props["publicNetworkAccess"], "access")
    if "networkAcls" in props:
        attrs["network_rules"] = Blocks(
            (_network_acls(props["networkAcls"], "storage networkAcls", private_links=True),)
        )
    skips = {
        "CKV2_AZURE_1": "Microsoft-managed keys encrypt the account; customer-managed keys "
        f"are an encryption-at-rest choice {_NOT_THE_NETWORK}",
        "CKV2_AZURE_38": f"blob soft delete is a data-protection setting {_NOT_THE_NETWORK}",
        "CKV_AZURE_33": "classic Storage Analytics logging is not used; request logs are "
        f"Azure Monitor diagnostic settings, {_NOT_THE_NETWORK}",
    }
    if props.get("allowSharedKeyAccess") is False:
        skips["CKV2_AZURE_41"] = (
            "shared keys are disabled (shared_access_key_enabled = false): no account SAS "
            "can be signed, so there is no SAS expiration to enforce"
        )
    skips |= _private_endpoint_skip("CKV2_AZURE_33", resource, context)
    return AzurermResource("azurerm_storage_account", attrs, skips)


def _key_vault(resource: dict[str, Any], context: Context) -> AzurermResource:
    props = _only(
        _common(resource),
        {
            "enablePurgeProtection",
            "enableRbacAuthorization",
            "enableSoftDelete",
            "networkAcls",
            "publicNetworkAccess",
            "sku",
            "softDeleteRetentionInDays",
            "tenantId",
        },
        "key vault",
    )
    if props.get("enableSoftDelete", True) is not True:
        raise Inexpressible("azurerm cannot turn soft delete off")
    sku = _only(props.get("sku"), {"family", "name"}, "key vault sku")
    if sku.get("family", "A") != "A":
        raise Inexpressible("a key vault sku family other than A")
    attrs: dict[str, Any] = {"tenant_id": props.get("tenantId"), "sku_name": sku.get("name")}
    _set(attrs, "rbac_authorization_enabled", props.get("enableRbacAuthorization"))
    _set(attrs, "purge_protection_enabled", props.get("enablePurgeProtection"))
    _set(attrs, "soft_delete_retention_days", props.get("softDeleteRetentionInDays"))
    if "publicNetworkAccess" in props:
        attrs["public_network_access_enabled"] = _flag(props["publicNetworkAccess"], "access")
    if "networkAcls" in props:
        acls = _network_acls(props["networkAcls"], "key vault networkAcls")
        acls.setdefault("bypass", "AzureServices")
        attrs["network_acls"] = Blocks((acls,))
    skips = _private_endpoint_skip("CKV2_AZURE_32", resource, context)
    return AzurermResource("azurerm_key_vault", attrs, skips)


def _container_registry(resource: dict[str, Any], context: Context) -> AzurermResource:
    props = _only(
        _common(resource, frozenset({"sku"})),
        {
            "adminUserEnabled",
            "dataEndpointEnabled",
            "networkRuleBypassOptions",
            "publicNetworkAccess",
        },
        "container registry",
    )
    attrs: dict[str, Any] = {"sku": _only(resource.get("sku"), {"name"}, "registry sku")["name"]}
    _set(attrs, "admin_enabled", props.get("adminUserEnabled"))
    _set(attrs, "data_endpoint_enabled", props.get("dataEndpointEnabled"))
    if "publicNetworkAccess" in props:
        attrs["public_network_access_enabled"] = _flag(props["publicNetworkAccess"], "access")
    _set(attrs, "network_rule_bypass_option", props.get("networkRuleBypassOptions"))
    availability = f"is an availability choice {_NOT_THE_NETWORK}"
    skips = {
        "CKV_AZURE_165": f"geo-replication {availability}",
        "CKV_AZURE_233": f"zone redundancy {availability}",
        "CKV_AZURE_167": "a retention policy for untagged manifests is a storage-cost setting "
        "that does not change who can reach the registry",
        "CKV_AZURE_164": "content trust (Docker Content Trust) is being retired by Azure "
        "Container Registry; image provenance is the in-network CI that builds the images",
        "CKV_AZURE_237": "the registry is reached only through its private endpoint, which "
        "carries the regional data endpoint too; dedicated data endpoints serve firewall rules "
        "for a public registry",
    }
    skips |= _private_endpoint_skip("CKV2_AZURE_36", resource, context)
    return AzurermResource("azurerm_container_registry", attrs, skips)


def _workspace(resource: dict[str, Any], context: Context) -> AzurermResource:
    props = _only(
        _common(resource, frozenset({"kind"})),
        {
            "applicationInsights",
            "containerRegistry",
            "imageBuildCompute",
            "keyVault",
            "managedNetwork",
            "publicNetworkAccess",
            "storageAccount",
            "systemDatastoresAuthMode",
            "v1LegacyMode",
        },
        "workspace",
    )
    if not isinstance(resource.get("identity"), dict):
        raise Inexpressible("azurerm requires the workspace's identity")
    if props.get("applicationInsights") is None:
        raise Inexpressible("azurerm requires the workspace's Application Insights")
    if resource.get("kind", "Default") not in ("Default", "FeatureStore"):
        # hubs and projects are azurerm_ai_foundry / _project, with other arguments
        raise Inexpressible(f"workspace kind {resource.get('kind')!r}")
    attrs: dict[str, Any] = {
        "application_insights_id": props.get("applicationInsights"),
        "key_vault_id": props.get("keyVault"),
        "storage_account_id": props.get("storageAccount"),
    }
    _set(attrs, "kind", resource.get("kind"))
    _set(attrs, "container_registry_id", props.get("containerRegistry"))
    _set(attrs, "image_build_compute_name", props.get("imageBuildCompute"))
    _set(attrs, "v1_legacy_mode_enabled", props.get("v1LegacyMode"))
    _set(attrs, "storage_account_access_type", props.get("systemDatastoresAuthMode"))
    if "publicNetworkAccess" in props:
        attrs["public_network_access_enabled"] = _flag(props["publicNetworkAccess"], "access")
    if "managedNetwork" in props:
        network = _only(props["managedNetwork"], {"isolationMode"}, "managed network")
        attrs["managed_network"] = Blocks(({"isolation_mode": network["isolationMode"]},))
    skips = {
        "CKV2_AZURE_50": "no high-business-impact flag: it reduces Microsoft's diagnostic data, "
        f"a data-handling choice {_NOT_THE_NETWORK}",
    }
    return AzurermResource("azurerm_machine_learning_workspace", attrs, skips)


def _compute(resource: dict[str, Any], context: Context) -> AzurermResource:
    props = _only(_common(resource), {"computeType", "properties", "disableLocalAuth"}, "compute")
    if props.get("computeType") != "AmlCompute":
        raise Inexpressible("only clusters (checkov checks no compute instance)")
    inner = _only(
        props.get("properties"),
        {"enableNodePublicIp", "scaleSettings", "subnet", "vmSize", "vmPriority"},
        "cluster",
    )
    scale = _only(inner.get("scaleSettings"), {"minNodeCount", "maxNodeCount"}, "scale settings")
    subnet = _only(inner.get("subnet"), {"id"}, "cluster subnet")
    attrs: dict[str, Any] = {
        "vm_priority": inner.get("vmPriority", "Dedicated"),
        "vm_size": inner.get("vmSize"),
        "subnet_resource_id": subnet["id"],
        "node_public_ip_enabled": inner.get("enableNodePublicIp", True),
        "local_auth_enabled": not props.get("disableLocalAuth", False),
        "scale_settings": Blocks(
            (
                {
                    "min_node_count": scale.get("minNodeCount", 0),
                    "max_node_count": scale.get("maxNodeCount"),
                    # azurerm requires it; Azure ML's own default (120 s), which heiki does not model
                    "scale_down_nodes_after_idle_duration": "PT120S",
                },
            )
        ),
    }
    return AzurermResource("azurerm_machine_learning_compute_cluster", attrs)


_RULE_KEYS = {
    "sourcePortRange": "source_port_range",
    "sourcePortRanges": "source_port_ranges",
    "destinationPortRange": "destination_port_range",
    "destinationPortRanges": "destination_port_ranges",
    "sourceAddressPrefix": "source_address_prefix",
    "sourceAddressPrefixes": "source_address_prefixes",
    "destinationAddressPrefix": "destination_address_prefix",
    "destinationAddressPrefixes": "destination_address_prefixes",
}


def _security_group(resource: dict[str, Any], context: Context) -> AzurermResource:
    props = _only(_common(resource), {"securityRules"}, "network security group")
    rules = []
    for entry in props.get("securityRules") or []:
        rule = _only(
            _only(entry, {"name", "properties"}, "rule")["properties"],
            {"access", "description", "direction", "priority", "protocol", *_RULE_KEYS},
            "security rule",
        )
        block: dict[str, Any] = {"name": entry["name"]}
        for key in ("priority", "direction", "access", "protocol"):
            block[key] = rule[key]
        for arm, azurerm in _RULE_KEYS.items():
            if arm in rule:
                block[azurerm] = rule[arm]
        _set(block, "description", rule.get("description"))
        rules.append(block)
    attrs: dict[str, Any] = {}
    if rules:
        attrs["security_rule"] = Blocks(tuple(rules))
    return AzurermResource("azurerm_network_security_group", attrs)


def _linux_vm(resource: dict[str, Any], context: Context) -> AzurermResource:
    props = _only(
        _common(resource),
        {"hardwareProfile", "networkProfile", "osProfile", "securityProfile", "storageProfile"},
        "virtual machine",
    )
    os_profile = _only(
        props.get("osProfile"),
        {"adminUsername", "allowExtensionOperations", "computerName", "linuxConfiguration"},
        "os profile",
    )
    linux = _only(
        os_profile.get("linuxConfiguration"), {"disablePasswordAuthentication", "ssh"}, "linux"
    )
    if linux.get("disablePasswordAuthentication") is not True:
        raise Inexpressible("password authentication needs a password azurerm would store")
    keys = _only(linux.get("ssh"), {"publicKeys"}, "ssh").get("publicKeys") or []
    user = os_profile["adminUsername"]
    user_inner = user[1:-1] if isinstance(user, str) and user.startswith("[") else None
    home = f"[format('/home/{{0}}/.ssh/authorized_keys', {user_inner})]"
    for key in keys:
        _only(key, {"keyData", "path"}, "ssh key")
        if key.get("path") != home:  # azurerm always writes the user's authorized_keys
            raise Inexpressible("an SSH key at another path")
    storage = _only(props.get("storageProfile"), {"imageReference", "osDisk"}, "storage profile")
    disk = _only(storage.get("osDisk"), {"createOption", "managedDisk"}, "os disk")
    if disk.get("createOption") != "FromImage":
        raise Inexpressible("an OS disk not created from an image")
    managed = _only(disk.get("managedDisk"), {"storageAccountType"}, "managed disk")
    image = _only(storage.get("imageReference"), {"publisher", "offer", "sku", "version"}, "image")
    security = _only(props.get("securityProfile") or {}, {"encryptionAtHost"}, "security")
    attrs: dict[str, Any] = {
        "size": _only(props.get("hardwareProfile"), {"vmSize"}, "hardware")["vmSize"],
        "computer_name": os_profile.get("computerName"),
        "admin_username": user,
        "disable_password_authentication": True,
        "network_interface_ids": _ids(
            _only(props.get("networkProfile"), {"networkInterfaces"}, "network profile")[
                "networkInterfaces"
            ],
            "network interface",
        ),
        "allow_extension_operations": os_profile.get("allowExtensionOperations", True),
        # the VM agent is provisioned as in ARM (osProfile.linuxConfiguration.provisionVMAgent)
        "provision_vm_agent": True,
        "admin_ssh_key": Blocks(
            tuple({"username": user, "public_key": key["keyData"]} for key in keys)
        ),
        "os_disk": Blocks(
            (
                {
                    # azurerm requires it; ARM's default for an OS disk
                    "caching": "ReadWrite",
                    "storage_account_type": managed.get("storageAccountType"),
                },
            )
        ),
        "source_image_reference": Blocks((dict(image),)),
    }
    _set(attrs, "encryption_at_host_enabled", security.get("encryptionAtHost"))
    return AzurermResource("azurerm_linux_virtual_machine", attrs)


def _network_interface(resource: dict[str, Any], context: Context) -> AzurermResource:
    props = _only(_common(resource), {"enableIPForwarding", "ipConfigurations"}, "NIC")
    configurations = []
    for entry in props.get("ipConfigurations") or []:
        inner = _only(
            _only(entry, {"name", "properties"}, "ip configuration")["properties"],
            {"privateIPAddress", "privateIPAllocationMethod", "subnet", "publicIPAddress"},
            "ip configuration",
        )
        block: dict[str, Any] = {
            "name": entry["name"],
            "subnet_id": _only(inner.get("subnet"), {"id"}, "subnet")["id"],
            "private_ip_address_allocation": inner.get("privateIPAllocationMethod", "Dynamic"),
        }
        _set(block, "private_ip_address", inner.get("privateIPAddress"))
        if "publicIPAddress" in inner:
            block["public_ip_address_id"] = _only(inner["publicIPAddress"], {"id"}, "ip")["id"]
        configurations.append(block)
    attrs: dict[str, Any] = {}
    _set(attrs, "ip_forwarding_enabled", props.get("enableIPForwarding"))
    attrs["ip_configuration"] = Blocks(tuple(configurations))
    return AzurermResource("azurerm_network_interface", attrs)


def _firewall(resource: dict[str, Any], context: Context) -> AzurermResource:
    props = _only(_common(resource), {"firewallPolicy", "ipConfigurations", "sku"}, "firewall")
    sku = _only(props.get("sku"), {"name", "tier"}, "firewall sku")
    configurations = []
    for entry in props.get("ipConfigurations") or []:
        inner = _only(
            _only(entry, {"name", "properties"}, "ip configuration")["properties"],
            {"subnet", "publicIPAddress"},
            "firewall ip configuration",
        )
        block: dict[str, Any] = {"name": entry["name"]}
        if "subnet" in inner:
            block["subnet_id"] = _only(inner["subnet"], {"id"}, "subnet")["id"]
        if "publicIPAddress" in inner:
            block["public_ip_address_id"] = _only(inner["publicIPAddress"], {"id"}, "ip")["id"]
        configurations.append(block)
    attrs: dict[str, Any] = {"sku_name": sku.get("name", "AZFW_VNet"), "sku_tier": sku.get("tier")}
    if "firewallPolicy" in props:
        attrs["firewall_policy_id"] = _only(props["firewallPolicy"], {"id"}, "policy")["id"]
    attrs["ip_configuration"] = Blocks(tuple(configurations))
    return AzurermResource("azurerm_firewall", attrs)


def _data_factory(resource: dict[str, Any], context: Context) -> AzurermResource:
    props = _only(_common(resource), {"publicNetworkAccess"}, "data factory")
    attrs: dict[str, Any] = {}
    if "publicNetworkAccess" in props:
        attrs["public_network_enabled"] = _flag(props["publicNetworkAccess"], "access")
    skips = {
        "CKV2_AZURE_15": "Microsoft-managed keys encrypt the factory; customer-managed keys are "
        f"an encryption-at-rest choice {_NOT_THE_NETWORK}",
    }
    return AzurermResource("azurerm_data_factory", attrs, skips)


_SUBNET_KEYS = {
    "addressPrefix",
    "addressPrefixes",
    "defaultOutboundAccess",
    "delegations",
    "networkSecurityGroup",
    "privateEndpointNetworkPolicies",
    "routeTable",
    "serviceEndpointPolicies",
    "serviceEndpoints",
}


def _subnet(entry: Any) -> dict[str, Any]:
    subnet = _only(entry, {"name", "properties"}, "subnet")
    props = _only(subnet["properties"], _SUBNET_KEYS, "subnet")
    prefixes = props.get("addressPrefixes") or [props.get("addressPrefix")]
    block: dict[str, Any] = {"name": subnet["name"], "address_prefixes": prefixes}
    _set(block, "default_outbound_access_enabled", props.get("defaultOutboundAccess"))
    _set(block, "private_endpoint_network_policies", props.get("privateEndpointNetworkPolicies"))
    if "networkSecurityGroup" in props:
        block["security_group"] = _only(props["networkSecurityGroup"], {"id"}, "nsg")["id"]
    if "routeTable" in props:
        block["route_table_id"] = _only(props["routeTable"], {"id"}, "route table")["id"]
    if props.get("serviceEndpointPolicies"):
        block["service_endpoint_policy_ids"] = _ids(props["serviceEndpointPolicies"], "policy")
    endpoints = [
        _only(e, {"service"}, "service endpoint")["service"]
        for e in props.get("serviceEndpoints") or []
    ]
    if endpoints:
        block["service_endpoint"] = Blocks(tuple({"service": s} for s in endpoints))
    delegations = []
    for d in props.get("delegations") or []:
        delegation = _only(d, {"name", "properties"}, "delegation")
        service = _only(delegation["properties"], {"serviceName"}, "delegation")["serviceName"]
        delegations.append(
            {"name": delegation["name"], "service_delegation": Blocks(({"name": service},))}
        )
    if delegations:
        block["delegation"] = Blocks(tuple(delegations))
    return block


def _virtual_network(resource: dict[str, Any], context: Context) -> AzurermResource:
    props = _only(_common(resource), {"addressSpace", "dhcpOptions", "subnets"}, "VNet")
    space = _only(props.get("addressSpace"), {"addressPrefixes"}, "address space")
    attrs: dict[str, Any] = {"address_space": space["addressPrefixes"]}
    if "dhcpOptions" in props:
        servers = _only(props["dhcpOptions"], {"dnsServers"}, "dhcp options").get("dnsServers")
        if servers:
            attrs["dns_servers"] = servers
    subnets = [_subnet(s) for s in props.get("subnets") or []]
    if subnets:
        attrs["subnet"] = Blocks(tuple(subnets))
    return AzurermResource("azurerm_virtual_network", attrs)


WRITERS: dict[str, Callable[[dict[str, Any], Context], AzurermResource]] = {
    "microsoft.storage/storageaccounts": _storage,
    "microsoft.keyvault/vaults": _key_vault,
    "microsoft.containerregistry/registries": _container_registry,
    "microsoft.machinelearningservices/workspaces": _workspace,
    "microsoft.machinelearningservices/workspaces/computes": _compute,
    "microsoft.network/networksecuritygroups": _security_group,
    "microsoft.compute/virtualmachines": _linux_vm,
    "microsoft.network/networkinterfaces": _network_interface,
    "microsoft.network/azurefirewalls": _firewall,
    "microsoft.datafactory/factories": _data_factory,
    "microsoft.network/virtualnetworks": _virtual_network,
}
"""ARM type (lower case) -> its azurerm writer. A type not here is written as azapi."""

PARENT_ATTRIBUTE = {
    "azurerm_machine_learning_compute_cluster": "machine_learning_workspace_id",
}
"""azurerm types of child resources: the attribute that holds the parent's ID (the others are
in a resource group)."""


def azurerm_form(resource: dict[str, Any], context: Context) -> AzurermResource | None:
    """The resource in azurerm, or None where azurerm cannot say all of it."""
    writer = WRITERS.get(str(resource.get("type", "")).lower())
    if writer is None:
        return None
    try:
        return writer(resource, context)
    except (Inexpressible, KeyError):
        return None
