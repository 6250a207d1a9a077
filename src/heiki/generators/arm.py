"""The environment as an ARM deployment template (resource-group scope).

Every modelled property is written in the ARM shape the importer reads back, so that importing the
output gives the same environment (the round-trip test proves it for the built-in designs).
References inside the resource group are ``resourceId()`` expressions, so the template deploys
into any group; ``location`` is a parameter. heiki's own annotations (VM roles, dev/prod stage,
assumed values) travel as tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from heiki.catalog import Catalog, load_catalog
from heiki.generators.addresses import AddressPlan, ArmAddresses, camel, rewrite
from heiki.model.base import (
    ASSUMED_TAG,
    PRODUCT_TAG,
    REGISTRIES_TAG,
    ROLE_TAG,
    SUBNET_ROLES_TAG,
    Resource,
)
from heiki.model.dns import RecordType
from heiki.model.endpoints import PrivateEndpoint
from heiki.model.environment import Environment
from heiki.model.firewall import (
    ApplicationRule,
    AzureFirewall,
    FirewallPolicy,
    FirewallSku,
    NatRule,
    NetworkRule,
    ThreatIntelMode,
)
from heiki.model.ml import (
    DatastoresAuthMode,
    OutboundRuleType,
    PublicNetworkAccess,
    ScoringExposure,
    Workspace,
    extension_settings,
)
from heiki.model.network import VirtualNetwork, VirtualNetworkGateway
from heiki.model.services import DataFactory, IntegrationRuntimeType, NetworkAcls
from heiki.model.values import PortRange, ResourceId

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


class _Writer:
    def __init__(self, env: Environment, catalog: Catalog) -> None:
        self.env = env
        self.catalog = catalog
        self.parameters: dict[str, Any] = {}
        self.group = resource_group_of(env)
        self.resources: list[dict[str, Any]] = []

    # -- references ----------------------------------------------------------------------------

    def ref(self, rid: ResourceId | None) -> str | None:
        """``resourceId()`` for a resource of this group, the literal ID otherwise."""
        if rid is None:
            return None
        text = str(rid)
        if rid.resource_group != self.group or "/providers/" not in text:
            return text
        tail = text.split("/providers/", 1)[1].split("/")
        types = [tail[0], *tail[1::2]]
        names = tail[2::2]
        args = ", ".join(f"'{part}'" for part in ["/".join(types), *names])
        return f"[resourceId({args})]"

    def id_ref(self, rid: ResourceId | None) -> dict[str, str] | None:
        ref = self.ref(rid)
        return {"id": ref} if ref else None

    def suppress(self, reasons: dict[str, str]) -> None:
        """checkov suppressions on the resource just added, each with its reason (checkov reads
        ``metadata.checkov``; ARM ignores resource metadata)."""
        if reasons:
            self.resources[-1]["metadata"] = {
                "checkov": [f"{check}: {reason}" for check, reason in sorted(reasons.items())]
            }

    def parameter(self, label: str, spec: dict[str, Any]) -> str:
        """Declare a parameter named after ``label``; two labels that spell the same name
        (vnet-ml, vnet_ml) get their own, numbered."""
        name, counter = camel(label), 2
        while name in self.parameters:
            name, counter = camel(f"{label} {counter}"), counter + 1
        self.parameters[name] = spec
        return name

    def size(self, name: str, default: str) -> str:
        """A VM or compute size as a parameter (a deployment choice, like a SKU)."""
        parameter = self.parameter(
            f"{name} size",
            {
                "type": "string",
                "defaultValue": default,
                "metadata": {"description": f"VM size of {name}."},
            },
        )
        return f"[parameters('{parameter}')]"

    # -- emit ----------------------------------------------------------------------------------

    def child(
        self, resource_type: str, name: str, properties: dict[str, Any], **extra: Any
    ) -> None:
        """A child resource declared by its full name (``parent/child``), with no model object
        of its own (zone links, records, rules, zone groups...)."""
        self.resources.append(
            {
                "type": resource_type,
                "apiVersion": self.catalog.api_version(resource_type),
                "name": name,
                **extra,
                "properties": _prune(properties),
            }
        )

    def add(
        self,
        resource: Resource,
        resource_type: str,
        properties: dict[str, Any] | None = None,
        name: str | None = None,
        extra_tags: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        entry: dict[str, Any] = {
            "type": resource_type,
            "apiVersion": self.catalog.api_version(resource_type),
            "name": name or resource.name,
        }
        location = getattr(resource, "location", None)
        if location is not None:
            entry["location"] = (
                "[parameters('location')]" if location == self.env.location else location
            )
        elif resource_type == "Microsoft.Network/privateDnsZones":
            entry["location"] = "global"
        # heiki's own marks (what it assumed) are not tags to deploy
        tags = {k: v for k, v in resource.tags if k != ASSUMED_TAG} | (extra_tags or {})
        if tags:
            entry["tags"] = tags
        entry.update({k: v for k, v in extra.items() if v is not None})
        sku = entry.get("sku")
        if isinstance(sku, dict) and isinstance(sku.get("name"), str):
            # a SKU is a deployment choice: a parameter, checked again by `heiki check --parameters`
            parameter = self.parameter(
                f"{entry['name']} sku",
                {
                    "type": "string",
                    "defaultValue": sku["name"],
                    "metadata": {"description": f"SKU of {entry['name']}."},
                },
            )
            entry["sku"] = {**sku, "name": f"[parameters('{parameter}')]"}
        if properties is not None:
            entry["properties"] = _prune(properties)
        self.resources.append(entry)


def _sku_parameter(w: _Writer, gateway: VirtualNetworkGateway) -> str | None:
    """A gateway's SKU (name and tier are the same value) as a parameter."""
    if not gateway.sku:
        return None
    parameter = w.parameter(
        f"{gateway.name} sku",
        {
            "type": "string",
            "defaultValue": gateway.sku,
            "metadata": {"description": f"SKU of {gateway.name}."},
        },
    )
    return f"[parameters('{parameter}')]"


def _pinned(w: _Writer, endpoint: PrivateEndpoint) -> bool:
    """Whether the endpoint's IPs are written static: only where the catalog knows every member
    by Azure's name (an endpoint has one group)."""
    kind = endpoint.private_link_service.resource_type
    services = [w.catalog.private_link_service(kind, g) for g in endpoint.group_ids]
    return bool(endpoint.ip_configurations) and all(s is not None and s.static_ip for s in services)


def _prune(value: Any) -> Any:
    """Drop None values (ARM omits what is not set)."""
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _ports(ranges: Iterable[PortRange]) -> list[str]:
    return [str(r) for r in ranges]


def _access(value: PublicNetworkAccess) -> str:
    return value.value


