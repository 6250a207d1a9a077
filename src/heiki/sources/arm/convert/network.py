"""Microsoft.Network: VNets with subnets and peerings (inline or as child resources), NSGs, route
tables, public IPs, NAT gateways, NICs, VMs, gateways, Bastion, ASGs."""

from __future__ import annotations

from dataclasses import replace

from heiki import diagnostics as dx
from heiki.diagnostics import Severity
from heiki.model.base import PRODUCT_TAG, ROLE_TAG, SUBNET_ROLES_TAG
from heiki.model.network import (
    Access,
    ApplicationSecurityGroup,
    BastionHost,
    Direction,
    GatewayType,
    NatGateway,
    NetworkInterface,
    NetworkSecurityGroup,
    NextHopType,
    NsgProtocol,
    PrivateEndpointNetworkPolicies,
    PublicIpAddress,
    Route,
    RouteTable,
    SecurityRule,
    ServiceEndpointPolicy,
    ServiceEndpointPolicyDefinition,
    Subnet,
    VirtualMachine,
    VirtualNetwork,
    VirtualNetworkGateway,
    VirtualNetworkPeering,
    VmRole,
)
from heiki.model.values import PortRange, Prefix, ResourceId, parse_address
from heiki.sources.arm.convert.context import ConvertContext, located, tags_of
from heiki.sources.arm.convert.reader import Props
from heiki.sources.arm.resources import ArmResource
from heiki.sources.defaults import default_security_rules


def _private_by_default(ctx: ConvertContext, api_version: str) -> bool:
    """A template subnet without ``defaultOutboundAccess`` is private from the catalog's API
    version on (ISO dates compare as text); deployed resources state the value themselves."""
    threshold = ctx.catalog.private_subnet_api_version
    return bool(threshold and api_version) and api_version[:10] >= threshold


def _subnet(
    ctx: ConvertContext, vnet: ArmResource, name: str, props: Props, api_version: str
) -> Subnet | None:
    prefix = ctx.prefix(props, "addressPrefix")
    if prefix is None:
        prefixes = props.strings("addressPrefixes")
        try:
            prefix = Prefix(prefixes[0], strict=False) if prefixes else None
        except ValueError:
            prefix = None
    if prefix is None:
        ctx.notes.add(
            dx.UNKNOWN_VALUE,
            Severity.INFO,
            f"subnet {name} of {vnet.name} has no known IPv4 addressPrefix; skipped",
            vnet.source,
        )
        return None
    policies = props.text("privateEndpointNetworkPolicies", "Disabled")
    try:
        policy = PrivateEndpointNetworkPolicies(policies)
    except ValueError:
        policy = PrivateEndpointNetworkPolicies.DISABLED
    outbound = props.get("defaultOutboundAccess")
    if not isinstance(outbound, bool):
        # what Azure does without the property, written out, so that a template generated
        # from this model at another API version keeps the behaviour
        outbound = not _private_by_default(ctx, api_version)
    return Subnet(
        id=ResourceId(f"{vnet.id}/subnets/{name}"),
        name=name,
        source=vnet.source,
        address_prefix=prefix,
        network_security_group=props.rid("networkSecurityGroup"),
        route_table=props.rid("routeTable"),
        nat_gateway=props.rid("natGateway"),
        delegations=tuple(
            d.sub("properties").text("serviceName") or d.text("serviceName")
            for d in props.subs("delegations")
        ),
        service_endpoints=tuple(s.text("service") for s in props.subs("serviceEndpoints")),
        private_endpoint_network_policies=policy,
        default_outbound_access=outbound if isinstance(outbound, bool) else None,
        service_endpoint_policies=props.rids("serviceEndpointPolicies"),
    )


def _peering(vnet: ArmResource, name: str, props: Props) -> VirtualNetworkPeering | None:
    remote = props.rid("remoteVirtualNetwork")
    if remote is None:
        return None
    return VirtualNetworkPeering(
        id=ResourceId(f"{vnet.id}/virtualNetworkPeerings/{name}"),
        name=name,
        source=vnet.source,
        remote_virtual_network=remote,
        allow_virtual_network_access=props.flag("allowVirtualNetworkAccess", True),
        allow_forwarded_traffic=props.flag("allowForwardedTraffic", False),
        allow_gateway_transit=props.flag("allowGatewayTransit", False),
        use_remote_gateways=props.flag("useRemoteGateways", False),
    )


