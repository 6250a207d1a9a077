"""Private DNS zones with their records and VNet links; DNS Private Resolver and forwarding rulesets."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from heiki.model.base import LocatedResource, Resource
from heiki.model.source import SourceLocation
from heiki.model.values import Address, DnsName, ResourceId


class RecordType(StrEnum):
    A = "A"
    CNAME = "CNAME"


@dataclass(frozen=True, slots=True)
class RecordSet:
    """A record set; ``name`` is relative to its zone (``@`` for the apex, ``*`` wildcards allowed)."""

    name: str
    record_type: RecordType
    ttl: int = 3600
    a_records: tuple[Address, ...] = ()
    cname: DnsName | None = None
    source: SourceLocation | None = None

    def __post_init__(self) -> None:
        if self.record_type is RecordType.A and (not self.a_records or self.cname is not None):
            raise ValueError(f"A record set {self.name!r} needs addresses and no CNAME")
        if self.record_type is RecordType.CNAME and (self.cname is None or self.a_records):
            raise ValueError(f"CNAME record set {self.name!r} needs exactly one target")


class ResolutionPolicy(StrEnum):
    """VNet link ``resolutionPolicy`` (API 2024-06-01+); ``NxDomainRedirect`` = fallback to internet."""

    DEFAULT = "Default"
    NXDOMAIN_REDIRECT = "NxDomainRedirect"


@dataclass(frozen=True, slots=True)
class VirtualNetworkLink:
    """A private DNS zone's link to a VNet (with or without auto-registration)."""

    name: str
    virtual_network: ResourceId
    registration_enabled: bool = False
    resolution_policy: ResolutionPolicy = ResolutionPolicy.DEFAULT
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivateDnsZone(Resource):
    """A private zone; ``name`` is the zone name and ``zone`` the same as a ``DnsName``."""

    zone: DnsName
    record_sets: tuple[RecordSet, ...] = ()
    virtual_network_links: tuple[VirtualNetworkLink, ...] = ()

    def is_linked_to(self, vnet: ResourceId) -> bool:
        return any(link.virtual_network == vnet for link in self.virtual_network_links)


class IpAllocation(StrEnum):
    STATIC = "Static"
    DYNAMIC = "Dynamic"


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundEndpoint(LocatedResource):
    """A DNS Private Resolver inbound endpoint: the address on-premises servers forward to."""

    subnet: ResourceId
    private_ip_address: Address | None = None
    private_ip_allocation_method: IpAllocation = IpAllocation.DYNAMIC


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboundEndpoint(LocatedResource):
    """A DNS Private Resolver outbound endpoint: where forwarding rulesets send queries from."""

    subnet: ResourceId


@dataclass(frozen=True, slots=True, kw_only=True)
class DnsResolver(LocatedResource):
    """An Azure DNS Private Resolver in a VNet, with its inbound and outbound endpoints."""

    virtual_network: ResourceId
    inbound_endpoints: tuple[InboundEndpoint, ...] = ()
    outbound_endpoints: tuple[OutboundEndpoint, ...] = ()


@dataclass(frozen=True, slots=True)
class TargetDnsServer:
    """A DNS server a forwarding rule sends queries to."""

    ip_address: Address
    port: int = 53


class RuleState(StrEnum):
    ENABLED = "Enabled"
    DISABLED = "Disabled"


@dataclass(frozen=True, slots=True)
class ForwardingRule:
    """A forwarding rule: queries for a domain (and below) go to the target servers."""

    name: str
    domain_name: DnsName
    """The suffix the rule matches; the root (``.``) matches every name."""
    target_dns_servers: tuple[TargetDnsServer, ...]
    state: RuleState = RuleState.ENABLED
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class RulesetVirtualNetworkLink:
    """A forwarding ruleset's link to a VNet: that VNet's Azure DNS applies the ruleset."""

    name: str
    virtual_network: ResourceId
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DnsForwardingRuleset(LocatedResource):
    """A DNS forwarding ruleset: rules, the outbound endpoints they use, the VNets they apply to."""

    outbound_endpoints: tuple[ResourceId, ...]
    forwarding_rules: tuple[ForwardingRule, ...] = ()
    virtual_network_links: tuple[RulesetVirtualNetworkLink, ...] = ()