def _network(w: _Writer) -> None:
    env = w.env
    for nsg in env.network_security_groups:
        w.add(
            nsg,
            "Microsoft.Network/networkSecurityGroups",
            {
                "securityRules": [
                    {
                        "name": rule.name,
                        "properties": {
                            "priority": rule.priority,
                            "direction": rule.direction.value,
                            "access": rule.access.value,
                            "protocol": rule.protocol.value,
                            "sourceAddressPrefixes": list(rule.source_address_prefixes),
                            "sourcePortRanges": _ports(rule.source_port_ranges),
                            "destinationAddressPrefixes": list(rule.destination_address_prefixes),
                            "destinationPortRanges": _ports(rule.destination_port_ranges),
                            "sourceApplicationSecurityGroups": [
                                w.id_ref(a) for a in rule.source_application_security_groups
                            ]
                            or None,
                            "destinationApplicationSecurityGroups": [
                                w.id_ref(a) for a in rule.destination_application_security_groups
                            ]
                            or None,
                            "description": rule.description or None,
                        },
                    }
                    for rule in nsg.security_rules
                ]
            },
        )
    for asg in env.application_security_groups:
        w.add(asg, "Microsoft.Network/applicationSecurityGroups", {})
    for table in env.route_tables:
        w.add(
            table,
            "Microsoft.Network/routeTables",
            {
                "disableBgpRoutePropagation": table.disable_bgp_route_propagation,
                "routes": [
                    {
                        "name": route.name,
                        "properties": {
                            "addressPrefix": route.address_prefix,
                            "nextHopType": route.next_hop_type.value,
                            "nextHopIpAddress": str(route.next_hop_ip_address)
                            if route.next_hop_ip_address
                            else None,
                        },
                    }
                    for route in table.routes
                ],
            },
        )
    for ip in env.public_ip_addresses:
        w.add(
            ip,
            "Microsoft.Network/publicIPAddresses",
            {
                "publicIPAllocationMethod": "Static",
                "ipAddress": str(ip.ip_address) if ip.ip_address else None,
            },
            sku={"name": ip.sku},
        )
    for nat in env.nat_gateways:
        w.add(
            nat,
            "Microsoft.Network/natGateways",
            {"publicIpAddresses": [w.id_ref(p) for p in nat.public_ip_addresses]},
            sku={"name": "Standard"},
        )
    for policy in env.service_endpoint_policies:
        w.add(
            policy,
            "Microsoft.Network/serviceEndpointPolicies",
            {
                "serviceEndpointPolicyDefinitions": [
                    {
                        "name": definition.name,
                        "properties": {
                            "description": definition.description or None,
                            "service": definition.service,
                            # accounts by resourceId() (renames follow), aliases as written
                            "serviceResources": [
                                w.ref(ResourceId(entry)) if entry.count("/") > 4 else entry
                                for entry in definition.service_resources
                            ],
                        },
                    }
                    for definition in policy.definitions
                ]
            },
        )
    for vnet in env.virtual_networks:
        roles = ";".join(
            f"{subnet.name}={role}"
            for subnet in vnet.subnets
            if (role := subnet.tag(ROLE_TAG)) is not None
        )
        w.add(
            vnet,
            "Microsoft.Network/virtualNetworks",
            extra_tags={SUBNET_ROLES_TAG: roles} if roles else None,
            properties={
                "addressSpace": {"addressPrefixes": [str(p) for p in vnet.address_space]},
                "dhcpOptions": {"dnsServers": [str(a) for a in vnet.dns_servers]}
                if vnet.dns_servers
                else None,
                "subnets": [
                    {
                        "name": subnet.name,
                        "properties": {
                            "addressPrefix": str(subnet.address_prefix),
                            "networkSecurityGroup": w.id_ref(subnet.network_security_group),
                            "routeTable": w.id_ref(subnet.route_table),
                            "natGateway": w.id_ref(subnet.nat_gateway),
                            "delegations": [
                                {"name": f"delegation-{i}", "properties": {"serviceName": d}}
                                for i, d in enumerate(subnet.delegations)
                            ]
                            or None,
                            "serviceEndpoints": [{"service": s} for s in subnet.service_endpoints]
                            or None,
                            "serviceEndpointPolicies": [
                                w.id_ref(p) for p in subnet.service_endpoint_policies
                            ]
                            or None,
                            "privateEndpointNetworkPolicies": subnet.private_endpoint_network_policies.value,
                            "defaultOutboundAccess": subnet.default_outbound_access,
                        },
                    }
                    for subnet in vnet.subnets
                ],
            },
        )
        w.suppress(_dns_suppressions(env, vnet))
        for peering in vnet.peerings:
            w.add(
                peering,
                "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
                {
                    "remoteVirtualNetwork": w.id_ref(peering.remote_virtual_network),
                    "allowVirtualNetworkAccess": peering.allow_virtual_network_access,
                    "allowForwardedTraffic": peering.allow_forwarded_traffic,
                    "allowGatewayTransit": peering.allow_gateway_transit,
                    "useRemoteGateways": peering.use_remote_gateways,
                },
                name=f"{vnet.name}/{peering.name}",
            )
    for nic in env.network_interfaces:
        w.add(
            nic,
            "Microsoft.Network/networkInterfaces",
            {
                "enableIPForwarding": nic.enable_ip_forwarding,
                "networkSecurityGroup": w.id_ref(nic.network_security_group),
                "ipConfigurations": [
                    {
                        "name": "ipconfig1",
                        "properties": {
                            "subnet": w.id_ref(nic.subnet),
                            "privateIPAllocationMethod": "Static"
                            if nic.private_ip_address
                            else "Dynamic",
                            "privateIPAddress": str(nic.private_ip_address)
                            if nic.private_ip_address
                            else None,
                            "publicIPAddress": w.id_ref(nic.public_ip_address),
                            "applicationSecurityGroups": [
                                w.id_ref(a) for a in nic.application_security_groups
                            ]
                            or None,
                        },
                    }
                ],
            },
        )
    for vm in env.virtual_machines:
        w.add(
            vm,
            "Microsoft.Compute/virtualMachines",
            extra_tags={PRODUCT_TAG: vm.product} if vm.product else None,
            properties={
                "hardwareProfile": {"vmSize": w.size(vm.name, "Standard_D2s_v5")},
                "storageProfile": {
                    "imageReference": {
                        "publisher": "Canonical",
                        "offer": "ubuntu-24_04-lts",
                        "sku": "server",
                        "version": "latest",
                    },
                    "osDisk": {
                        "createOption": "FromImage",
                        "managedDisk": {"storageAccountType": "Premium_LRS"},
                    },
                },
                "osProfile": {
                    "computerName": vm.name[:15],
                    "adminUsername": "[parameters('adminUsername')]",
                    # configuration arrives through cloud-init (customData), not extensions
                    "allowExtensionOperations": False,
                    "linuxConfiguration": {
                        "disablePasswordAuthentication": True,
                        "ssh": {
                            "publicKeys": [
                                {
                                    "path": "[format('/home/{0}/.ssh/authorized_keys', "
                                    "parameters('adminUsername'))]",
                                    "keyData": "[parameters('adminSshPublicKey')]",
                                }
                            ]
                        },
                    },
                },
                "securityProfile": {"encryptionAtHost": True},
                "networkProfile": {
                    "networkInterfaces": [w.id_ref(n) for n in vm.network_interfaces]
                },
            },
        )
    for gateway in env.virtual_network_gateways:
        w.add(
            gateway,
            "Microsoft.Network/virtualNetworkGateways",
            {
                "gatewayType": gateway.gateway_type.value,
                "sku": {"name": sku, "tier": sku} if (sku := _sku_parameter(w, gateway)) else None,
                "enableBgp": gateway.enable_bgp,
                "ipConfigurations": [
                    {
                        "name": "default",
                        "properties": {
                            "subnet": w.id_ref(gateway.subnet),
                            "publicIPAddress": w.id_ref(gateway.public_ip_addresses[0])
                            if gateway.public_ip_addresses
                            else None,
                        },
                    }
                ],
            },
        )
    for host in env.bastion_hosts:
        w.add(
            host,
            "Microsoft.Network/bastionHosts",
            {
                "ipConfigurations": [
                    {
                        "name": "default",
                        "properties": {
                            "subnet": w.id_ref(host.subnet),
                            "publicIPAddress": w.id_ref(host.public_ip_address),
                        },
                    }
                ],
            },
            sku={"name": host.sku},
        )


