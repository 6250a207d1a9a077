"""Private DNS zones (links and records, inline or as children), DNS Private Resolvers with their
endpoints, and forwarding rulesets with rules and VNet links."""

from __future__ import annotations

from heiki.model.dns import (
    DnsForwardingRuleset,
    DnsResolver,
    ForwardingRule,
    InboundEndpoint,
    IpAllocation,
    OutboundEndpoint,
    PrivateDnsZone,
    RecordSet,
    RecordType,
    ResolutionPolicy,
    RulesetVirtualNetworkLink,
    RuleState,
    TargetDnsServer,
    VirtualNetworkLink,
)
from heiki.model.values import DnsName, parse_address
from heiki.sources.arm.convert.context import ConvertContext, located, tags_of
from heiki.sources.arm.convert.reader import Props


def _link(name: str, props: Props) -> VirtualNetworkLink | None:
    vnet = props.rid("virtualNetwork")
    if vnet is None:
        return None
    policy = props.text("resolutionPolicy", "Default")
    return VirtualNetworkLink(
        name,
        vnet,
        registration_enabled=props.flag("registrationEnabled", False),
        resolution_policy=ResolutionPolicy.NXDOMAIN_REDIRECT
        if policy.lower() == "nxdomainredirect"
        else ResolutionPolicy.DEFAULT,
        source=props.where,
    )


def _a_record(name: str, props: Props) -> RecordSet | None:
    addresses = []
    for item in props.subs("aRecords"):
        try:
            addresses.append(parse_address(item.text("ipv4Address")))
        except ValueError:
            continue
    if not addresses:
        return None
    return RecordSet(
        name, RecordType.A, props.number("ttl", 3600), tuple(addresses), source=props.where
    )


def _cname_record(name: str, props: Props) -> RecordSet | None:
    target = props.sub("cnameRecord").text("cname")
    if not target:
        return None
    try:
        return RecordSet(
            name,
            RecordType.CNAME,
            props.number("ttl", 3600),
            cname=DnsName(target),
            source=props.where,
        )
    except ValueError:
        return None


def private_dns_zones(ctx: ConvertContext) -> list[PrivateDnsZone]:
    result = []
    for zone in ctx.of_type("Microsoft.Network/privateDnsZones"):
        links = [
            link
            for child in ctx.children(zone, "virtualNetworkLinks")
            if (link := _link(child.short_name, ctx.props(child))) is not None
        ]
        records = [
            record
            for child in ctx.children(zone, "A")
            if (record := _a_record(child.short_name, ctx.props(child))) is not None
        ] + [
            record
            for child in ctx.children(zone, "CNAME")
            if (record := _cname_record(child.short_name, ctx.props(child))) is not None
        ]
        try:
            name = DnsName(zone.name)
        except ValueError:
            continue
        result.append(
            PrivateDnsZone(
                id=zone.id,
                name=zone.name,
                tags=tags_of(zone),
                source=zone.source,
                zone=name,
                record_sets=tuple(records),
                virtual_network_links=tuple(links),
            )
        )
    return result


def dns_resolvers(ctx: ConvertContext) -> list[DnsResolver]:
    result = []
    for resolver in ctx.of_type("Microsoft.Network/dnsResolvers"):
        vnet = ctx.props(resolver).rid("virtualNetwork")
        if vnet is None:
            continue
        inbound = []
        for child in ctx.children(resolver, "inboundEndpoints"):
            configs = list(ctx.props(child).subs("ipConfigurations"))
            if not configs or configs[0].rid("subnet") is None:
                continue
            config = configs[0]
            subnet = config.rid("subnet")
            assert subnet is not None
            method = config.text("privateIpAllocationMethod", "Dynamic")
            inbound.append(
                InboundEndpoint(
                    id=child.id,
                    name=child.short_name,
                    location=child.location or resolver.location,
                    source=child.source,
                    subnet=subnet,
                    private_ip_address=ctx.address(config, "privateIpAddress"),
                    private_ip_allocation_method=IpAllocation.STATIC
                    if method.lower() == "static"
                    else IpAllocation.DYNAMIC,
                )
            )
        outbound = [
            OutboundEndpoint(
                id=child.id,
                name=child.short_name,
                location=child.location or resolver.location,
                source=child.source,
                subnet=subnet,
            )
            for child in ctx.children(resolver, "outboundEndpoints")
            if (subnet := ctx.props(child).rid("subnet")) is not None
        ]
        result.append(
            DnsResolver(
                **located(resolver),
                virtual_network=vnet,
                inbound_endpoints=tuple(inbound),
                outbound_endpoints=tuple(outbound),
            )
        )
    return result


def dns_forwarding_rulesets(ctx: ConvertContext) -> list[DnsForwardingRuleset]:
    result = []
    for ruleset in ctx.of_type("Microsoft.Network/dnsForwardingRulesets"):
        rules = []
        for child in ctx.children(ruleset, "forwardingRules"):
            props = ctx.props(child)
            targets = []
            for target in props.subs("targetDnsServers"):
                try:
                    targets.append(
                        TargetDnsServer(
                            parse_address(target.text("ipAddress")), target.number("port", 53)
                        )
                    )
                except ValueError:
                    continue
            try:
                domain = DnsName(props.text("domainName"))
            except ValueError:
                continue
            rules.append(
                ForwardingRule(
                    child.short_name,
                    domain,
                    tuple(targets),
                    RuleState.DISABLED
                    if props.text("forwardingRuleState").lower() == "disabled"
                    else RuleState.ENABLED,
                    source=child.source,
                )
            )
        links = [
            RulesetVirtualNetworkLink(child.short_name, vnet, child.source)
            for child in ctx.children(ruleset, "virtualNetworkLinks")
            if (vnet := ctx.props(child).rid("virtualNetwork")) is not None
        ]
        result.append(
            DnsForwardingRuleset(
                **located(ruleset),
                outbound_endpoints=ctx.props(ruleset).rids("dnsResolverOutboundEndpoints"),
                forwarding_rules=tuple(rules),
                virtual_network_links=tuple(links),
            )
        )
    return result