def virtual_networks(ctx: ConvertContext) -> list[VirtualNetwork]:
    result = []
    for vnet in ctx.of_type("Microsoft.Network/virtualNetworks"):
        props = ctx.props(vnet)
        space = []
        for text in props.sub("addressSpace").strings("addressPrefixes"):
            try:
                space.append(Prefix(text, strict=False))
            except ValueError:
                if ":" not in text:  # IPv6 ranges are valid and not modelled; this is neither
                    ctx.notes.add(
                        dx.PARAMETER_VALUE,
                        Severity.WARNING,
                        f"{vnet.name}: address prefix {text!r} is not an IPv4 or IPv6 prefix; "
                        "Azure rejects it (left out of the address space)",
                        vnet.source,
                    )
                continue
        roles = dict(
            pair.split("=", 1)
            for pair in str(vnet.tags.get(SUBNET_ROLES_TAG, "")).split(";")
            if "=" in pair
        )
        subnets: dict[str, Subnet] = {}
        for item in props.subs("subnets"):
            name = item.text("name")
            subnet = (
                _subnet(ctx, vnet, name, item.sub("properties"), vnet.api_version) if name else None
            )
            if subnet is not None:
                subnets[name.lower()] = subnet
        for child in ctx.children(vnet, "subnets"):
            subnet = _subnet(ctx, vnet, child.short_name, ctx.props(child), child.api_version)
            if subnet is not None:
                subnets[child.short_name.lower()] = subnet
        peerings: dict[str, VirtualNetworkPeering] = {}
        for item in props.subs("virtualNetworkPeerings"):
            peering = _peering(vnet, item.text("name"), item.sub("properties"))
            if peering is not None:
                peerings[peering.name.lower()] = peering
        for child in ctx.children(vnet, "virtualNetworkPeerings"):
            peering = _peering(vnet, child.short_name, ctx.props(child))
            if peering is not None:
                peerings[peering.name.lower()] = peering
        dns = []
        for text in props.sub("dhcpOptions").strings("dnsServers"):
            try:
                dns.append(parse_address(text))
            except ValueError:
                continue
        tagged = tuple(
            replace(subnet, tags=((ROLE_TAG, roles[subnet.name]),))
            if subnet.name in roles
            else subnet
            for subnet in subnets.values()
        )
        result.append(
            VirtualNetwork(
                id=vnet.id,
                name=vnet.name,
                location=vnet.location,
                tags=tuple(t for t in tags_of(vnet) if t[0] != SUBNET_ROLES_TAG),
                source=vnet.source,
                address_space=tuple(space),
                dns_servers=tuple(dns),
                subnets=tagged,
                peerings=tuple(peerings.values()),
            )
        )
    return result


def _ports(props: Props, single: str, plural: str) -> tuple[PortRange, ...]:
    texts = props.strings(plural) or props.strings(single) or ("*",)
    ranges = []
    for text in texts:
        try:
            ranges.append(PortRange.parse(text))
        except ValueError:
            continue
    return tuple(ranges) or (PortRange(0, 65535),)


def _security_rule(name: str, props: Props) -> SecurityRule | None:
    try:
        direction = Direction(props.text("direction", "Inbound").capitalize())
        access = Access(props.text("access", "Allow").capitalize())
        protocol_text = props.text("protocol", "*")
        protocol = next(
            (p for p in NsgProtocol if p.value.lower() == protocol_text.lower()), NsgProtocol.ANY
        )
    except ValueError:
        return None
    return SecurityRule(
        name=name,
        priority=props.number("priority", 4096),
        direction=direction,
        access=access,
        protocol=protocol,
        source_address_prefixes=props.strings("sourceAddressPrefixes")
        or props.strings("sourceAddressPrefix")
        or ("*",),
        source_port_ranges=_ports(props, "sourcePortRange", "sourcePortRanges"),
        destination_address_prefixes=props.strings("destinationAddressPrefixes")
        or props.strings("destinationAddressPrefix")
        or ("*",),
        destination_port_ranges=_ports(props, "destinationPortRange", "destinationPortRanges"),
        source_application_security_groups=props.rids("sourceApplicationSecurityGroups"),
        destination_application_security_groups=props.rids("destinationApplicationSecurityGroups"),
        description=props.text("description"),
        source=props.where,
    )