def _dns_suppressions(env: Environment, vnet: VirtualNetwork) -> dict[str, str]:
    """checkov wants two DNS servers inside each VNet; hub-and-spoke centralises DNS instead."""
    if not vnet.dns_servers:
        reason = (
            "Azure-provided DNS with the private DNS zones linked to this VNet is the design "
            "(heiki verifies every name from here)"
        )
        return {"CKV_AZURE_182": reason, "CKV_AZURE_183": reason}
    inbound = {e.private_ip_address for r in env.dns_resolvers for e in r.inbound_endpoints}
    if set(vnet.dns_servers) <= inbound:
        return {
            "CKV_AZURE_182": "the DNS Private Resolver inbound endpoint is an Azure-managed, "
            "highly available service; a second address adds nothing",
            "CKV_AZURE_183": "DNS is centralised in the hub resolver (hub-and-spoke); a DNS server "
            "per spoke would split the private zones",
        }
    return {}


def _rule(w: _Writer, rule: NetworkRule | ApplicationRule | NatRule) -> dict[str, Any]:
    common = {
        "name": rule.name,
        "sourceAddresses": list(rule.source_addresses),
        "sourceIpGroups": [w.ref(g) for g in rule.source_ip_groups] or None,
        "description": rule.description or None,
    }
    if isinstance(rule, NetworkRule):
        return {
            **common,
            "ruleType": "NetworkRule",
            "ipProtocols": [p.value for p in rule.ip_protocols],
            "destinationAddresses": list(rule.destination_addresses),
            "destinationIpGroups": [w.ref(g) for g in rule.destination_ip_groups] or None,
            "destinationFqdns": [str(n) for n in rule.destination_fqdns] or None,
            "destinationPorts": _ports(rule.destination_ports),
        }
    if isinstance(rule, ApplicationRule):
        return {
            **common,
            "ruleType": "ApplicationRule",
            "protocols": [
                {"protocolType": p.protocol_type, "port": p.port} for p in rule.protocols
            ],
            "targetFqdns": [str(f) for f in rule.target_fqdns],
            "fqdnTags": list(rule.fqdn_tags) or None,
            "webCategories": list(rule.web_categories) or None,
            "targetUrls": list(rule.target_urls) or None,
            "terminateTLS": rule.terminate_tls or None,
        }
    return {
        **common,
        "ruleType": "NatRule",
        "ipProtocols": [p.value for p in rule.ip_protocols],
        "destinationAddresses": list(rule.destination_addresses),
        "destinationPorts": _ports(rule.destination_ports),
        "translatedAddress": str(rule.translated_address) if rule.translated_address else None,
        "translatedPort": str(rule.translated_port) if rule.translated_port else None,
    }


def _tier_parameter(w: _Writer, firewall: AzureFirewall) -> str:
    """The firewall's tier as a parameter (Basic / Standard / Premium), shared with the policies
    it uses: Azure requires a policy of the firewall's tier."""
    parameter = w.parameter(
        f"{firewall.name} tier",
        {
            "type": "string",
            "defaultValue": firewall.sku_tier.value,
            "allowedValues": [tier.value for tier in FirewallSku],
            "metadata": {"description": f"Tier of {firewall.name} and of its firewall policy."},
        },
    )
    return f"[parameters('{parameter}')]"


def _firewall(w: _Writer) -> None:
    env = w.env
    tiers: dict[ResourceId, str] = {}
    for fw in env.firewalls:
        tier = _tier_parameter(w, fw)
        tiers[fw.id] = tier
        policy = env.get_typed(fw.firewall_policy, FirewallPolicy)
        while policy is not None and policy.sku_tier is fw.sku_tier:
            tiers.setdefault(policy.id, tier)
            policy = env.get_typed(policy.base_policy, FirewallPolicy)
    for ip_group in env.ip_groups:
        w.add(ip_group, "Microsoft.Network/ipGroups", {"ipAddresses": list(ip_group.ip_addresses)})
    for policy in env.firewall_policies:
        dns = policy.dns_settings
        w.add(
            policy,
            "Microsoft.Network/firewallPolicies",
            {
                "sku": {"tier": tiers.get(policy.id, policy.sku_tier.value)},
                "basePolicy": w.id_ref(policy.base_policy),
                "threatIntelMode": policy.threat_intel_mode.value,
                "threatIntelWhitelist": {
                    "fqdns": [str(n) for n in policy.threat_intel_allowlist_fqdns],
                    "ipAddresses": list(policy.threat_intel_allowlist_ips),
                }
                if policy.threat_intel_allowlist_fqdns or policy.threat_intel_allowlist_ips
                else None,
                "snat": {"privateRanges": list(policy.snat_private_ranges)}
                if policy.snat_private_ranges
                else None,
                "dnsSettings": {
                    "enableProxy": dns.enable_proxy,
                    "servers": [str(s) for s in dns.servers],
                    "requireProxyForNetworkRules": dns.require_proxy_for_network_rules,
                }
                if dns is not None
                else None,
            },
        )
        for group in policy.rule_collection_groups:
            w.add(
                policy,
                "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
                {
                    "priority": group.priority,
                    "ruleCollections": [
                        {
                            "ruleCollectionType": collection.kind.value,
                            "name": collection.name,
                            "priority": collection.priority,
                            "action": {"type": collection.action.value},
                            "rules": [_rule(w, r) for r in collection.rules],
                        }
                        for collection in group.rule_collections
                    ],
                },
                name=f"{policy.name}/{group.name}",
            )
            w.resources[-1].pop("location", None)
            w.resources[-1].pop("tags", None)
    for fw in env.firewalls:
        w.add(
            fw,
            "Microsoft.Network/azureFirewalls",
            {
                "sku": {"name": "AZFW_VNet", "tier": tiers[fw.id]},
                "firewallPolicy": w.id_ref(fw.firewall_policy),
                "threatIntelMode": fw.threat_intel_mode.value if fw.threat_intel_mode else None,
                "ipConfigurations": [
                    {
                        "name": "default",
                        "properties": {
                            "subnet": w.id_ref(fw.subnet),
                            "publicIPAddress": w.id_ref(fw.public_ip_addresses[0])
                            if fw.public_ip_addresses
                            else None,
                        },
                    }
                ],
                "managementIpConfiguration": {
                    "name": "management",
                    "properties": {
                        "subnet": w.id_ref(fw.management_subnet),
                        "publicIPAddress": w.id_ref(fw.management_public_ip_address),
                    },
                }
                if fw.management_subnet
                else None,
            },
        )
        attached = env.get_typed(fw.firewall_policy, FirewallPolicy)
        if attached is not None and attached.threat_intel_mode is ThreatIntelMode.DENY:
            w.suppress(
                {
                    "CKV_AZURE_216": f"threat intelligence is Deny on the attached policy "
                    f"{attached.name}; a policy's setting wins over the firewall's"
                }
            )


