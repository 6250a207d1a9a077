"""Azure Firewall, firewall policies and their rule collection groups, and IP groups."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from heiki.model.base import LocatedResource
from heiki.model.source import SourceLocation
from heiki.model.values import Address, DnsName, FqdnPattern, PortRange, ResourceId


class FirewallSku(StrEnum):
    BASIC = "Basic"
    STANDARD = "Standard"
    PREMIUM = "Premium"


class ThreatIntelMode(StrEnum):
    OFF = "Off"
    ALERT = "Alert"
    DENY = "Deny"


class FirewallAction(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"
    DNAT = "DNAT"


class NetworkProtocol(StrEnum):
    TCP = "TCP"
    UDP = "UDP"
    ICMP = "ICMP"
    ANY = "Any"


@dataclass(frozen=True, slots=True)
class ApplicationProtocol:
    """``Http:80``, ``Https:443`` or ``Mssql:1433`` in an application rule."""

    protocol_type: str
    port: int

    def __str__(self) -> str:
        return f"{self.protocol_type}:{self.port}"


@dataclass(frozen=True, slots=True)
class NetworkRule:
    """A firewall policy network rule: protocols, sources, destinations (addresses, IP groups,
    FQDNs), ports."""

    name: str
    ip_protocols: tuple[NetworkProtocol, ...]
    source_addresses: tuple[str, ...] = ()
    source_ip_groups: tuple[ResourceId, ...] = ()
    destination_addresses: tuple[str, ...] = ()
    """CIDRs, IPs, ``*`` or service tags."""
    destination_ip_groups: tuple[ResourceId, ...] = ()
    destination_fqdns: tuple[DnsName, ...] = ()
    """Only honoured when the policy's DNS proxy is enabled (no wildcards allowed)."""
    destination_ports: tuple[PortRange, ...] = ()
    description: str = ""
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class ApplicationRule:
    """A firewall policy application rule: sources to FQDNs, FQDN tags, web categories or URLs."""

    name: str
    protocols: tuple[ApplicationProtocol, ...]
    source_addresses: tuple[str, ...] = ()
    source_ip_groups: tuple[ResourceId, ...] = ()
    target_fqdns: tuple[FqdnPattern, ...] = ()
    """Exact names or ``*.`` wildcards; a wildcard never matches its apex."""
    fqdn_tags: tuple[str, ...] = ()
    web_categories: tuple[str, ...] = ()
    target_urls: tuple[str, ...] = ()
    terminate_tls: bool = False
    description: str = ""
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class NatRule:
    """A firewall policy DNAT rule: inbound traffic to a public address translated to a private one."""

    name: str
    ip_protocols: tuple[NetworkProtocol, ...]
    source_addresses: tuple[str, ...] = ()
    source_ip_groups: tuple[ResourceId, ...] = ()
    destination_addresses: tuple[str, ...] = ()
    destination_ports: tuple[PortRange, ...] = ()
    translated_address: Address | None = None
    translated_fqdn: DnsName | None = None
    translated_port: int | None = None
    description: str = ""
    source: SourceLocation | None = None


FirewallRule = NetworkRule | ApplicationRule | NatRule


class RuleCollectionKind(StrEnum):
    FILTER = "FirewallPolicyFilterRuleCollection"
    NAT = "FirewallPolicyNatRuleCollection"


@dataclass(frozen=True, slots=True)
class RuleCollection:
    """Rules in a collection share one action; a collection mixes no rule types in practice."""

    name: str
    priority: int
    kind: RuleCollectionKind
    action: FirewallAction
    rules: tuple[FirewallRule, ...] = ()
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class RuleCollectionGroup:
    """A firewall policy rule collection group: its collections, processed in priority order."""

    name: str
    priority: int
    rule_collections: tuple[RuleCollection, ...] = ()
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class FirewallDnsSettings:
    """A firewall policy's DNS settings: DNS proxy and the servers it forwards to."""

    enable_proxy: bool = False
    servers: tuple[Address, ...] = ()
    """Custom DNS servers; empty means Azure-provided DNS in the firewall's VNet."""
    require_proxy_for_network_rules: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class FirewallPolicy(LocatedResource):
    """An Azure Firewall policy: tier, parent policy, DNS settings, threat intelligence, SNAT,
    rules."""

    sku_tier: FirewallSku = FirewallSku.STANDARD
    base_policy: ResourceId | None = None
    dns_settings: FirewallDnsSettings | None = None
    """``None`` when the policy has no ``dnsSettings`` block (required on Basic)."""
    threat_intel_mode: ThreatIntelMode = ThreatIntelMode.ALERT
    threat_intel_allowlist_fqdns: tuple[DnsName, ...] = ()
    threat_intel_allowlist_ips: tuple[str, ...] = ()
    snat_private_ranges: tuple[str, ...] = ()
    """Empty means the platform default (``IANAPrivateRanges``, see the catalog decision)."""
    rule_collection_groups: tuple[RuleCollectionGroup, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AzureFirewall(LocatedResource):
    """An Azure Firewall: its subnet, private address, public IPs and policy."""

    sku_tier: FirewallSku
    subnet: ResourceId
    """The AzureFirewallSubnet."""
    private_ip_address: Address | None = None
    public_ip_addresses: tuple[ResourceId, ...] = ()
    management_subnet: ResourceId | None = None
    management_public_ip_address: ResourceId | None = None
    firewall_policy: ResourceId | None = None
    threat_intel_mode: ThreatIntelMode | None = None
    """Only for classic (policy-less) firewalls; a policy's mode wins otherwise."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IpGroup(LocatedResource):
    """An IP group: a named set of addresses and prefixes firewall rules refer to."""

    ip_addresses: tuple[str, ...] = ()
