"""On-premises: address ranges, clients, DNS servers, data sources and the link to the hub gateway.

No ARM template describes on-premises, yet half of a closed environment's DNS and data paths start
there, so it is a first-class part of the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from heiki.model.dns import RecordSet
from heiki.model.source import SourceLocation
from heiki.model.values import Address, DnsName, Prefix, ResourceId


@dataclass(frozen=True, slots=True)
class OnPremDnsZone:
    """A zone the on-premises server is authoritative for, with its A / CNAME record sets."""

    zone: DnsName
    record_sets: tuple[RecordSet, ...] = ()
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class ConditionalForwarder:
    """An on-premises conditional forwarder: a zone and the servers queries for it go to."""

    zone: DnsName
    targets: tuple[Address, ...]
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class OnPremDnsServer:
    """An on-premises DNS server: the zones it hosts and where it forwards."""

    name: str
    address: Address
    zones: tuple[OnPremDnsZone, ...] = ()
    conditional_forwarders: tuple[ConditionalForwarder, ...] = ()
    default_forwarders: tuple[Address, ...] = ()
    """Where names matching no zone or forwarder go; empty means recursion to the internet."""
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class ClientNetwork:
    """Where people sit (studio, VS Code, SDK); they use the on-premises DNS servers."""

    name: str
    prefix: Prefix
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class DataSource:
    """An on-premises data source (database, file share) a pipeline reads from."""

    name: str
    address: Address
    port: int
    protocol: str = "Tcp"
    kind: str = "database"
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class GatewayConnection:
    """How on-premises reaches Azure: the hub gateway it connects to, and the link kind."""

    gateway: ResourceId | None
    kind: str = "ExpressRoute"
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class OnPremises:
    """The on-premises side: address space, clients, DNS servers, data sources, connection."""

    name: str
    address_space: tuple[Prefix, ...]
    clients: tuple[ClientNetwork, ...] = ()
    dns_servers: tuple[OnPremDnsServer, ...] = ()
    data_sources: tuple[DataSource, ...] = ()
    connection: GatewayConnection | None = None
    source: SourceLocation | None = None

    def data_source(self, name: str) -> DataSource | None:
        for candidate in self.data_sources:
            if candidate.name.lower() == name.lower():
                return candidate
        return None