def _dns(w: _Writer) -> None:
    env = w.env
    for zone in env.private_dns_zones:
        w.add(zone, "Microsoft.Network/privateDnsZones", {})
        for link in zone.virtual_network_links:
            w.child(
                "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
                f"{zone.name}/{link.name}",
                {
                    "registrationEnabled": link.registration_enabled,
                    "resolutionPolicy": link.resolution_policy.value,
                    "virtualNetwork": w.id_ref(link.virtual_network),
                },
                location="global",
            )
        for record in zone.record_sets:
            kind = "A" if record.record_type is RecordType.A else "CNAME"
            properties: dict[str, Any] = {"ttl": record.ttl}
            if record.record_type is RecordType.A:
                properties["aRecords"] = [{"ipv4Address": str(a)} for a in record.a_records]
            else:
                properties["cnameRecord"] = {"cname": str(record.cname)}
            w.child(
                f"Microsoft.Network/privateDnsZones/{kind}",
                f"{zone.name}/{record.name}",
                properties,
            )
    for resolver in env.dns_resolvers:
        w.add(
            resolver,
            "Microsoft.Network/dnsResolvers",
            {"virtualNetwork": w.id_ref(resolver.virtual_network)},
        )
        for inbound in resolver.inbound_endpoints:
            w.add(
                inbound,
                "Microsoft.Network/dnsResolvers/inboundEndpoints",
                {
                    "ipConfigurations": [
                        {
                            "subnet": w.id_ref(inbound.subnet),
                            "privateIpAllocationMethod": inbound.private_ip_allocation_method.value,
                            "privateIpAddress": str(inbound.private_ip_address)
                            if inbound.private_ip_address
                            else None,
                        }
                    ],
                },
                name=f"{resolver.name}/{inbound.name}",
            )
        for outbound in resolver.outbound_endpoints:
            w.add(
                outbound,
                "Microsoft.Network/dnsResolvers/outboundEndpoints",
                {"subnet": w.id_ref(outbound.subnet)},
                name=f"{resolver.name}/{outbound.name}",
            )
    for ruleset in env.dns_forwarding_rulesets:
        w.add(
            ruleset,
            "Microsoft.Network/dnsForwardingRulesets",
            {
                "dnsResolverOutboundEndpoints": [w.id_ref(e) for e in ruleset.outbound_endpoints],
            },
        )
        for rule in ruleset.forwarding_rules:
            w.child(
                "Microsoft.Network/dnsForwardingRulesets/forwardingRules",
                f"{ruleset.name}/{rule.name}",
                {
                    "domainName": f"{rule.domain_name}.",
                    "forwardingRuleState": rule.state.value,
                    "targetDnsServers": [
                        {"ipAddress": str(t.ip_address), "port": t.port}
                        for t in rule.target_dns_servers
                    ],
                },
            )
        for ruleset_link in ruleset.virtual_network_links:
            w.child(
                "Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks",
                f"{ruleset.name}/{ruleset_link.name}",
                {"virtualNetwork": w.id_ref(ruleset_link.virtual_network)},
            )


def _endpoints(w: _Writer) -> None:
    # Azure gives an endpoint without static IPs the first free addresses of its subnet; created
    # before an endpoint with static ones it could take theirs, so it waits for them
    static = {endpoint.id: _pinned(w, endpoint) for endpoint in w.env.private_endpoints}
    pinned: dict[ResourceId, list[str]] = {}
    dynamic: dict[ResourceId, list[str]] = {}
    for endpoint in w.env.private_endpoints:
        if static[endpoint.id]:
            pinned.setdefault(endpoint.subnet, []).append(
                resource_id_expression("Microsoft.Network/privateEndpoints", endpoint.name)
            )
    for endpoint in w.env.private_endpoints:
        connection = {
            "name": endpoint.name,
            "properties": {
                "privateLinkServiceId": w.ref(endpoint.private_link_service),
                "groupIds": list(endpoint.group_ids),
            },
        }
        w.add(
            endpoint,
            "Microsoft.Network/privateEndpoints",
            {
                "subnet": w.id_ref(endpoint.subnet),
                "customNetworkInterfaceName": endpoint.custom_network_interface_name or None,
                "privateLinkServiceConnections": None if endpoint.manual_approval else [connection],
                "manualPrivateLinkServiceConnections": [connection]
                if endpoint.manual_approval
                else None,
                "applicationSecurityGroups": [
                    w.id_ref(a) for a in endpoint.application_security_groups
                ]
                or None,
                # static IPs only where the catalog knows every member by Azure's name: a
                # static configuration with a wrong or missing member fails the deployment
                "ipConfigurations": [
                    {
                        "name": c.name,
                        "properties": {
                            "groupId": c.group_id,
                            "memberName": c.member_name,
                            "privateIPAddress": str(c.private_ip_address),
                        },
                    }
                    for c in endpoint.ip_configurations
                ]
                if static[endpoint.id]
                else None,
            },
        )
        if not static[endpoint.id]:
            # ... and after the dynamic ones declared before it, so that each gets the
            # addresses heiki verified (first free, in declaration order)
            waits = [*pinned.get(endpoint.subnet, []), *dynamic.get(endpoint.subnet, [])[-1:]]
            if waits:
                w.resources[-1]["dependsOn"] = waits
            dynamic.setdefault(endpoint.subnet, []).append(
                resource_id_expression("Microsoft.Network/privateEndpoints", endpoint.name)
            )
        for group in endpoint.dns_zone_groups:
            w.child(
                "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
                f"{endpoint.name}/{group.name}",
                {
                    "privateDnsZoneConfigs": [
                        {
                            "name": c.name,
                            "properties": {"privateDnsZoneId": w.ref(c.private_dns_zone)},
                        }
                        for c in group.zone_configs
                    ]
                },
            )


def _acls(w: _Writer, acls: Any) -> dict[str, Any]:
    return {
        "defaultAction": acls.default_action.value,
        "bypass": ", ".join(acls.bypass) or "None",
        "ipRules": [{"value": ip, "action": "Allow"} for ip in acls.ip_rules],
        "virtualNetworkRules": [
            {"id": w.ref(r), "action": "Allow"} for r in acls.virtual_network_rules
        ],
        # a resource-instance rule names the tenant of the resource it admits
        "resourceAccessRules": [
            {"tenantId": "[subscription().tenantId]", "resourceId": w.ref(r)}
            for r in acls.resource_access_rules
        ]
        or None,
    }