def network_security_groups(ctx: ConvertContext) -> list[NetworkSecurityGroup]:
    result = []
    for nsg in ctx.of_type("Microsoft.Network/networkSecurityGroups"):
        rules: dict[str, SecurityRule] = {}
        for item in ctx.props(nsg).subs("securityRules"):
            rule = _security_rule(item.text("name"), item.sub("properties"))
            if rule is not None:
                rules[rule.name.lower()] = rule
        for child in ctx.children(nsg, "securityRules"):
            rule = _security_rule(child.short_name, ctx.props(child))
            if rule is not None:
                rules[rule.name.lower()] = rule
        result.append(
            NetworkSecurityGroup(
                **located(nsg),
                security_rules=tuple(rules.values()),
                default_security_rules=default_security_rules(ctx.catalog),
            )
        )
    return result


def _route(name: str, props: Props) -> Route | None:
    hop = props.text("nextHopType")
    kind = next((k for k in NextHopType if k.value.lower() == hop.lower()), None)
    prefix = props.text("addressPrefix")
    if kind is None or not prefix:
        return None
    address = None
    if props.text("nextHopIpAddress"):
        try:
            address = parse_address(props.text("nextHopIpAddress"))
        except ValueError:
            address = None
    return Route(name, prefix, kind, address, props.where)


def route_tables(ctx: ConvertContext) -> list[RouteTable]:
    result = []
    for table in ctx.of_type("Microsoft.Network/routeTables"):
        props = ctx.props(table)
        routes: dict[str, Route] = {}
        for item in props.subs("routes"):
            route = _route(item.text("name"), item.sub("properties"))
            if route is not None:
                routes[route.name.lower()] = route
        for child in ctx.children(table, "routes"):
            route = _route(child.short_name, ctx.props(child))
            if route is not None:
                routes[route.name.lower()] = route
        result.append(
            RouteTable(
                **located(table),
                routes=tuple(routes.values()),
                disable_bgp_route_propagation=props.flag("disableBgpRoutePropagation", False),
            )
        )
    return result


def public_ip_addresses(ctx: ConvertContext) -> list[PublicIpAddress]:
    return [
        PublicIpAddress(
            **located(ip),
            sku=str(ip.sku.get("name", "Standard")),
            ip_address=ctx.address(ctx.props(ip), "ipAddress"),
        )
        for ip in ctx.of_type("Microsoft.Network/publicIPAddresses")
    ]


def nat_gateways(ctx: ConvertContext) -> list[NatGateway]:
    return [
        NatGateway(
            **located(gw),
            public_ip_addresses=ctx.props(gw).rids("publicIpAddresses"),
        )
        for gw in ctx.of_type("Microsoft.Network/natGateways")
    ]


def application_security_groups(ctx: ConvertContext) -> list[ApplicationSecurityGroup]:
    return [
        ApplicationSecurityGroup(
            id=asg.id, name=asg.name, location=asg.location, tags=tags_of(asg), source=asg.source
        )
        for asg in ctx.of_type("Microsoft.Network/applicationSecurityGroups")
    ]


def network_interfaces(ctx: ConvertContext) -> list[NetworkInterface]:
    # A template cannot set a NIC's virtualMachine (read-only); the VM's profile says it.
    owners = {
        nic_id: vm.id
        for vm in ctx.of_type("Microsoft.Compute/virtualMachines")
        for item in ctx.props(vm).sub("networkProfile").subs("networkInterfaces")
        if (nic_id := item.rid("id")) is not None
    }
    result = []
    for nic in ctx.of_type("Microsoft.Network/networkInterfaces"):
        props = ctx.props(nic)
        configs = list(props.subs("ipConfigurations"))
        first = configs[0].sub("properties") if configs else Props({}, nic.source, "", ctx.notes)
        subnet = first.rid("subnet")
        if subnet is None:
            continue
        result.append(
            NetworkInterface(
                **located(nic),
                subnet=subnet,
                private_ip_address=ctx.address(first, "privateIPAddress"),
                network_security_group=props.rid("networkSecurityGroup"),
                application_security_groups=first.rids("applicationSecurityGroups"),
                public_ip_address=first.rid("publicIPAddress"),
                enable_ip_forwarding=props.flag("enableIPForwarding", False),
                virtual_machine=props.rid("virtualMachine") or owners.get(nic.id),
            )
        )
    return result


