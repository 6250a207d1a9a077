"""Azure Firewall, firewall policies with their rule collection groups (child resources), and IP
groups. A firewall's private IP is assigned by Azure (the first usable address of
AzureFirewallSubnet); when the source does not carry it, it is assumed and tagged."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from heiki.model.firewall import (
    ApplicationProtocol,
    ApplicationRule,
    AzureFirewall,
    FirewallAction,
    FirewallDnsSettings,
    FirewallPolicy,
    FirewallRule,
    FirewallSku,
    IpGroup,
    NatRule,
    NetworkProtocol,
    NetworkRule,
    RuleCollection,
    RuleCollectionGroup,
    RuleCollectionKind,
    ThreatIntelMode,
)
from heiki.model.values import DnsName, FqdnPattern, PortRange, parse_address
from heiki.sources.arm.convert.context import ConvertContext, located
from heiki.sources.arm.convert.reader import Props

E = TypeVar("E", bound=StrEnum)
D = TypeVar("D")


def _enum_value(enum: type[E], text: str, default: D) -> E | D:
    """The member whose value matches ``text`` case-insensitively, else ``default``."""
    return next((m for m in enum if m.value.lower() == text.lower()), default)


def _ports(props: Props) -> tuple[PortRange, ...]:
    ports = []
    for text in props.strings("destinationPorts"):
        try:
            ports.append(PortRange.parse(text))
        except ValueError:
            continue
    return tuple(ports)


def _protocols(props: Props) -> tuple[NetworkProtocol, ...]:
    return tuple(
        protocol
        for text in props.strings("ipProtocols")
        if isinstance(protocol := _enum_value(NetworkProtocol, text, None), NetworkProtocol)
    )


def _names(props: Props, key: str) -> tuple[DnsName, ...]:
    names = []
    for text in props.strings(key):
        try:
            names.append(DnsName(text))
        except ValueError:
            continue
    return tuple(names)


def _rule(props: Props) -> FirewallRule | None:
    kind = props.text("ruleType").lower()
    name = props.text("name")
    sources = props.strings("sourceAddresses")
    source_groups = props.rids("sourceIpGroups")
    description = props.text("description")
    if kind == "networkrule":
        return NetworkRule(
            name,
            _protocols(props),
            destination_addresses=props.strings("destinationAddresses"),
            destination_ip_groups=props.rids("destinationIpGroups"),
            destination_fqdns=_names(props, "destinationFqdns"),
            destination_ports=_ports(props),
            source_addresses=sources,
            source_ip_groups=source_groups,
            description=description,
            source=props.where,
        )
    if kind == "applicationrule":
        targets = []
        for text in props.strings("targetFqdns"):
            try:
                targets.append(FqdnPattern(text))
            except ValueError:
                continue
        return ApplicationRule(
            name,
            tuple(
                ApplicationProtocol(p.text("protocolType", "Https"), p.number("port", 443))
                for p in props.subs("protocols")
            ),
            target_fqdns=tuple(targets),
            fqdn_tags=props.strings("fqdnTags"),
            web_categories=props.strings("webCategories"),
            target_urls=props.strings("targetUrls"),
            terminate_tls=props.flag("terminateTLS", False),
            source_addresses=sources,
            source_ip_groups=source_groups,
            description=description,
            source=props.where,
        )
    if kind == "natrule":
        translated = props.text("translatedAddress")
        port = props.text("translatedPort")
        return NatRule(
            name,
            _protocols(props),
            destination_addresses=props.strings("destinationAddresses"),
            destination_ports=_ports(props),
            translated_address=parse_address(translated) if translated else None,
            translated_port=int(port) if port.isascii() and port.isdigit() else None,
            source_addresses=sources,
            source_ip_groups=source_groups,
            description=description,
            source=props.where,
        )
    return None


def _group(name: str, props: Props) -> RuleCollectionGroup:
    collections = []
    for item in props.subs("ruleCollections"):
        kind = _enum_value(
            RuleCollectionKind, item.text("ruleCollectionType"), RuleCollectionKind.FILTER
        )
        action_text = item.sub("action").text("type", "Allow")
        action = _enum_value(FirewallAction, action_text, FirewallAction.ALLOW)
        rules = tuple(rule for r in item.subs("rules") if (rule := _rule(r)) is not None)
        collections.append(
            RuleCollection(
                item.text("name"),
                item.number("priority", 65000),
                kind,
                action,
                rules,
                item.where,
            )
        )
    return RuleCollectionGroup(
        name, props.number("priority", 65000), tuple(collections), props.where
    )


def firewall_policies(ctx: ConvertContext) -> list[FirewallPolicy]:
    result = []
    for policy in ctx.of_type("Microsoft.Network/firewallPolicies"):
        props = ctx.props(policy)
        dns = props.sub("dnsSettings")
        servers = []
        for text in dns.strings("servers"):
            try:
                servers.append(parse_address(text))
            except ValueError:
                continue
        groups = sorted(
            (
                _group(child.short_name, ctx.props(child))
                for child in ctx.children(policy, "ruleCollectionGroups")
            ),
            key=lambda g: g.priority,
        )
        snat = props.sub("snat").strings("privateRanges")
        allow = props.sub("threatIntelWhitelist")
        result.append(
            FirewallPolicy(
                **located(policy),
                sku_tier=_enum_value(
                    FirewallSku,
                    props.sub("sku").text("tier", "Standard"),
                    FirewallSku.STANDARD,
                ),
                base_policy=props.rid("basePolicy"),
                dns_settings=FirewallDnsSettings(
                    enable_proxy=dns.flag("enableProxy", False),
                    servers=tuple(servers),
                    require_proxy_for_network_rules=dns.flag("requireProxyForNetworkRules", True),
                )
                if dns
                else None,
                threat_intel_mode=_enum_value(
                    ThreatIntelMode,
                    props.text("threatIntelMode", "Alert"),
                    ThreatIntelMode.ALERT,
                ),
                threat_intel_allowlist_fqdns=_names(allow, "fqdns"),
                threat_intel_allowlist_ips=allow.strings("ipAddresses"),
                snat_private_ranges=snat,
                rule_collection_groups=tuple(groups),
            )
        )
    return result


def firewalls(ctx: ConvertContext) -> list[AzureFirewall]:
    result = []
    for firewall in ctx.of_type("Microsoft.Network/azureFirewalls"):
        props = ctx.props(firewall)
        configs = [c.sub("properties") for c in props.subs("ipConfigurations")]
        subnet = next((s for c in configs if (s := c.rid("subnet")) is not None), None)
        if subnet is None:
            continue
        address = next(
            (a for c in configs if (a := ctx.address(c, "privateIPAddress")) is not None), None
        )
        management = props.sub("managementIpConfiguration").sub("properties")
        sku = props.sub("sku").text("tier", "Standard")
        mode = props.text("threatIntelMode")
        result.append(
            AzureFirewall(
                **located(firewall),
                sku_tier=_enum_value(FirewallSku, sku, FirewallSku.STANDARD),
                subnet=subnet,
                private_ip_address=address,
                public_ip_addresses=tuple(
                    rid for c in configs if (rid := c.rid("publicIPAddress")) is not None
                ),
                management_subnet=management.rid("subnet"),
                management_public_ip_address=management.rid("publicIPAddress"),
                firewall_policy=props.rid("firewallPolicy"),
                threat_intel_mode=_enum_value(ThreatIntelMode, mode, None) if mode else None,
            )
        )
    return result


def ip_groups(ctx: ConvertContext) -> list[IpGroup]:
    return [
        IpGroup(
            **located(group),
            ip_addresses=ctx.props(group).strings("ipAddresses"),
        )
        for group in ctx.of_type("Microsoft.Network/ipGroups")
    ]