def _services(w: _Writer) -> None:
    env = w.env
    for account in env.storage_accounts:
        w.add(
            account,
            "Microsoft.Storage/storageAccounts",
            {
                "isHnsEnabled": account.is_hns_enabled,
                "publicNetworkAccess": _access(account.public_network_access),
                "networkAcls": _acls(w, account.network_acls),
                "allowSharedKeyAccess": account.allow_shared_key_access,
                "allowBlobPublicAccess": account.allow_blob_public_access,
                "minimumTlsVersion": account.minimum_tls_version,
                "supportsHttpsTrafficOnly": True,
                # no local users (SFTP / NFS accounts beside Entra ID): nothing here uses them
                "isLocalUserEnabled": False,
            },
            sku={"name": account.sku},
            kind=account.kind,
        )
        if account.sku.endswith("LRS"):
            w.suppress(
                {
                    "CKV_AZURE_206": f"{account.sku} is the design's availability and cost "
                    "choice; it does not change who can reach the account"
                }
            )
    for vault in env.key_vaults:
        w.add(
            vault,
            "Microsoft.KeyVault/vaults",
            {
                "tenantId": "[subscription().tenantId]",
                "sku": {"family": "A", "name": vault.sku},
                "publicNetworkAccess": _access(vault.public_network_access),
                "networkAcls": _acls(w, vault.network_acls),
                "enableRbacAuthorization": vault.enable_rbac_authorization,
                "enablePurgeProtection": vault.enable_purge_protection or None,
                "enableSoftDelete": True,
                "softDeleteRetentionInDays": 90,
            },
        )
    for registry in env.container_registries:
        w.add(
            registry,
            "Microsoft.ContainerRegistry/registries",
            {
                "adminUserEnabled": registry.admin_user_enabled,
                "publicNetworkAccess": _access(registry.public_network_access),
                # Premium only; without it the registry's firewall allows by default
                "networkRuleSet": {
                    "defaultAction": registry.network_acls.default_action.value,
                    "ipRules": [
                        {"value": ip, "action": "Allow"} for ip in registry.network_acls.ip_rules
                    ],
                }
                if registry.network_acls != NetworkAcls()
                else None,
                "networkRuleBypassOptions": registry.network_rule_bypass_options,
                "dataEndpointEnabled": registry.data_endpoint_enabled,
            },
            sku={"name": registry.sku},
        )
        w.suppress(
            {
                "CKV_AZURE_166": "quarantine would hold every Azure ML environment image until "
                "a scanner marks it verified; images are scanned by Defender for Containers"
            }
        )
    for component in env.application_insights:
        w.add(
            component,
            "Microsoft.Insights/components",
            {
                "Application_Type": "web",
                "publicNetworkAccessForIngestion": _access(
                    component.public_network_access_for_ingestion
                ),
                "publicNetworkAccessForQuery": _access(component.public_network_access_for_query),
                "WorkspaceResourceId": w.ref(component.workspace_resource_id),
            },
            kind="web",
        )
    for scope in env.private_link_scopes:
        w.add(
            scope,
            "Microsoft.Insights/privateLinkScopes",
            {
                "accessModeSettings": {
                    "ingestionAccessMode": scope.ingestion_access_mode.value,
                    "queryAccessMode": scope.query_access_mode.value,
                },
            },
        )
        w.resources[-1]["location"] = "global"
        for position, linked in enumerate(scope.scoped_resources):
            w.child(
                "Microsoft.Insights/privateLinkScopes/scopedResources",
                f"{scope.name}/scoped-{position}",
                {"linkedResourceId": w.ref(linked)},
            )
    for factory in env.data_factories:
        w.add(
            factory,
            "Microsoft.DataFactory/factories",
            {"publicNetworkAccess": _access(factory.public_network_access)},
            identity={"type": "SystemAssigned"},
        )
        w.suppress(
            {
                "CKV_AZURE_103": "pipelines are versioned in the in-network Git and deployed "
                "by CI; the factory is not an authoring surface"
            }
        )
        _factory_children(w, factory)


_SURFACE_TYPES = (
    "Microsoft.CognitiveServices/accounts",
    "Microsoft.Search/searchServices",
    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
)
"""Resources heiki reads as a public surface and writes back from it (what the blueprint can
declare): the surface is all the model keeps of them, so that is what is written."""


def _surfaces(w: _Writer) -> None:
    env = w.env
    location = "[parameters('location')]"
    batch_type = w.catalog.batch_endpoint_storage[0]
    for resource in env.unmodelled:
        if batch_type and resource.type.lower() == batch_type.lower():
            _batch_endpoint(w, resource.resource_id, resource.name)
            continue
        surface = resource.surface
        if surface is None or resource.type not in _SURFACE_TYPES:
            continue
        public = surface.public_network_access or PublicNetworkAccess.ENABLED
        local = bool(surface.local_auth_enabled)
        ip_rules = list(surface.network_acls.ip_rules) if surface.network_acls else []
        entry: dict[str, Any] = {
            "type": resource.type,
            "apiVersion": w.catalog.api_version(resource.type),
            "name": resource.name,
            "location": location,
        }
        if resource.type == _SURFACE_TYPES[0]:
            acls = surface.network_acls
            entry |= {
                "sku": {"name": "S0"},
                "kind": resource.kind or "AIServices",
                "identity": {"type": "SystemAssigned"},
                "properties": {
                    # required for a private endpoint, and the host of its endpoints
                    "customSubDomainName": resource.host or resource.name,
                    "publicNetworkAccess": _access(public),
                    "networkAcls": {
                        "defaultAction": (acls.default_action.value if acls else "Allow"),
                        "ipRules": [{"value": ip} for ip in ip_rules],
                        "virtualNetworkRules": [],
                    },
                    "disableLocalAuth": not local,
                },
            }
        elif resource.type == _SURFACE_TYPES[1]:
            entry |= {
                "sku": {"name": "standard"},
                "identity": {"type": "SystemAssigned"},
                "properties": {
                    "publicNetworkAccess": _access(public).lower(),
                    "networkRuleSet": {"ipRules": [{"value": ip} for ip in ip_rules]},
                    "disableLocalAuth": not local,
                    "replicaCount": 1,
                    "partitionCount": 1,
                },
            }
        else:
            workspace = ResourceId(resource.resource_id).parent
            if workspace is None or env.get(workspace) is None:
                continue  # an endpoint of a workspace this environment does not hold
            entry |= {
                "kind": "Managed",
                "identity": {"type": "SystemAssigned"},
                "properties": {
                    # the surface keeps whether keys are accepted: Key, else Azure ML tokens
                    "authMode": "Key" if local else "AMLToken",
                    "publicNetworkAccess": _access(public),
                },
            }
        w.resources.append(entry)
        if resource.type == _SURFACE_TYPES[1]:
            replicas = (
                "replicas are a capacity and cost choice, not a network one; raise replicaCount"
            )
            w.suppress(
                {
                    "CKV_AZURE_208": f"{replicas} to 2 for the index-update SLA",
                    "CKV_AZURE_209": f"{replicas} to 3 for the query SLA",
                }
            )


_AKS = "Microsoft.ContainerService/managedClusters"
_EXTENSION = "Microsoft.KubernetesConfiguration/extensions"