def virtual_machines(ctx: ConvertContext) -> list[VirtualMachine]:
    result = []
    for vm in ctx.of_type("Microsoft.Compute/virtualMachines"):
        props = ctx.props(vm)
        nics = tuple(
            rid
            for item in props.sub("networkProfile").subs("networkInterfaces")
            if (rid := item.rid("id")) is not None
        )
        role_text = str(vm.tags.get(ROLE_TAG, "workload"))
        role = next((r for r in VmRole if r.value == role_text), VmRole.WORKLOAD)
        result.append(
            VirtualMachine(
                id=vm.id,
                name=vm.name,
                location=vm.location,
                tags=tuple(t for t in tags_of(vm) if t[0] != PRODUCT_TAG),
                source=vm.source,
                network_interfaces=nics,
                role=role,
                product=str(vm.tags.get(PRODUCT_TAG, "")),
            )
        )
    return result


def virtual_network_gateways(ctx: ConvertContext) -> list[VirtualNetworkGateway]:
    result = []
    for gw in ctx.of_type("Microsoft.Network/virtualNetworkGateways"):
        props = ctx.props(gw)
        configs = list(props.subs("ipConfigurations"))
        subnet = configs[0].sub("properties").rid("subnet") if configs else None
        if subnet is None:
            continue
        kind = props.text("gatewayType", "Vpn")
        result.append(
            VirtualNetworkGateway(
                **located(gw),
                gateway_type=GatewayType.EXPRESS_ROUTE
                if kind.lower() == "expressroute"
                else GatewayType.VPN,
                subnet=subnet,
                sku=props.sub("sku").text("name"),
                enable_bgp=props.flag("enableBgp", False),
                public_ip_addresses=tuple(
                    rid
                    for c in configs
                    if (rid := c.sub("properties").rid("publicIPAddress")) is not None
                ),
            )
        )
    return result


def bastion_hosts(ctx: ConvertContext) -> list[BastionHost]:
    result = []
    for host in ctx.of_type("Microsoft.Network/bastionHosts"):
        configs = list(ctx.props(host).subs("ipConfigurations"))
        config = configs[0].sub("properties") if configs else None
        subnet = config.rid("subnet") if config is not None else None
        if subnet is None or config is None:
            continue
        result.append(
            BastionHost(
                **located(host),
                subnet=subnet,
                public_ip_address=config.rid("publicIPAddress"),
                sku=str(host.sku.get("name", "Standard")),
            )
        )
    return result


def _policy_definition(name: str, props: Props) -> ServiceEndpointPolicyDefinition | None:
    service = props.text("service")
    if not service:
        return None
    return ServiceEndpointPolicyDefinition(
        name,
        service,
        props.strings("serviceResources"),
        props.text("description"),
    )


def service_endpoint_policies(ctx: ConvertContext) -> list[ServiceEndpointPolicy]:
    """Definitions inline (``serviceEndpointPolicyDefinitions``) or as child resources."""
    result = []
    for policy in ctx.of_type("Microsoft.Network/serviceEndpointPolicies"):
        props = ctx.props(policy)
        definitions = [
            d
            for item in props.subs("serviceEndpointPolicyDefinitions")
            if (d := _policy_definition(item.text("name"), item.sub("properties"))) is not None
        ]
        definitions += [
            d
            for child in ctx.children(policy, "serviceEndpointPolicyDefinitions")
            if (d := _policy_definition(child.short_name, ctx.props(child))) is not None
        ]
        result.append(ServiceEndpointPolicy(**located(policy), definitions=tuple(definitions)))
    return result
