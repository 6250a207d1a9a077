"""Private endpoints and their DNS zone groups."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from heiki.model.base import LocatedResource
from heiki.model.source import SourceLocation
from heiki.model.values import Address, ResourceId


class ConnectionState(StrEnum):
    """Only ``Approved`` connections pass traffic."""

    APPROVED = "Approved"
    PENDING = "Pending"
    REJECTED = "Rejected"
    DISCONNECTED = "Disconnected"


@dataclass(frozen=True, slots=True)
class PrivateEndpointIpConfiguration:
    """A static IP for one member of a sub-resource (``ipConfigurations`` in ARM)."""

    name: str
    group_id: str
    member_name: str
    private_ip_address: Address
    allocated_by_heiki: bool = False
    """True when the source left the IP to Azure and heiki chose it deterministically."""


@dataclass(frozen=True, slots=True)
class PrivateDnsZoneConfig:
    """One zone of a private DNS zone group: the zone the endpoint's records are written to."""

    name: str
    private_dns_zone: ResourceId


@dataclass(frozen=True, slots=True)
class PrivateDnsZoneGroup:
    """A private endpoint's DNS zone group: Azure writes and removes its A records in these zones."""

    name: str
    zone_configs: tuple[PrivateDnsZoneConfig, ...]
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivateEndpoint(LocatedResource):
    """A private endpoint: a NIC in a subnet that carries one service's sub-resources (group IDs)."""

    subnet: ResourceId
    private_link_service: ResourceId
    """The target resource (``privateLinkServiceId``)."""
    group_ids: tuple[str, ...]
    connection_state: ConnectionState = ConnectionState.APPROVED
    manual_approval: bool = False
    ip_configurations: tuple[PrivateEndpointIpConfiguration, ...] = ()
    dns_zone_groups: tuple[PrivateDnsZoneGroup, ...] = ()
    application_security_groups: tuple[ResourceId, ...] = ()
    custom_network_interface_name: str = ""