def _kubernetes(w: _Writer) -> None:
    """AKS clusters (from what closure and the egress read of them: private API server and its
    zone, authorized ranges, local accounts, outbound type, node pool subnets) and the computes
    that attach them, with their scoring front end - on an AKS (v1) compute, or in the
    cluster's Azure ML extension."""
    env = w.env
    location = "[parameters('location')]"
    clusters: dict[str, str] = {}
    for resource in env.unmodelled:
        surface = resource.surface
        if resource.type.lower() != _AKS.lower() or surface is None:
            continue
        private = surface.public_network_access is PublicNetworkAccess.DISABLED
        local = bool(surface.local_auth_enabled)
        api_server: dict[str, Any] = {"enablePrivateCluster": private}
        if private and resource.api_server_zone:
            api_server["privateDNSZone"] = _ref_text(w, resource.api_server_zone)
        if surface.network_acls and surface.network_acls.ip_rules:
            api_server["authorizedIPRanges"] = list(surface.network_acls.ip_rules)
        pools = [
            {
                key: value
                for key, value in {
                    "name": pool.name,
                    "mode": "System" if index == 0 else "User",
                    "count": pool.nodes,
                    "maxPods": pool.max_pods,
                    "vmSize": "Standard_D4s_v5",
                    "osType": "Linux",
                    "type": "VirtualMachineScaleSets",
                    "vnetSubnetID": _ref_text(w, pool.subnet),
                    "podSubnetID": _ref_text(w, pool.pod_subnet) if pool.pod_subnet else None,
                }.items()
                if value is not None  # what the input left to Azure stays unwritten
            }
            for index, pool in enumerate(resource.node_pools)
        ]
        network: dict[str, Any] = {
            # as read; Azure CNI Overlay where the input did not say (pods take no subnet space)
            "networkPlugin": resource.network_plugin or "azure",
            # through the firewall unless the input left by the cluster's own load balancer
            "outboundType": surface.uninspected_egress or "userDefinedRouting",
        }
        if resource.network_plugin_mode or not resource.network_plugin:
            network["networkPluginMode"] = resource.network_plugin_mode or "overlay"
        properties: dict[str, Any] = {
            "dnsPrefix": resource.name,
            "agentPoolProfiles": pools,
            "networkProfile": network,
            "apiServerAccessProfile": api_server,
            "disableLocalAccounts": not local,
            "enableRBAC": True,
        }
        if not local:  # AKS refuses disableLocalAccounts without Entra ID integration
            properties["aadProfile"] = {"managed": True, "enableAzureRBAC": True}
        w.resources.append(
            {
                "type": _AKS,
                "apiVersion": w.catalog.api_version(_AKS),
                "name": resource.name,
                "location": location,
                "identity": {"type": "SystemAssigned"},
                "properties": properties,
            }
        )
        clusters[resource.resource_id.lower()] = resource.name
    for compute in env.kubernetes_computes:
        workspace = env.get_typed(compute.workspace, Workspace)
        if workspace is None:
            continue
        cluster = w.ref(compute.cluster)
        inner: dict[str, Any] = {}
        if compute.attach_type == "AKS":
            internal = compute.exposure is ScoringExposure.INTERNAL
            if not compute.exposure_default:  # else Azure's default (PublicIp), as the input
                inner["loadBalancerType"] = "InternalLoadBalancer" if internal else "PublicIp"
            if internal and compute.scoring_subnet is not None:
                # the cluster's own subnet where the input holds it; the load balancer's is a
                # subnet of the same VNet, named
                known = env.unmodelled_resource(compute.cluster) if compute.cluster else None
                nodes = known.node_pools[0].subnet if known and known.node_pools else None
                inner["loadBalancerSubnet"] = compute.scoring_subnet.name
                inner["aksNetworkingConfiguration"] = {
                    "subnetId": _ref_text(w, nodes) if nodes else w.ref(compute.scoring_subnet)
                }
            inner["sslConfiguration"] = {"status": "Enabled" if compute.https else "Disabled"}
        w.resources.append(
            {
                "type": "Microsoft.MachineLearningServices/workspaces/computes",
                "apiVersion": w.catalog.api_version("Microsoft.MachineLearningServices"),
                "name": f"{workspace.name}/{compute.name}",
                "location": location,
                "properties": {
                    "computeType": compute.attach_type,
                    "resourceId": cluster,
                    **({"properties": inner} if inner else {}),
                },
            }
        )
        name = clusters.get(compute.cluster.text.lower()) if compute.cluster else None
        settings = extension_settings(compute.exposure, compute.https)
        if compute.attach_type == "Kubernetes" and name and settings is not None and cluster:
            w.resources.append(
                {
                    "type": _EXTENSION,
                    "apiVersion": w.catalog.api_version(_EXTENSION),
                    "name": "azureml",
                    "scope": cluster,
                    "properties": {
                        "extensionType": "microsoft.azureml.kubernetes",
                        "autoUpgradeMinorVersion": True,
                        "releaseTrain": "stable",
                        "configurationSettings": settings,
                    },
                }
            )


def _ref_text(w: _Writer, text: str) -> str | None:
    """A reference written as text (``system`` or an ID): an ID of this resource group as
    ``resourceId()``, so that the deployment waits for it; anything else as written."""
    if not text.startswith("/subscriptions/"):
        return text
    try:
        return w.ref(ResourceId(text))
    except ValueError:
        return text


def _batch_endpoint(w: _Writer, resource_id: str, name: str) -> None:
    """A batch endpoint: private with its workspace; Entra ID tokens (batch endpoints take no
    keys)."""
    workspace = ResourceId(resource_id).parent
    if workspace is None or w.env.get(workspace) is None:
        return
    kind = "Microsoft.MachineLearningServices/workspaces/batchEndpoints"
    w.resources.append(
        {
            "type": kind,
            "apiVersion": w.catalog.api_version(kind),
            "name": name,
            "location": "[parameters('location')]",
            "properties": {"authMode": "AADToken"},
        }
    )


def _factory_children(w: _Writer, factory: DataFactory) -> None:
    """Managed VNet, managed private endpoints, integration runtimes, and the linked services
    that say which on-premises sources the pipelines read and where they write."""
    base = "Microsoft.DataFactory/factories"
    if factory.managed_virtual_network:
        w.child(f"{base}/managedVirtualNetworks", f"{factory.name}/default", {})
    for endpoint in factory.managed_private_endpoints:
        w.child(
            f"{base}/managedVirtualNetworks/managedPrivateEndpoints",
            f"{factory.name}/default/{endpoint.name}",
            {
                "privateLinkResourceId": w.ref(endpoint.private_link_resource_id),
                "groupId": endpoint.group_id,
                "connectionState": {"status": endpoint.connection_state.value},
            },
        )
    shir = None
    for runtime in factory.integration_runtimes:
        properties: dict[str, Any]
        if runtime.runtime_type is IntegrationRuntimeType.SELF_HOSTED:
            shir = shir or runtime.name
            properties = {"type": "SelfHosted"}
        else:
            properties = {
                "type": "Managed",
                "typeProperties": {"computeProperties": {"location": "AutoResolve"}},
            }
            if runtime.managed_virtual_network:
                properties["managedVirtualNetwork"] = {
                    "referenceName": "default",
                    "type": "ManagedVirtualNetworkReference",
                }
        w.child(f"{base}/integrationRuntimes", f"{factory.name}/{runtime.name}", properties)
    for source in factory.linked_sources:
        w.child(
            f"{base}/linkedservices",
            f"{factory.name}/{source}",
            {
                "type": "SqlServer",
                "connectVia": {"referenceName": shir, "type": "IntegrationRuntimeReference"}
                if shir
                else None,
                "typeProperties": {"connectionString": f"Server={source};Integrated Security=True"},
            },
        )
    for sink in factory.linked_sinks:
        w.child(
            f"{base}/linkedservices",
            f"{factory.name}/ls-{sink.name}",
            {
                "type": "AzureBlobFS",
                "typeProperties": {
                    "url": f"[format('https://{{0}}.dfs.{{1}}/', '{sink.name}', "
                    "environment().suffixes.storage)]"
                },
            },
        )


