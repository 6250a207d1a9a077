"""Expand a blueprint into the full environment model.

The blueprint says what a platform engineer would say ("a hub with a standard firewall and a
private resolver, an ML spoke with two instances"); the expansion adds what Azure needs and what
the talk's design implies: carved subnets, NSGs, route tables to the firewall, peerings with the
right flags, private endpoints with zone groups, zones linked where the DNS design resolves them,
firewall rules from the egress profiles, on-premises forwarders. Every generated value can be
overridden in the blueprint. Problems become diagnostics with the blueprint location.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from heiki import diagnostics as dx
from heiki.catalog import Catalog, EgressDestination
from heiki.catalog.names import (
    compute_instance_names,
    compute_instance_target,
    endpoint_records,
    forwarder_zones,
    target_region,
)
from heiki.diagnostics import Diagnostic, InputError, Severity
from heiki.model.base import ROLE_TAG, STAGE_TAG, Tags
from heiki.model.dns import (
    DnsForwardingRuleset,
    DnsResolver,
    ForwardingRule,
    InboundEndpoint,
    IpAllocation,
    OutboundEndpoint,
    PrivateDnsZone,
    RulesetVirtualNetworkLink,
    TargetDnsServer,
    VirtualNetworkLink,
)
from heiki.model.endpoints import (
    ConnectionState,
    PrivateDnsZoneConfig,
    PrivateDnsZoneGroup,
    PrivateEndpoint,
    PrivateEndpointIpConfiguration,
)
from heiki.model.environment import Environment
from heiki.model.firewall import (
    AzureFirewall,
    FirewallDnsSettings,
    FirewallPolicy,
    FirewallSku,
    NetworkRule,
    RuleCollectionGroup,
    ThreatIntelMode,
)
from heiki.model.ml import (
    Compute,
    ComputeType,
    DatastoresAuthMode,
    IsolationMode,
    ManagedNetwork,
    OutboundRule,
    PublicNetworkAccess,
    Registry,
    ScoringExposure,
    Workspace,
    extension_settings,
    placeholder_guid,
)
from heiki.model.network import (
    Access,
    BastionHost,
    Direction,
    GatewayType,
    NetworkInterface,
    NetworkSecurityGroup,
    NextHopType,
    NsgProtocol,
    PrivateEndpointNetworkPolicies,
    PublicIpAddress,
    Route,
    RouteTable,
    SecurityRule,
    Subnet,
    VirtualMachine,
    VirtualNetwork,
    VirtualNetworkGateway,
    VirtualNetworkPeering,
    VmRole,
)
from heiki.model.onprem import (
    DataSource,
    OnPremises,
)
from heiki.model.services import (
    AccessMode,
    ApplicationInsights,
    ContainerRegistry,
    DataFactory,
    DefaultAction,
    IntegrationRuntime,
    IntegrationRuntimeType,
    KeyVault,
    ManagedPrivateEndpoint,
    NetworkAcls,
    PrivateLinkScope,
    StorageAccount,
)
from heiki.model.source import SourceLocation
from heiki.model.values import Address, DnsName, Prefix, ResourceId, parse_address
from heiki.sources.arm.convert.context import ConvertContext
from heiki.sources.arm.convert.coverage import unmodelled
from heiki.sources.arm.convert.ml import kubernetes_computes
from heiki.sources.arm.resources import ArmResource
from heiki.sources.blueprint import schema as bp
from heiki.sources.blueprint.batch_storage import scope_batch_storage
from heiki.sources.blueprint.carving import HostAllocator, SubnetRequest, carve
from heiki.sources.blueprint.egress import (
    SpokeEgress,
    data_source_rule,
    firewall_rule_collection_groups,
    managed_outbound_rules,
    nsg_egress_rules,
    sanitize,
)
from heiki.sources.blueprint.onprem import build_onprem
from heiki.sources.defaults import default_security_rules
from heiki.sources.validate import name_errors
from heiki.sources.yamlread import LocatedDocument, PathKey

NET = "Microsoft.Network"

# Generated subnets: role -> (default name, prefix length). Sizes follow the talk where it gives
# them (slides 8 and 11) and Microsoft's minimums otherwise.
HUB_SUBNETS: dict[str, tuple[str, int]] = {
    "gateway": ("GatewaySubnet", 24),
    "firewall": ("AzureFirewallSubnet", 26),
    "firewall-management": ("AzureFirewallManagementSubnet", 26),
    "bastion": ("AzureBastionSubnet", 26),
    "resolver-inbound": ("snet-dns-inbound", 28),
    "resolver-outbound": ("snet-dns-outbound", 28),
    "dns": ("snet-dns", 28),
}
SPOKE_SUBNETS: dict[str, tuple[str, int]] = {
    "compute": ("snet-compute", 27),
    "cluster": ("snet-cluster", 24),
    "pe": ("snet-pe", 27),
    "git": ("snet-git", 27),
    "runners": ("snet-runners", 27),
    "shir": ("snet-shir", 27),
    "vms": ("snet-vms", 27),
    "aks": ("snet-aks", 24),
}

_WORKLOAD_ROLES = ("compute", "cluster", "git", "runners", "shir", "vms", "aks")


@dataclass
class _VnetPlan:
    """A VNet being expanded from a blueprint, before its subnets are final."""

    key: str
    name: str
    id: ResourceId
    location: str
    address_space: tuple[Prefix, ...]
    subnets: dict[str, tuple[str, Prefix]] = field(default_factory=dict)
    path: PathKey = ()
    stage: str | None = None

    def subnet_id(self, role: str) -> ResourceId:
        return self.id.child("subnets", self.subnets[role][0])


class Expander:
    """One expansion run. Collects resources and diagnostics; ``build()`` returns the model."""

    def __init__(self, spec: bp.BlueprintSpec, doc: LocatedDocument, catalog: Catalog) -> None:
        self.spec = spec
        self.doc = doc
        self.catalog = catalog
        # Azure stores a region's name: "Japan East" -> japaneast (names are built from it)
        self.region = _region_name(spec.location)
        self.sub = spec.subscription
        self.rg = spec.resource_group or f"rg-{spec.name}"
        self.suffix = hashlib.sha256(f"{self.sub}/{self.rg}/{spec.name}".encode()).hexdigest()[:6]
        self.diagnostics: list[Diagnostic] = []
        self.hosts: dict[ResourceId, HostAllocator] = {}
        self.vnets: list[_VnetPlan] = []
        self.hub: _VnetPlan | None = None
        self.nsgs: list[NetworkSecurityGroup] = []
        self.route_tables: list[RouteTable] = []
        self.public_ips: list[PublicIpAddress] = []
        self.nics: list[NetworkInterface] = []
        self.vms: list[VirtualMachine] = []
        self.gateways: list[VirtualNetworkGateway] = []
        self.bastions: list[BastionHost] = []
        self.firewalls: list[AzureFirewall] = []
        self.policies: list[FirewallPolicy] = []
        self.private_endpoints: list[PrivateEndpoint] = []
        self._endpoint_names: set[str] = set()
        """Names of ``private_endpoints`` (one lookup per new endpoint, not a scan)."""
        self.resolvers: list[DnsResolver] = []
        self.rulesets: list[DnsForwardingRuleset] = []
        self.workspaces: list[Workspace] = []
        self.computes: list[Compute] = []
        self.registries: list[Registry] = []
        self.storage: list[StorageAccount] = []
        self.key_vaults: list[KeyVault] = []
        self.acrs: list[ContainerRegistry] = []
        self.app_insights: list[ApplicationInsights] = []
        self.scopes: list[PrivateLinkScope] = []
        self.factories: list[DataFactory] = []
        self.services: list[ArmResource] = []
        self.extra_zones: list[str] = []
        """Zones no private endpoint needs that the blueprint creates (AKS API servers)."""
        """Resources heiki reads as a public surface only (AI Services, AI Search, online
        endpoints): built as the ARM resources a template would declare and read the same way,
        so a blueprint and its generated template give the same model."""
        self.firewall_ip: Address | None = None
        self.dns_endpoint_ips: tuple[Address, ...] = ()
        self.onprem_prefixes: tuple[Prefix, ...] = ()

    # -- helpers --------------------------------------------------------------------------------
    def loc(self, *path: str | int) -> SourceLocation:
        return self.doc.location(tuple(path))

    def error(self, code: str, message: str, *path: str | int) -> None:
        self.diagnostics.append(Diagnostic(code, Severity.ERROR, message, self.loc(*path)))

    def warn(self, code: str, message: str, *path: str | int) -> None:
        self.diagnostics.append(Diagnostic(code, Severity.WARNING, message, self.loc(*path)))

    def rid(self, resource_type: str, *names: str) -> ResourceId:
        return ResourceId.build(self.sub, self.rg, resource_type, *names)

    def prefixes(self, values: str | list[str], *path: str | int) -> tuple[Prefix, ...]:
        items = [values] if isinstance(values, str) else values
        result = []
        for index, text in enumerate(items):
            where = path if isinstance(values, str) else (*path, index)
            try:
                result.append(Prefix(text.strip(), strict=True))
            except ValueError as exc:
                self.error(dx.SCHEMA, f"invalid address prefix {text!r}: {exc}", *where)
        return tuple(result)

    def address(self, text: str, *path: str | int) -> Address | None:
        try:
            return parse_address(text)
        except ValueError as exc:
            self.error(dx.SCHEMA, str(exc), *path)
            return None

    def next_ip(self, subnet_id: ResourceId, *path: str | int) -> Address | None:
        allocator = self.hosts.get(subnet_id)
        ip = allocator.next() if allocator else None
        if ip is None and allocator is not None:
            self.error(
                dx.ADDRESS_SPACE_EXHAUSTED, f"subnet {subnet_id.name} has no free address", *path
            )
        return ip

    def unique_name(self, prefix: str, base: str, limit: int, allowed: str = "a-z0-9") -> str:
        core = sanitize(base, allowed)
        room = limit - len(prefix) - len(self.suffix)
        return f"{prefix}{core[:room]}{self.suffix}"

    # -- address plan ---------------------------------------------------------------------------
    def plan_vnet(
        self,
        key: str,
        name: str,
        location: str,
        space: str | list[str],
        roles: list[str],
        catalog_sizes: dict[str, tuple[str, int]],
        overrides: dict[str, bp.SubnetOverride],
        path: PathKey,
    ) -> _VnetPlan:
        address_space = self.prefixes(space, *path, "address_space")
        plan = _VnetPlan(
            key=key,
            name=name,
            id=self.rid(f"{NET}/virtualNetworks", name),
            location=location,
            address_space=address_space,
            path=path,
        )
        requests: list[SubnetRequest] = []
        for role_name in overrides:
            if role_name not in roles:
                self.error(
                    dx.SCHEMA,
                    f"unknown subnet {role_name!r} here; this VNet has: {', '.join(roles)}",
                    *path,
                    "subnets",
                    role_name,
                )
        for role in roles:
            default_name, size = catalog_sizes[role]
            override = overrides.get(role)
            subnet_name, fixed = default_name, None
            if isinstance(override, str):
                fixed = next(iter(self.prefixes(override, *path, "subnets", role)), None)
            elif override is not None:
                subnet_name = override.name or default_name
                if override.prefix:
                    fixed = next(iter(self.prefixes(override.prefix, *path, "subnets", role)), None)
            requests.append(SubnetRequest(role, subnet_name, size, fixed))
        placed = carve(address_space, requests)
        for request in requests:
            prefix = placed.get(request.role)
            if prefix is None:
                if address_space:
                    self.error(
                        dx.ADDRESS_SPACE_EXHAUSTED,
                        f"no room for subnet {request.name} (/{request.size}) in {name}",
                        *path,
                        "address_space",
                    )
                continue
            plan.subnets[request.role] = (request.name, prefix)
            self.hosts[plan.subnet_id(request.role)] = HostAllocator(
                prefix, self.catalog.subnet_reserved_leading, self.catalog.subnet_reserved_trailing
            )
        self.vnets.append(plan)
        return plan

    def hub_roles(self, hub: bp.HubSpec) -> list[str]:
        roles = []
        if hub.gateway != "none":
            roles.append("gateway")
        if isinstance(hub.firewall, bp.FirewallSpec):
            roles.append("firewall")
            if hub.firewall.sku == "basic":
                roles.append("firewall-management")
        if hub.bastion:
            roles.append("bastion")
        if hub.dns == "private-resolver":
            roles += ["resolver-inbound", "resolver-outbound"]
        if hub.dns == "dns-vm":
            roles.append("dns")
        return roles

    @staticmethod
    def spoke_roles(spoke: bp.SpokeSpec) -> list[str]:
        roles = []
        ws = spoke.workspace
        # Compute of a workspace with a managed VNet lives in Microsoft's managed network.
        managed = bool(
            ws and ws.managed_network and ws.managed_network.isolation_mode != "disabled"
        )
        if ws and ws.compute.instances and not managed:
            roles.append("compute")
        if ws and ws.compute.clusters and not managed:
            roles.append("cluster")
        if (
            ws
            or spoke.lake
            or spoke.data_factory
            or any(s.private_endpoints for s in spoke.storage_accounts)
        ):
            roles.append("pe")
        if spoke.git_server in ("github-enterprise-server", "azure-devops-server"):
            roles.append("git")
        if spoke.runners and spoke.runners.count:
            roles.append("runners")
        if spoke.data_factory and spoke.data_factory.self_hosted_ir:
            roles.append("shir")
        if spoke.vms:
            roles.append("vms")
        if spoke.aks_clusters:
            roles.append("aks")
        return roles

    # -- entry point ----------------------------------------------------------------------------
    def check_names_in_ids(self) -> None:
        """Regions become parts of DNS names (``<region>.tundra.azureml.ms``) and VNet names parts
        of resource IDs: a value Azure would refuse is named where it is written, before anything
        is built from it."""
        spec = self.spec
        regions: list[tuple[str | None, tuple[str, ...]]] = [(spec.location, ("location",))]
        vnets: list[tuple[str | None, tuple[str, ...]]] = []
        if spec.hub:
            regions.append((spec.hub.location, ("hub", "location")))
            vnets.append(
                (spec.hub.name or "vnet-hub", ("hub", "name") if spec.hub.name else ("hub",))
            )
        for key, spoke in spec.spokes.items():
            regions.append((spoke.location, ("spokes", key, "location")))
            where: tuple[str, ...] = ("spokes", key, "name") if spoke.name else ("spokes", key)
            vnets.append((spoke.name or f"vnet-{key}", where))
        for kind, given in (
            ("Microsoft.Resources/locations", [(_region_name(v), v, p) for v, p in regions]),
            ("Microsoft.Network/virtualNetworks", [(v, v, p) for v, p in vnets]),
        ):
            rule = self.catalog.name_rule(kind)
            for checked, written, path in given:
                if (
                    rule is not None
                    and written is not None
                    and not re.fullmatch(rule.pattern, checked or "")
                ):
                    self.error(
                        dx.INVALID_NAME, f"{written!r} is not a {rule.what}: {rule.says}", *path
                    )

    def build(self) -> Environment:
        spec = self.spec
        self.check_names_in_ids()
        planning = [d for d in self.diagnostics if d.severity is Severity.ERROR]
        if planning:  # regions and VNet names go into every name and ID below
            raise InputError(planning)
        if spec.onprem:
            self.onprem_prefixes = self.prefixes(
                spec.onprem.address_space, "onprem", "address_space"
            )
        if spec.hub:
            self.hub = self.plan_vnet(
                "hub",
                spec.hub.name or "vnet-hub",
                _region_name(spec.hub.location) or self.region,
                spec.hub.address_space,
                self.hub_roles(spec.hub),
                HUB_SUBNETS,
                spec.hub.subnets,
                ("hub",),
            )
        spoke_plans: list[tuple[_VnetPlan, bp.SpokeSpec]] = []
        for key, spoke in spec.spokes.items():
            plan = self.plan_vnet(
                key,
                spoke.name or f"vnet-{key}",
                _region_name(spoke.location) or self.region,
                spoke.address_space,
                self.spoke_roles(spoke),
                SPOKE_SUBNETS,
                spoke.subnets,
                ("spokes", key),
            )
            plan.stage = spoke.stage
            spoke_plans.append((plan, spoke))
        planning = [d for d in self.diagnostics if d.severity is Severity.ERROR]
        if planning:  # a VNet without its address space has no subnets for what follows
            raise InputError(planning)

        self.reserve_fixed_ips()
        if spec.hub and self.hub:
            self.expand_hub(spec.hub, self.hub, [p for p, _ in spoke_plans])
        registry_id = self.expand_registry()
        for plan, spoke in spoke_plans:
            self.expand_spoke(plan, spoke, registry_id)
        zones = self.expand_private_dns()
        if spec.hub and self.hub and spec.hub.dns == "private-resolver":
            self.expand_resolver(spec.hub, self.hub)
        self.attach_zone_groups(zones)
        vnets = self.finish_vnets(spoke_plans)
        env = Environment(
            name=spec.name,
            description=spec.description,
            location=self.region,
            virtual_networks=tuple(vnets),
            route_tables=tuple(self.route_tables),
            network_security_groups=tuple(self.nsgs),
            public_ip_addresses=tuple(self.public_ips),
            network_interfaces=tuple(self.nics),
            virtual_machines=tuple(self.vms),
            virtual_network_gateways=tuple(self.gateways),
            bastion_hosts=tuple(self.bastions),
            firewalls=tuple(self.firewalls),
            firewall_policies=tuple(self.policies),
            private_endpoints=tuple(self.private_endpoints),
            private_dns_zones=tuple(zones),
            dns_resolvers=tuple(self.resolvers),
            dns_forwarding_rulesets=tuple(self.rulesets),
            workspaces=tuple(self.workspaces),
            computes=tuple(self.computes),
            registries=tuple(self.registries),
            storage_accounts=tuple(self.storage),
            key_vaults=tuple(self.key_vaults),
            container_registries=tuple(self.acrs),
            application_insights=tuple(self.app_insights),
            private_link_scopes=tuple(self.scopes),
            data_factories=tuple(self.factories),
        )
        env = self.surfaces(env)
        env = scope_batch_storage(env, spec, self.doc, self.catalog)
        bad_names = list(name_errors(env, self.catalog))
        if bad_names:  # they would become DNS labels below: stop at the name, not in the DNS
            raise InputError(bad_names)
        if spec.onprem:
            # the on-premises A-record design needs the names of everything built above
            env = replace(env, on_premises=self.expand_onprem(env))
        return env

    def reserve_fixed_ips(self) -> None:
        """Addresses the user fixed are taken before any automatic allocation."""
        hub = self.spec.hub
        if hub and isinstance(hub.firewall, bp.FirewallSpec) and hub.firewall.private_ip:
            self.firewall_ip = self.address(
                hub.firewall.private_ip, "hub", "firewall", "private_ip"
            )
            if self.hub and self.firewall_ip and "firewall" in self.hub.subnets:
                name, prefix = self.hub.subnets["firewall"]
                if self.firewall_ip not in prefix:
                    # Azure gives the firewall an address of AzureFirewallSubnet, nothing else
                    self.error(
                        dx.SUBNET_OUTSIDE_VNET,
                        f"the firewall's private IP {self.firewall_ip} is outside its subnet "
                        f"{name} ({prefix})",
                        "hub",
                        "firewall",
                        "private_ip",
                    )
                    self.firewall_ip = None
                    return
                self.hosts[self.hub.subnet_id("firewall")].reserve(self.firewall_ip)

    # -- hub ------------------------------------------------------------------------------------
    def expand_hub(self, hub: bp.HubSpec, plan: _VnetPlan, spokes: list[_VnetPlan]) -> None:
        if "gateway" in plan.subnets:
            kind = GatewayType.EXPRESS_ROUTE if hub.gateway == "expressroute" else GatewayType.VPN
            pip = self.public_ip(f"pip-vgw-{plan.key}", ("hub", "gateway"))
            self.gateways.append(
                VirtualNetworkGateway(
                    id=self.rid(f"{NET}/virtualNetworkGateways", f"vgw-{plan.key}"),
                    name=f"vgw-{plan.key}",
                    location=plan.location,
                    gateway_type=kind,
                    subnet=plan.subnet_id("gateway"),
                    sku="ErGw1AZ" if kind is GatewayType.EXPRESS_ROUTE else "VpnGw1AZ",
                    enable_bgp=True,
                    public_ip_addresses=(pip,),
                    source=self.loc("hub", "gateway"),
                )
            )
        if "bastion" in plan.subnets:
            pip = self.public_ip(f"pip-bas-{plan.key}", ("hub", "bastion"))
            self.bastions.append(
                BastionHost(
                    id=self.rid(f"{NET}/bastionHosts", f"bas-{plan.key}"),
                    name=f"bas-{plan.key}",
                    location=plan.location,
                    subnet=plan.subnet_id("bastion"),
                    public_ip_address=pip,
                    source=self.loc("hub", "bastion"),
                )
            )
        if "dns" in plan.subnets:
            self.dns_endpoint_ips = self.dns_vm(plan)
        if "resolver-inbound" in plan.subnets:
            ip = self.next_ip(plan.subnet_id("resolver-inbound"), "hub", "dns")
            self.dns_endpoint_ips = (ip,) if ip else ()
        if isinstance(hub.firewall, bp.FirewallSpec) and "firewall" in plan.subnets:
            self.expand_firewall(hub, hub.firewall, plan, spokes)

    def public_ip(self, name: str, path: PathKey) -> ResourceId:
        resource = PublicIpAddress(
            id=self.rid(f"{NET}/publicIPAddresses", name),
            name=name,
            location=self.region,
            source=self.doc.location(path),
        )
        self.public_ips.append(resource)
        return resource.id

    def dns_vm(self, plan: _VnetPlan) -> tuple[Address, ...]:
        forwarders: list[tuple[DnsName, tuple[Address, ...]]] = [
            (DnsName("."), (self.catalog.azure_dns,))
        ]
        onprem = self.spec.onprem
        if onprem and onprem.dns:
            servers = tuple(
                a
                for a in (self.address(s, "onprem", "dns", "servers") for s in onprem.dns.servers)
                if a
            )
            for zone in onprem.dns.zones:
                forwarders.append((DnsName(zone.zone), servers))
        vm = self.add_vm(
            "vm-dns",
            plan,
            "dns",
            VmRole.DNS_SERVER,
            "bind9",
            ("hub", "dns"),
            dns_forwarders=tuple(sorted(forwarders, key=lambda f: f[0])),
        )
        return (vm,) if vm else ()

    def expand_firewall(
        self, hub: bp.HubSpec, fw: bp.FirewallSpec, plan: _VnetPlan, spokes: list[_VnetPlan]
    ) -> None:
        name = fw.name or f"afw-{plan.key}"
        sku = FirewallSku(fw.sku.capitalize())
        tier = self.catalog.firewall_tier(sku.value)
        if self.firewall_ip is None:
            self.firewall_ip = self.next_ip(plan.subnet_id("firewall"), "hub", "firewall")
        proxy_wanted = fw.dns_proxy
        if proxy_wanted is None:
            proxy_wanted = hub.dns in ("firewall-proxy", "private-resolver") and bool(
                tier and tier.dns_proxy
            )
        needs_proxy = proxy_wanted or hub.dns == "firewall-proxy"
        if needs_proxy and tier and not tier.dns_proxy:
            self.error(
                dx.UNSUPPORTED_BY_SKU,
                f"Azure Firewall {sku.value} has no DNS proxy; use sku standard or premium, or "
                "another hub dns mode",
                "hub",
                "firewall",
                "sku",
            )
            proxy_wanted = False
        if hub.dns == "firewall-proxy":
            self.dns_endpoint_ips = (self.firewall_ip,) if self.firewall_ip else ()
        threat = ThreatIntelMode(fw.threat_intel.capitalize())
        if threat is ThreatIntelMode.DENY and tier and not tier.threat_intel_deny:
            threat = ThreatIntelMode.ALERT
        dns_settings: FirewallDnsSettings | None = None
        if tier and tier.dns_proxy:
            servers = self.dns_endpoint_ips if hub.dns == "private-resolver" else ()
            dns_settings = FirewallDnsSettings(enable_proxy=bool(proxy_wanted), servers=servers)
        policy_id = self.rid(f"{NET}/firewallPolicies", f"afwp-{plan.key}")
        self.policies.append(
            FirewallPolicy(
                id=policy_id,
                name=f"afwp-{plan.key}",
                location=plan.location,
                sku_tier=sku,
                dns_settings=dns_settings,
                threat_intel_mode=threat,
                rule_collection_groups=self.rule_collection_groups(
                    fw, spokes, bool(dns_settings and dns_settings.enable_proxy)
                ),
                source=self.loc("hub", "firewall"),
            )
        )
        management_subnet = management_pip = None
        if "firewall-management" in plan.subnets:
            management_subnet = plan.subnet_id("firewall-management")
            management_pip = self.public_ip(f"pip-{name}-mgmt", ("hub", "firewall"))
        self.firewalls.append(
            AzureFirewall(
                id=self.rid(f"{NET}/azureFirewalls", name),
                name=name,
                location=plan.location,
                sku_tier=sku,
                subnet=plan.subnet_id("firewall"),
                private_ip_address=self.firewall_ip,
                public_ip_addresses=(self.public_ip(f"pip-{name}", ("hub", "firewall")),),
                management_subnet=management_subnet,
                management_public_ip_address=management_pip,
                firewall_policy=policy_id,
                tags=(("heiki-assumed", "private_ip_address"),) if not fw.private_ip else (),
                source=self.loc("hub", "firewall"),
            )
        )

    def rule_collection_groups(
        self, fw: bp.FirewallSpec, spokes: list[_VnetPlan], dns_proxy: bool
    ) -> tuple[RuleCollectionGroup, ...]:
        private_ranges = tuple(str(p) for p in self.onprem_prefixes) + tuple(
            str(p) for plan in spokes for p in plan.address_space
        )
        data_rules: list[NetworkRule] = []
        onprem = self.spec.onprem
        for plan in spokes:
            factory = self.spec.spokes[plan.key].data_factory
            if not (factory and onprem and "shir" in plan.subnets):
                continue
            for source_name in factory.sources:
                spec = next((d for d in onprem.data_sources if d.name == source_name), None)
                address = self.address(spec.address) if spec else None
                if spec and address:
                    source = DataSource(spec.name, address, spec.port, spec.protocol.capitalize())
                    data_rules.append(data_source_rule(source, plan.subnets["shir"][1]))
        egress = [
            SpokeEgress(
                plan.key,
                tuple(str(p) for p in plan.address_space),
                self.egress_destinations(
                    self.spec.spokes[plan.key].egress, ("spokes", plan.key, "egress")
                ),
            )
            for plan in spokes
        ]
        return firewall_rule_collection_groups(
            private_ranges, fw.east_west_ports, data_rules, egress, dns_proxy
        )

    def egress_destinations(
        self, profiles: list[str], path: PathKey
    ) -> tuple[EgressDestination, ...]:
        destinations: list[EgressDestination] = []
        has_ampls = any(
            s.workspace and s.workspace.app_insights and s.workspace.app_insights.ampls
            for s in self.spec.spokes.values()
        )
        for index, name in enumerate(profiles):
            profile = self.catalog.egress_profile(name)
            if profile is None:
                known = ", ".join(p.name for p in self.catalog.egress_profiles)
                self.error(
                    dx.UNKNOWN_REFERENCE,
                    f"unknown egress profile {name!r}; the catalog has: {known}",
                    *path,
                    index,
                )
                continue
            for d in profile.destinations:
                if d.when == "no-ampls" and has_ampls:
                    continue
                destinations.append(d.for_region(self.region))
        return tuple(destinations)

    # -- spokes ---------------------------------------------------------------------------------
    def expand_spoke(
        self, plan: _VnetPlan, spoke: bp.SpokeSpec, registry_id: ResourceId | None
    ) -> None:
        path: PathKey = ("spokes", plan.key)
        if spoke.workspace:
            self.expand_workspace(
                plan, spoke.workspace, registry_id, (*path, "workspace"), tuple(spoke.egress)
            )
        if spoke.git_server in ("github-enterprise-server", "azure-devops-server"):
            self.add_vm(
                f"vm-git-{plan.key}",
                plan,
                "git",
                VmRole.GIT_SERVER,
                spoke.git_server,
                (*path, "git_server"),
            )
        if spoke.runners:
            product = (
                "github-actions-runner"
                if spoke.runners.kind == "github-actions"
                else "azure-pipelines-agent"
            )
            for index in range(spoke.runners.count):
                self.add_vm(
                    f"vm-runner-{plan.key}-{index + 1}",
                    plan,
                    "runners",
                    VmRole.CI_RUNNER,
                    product,
                    (*path, "runners"),
                )
        lake_id = self.expand_lake(plan, spoke.lake, (*path, "lake")) if spoke.lake else None
        if spoke.data_factory:
            self.expand_data_factory(plan, spoke.data_factory, lake_id, (*path, "data_factory"))
        for index, account in enumerate(spoke.storage_accounts):
            self.expand_storage_account(plan, account, (*path, "storage_accounts", index))
        for index, ai_account in enumerate(spoke.ai_services):
            self.expand_ai_account(plan, ai_account, (*path, "ai_services", index))
        for index, search in enumerate(spoke.search_services):
            self.expand_search(plan, search, (*path, "search_services", index))
        for index, aks in enumerate(spoke.aks_clusters):
            self.expand_aks(plan, spoke, aks, (*path, "aks_clusters", index))
        if spoke.workspace:
            ws_id = self.rid("Microsoft.MachineLearningServices/workspaces", spoke.workspace.name)
            for index, attached in enumerate(spoke.workspace.kubernetes_computes):
                self.expand_kubernetes_compute(
                    plan,
                    spoke,
                    ws_id,
                    attached,
                    (*path, "workspace", "kubernetes_computes", index),
                )
        for index, vm in enumerate(spoke.vms):
            self.add_vm(
                vm.name,
                plan,
                "vms",
                VmRole(vm.role),
                vm.product,
                (*path, "vms", index),
                public_ip=vm.public_ip,
            )

    def add_vm(
        self,
        name: str,
        plan: _VnetPlan,
        role_subnet: str,
        role: VmRole,
        product: str,
        path: PathKey,
        dns_forwarders: tuple[tuple[DnsName, tuple[Address, ...]], ...] = (),
        public_ip: bool = False,
    ) -> Address | None:
        if role_subnet not in plan.subnets:
            return None
        subnet_id = plan.subnet_id(role_subnet)
        ip = self.next_ip(subnet_id, *path)
        nic_id = self.rid(f"{NET}/networkInterfaces", f"nic-{name}")
        vm_id = self.rid("Microsoft.Compute/virtualMachines", name)
        pip = self.public_ip(f"pip-{name}", path) if public_ip else None
        self.nics.append(
            NetworkInterface(
                id=nic_id,
                name=f"nic-{name}",
                location=plan.location,
                subnet=subnet_id,
                private_ip_address=ip,
                public_ip_address=pip,
                virtual_machine=vm_id,
                source=self.doc.location(path),
            )
        )
        self.vms.append(
            VirtualMachine(
                id=vm_id,
                name=name,
                location=plan.location,
                network_interfaces=(nic_id,),
                role=role,
                product=product,
                dns_forwarders=dns_forwarders,
                tags=((ROLE_TAG, role.value),),
                source=self.doc.location(path),
            )
        )
        return ip

    def private_endpoint(
        self,
        plan: _VnetPlan,
        target: ResourceId,
        group_id: str,
        path: PathKey,
        target_name: str,
    ) -> None:
        if "pe" not in plan.subnets:
            return
        subnet_id = plan.subnet_id("pe")
        service = self.catalog.private_link_service(target.resource_type, group_id)
        if service is None:
            self.error(
                dx.UNKNOWN_REFERENCE,
                f"no private-link service {group_id!r} for {target.resource_type} in the catalog",
                *path,
            )
            return
        name = f"pep-{target_name}-{group_id.lower()}"
        if name in self._endpoint_names:
            name = f"{name}-{plan.key}"
        configs = []
        for member in service.members:
            ip = self.next_ip(subnet_id, *path)
            if ip is None:
                continue
            member_name = member.name.replace("{region}", self.region)
            configs.append(
                PrivateEndpointIpConfiguration(
                    name=f"ipconfig-{member_name}".lower(),
                    group_id=group_id,
                    member_name=member_name,
                    private_ip_address=ip,
                )
            )
        self._endpoint_names.add(name)
        self.private_endpoints.append(
            PrivateEndpoint(
                id=self.rid(f"{NET}/privateEndpoints", name),
                name=name,
                location=plan.location,
                subnet=subnet_id,
                private_link_service=target,
                group_ids=(group_id,),
                ip_configurations=tuple(configs),
                source=self.doc.location(path),
            )
        )

    def expand_workspace(
        self,
        plan: _VnetPlan,
        ws: bp.WorkspaceSpec,
        registry_id: ResourceId | None,
        path: PathKey,
        egress: tuple[str, ...] = (),
    ) -> None:
        ms = "Microsoft.MachineLearningServices"
        ws_id = self.rid(f"{ms}/workspaces", ws.name)
        public = PublicNetworkAccess(ws.public_network_access.capitalize())
        closed = public is PublicNetworkAccess.DISABLED
        storage_name = ws.storage.name or self.unique_name("st", ws.name, 24)
        kv_name = ws.key_vault.name or self.unique_name("kv-", ws.name, 24, "a-z0-9-")
        acr_name = ws.container_registry.name or self.unique_name("cr", ws.name, 50)
        storage_id = self.rid("Microsoft.Storage/storageAccounts", storage_name)
        kv_id = self.rid("Microsoft.KeyVault/vaults", kv_name)
        acr_id = self.rid("Microsoft.ContainerRegistry/registries", acr_name)
        deny = NetworkAcls(default_action=DefaultAction.DENY, resource_access_rules=(ws_id,))
        self.storage.append(
            StorageAccount(
                id=storage_id,
                name=storage_name,
                location=plan.location,
                public_network_access=public,
                network_acls=deny if closed else NetworkAcls(),
                allow_shared_key_access=False,
                source=self.doc.location((*path, "storage")),
            )
        )
        self.key_vaults.append(
            KeyVault(
                id=kv_id,
                name=kv_name,
                location=plan.location,
                public_network_access=public,
                network_acls=NetworkAcls(default_action=DefaultAction.DENY)
                if closed
                else NetworkAcls(),
                enable_purge_protection=True,
                source=self.doc.location((*path, "key_vault")),
            )
        )
        acr_public = (
            public if ws.container_registry.sku == "Premium" else PublicNetworkAccess.ENABLED
        )
        self.acrs.append(
            ContainerRegistry(
                id=acr_id,
                name=acr_name,
                location=plan.location,
                sku=ws.container_registry.sku,
                admin_user_enabled=ws.container_registry.admin_user,
                public_network_access=acr_public,
                source=self.doc.location((*path, "container_registry")),
            )
        )
        appi_id: ResourceId | None = None
        if ws.app_insights:
            appi_name = ws.app_insights.name or f"appi-{ws.name}"
            appi_id = self.rid("Microsoft.Insights/components", appi_name)
            ampls = ws.app_insights.ampls
            self.app_insights.append(
                ApplicationInsights(
                    id=appi_id,
                    name=appi_name,
                    location=plan.location,
                    public_network_access_for_ingestion=(
                        PublicNetworkAccess.DISABLED if ampls else PublicNetworkAccess.ENABLED
                    ),
                    source=self.doc.location((*path, "app_insights")),
                )
            )
            if ampls:
                scope_id = self.rid("Microsoft.Insights/privateLinkScopes", f"ampls-{ws.name}")
                self.scopes.append(
                    PrivateLinkScope(
                        id=scope_id,
                        name=f"ampls-{ws.name}",
                        location="global",
                        ingestion_access_mode=AccessMode.PRIVATE_ONLY,
                        query_access_mode=AccessMode.OPEN,
                        scoped_resources=(appi_id,),
                        source=self.doc.location((*path, "app_insights")),
                    )
                )
                self.private_endpoint(
                    plan, scope_id, "azuremonitor", (*path, "app_insights"), f"ampls-{ws.name}"
                )
        image_build = next((c.name for c in ws.compute.clusters if c.image_build), "")
        managed = ManagedNetwork()
        if ws.managed_network:
            mode = {
                "disabled": IsolationMode.DISABLED,
                "allow_internet_outbound": IsolationMode.ALLOW_INTERNET_OUTBOUND,
                "allow_only_approved_outbound": IsolationMode.ALLOW_ONLY_APPROVED_OUTBOUND,
            }[ws.managed_network.isolation_mode]
            rules: tuple[OutboundRule, ...] = ()
            if mode is IsolationMode.ALLOW_ONLY_APPROVED_OUTBOUND:
                # The spoke's egress profiles become the managed VNet's outbound rules.
                destinations = self.egress_destinations(list(egress), (*path[:-1], "egress"))
                rules = managed_outbound_rules(
                    destinations, self.catalog.managed_network_fqdn_ports
                )
            managed = ManagedNetwork(isolation_mode=mode, outbound_rules=rules)
        workspace_guid = placeholder_guid(ws_id)
        tags: Tags = (("heiki-assumed", "workspace_id"),)
        if plan.stage:
            tags = (*tags, (STAGE_TAG, plan.stage))
        self.workspaces.append(
            Workspace(
                id=ws_id,
                name=ws.name,
                location=plan.location,
                workspace_id=workspace_guid,
                storage_account=storage_id,
                key_vault=kv_id,
                container_registry=acr_id,
                application_insights=appi_id,
                public_network_access=public,
                managed_network=managed,
                image_build_compute=image_build,
                registries=(registry_id,) if (ws.registry and registry_id) else (),
                # the workspace storage has shared keys off: datastores must use the identity
                system_datastores_auth_mode=DatastoresAuthMode.IDENTITY,
                tags=tags,
                source=self.doc.location(path),
            )
        )
        if ws.registry and registry_id is None:
            self.error(
                dx.UNKNOWN_REFERENCE,
                "workspace uses the shared registry but the blueprint declares no top-level registry",
                *path,
                "registry",
            )
        self.private_endpoint(plan, ws_id, "amlworkspace", path, ws.name)
        self.private_endpoint(plan, storage_id, "blob", (*path, "storage"), storage_name)
        self.private_endpoint(plan, storage_id, "file", (*path, "storage"), storage_name)
        if ws.batch_endpoints:  # batch deployments need all four storage endpoints
            for group in self.catalog.batch_endpoint_storage[1]:
                if group not in ("blob", "file"):
                    self.private_endpoint(plan, storage_id, group, (*path, "storage"), storage_name)
        self.private_endpoint(plan, kv_id, "vault", (*path, "key_vault"), kv_name)
        if ws.container_registry.sku == "Premium":
            self.private_endpoint(plan, acr_id, "registry", (*path, "container_registry"), acr_name)
        if ws.registry and registry_id:
            self.private_endpoint(
                plan, registry_id, "amlregistry", (*path, "registry"), registry_id.name
            )
        for index, instance in enumerate(ws.compute.instances):
            spec = (
                instance
                if isinstance(instance, bp.InstanceSpec)
                else bp.InstanceSpec(name=instance)
            )
            self.computes.append(
                Compute(
                    id=ws_id.child("computes", spec.name),
                    name=spec.name,
                    location=plan.location,
                    workspace=ws_id,
                    compute_type=ComputeType.COMPUTE_INSTANCE,
                    subnet=plan.subnet_id("compute") if "compute" in plan.subnets else None,
                    enable_node_public_ip=spec.public_ip,
                    vm_size=spec.vm_size,
                    max_nodes=1,
                    source=self.doc.location((*path, "compute", "instances", index)),
                )
            )
        for index, endpoint in enumerate(ws.online_endpoints):
            online = (
                endpoint
                if isinstance(endpoint, bp.OnlineEndpointSpec)
                else bp.OnlineEndpointSpec(name=endpoint)
            )
            self.services.append(
                ArmResource(
                    id=ws_id.child("onlineEndpoints", online.name),
                    type="Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
                    name=f"{ws.name}/{online.name}",
                    location=plan.location,
                    properties={
                        "authMode": _AUTH_MODES[online.auth_mode],
                        "publicNetworkAccess": online.public_network_access.capitalize(),
                    },
                    source=self.doc.location((*path, "online_endpoints", index)),
                    kind="Managed",
                )
            )
        for index, batch in enumerate(ws.batch_endpoints):
            self.services.append(
                ArmResource(
                    id=ws_id.child("batchEndpoints", batch),
                    type="Microsoft.MachineLearningServices/workspaces/batchEndpoints",
                    name=f"{ws.name}/{batch}",
                    location=plan.location,
                    properties={"authMode": "AADToken"},
                    source=self.doc.location((*path, "batch_endpoints", index)),
                )
            )
        for index, cluster in enumerate(ws.compute.clusters):
            self.computes.append(
                Compute(
                    id=ws_id.child("computes", cluster.name),
                    name=cluster.name,
                    location=plan.location,
                    workspace=ws_id,
                    compute_type=ComputeType.AML_COMPUTE,
                    subnet=plan.subnet_id("cluster") if "cluster" in plan.subnets else None,
                    enable_node_public_ip=cluster.public_ip,
                    vm_size=cluster.vm_size,
                    min_nodes=cluster.min_nodes,
                    max_nodes=cluster.max_nodes,
                    source=self.doc.location((*path, "compute", "clusters", index)),
                )
            )

    def expand_registry(self) -> ResourceId | None:
        registry = self.spec.registry
        if registry is None:
            return None
        registry_id = self.rid("Microsoft.MachineLearningServices/registries", registry.name)
        self.registries.append(
            Registry(
                id=registry_id,
                name=registry.name,
                location=self.region,
                public_network_access=PublicNetworkAccess(
                    registry.public_network_access.capitalize()
                ),
                registry_id=placeholder_guid(registry_id),
                regions=(self.region,),
                tags=(("heiki-assumed", "registry_id"),),
                source=self.loc("registry"),
            )
        )
        return registry_id

    def expand_lake(self, plan: _VnetPlan, lake: bp.LakeSpec, path: PathKey) -> ResourceId:
        lake_id = self.rid("Microsoft.Storage/storageAccounts", lake.name)
        self.storage.append(
            StorageAccount(
                id=lake_id,
                name=lake.name,
                location=plan.location,
                is_hns_enabled=True,
                public_network_access=PublicNetworkAccess.DISABLED,
                network_acls=NetworkAcls(default_action=DefaultAction.DENY),
                allow_shared_key_access=False,
                tags=(("heiki-layers", ",".join(lake.layers)),),
                source=self.doc.location(path),
            )
        )
        self.private_endpoint(plan, lake_id, "dfs", path, lake.name)
        self.private_endpoint(plan, lake_id, "blob", path, lake.name)
        return lake_id

    def expand_data_factory(
        self,
        plan: _VnetPlan,
        factory: bp.DataFactorySpec,
        lake_id: ResourceId | None,
        path: PathKey,
    ) -> None:
        name = factory.name or self.unique_name("adf-", self.spec.name, 40, "a-z0-9-")
        adf_id = self.rid("Microsoft.DataFactory/factories", name)
        onprem = self.spec.onprem
        known = {d.name for d in onprem.data_sources} if onprem else set()
        for index, source_name in enumerate(factory.sources):
            if source_name not in known:
                self.error(
                    dx.UNKNOWN_REFERENCE,
                    f"data source {source_name!r} is not declared under onprem.data_sources",
                    *path,
                    "sources",
                    index,
                )
        managed_pes: list[ManagedPrivateEndpoint] = []
        if factory.managed_vnet and lake_id:
            managed_pes = [
                ManagedPrivateEndpoint(
                    f"mpe-{lake_id.name}-{g}", lake_id, g, ConnectionState.APPROVED
                )
                for g in ("dfs", "blob")
            ]
        runtimes = [
            IntegrationRuntime(
                "AutoResolveIntegrationRuntime",
                IntegrationRuntimeType.MANAGED,
                managed_virtual_network=factory.managed_vnet,
            )
        ]
        if factory.self_hosted_ir:
            vm_name = f"vm-shir-{plan.key}"
            self.add_vm(
                vm_name,
                plan,
                "shir",
                VmRole.INTEGRATION_RUNTIME,
                "self-hosted-integration-runtime",
                path,
            )
            runtimes.append(
                IntegrationRuntime(
                    "shir-onprem-sources",
                    IntegrationRuntimeType.SELF_HOSTED,
                    nodes=(self.rid("Microsoft.Compute/virtualMachines", vm_name),),
                )
            )
        self.factories.append(
            DataFactory(
                id=adf_id,
                name=name,
                location=plan.location,
                public_network_access=PublicNetworkAccess.DISABLED,
                managed_virtual_network=factory.managed_vnet,
                managed_private_endpoints=tuple(managed_pes),
                integration_runtimes=tuple(runtimes),
                linked_sources=tuple(factory.sources),
                linked_sinks=(lake_id,) if lake_id else (),
                source=self.doc.location(path),
            )
        )
        self.private_endpoint(plan, adf_id, "dataFactory", path, name)

    def expand_storage_account(
        self, plan: _VnetPlan, account: bp.StorageAccountSpec, path: PathKey
    ) -> None:
        account_id = self.rid("Microsoft.Storage/storageAccounts", account.name)
        public = PublicNetworkAccess(account.public_network_access.capitalize())
        self.storage.append(
            StorageAccount(
                id=account_id,
                name=account.name,
                location=plan.location,
                is_hns_enabled=account.hns,
                public_network_access=public,
                network_acls=(
                    NetworkAcls(default_action=DefaultAction.DENY)
                    if public is PublicNetworkAccess.DISABLED
                    else NetworkAcls()
                ),
                allow_shared_key_access=account.shared_key,
                tags=(("heiki-purpose", account.purpose),) if account.purpose else (),
                source=self.doc.location(path),
            )
        )
        for index, group in enumerate(account.private_endpoints):
            self.private_endpoint(
                plan, account_id, group, (*path, "private_endpoints", index), account.name
            )

    def expand_ai_account(self, plan: _VnetPlan, account: bp.AiAccountSpec, path: PathKey) -> None:
        kind = "Microsoft.CognitiveServices/accounts"
        account_id = self.rid(kind, account.name)
        public = account.public_network_access.capitalize()
        self.services.append(
            ArmResource(
                id=account_id,
                type=kind,
                name=account.name,
                location=plan.location,
                properties={
                    "customSubDomainName": account.custom_subdomain or account.name,
                    "publicNetworkAccess": public,
                    "networkAcls": {
                        "defaultAction": "Deny" if public == "Disabled" else "Allow",
                        "ipRules": [],
                        "virtualNetworkRules": [],
                    },
                    "disableLocalAuth": not account.local_auth,
                },
                source=self.doc.location(path),
                sku={"name": "S0"},
                kind=account.kind,
            )
        )
        self.private_endpoint(plan, account_id, "account", path, account.name)

    def expand_aks(
        self, plan: _VnetPlan, spoke: bp.SpokeSpec, aks: bp.AksClusterSpec, path: PathKey
    ) -> None:
        """The cluster as a template declares it, read as the template reader reads it."""
        attached = spoke.workspace is not None and any(
            c.cluster == aks.name and c.type == "Kubernetes"
            for c in spoke.workspace.kubernetes_computes
        )
        local = attached if aks.local_accounts is None else aks.local_accounts
        api_server: dict[str, Any] = {"enablePrivateCluster": aks.private}
        if aks.private:
            zone = aks.api_server_zone
            if zone.lower() == "hub":
                name = self.catalog.coverage.api_server_zone_name(self.region)
                self.extra_zones.append(name)
                zone = str(self.rid(f"{NET}/privateDnsZones", name))
            api_server["privateDNSZone"] = zone
        if aks.authorized_ip_ranges:
            api_server["authorizedIPRanges"] = list(aks.authorized_ip_ranges)
        properties: dict[str, Any] = {
            "dnsPrefix": aks.name,
            "agentPoolProfiles": [
                {
                    "name": "system",
                    "mode": "System",
                    "count": aks.nodes,
                    "vnetSubnetID": str(plan.subnet_id("aks")),
                    **({"maxPods": aks.max_pods} if aks.max_pods else {}),
                }
            ],
            "networkProfile": {
                "networkPlugin": "kubenet" if aks.network_plugin == "kubenet" else "azure",
                **(
                    {"networkPluginMode": "overlay"}
                    if aks.network_plugin == "azure-overlay"
                    else {}
                ),
                "outboundType": aks.outbound_type,
            },
            "apiServerAccessProfile": api_server,
            "disableLocalAccounts": not local,
        }
        self.services.append(
            ArmResource(
                id=self.rid("Microsoft.ContainerService/managedClusters", aks.name),
                type="Microsoft.ContainerService/managedClusters",
                name=aks.name,
                location=plan.location,
                properties=properties,
                source=self.doc.location(path),
            )
        )

    def expand_kubernetes_compute(
        self,
        plan: _VnetPlan,
        spoke: bp.SpokeSpec,
        ws_id: ResourceId,
        compute: bp.KubernetesComputeSpec,
        path: PathKey,
    ) -> None:
        """An attached cluster and its front end: on the compute (AKS v1) or in the cluster's
        Azure ML extension (Kubernetes)."""
        if compute.cluster not in {c.name for c in spoke.aks_clusters}:
            self.error(
                dx.UNKNOWN_REFERENCE,
                f"Kubernetes compute {compute.name} attaches cluster {compute.cluster!r}, which "
                "is not one of this spoke's aks_clusters",
                *path,
                "cluster",
            )
            return
        cluster_id = self.rid("Microsoft.ContainerService/managedClusters", compute.cluster)
        where = self.doc.location(path)
        inner: dict[str, Any] = {}
        if compute.type == "AKS":
            internal = compute.front_end == "internal"
            if compute.front_end not in ("internal", "public"):
                self.error(
                    dx.SCHEMA,
                    "an AKS (v1) compute's front end is internal or public; node-port, "
                    "cluster-ip and none are settings of the Azure ML extension (type: "
                    "Kubernetes)",
                    *path,
                    "front_end",
                )
            inner = {
                "loadBalancerType": "InternalLoadBalancer" if internal else "PublicIp",
                "aksNetworkingConfiguration": {"subnetId": str(plan.subnet_id("aks"))},
                "sslConfiguration": {"status": "Enabled" if compute.https else "Disabled"},
            }
            if internal:
                inner["loadBalancerSubnet"] = plan.subnets["aks"][0]
        else:
            # the blueprint's front_end values are the exposures' own (never unknown)
            settings = extension_settings(ScoringExposure(compute.front_end), compute.https) or {}
            self.services.append(
                ArmResource(
                    id=ResourceId(
                        f"{cluster_id}/providers/Microsoft.KubernetesConfiguration/extensions/azureml"
                    ),
                    type="Microsoft.KubernetesConfiguration/extensions",
                    name="azureml",
                    location=plan.location,
                    properties={
                        "extensionType": "microsoft.azureml.kubernetes",
                        "configurationSettings": settings,
                    },
                    source=where,
                )
            )
        self.services.append(
            ArmResource(
                id=ws_id.child("computes", compute.name),
                type="Microsoft.MachineLearningServices/workspaces/computes",
                name=f"{ws_id.name}/{compute.name}",
                location=plan.location,
                properties={
                    "computeType": compute.type,
                    "resourceId": str(cluster_id),
                    "properties": inner,
                },
                source=where,
            )
        )

    def expand_search(self, plan: _VnetPlan, search: bp.SearchServiceSpec, path: PathKey) -> None:
        kind = "Microsoft.Search/searchServices"
        search_id = self.rid(kind, search.name)
        self.services.append(
            ArmResource(
                id=search_id,
                type=kind,
                name=search.name,
                location=plan.location,
                properties={
                    "publicNetworkAccess": search.public_network_access,
                    "networkRuleSet": {"ipRules": []},
                    "disableLocalAuth": not search.local_auth,
                    "replicaCount": 1,
                    "partitionCount": 1,
                },
                source=self.doc.location(path),
                sku={"name": search.sku},
            )
        )
        self.private_endpoint(plan, search_id, "searchService", path, search.name)

    def surfaces(self, env: Environment) -> Environment:
        """The services read as the template reader reads them: attached Kubernetes computes
        into the model, the rest as a public surface."""
        if not self.services:
            return env
        ctx = ConvertContext(self.catalog, self.services)
        env = replace(env, kubernetes_computes=tuple(kubernetes_computes(ctx)))
        computes = frozenset({"microsoft.machinelearningservices/workspaces/computes"})
        return replace(env, unmodelled=unmodelled(ctx, env, computes))

    # -- DNS ------------------------------------------------------------------------------------
    def dns_mode(self) -> str:
        return self.spec.hub.dns if self.spec.hub else "azure"

    def expand_private_dns(self) -> list[PrivateDnsZone]:
        """One zone per zone name any private endpoint needs, linked where resolution happens."""
        zone_names: list[str] = []
        for pe in self.private_endpoints:
            for group in pe.group_ids:
                service = self.catalog.private_link_service(
                    pe.private_link_service.resource_type, group
                )
                if service:
                    for zone in service.private_dns_zones:
                        zone = zone.replace("{region}", self.region)
                        if zone not in zone_names:
                            zone_names.append(zone)
        zone_names += [z for z in self.extra_zones if z not in zone_names]
        linked = list(self.vnets) if self.dns_mode() == "azure" or self.hub is None else [self.hub]
        zones = []
        for zone_name in sorted(zone_names):
            zones.append(
                PrivateDnsZone(
                    id=self.rid(f"{NET}/privateDnsZones", zone_name),
                    name=zone_name,
                    zone=DnsName(zone_name),
                    virtual_network_links=tuple(
                        VirtualNetworkLink(name=f"link-{plan.name}", virtual_network=plan.id)
                        for plan in linked
                    ),
                    source=self.loc("hub", "dns") if self.spec.hub else None,
                )
            )
        return zones

    def attach_zone_groups(self, zones: list[PrivateDnsZone]) -> None:
        by_name = {z.name: z for z in zones}
        updated = []
        for pe in self.private_endpoints:
            configs = []
            for group in pe.group_ids:
                service = self.catalog.private_link_service(
                    pe.private_link_service.resource_type, group
                )
                for zone_name in service.private_dns_zones if service else ():
                    zone = by_name.get(zone_name.replace("{region}", self.region))
                    if zone:
                        configs.append(PrivateDnsZoneConfig(zone.name.replace(".", "-"), zone.id))
            group_obj = PrivateDnsZoneGroup("default", tuple(configs), pe.source)
            updated.append(replace(pe, dns_zone_groups=(group_obj,)))
        self.private_endpoints = updated

    def expand_resolver(self, hub: bp.HubSpec, plan: _VnetPlan) -> None:
        resolver_id = self.rid(f"{NET}/dnsResolvers", f"dnspr-{plan.key}")
        inbound = InboundEndpoint(
            id=resolver_id.child("inboundEndpoints", "in"),
            name="in",
            location=plan.location,
            subnet=plan.subnet_id("resolver-inbound"),
            private_ip_address=self.dns_endpoint_ips[0] if self.dns_endpoint_ips else None,
            private_ip_allocation_method=IpAllocation.STATIC,
            source=self.loc("hub", "dns"),
        )
        outbound = OutboundEndpoint(
            id=resolver_id.child("outboundEndpoints", "out"),
            name="out",
            location=plan.location,
            subnet=plan.subnet_id("resolver-outbound"),
            source=self.loc("hub", "dns"),
        )
        self.resolvers.append(
            DnsResolver(
                id=resolver_id,
                name=f"dnspr-{plan.key}",
                location=plan.location,
                virtual_network=plan.id,
                inbound_endpoints=(inbound,),
                outbound_endpoints=(outbound,),
                source=self.loc("hub", "dns"),
            )
        )
        onprem = self.spec.onprem
        rules: list[ForwardingRule] = []
        if onprem and onprem.dns and onprem.dns.zones:
            targets = tuple(
                TargetDnsServer(a)
                for a in (self.address(s, "onprem", "dns", "servers") for s in onprem.dns.servers)
                if a
            )
            for index, zone in enumerate(onprem.dns.zones):
                rules.append(
                    ForwardingRule(
                        name=f"onprem-{sanitize(zone.zone, 'a-z0-9-')}",
                        domain_name=DnsName(zone.zone),
                        target_dns_servers=targets,
                        source=self.loc("onprem", "dns", "zones", index),
                    )
                )
        self.rulesets.append(
            DnsForwardingRuleset(
                id=self.rid(f"{NET}/dnsForwardingRulesets", f"dnsfrs-{plan.key}"),
                name=f"dnsfrs-{plan.key}",
                location=plan.location,
                outbound_endpoints=(outbound.id,),
                forwarding_rules=tuple(rules),
                virtual_network_links=(RulesetVirtualNetworkLink(f"link-{plan.name}", plan.id),),
                source=self.loc("hub", "dns"),
            )
        )

    # -- VNets, NSGs, routes, peerings ----------------------------------------------------------
    def finish_vnets(self, spokes: list[tuple[_VnetPlan, bp.SpokeSpec]]) -> list[VirtualNetwork]:
        hub_spec = self.spec.hub
        hub = self.hub
        has_firewall = self.firewall_ip is not None
        has_gateway = bool(self.gateways)
        result: list[VirtualNetwork] = []
        spoke_dns = self.dns_endpoint_ips if self.dns_mode() != "azure" else ()
        if hub and hub_spec:
            subnets = []
            for role, (name, prefix) in sorted(hub.subnets.items(), key=lambda i: i[1][1]):
                rt = None
                if role == "gateway" and has_firewall and spokes:
                    rt = self.route_table(
                        f"rt-{hub.key}-gateway",
                        tuple(
                            Route(
                                f"to-{plan.key}-{i}",
                                str(p),
                                NextHopType.VIRTUAL_APPLIANCE,
                                self.firewall_ip,
                            )
                            for plan, _ in spokes
                            for i, p in enumerate(plan.address_space)
                        ),
                        disable_bgp=False,
                        path=("hub", "gateway"),
                    )
                nsg = None
                if role in ("resolver-inbound", "resolver-outbound", "dns"):
                    nsg = self.nsg(f"nsg-{hub.key}-{role}", (), ("hub", "dns"))
                delegations = (
                    ("Microsoft.Network/dnsResolvers",) if role.startswith("resolver") else ()
                )
                subnets.append(
                    Subnet(
                        id=hub.id.child("subnets", name),
                        name=name,
                        address_prefix=prefix,
                        route_table=rt,
                        network_security_group=nsg,
                        delegations=delegations,
                        default_outbound_access=False,
                        source=self.loc("hub", "subnets", role)
                        if role in hub_spec.subnets
                        else self.loc("hub"),
                    )
                )
            hub_peerings = tuple(
                VirtualNetworkPeering(
                    id=hub.id.child("virtualNetworkPeerings", f"peer-{hub.key}-to-{plan.key}"),
                    name=f"peer-{hub.key}-to-{plan.key}",
                    remote_virtual_network=plan.id,
                    allow_virtual_network_access=True,
                    allow_forwarded_traffic=False,
                    allow_gateway_transit=has_gateway,
                    source=self.loc("spokes", plan.key),
                )
                for plan, _ in spokes
            )
            result.append(
                VirtualNetwork(
                    id=hub.id,
                    name=hub.name,
                    location=hub.location,
                    address_space=hub.address_space,
                    dns_servers=(),
                    subnets=tuple(subnets),
                    peerings=hub_peerings,
                    source=self.loc("hub"),
                )
            )
        for plan, spoke in spokes:
            path: PathKey = ("spokes", plan.key)
            rt = None
            if has_firewall:
                rt = self.route_table(
                    f"rt-{plan.key}",
                    (
                        Route(
                            "default-to-firewall",
                            "0.0.0.0/0",
                            NextHopType.VIRTUAL_APPLIANCE,
                            self.firewall_ip,
                        ),
                    ),
                    disable_bgp=True,
                    path=path,
                )
            nsg_rules = self.spoke_nsg_rules(plan, spoke, has_firewall)
            workload_nsg = self.nsg(f"nsg-{plan.key}", nsg_rules, path)
            pe_nsg = self.nsg(f"nsg-{plan.key}-pe", (), path) if "pe" in plan.subnets else None
            subnets = []
            for role, (name, prefix) in sorted(plan.subnets.items(), key=lambda i: i[1][1]):
                subnets.append(
                    Subnet(
                        id=plan.id.child("subnets", name),
                        name=name,
                        address_prefix=prefix,
                        network_security_group=pe_nsg if role == "pe" else workload_nsg,
                        route_table=rt,
                        private_endpoint_network_policies=(
                            PrivateEndpointNetworkPolicies.ENABLED
                            if role == "pe"
                            else PrivateEndpointNetworkPolicies.DISABLED
                        ),
                        default_outbound_access=spoke.default_outbound_access,
                        tags=((ROLE_TAG, role),) if role in _WORKLOAD_ROLES else (),
                        source=self.loc(*path, "subnets", role)
                        if role in spoke.subnets
                        else self.loc(*path),
                    )
                )
            peerings: tuple[VirtualNetworkPeering, ...] = ()
            if hub:
                use_remote = spoke.use_remote_gateways
                if use_remote is None:
                    use_remote = has_gateway
                peerings = (
                    VirtualNetworkPeering(
                        id=plan.id.child("virtualNetworkPeerings", f"peer-{plan.key}-to-{hub.key}"),
                        name=f"peer-{plan.key}-to-{hub.key}",
                        remote_virtual_network=hub.id,
                        allow_virtual_network_access=True,
                        allow_forwarded_traffic=True,
                        use_remote_gateways=use_remote,
                        source=self.loc(*path, "use_remote_gateways")
                        if spoke.use_remote_gateways is not None
                        else self.loc(*path),
                    ),
                )
            result.append(
                VirtualNetwork(
                    id=plan.id,
                    name=plan.name,
                    location=plan.location,
                    address_space=plan.address_space,
                    dns_servers=spoke_dns,
                    subnets=tuple(subnets),
                    peerings=peerings,
                    tags=((STAGE_TAG, plan.stage),) if plan.stage else (),
                    source=self.loc(*path),
                )
            )
        return result

    def spoke_nsg_rules(
        self, plan: _VnetPlan, spoke: bp.SpokeSpec, has_firewall: bool
    ) -> tuple[SecurityRule, ...]:
        rules = [
            SecurityRule(
                name="DenyInternetInBound",
                priority=4096,
                direction=Direction.INBOUND,
                access=Access.DENY,
                protocol=NsgProtocol.ANY,
                source_address_prefixes=("Internet",),
                description="Nothing from the internet reaches a closed spoke.",
            )
        ]
        if has_firewall:
            return tuple(rules)
        # Without a firewall the NSG is the only egress control (the talk's slide 9).
        path: PathKey = ("spokes", plan.key, "egress")
        egress, unexpressed = nsg_egress_rules(self.egress_destinations(spoke.egress, path))
        if unexpressed:
            self.warn(
                dx.NOT_EXPRESSIBLE,
                f"without a firewall, {len(unexpressed)} FQDN destinations of the egress profiles "
                f"cannot be allowed by an NSG (e.g. {unexpressed[0]}); they stay blocked",
                *path,
            )
        return (*rules, *egress)

    def nsg(self, name: str, rules: Iterable[SecurityRule], path: PathKey) -> ResourceId:
        nsg = NetworkSecurityGroup(
            id=self.rid(f"{NET}/networkSecurityGroups", name),
            name=name,
            location=self.region,
            security_rules=tuple(rules),
            default_security_rules=default_security_rules(self.catalog),
            source=self.doc.location(path),
        )
        self.nsgs.append(nsg)
        return nsg.id

    def route_table(
        self, name: str, routes: tuple[Route, ...], disable_bgp: bool, path: PathKey
    ) -> ResourceId:
        table = RouteTable(
            id=self.rid(f"{NET}/routeTables", name),
            name=name,
            location=self.region,
            routes=routes,
            disable_bgp_route_propagation=disable_bgp,
            source=self.doc.location(path),
        )
        self.route_tables.append(table)
        return table.id

    # -- on-premises ----------------------------------------------------------------------------
    def expand_onprem(self, env: Environment) -> OnPremises:
        spec = self.spec.onprem
        assert spec is not None
        gateway = self.gateways[0].id if self.gateways else None
        kind = spec.connection or (self.spec.hub.gateway if self.spec.hub else "none")
        # the A-record design's list: every private name, built only when A records are asked for
        wanted = spec.dns is not None and spec.dns.a_records
        dns_names = private_names(self.catalog, env) if wanted else ()
        return build_onprem(
            spec,
            self.doc,
            ("onprem",),
            self.catalog,
            gateway=gateway,
            connection_kind=kind,
            hub_dns=self.dns_endpoint_ips,
            forward_zones=forwarder_zones(
                self.catalog, self.private_endpoints, bool(self.computes), self.region
            ),
            private_names=dns_names,
            diagnostics=self.diagnostics,
        )


_AUTH_MODES = {"aml_token": "AMLToken", "aad_token": "AADToken", "key": "Key"}
"""Blueprint auth modes as Azure ML writes them (``authMode``)."""


def private_names(catalog: Catalog, env: Environment) -> tuple[tuple[str, Address], ...]:
    """Client-facing FQDN -> private IP of every name clients need (the A-record design's list)."""
    names: list[tuple[str, Address]] = []
    for endpoint in env.private_endpoints:
        for record in endpoint_records(catalog, env, endpoint):
            if record.public is not None and record.address is not None:
                names.append((str(record.public), record.address))
    for compute in env.computes:
        workspace = env.get_typed(compute.workspace, Workspace)
        if workspace is None:
            continue
        region = target_region(env, workspace.id, env.location)
        target = compute_instance_target(catalog, workspace, region)
        api = {
            str(r.private): r.address
            for pe in env.private_endpoints_for(workspace.id)
            for r in endpoint_records(catalog, env, pe)
        }.get(str(target))
        if api is None:
            continue
        names += [(str(n), api) for n in compute_instance_names(catalog, compute, region)]
    return tuple(sorted(set(names)))


def _region_name(location: str | None) -> str:
    """A region as Azure stores it: its display name without spaces, lower-case."""
    return location.replace(" ", "").lower() if location else ""