def _ml(w: _Writer) -> None:
    env = w.env
    for workspace in env.workspaces:
        rules: dict[str, Any] = {}
        for rule in workspace.managed_network.outbound_rules:
            if rule.rule_type is OutboundRuleType.FQDN:
                rules[rule.name] = {"type": "FQDN", "destination": str(rule.destination)}
            elif rule.rule_type is OutboundRuleType.PRIVATE_ENDPOINT:
                rules[rule.name] = {
                    "type": "PrivateEndpoint",
                    "destination": {
                        "serviceResourceId": w.ref(rule.service_resource_id),
                        "subresourceTarget": rule.subresource_target,
                    },
                }
            else:
                rules[rule.name] = {
                    "type": "ServiceTag",
                    "destination": {
                        "serviceTag": rule.service_tag,
                        "protocol": rule.protocol,
                        "portRanges": ",".join(_ports(rule.port_ranges)),
                    },
                }
        registries = ";".join(r.name for r in workspace.registries)
        if workspace.hub is not None:
            # a project names its hub; storage, Key Vault, registry and network are the hub's
            w.add(
                workspace,
                "Microsoft.MachineLearningServices/workspaces",
                extra_tags={REGISTRIES_TAG: registries} if registries else None,
                properties={"hubResourceId": w.ref(workspace.hub)},
                identity={"type": "SystemAssigned"},
                kind=workspace.kind.value,
            )
            continue
        w.add(
            workspace,
            "Microsoft.MachineLearningServices/workspaces",
            extra_tags={REGISTRIES_TAG: registries} if registries else None,
            properties={
                "storageAccount": w.ref(workspace.storage_account),
                "keyVault": w.ref(workspace.key_vault),
                "containerRegistry": w.ref(workspace.container_registry),
                "applicationInsights": w.ref(workspace.application_insights),
                "publicNetworkAccess": _access(workspace.public_network_access),
                "imageBuildCompute": workspace.image_build_compute or None,
                "v1LegacyMode": True if workspace.v1_legacy_mode else None,
                "systemDatastoresAuthMode": workspace.system_datastores_auth_mode.value
                if workspace.system_datastores_auth_mode is not DatastoresAuthMode.ACCESS_KEY
                else None,
                "managedNetwork": {
                    "isolationMode": workspace.managed_network.isolation_mode.value,
                    "outboundRules": rules or None,
                },
            },
            identity={"type": "SystemAssigned"},
            kind=workspace.kind.value if workspace.kind.value != "Default" else None,
        )
        endpoints = [pe.name for pe in env.private_endpoints_for(workspace.id)]
        if endpoints and not any(
            r.rule_type is OutboundRuleType.PRIVATE_ENDPOINT
            for r in workspace.managed_network.outbound_rules
        ):
            w.suppress(
                {
                    "CKV_AZURE_243": f"the workspace is reached through private endpoint "
                    f"{', '.join(endpoints)} in a customer-managed VNet, not a managed VNet"
                }
            )
    for compute in env.computes:
        workspace_name = str(compute.workspace).rsplit("/", 1)[-1]
        inner: dict[str, Any] = {
            "vmSize": w.size(compute.name, compute.vm_size),
            "subnet": w.id_ref(compute.subnet),
            "enableNodePublicIp": compute.enable_node_public_ip,
        }
        if compute.compute_type.value == "AmlCompute":
            inner["scaleSettings"] = {
                "minNodeCount": compute.min_nodes,
                "maxNodeCount": compute.max_nodes,
            }
        # a compute created before the workspace's private endpoints and their DNS records
        # cannot reach the workspace (field failure 15): it waits for them
        waits = [
            reference
            for pe in env.private_endpoints_for(compute.workspace)
            for reference in (
                resource_id_expression("Microsoft.Network/privateEndpoints", pe.name),
                *(
                    resource_id_expression(
                        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
                        f"{pe.name}/{group.name}",
                    )
                    for group in pe.dns_zone_groups
                ),
            )
        ]
        w.add(
            compute,
            "Microsoft.MachineLearningServices/workspaces/computes",
            # keys off: only Entra ID identities reach the compute (checkov CKV_AZURE_142)
            {
                "computeType": compute.compute_type.value,
                "properties": inner,
                "disableLocalAuth": True,
            },
            name=f"{workspace_name}/{compute.name}",
            dependsOn=waits or None,
        )
    for workspace in env.workspaces:
        if (
            workspace.system_datastores_auth_mode is DatastoresAuthMode.IDENTITY
            and not workspace.hub
        ):
            _storage_roles(w, workspace)
    for registry in env.registries:
        w.add(
            registry,
            "Microsoft.MachineLearningServices/registries",
            {
                "publicNetworkAccess": _access(registry.public_network_access),
                "regionDetails": [{"location": r} for r in registry.regions],
            },
        )


def _storage_roles(w: _Writer, workspace: Workspace) -> None:
    """The data roles the workspace identity needs on its storage once the system datastores
    use the identity (roles from the catalog), as role assignments scoped to the account."""
    storage = w.ref(workspace.storage_account)
    identity = w.ref(workspace.id)
    if not (storage and identity and storage.startswith("[") and identity.startswith("[")):
        return  # an account outside this resource group: its owners assign the roles
    api = w.catalog.api_version("Microsoft.MachineLearningServices/workspaces")
    for role, guid in w.catalog.workspace_storage_roles:
        w.resources.append(
            {
                "type": "Microsoft.Authorization/roleAssignments",
                "apiVersion": w.catalog.api_version("Microsoft.Authorization/roleAssignments"),
                "name": f"[guid({storage[1:-1]}, {identity[1:-1]}, '{guid}')]",
                "scope": storage,
                "dependsOn": [storage, identity],
                "properties": {
                    "description": f"{role} for workspace {workspace.name}: its system "
                    "datastores use its identity",
                    "roleDefinitionId": "[subscriptionResourceId("
                    f"'Microsoft.Authorization/roleDefinitions', '{guid}')]",
                    "principalId": f"[reference({identity[1:-1]}, '{api}', 'full')"
                    ".identity.principalId]",
                    "principalType": "ServicePrincipal",
                },
            }
        )


_RESOURCE_ID = re.compile(r"\[resourceId\('([^']+)'((?:, '[^']*')+)\)\]")


def resource_id_expression(resource_type: str, name: str) -> str:
    args = ", ".join(f"'{part}'" for part in [resource_type, *name.split("/")])
    return f"[resourceId({args})]"


NOT_DEPENDENCIES = frozenset({"resourceAccessRules"})
"""References that name a resource without needing it to exist (a storage resource-instance
rule for the workspace that itself references the storage: a dependency would be a cycle)."""


def _references(value: Any) -> set[str]:
    if isinstance(value, str):
        return {m.group(0) for m in _RESOURCE_ID.finditer(value)}
    if isinstance(value, dict):
        return {r for k, v in value.items() if k not in NOT_DEPENDENCIES for r in _references(v)}
    if isinstance(value, list):
        return {r for v in value for r in _references(v)}
    return set()


def _add_dependencies(resources: list[dict[str, Any]]) -> None:
    """ARM deploys in parallel unless told otherwise: each resource depends on the resources of
    this template it references and, for a child declared by full name, on its parent. A subnet
    is declared inside its VNet, so a reference to it is a dependency on the VNet."""
    declared = {
        resource_id_expression(r["type"], r["name"]).lower(): resource_id_expression(
            r["type"], r["name"]
        )
        for r in resources
    }
    peerings: list[tuple[list[str], str, frozenset[str], set[str], dict[str, Any]]] = []
    for resource in resources:
        own = resource_id_expression(resource["type"], resource["name"])
        needed: set[str] = set(resource.get("dependsOn", ()))
        for reference in _references(resource.get("properties", {})):
            match = _RESOURCE_ID.fullmatch(reference)
            assert match is not None
            resource_type = match.group(1)
            names = [n.strip().strip("'") for n in match.group(2).split(",") if n.strip()]
            # walk up to the nearest declared resource (a subnet -> its VNet)
            while names:
                candidate = resource_id_expression(resource_type, "/".join(names)).lower()
                if candidate in declared:
                    needed.add(declared[candidate])
                    break
                resource_type = resource_type.rsplit("/", 1)[0]
                names = names[:-1]
        parts = resource["name"].split("/")
        if len(parts) > 1:
            parent = resource_id_expression(
                resource["type"].rsplit("/", 1)[0], "/".join(parts[:-1])
            ).lower()
            if parent in declared:
                needed.add(declared[parent])
        needed.discard(own)
        if resource["type"] == _PEERING:
            vnets = frozenset(d for d in needed if d.startswith(_VNET_ID))
            peerings.append((sorted(vnets), own, vnets, needed, resource))
        if needed:
            resource["dependsOn"] = sorted(needed)
    # Azure fails a peering while another operation updates either VNet
    # (ReferencedResourceNotProvisioned, AnotherOperationInProgress): peerings that share a VNet
    # go one after another, the two directions of a pair together
    done: list[tuple[str, frozenset[str]]] = []
    for _pair, own, vnets, needed, resource in sorted(peerings, key=lambda p: (p[0], p[1])):
        for previous, touched in reversed(done):
            if touched & vnets:
                needed.add(previous)
                resource["dependsOn"] = sorted(needed)
                break
        done.append((own, vnets))


_PEERING = "Microsoft.Network/virtualNetworks/virtualNetworkPeerings"
_VNET_ID = "[resourceId('Microsoft.Network/virtualNetworks', "


def _vm_parameters(env: Environment) -> dict[str, Any]:
    if not env.virtual_machines:
        return {}
    return {
        "adminSshPublicKey": {
            "type": "string",
            "metadata": {"description": "SSH public key of the VMs' admin (no passwords)."},
        },
        "adminUsername": {"type": "string", "defaultValue": "azureuser"},
    }


def arm_template(
    env: Environment,
    catalog: Catalog | None = None,
    address_parameters: bool = True,
    name_parameters: bool = True,
) -> dict[str, Any]:
    """A resource-group-scope deployment template of ``env``; with ``address_parameters`` every
    VNet address space is a parameter and the addresses inside it expressions of it."""
    writer = _Writer(env, catalog or load_catalog())
    for part in (_network, _firewall, _dns, _endpoints, _services, _ml, _surfaces, _kubernetes):
        part(writer)
    address_spaces: dict[str, Any] = {}
    if address_parameters:
        plan = AddressPlan(env)
        address_spaces = plan.parameters
        express = ArmAddresses(plan)
        for resource in writer.resources:
            if "properties" in resource:
                resource["properties"] = rewrite(resource["properties"], express)
    _add_dependencies(writer.resources)
    names = parameterize_names(writer.resources) if name_parameters else {}
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "metadata": {"generator": "heiki", "environment": env.name},
        "parameters": {
            **names,
            **address_spaces,
            **dict(sorted(writer.parameters.items())),
            **_vm_parameters(env),
            "location": {
                "type": "string",
                "defaultValue": env.location,
                "metadata": {"description": "Region of the resources."},
            },
        },
        "resources": writer.resources,
    }


def resource_group_of(env: Environment) -> str:
    groups = sorted({r.id.resource_group for r in env.resources() if r.id.resource_group})
    return groups[0] if groups else f"rg-{env.name}"


_QUOTED = re.compile(r"'((?:[^']|'')*)'")
"""A string literal inside an ARM expression (a quote inside is doubled)."""
_FIXED_NAMES = frozenset({"microsoft.network/privatednszones"})
"""Resources whose names Azure fixes (a private zone is named after the service's zone)."""


def parameterize_names(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """Make the name of every top-level resource a parameter, and every reference to it (names
    of its children, resourceId() arguments, dependsOn, tags naming it) an expression of it.
    Returns the parameters; ``resources`` is rewritten in place."""
    owners: dict[str, list[str]] = {}
    for resource in resources:
        if resource["name"].startswith("["):
            continue  # a computed name (a role assignment's guid()) is no parameter
        if resource["type"].count("/") == 1 and resource["type"].lower() not in _FIXED_NAMES:
            owners.setdefault(resource["name"], []).append(resource["type"])
    names: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(n for n, types in owners.items() if len(types) == 1):
        # two names can spell the same parameter (vnet-ml, vnet_ml): number the later one
        parameter, counter = camel(f"{name} name"), 2
        while parameter.lower() in taken:
            parameter, counter = camel(f"{name} name {counter}"), counter + 1
        taken.add(parameter.lower())
        names[name] = parameter
    if not names:
        return {}

    def literal(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"parameters('{names[name]}')" if name in names else match.group(0)

    def expression(text: str) -> str:
        return _QUOTED.sub(literal, text)

    def rewrite(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: rewrite(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rewrite(v) for v in value]
        if isinstance(value, str):
            if value.startswith("[") and value.endswith("]"):
                return expression(value)
            if value in names:
                return f"[parameters('{names[value]}')]"
        return value

    for resource in resources:
        name = resource["name"]
        head, _, rest = name.partition("/")
        if name.startswith("["):  # a computed name (a role assignment's guid())
            resource["name"] = expression(name)
        elif head in names and resource["type"].count("/") == 1:
            resource["name"] = f"[parameters('{names[head]}')]"
        elif head in names and rest:
            resource["name"] = f"[format('{{0}}/{rest}', parameters('{names[head]}'))]"
        for key in ("properties", "dependsOn", "scope"):
            if key in resource:
                resource[key] = rewrite(resource[key])
        tags = resource.get("tags", {})
        if REGISTRIES_TAG in tags:
            parts = tags[REGISTRIES_TAG].split(";")
            if all(p in names for p in parts):
                holes = ";".join(f"{{{i}}}" for i in range(len(parts)))
                args = ", ".join(f"parameters('{names[p]}')" for p in parts)
                tags[REGISTRIES_TAG] = f"[format('{holes}', {args})]"
    return {
        parameter: {
            "type": "string",
            "defaultValue": name,
            "metadata": {"description": f"Name of {owners[name][0].split('/')[-1]} {name}."},
        }
        for name, parameter in sorted(names.items(), key=lambda item: item[1])
    }
