"""Virtual networks and what hangs off them: subnets, peerings, routes, NSGs, NICs, VMs, gateways.

Shaped after the ARM ``Microsoft.Network`` resources, with property names in snake_case.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from heiki.model.base import LocatedResource, Resource
from heiki.model.source import SourceLocation
from heiki.model.values import Address, DnsName, PortRange, Prefix, ResourceId


class PrivateEndpointNetworkPolicies(StrEnum):
    """Subnet ``privateEndpointNetworkPolicies``; ARM's default is ``Disabled``."""

    DISABLED = "Disabled"
    ENABLED = "Enabled"
    NSG_ENABLED = "NetworkSecurityGroupEnabled"
    ROUTE_TABLE_ENABLED = "RouteTableEnabled"


@dataclass(frozen=True, slots=True, kw_only=True)
class Subnet(Resource):
    """A subnet: prefix, NSG, route table, NAT gateway, delegations, service endpoints and policies."""

    address_prefix: Prefix
    network_security_group: ResourceId | None = None
    route_table: ResourceId | None = None
    nat_gateway: ResourceId | None = None
    delegations: tuple[str, ...] = ()
    """Service names the subnet is delegated to, e.g. ``Microsoft.Network/dnsResolvers``."""
    service_endpoints: tuple[str, ...] = ()
    private_endpoint_network_policies: PrivateEndpointNetworkPolicies = (
        PrivateEndpointNetworkPolicies.DISABLED
    )
    default_outbound_access: bool | None = None
    """``defaultOutboundAccess``; ``None`` when the source does not say (API-version dependent)."""
    service_endpoint_policies: tuple[ResourceId, ...] = ()
    """Service endpoint policies that scope the subnet's service endpoints to listed accounts."""


@dataclass(frozen=True, slots=True, kw_only=True)
class VirtualNetworkPeering(Resource):
    """One direction of a peering; each side of a VNet pair owns its own peering object."""

    remote_virtual_network: ResourceId
    allow_virtual_network_access: bool = True
    allow_forwarded_traffic: bool = False
    allow_gateway_transit: bool = False
    use_remote_gateways: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class VirtualNetwork(LocatedResource):
    """A VNet: address space, DNS servers, subnets and its side of each peering."""

    address_space: tuple[Prefix, ...]
    dns_servers: tuple[Address, ...] = ()
    """Custom DNS servers; empty means Azure-provided DNS (168.63.129.16)."""
    subnets: tuple[Subnet, ...] = ()
    peerings: tuple[VirtualNetworkPeering, ...] = ()

    @property
    def uses_azure_dns(self) -> bool:
        return not self.dns_servers

    def subnet(self, name: str) -> Subnet | None:
        for subnet in self.subnets:
            if subnet.name.lower() == name.lower():
                return subnet
        return None


class NextHopType(StrEnum):
    VIRTUAL_NETWORK_GATEWAY = "VirtualNetworkGateway"
    VNET_LOCAL = "VnetLocal"
    INTERNET = "Internet"
    VIRTUAL_APPLIANCE = "VirtualAppliance"
    NONE = "None"


@dataclass(frozen=True, slots=True)
class Route:
    """A user-defined route; ``address_prefix`` is a CIDR or a service tag."""

    name: str
    address_prefix: str
    next_hop_type: NextHopType
    next_hop_ip_address: Address | None = None
    source: SourceLocation | None = None

    @property
    def prefix(self) -> Prefix | None:
        """The prefix as a network, or ``None`` for a service-tag route."""
        try:
            return Prefix(self.address_prefix)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteTable(LocatedResource):
    """A route table: user-defined routes, and whether gateway (BGP) routes propagate."""

    routes: tuple[Route, ...] = ()
    disable_bgp_route_propagation: bool = False


class Direction(StrEnum):
    INBOUND = "Inbound"
    OUTBOUND = "Outbound"


class Access(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


class NsgProtocol(StrEnum):
    ANY = "*"
    TCP = "Tcp"
    UDP = "Udp"
    ICMP = "Icmp"
    ESP = "Esp"
    AH = "Ah"


@dataclass(frozen=True, slots=True)
class SecurityRule:
    """An NSG rule in its augmented form: several prefixes and port ranges per field.

    A prefix entry is a CIDR, an IP, ``*`` or a service tag (``Storage.japaneast``). Within a
    field the entries are ORed; fields are ANDed. ASG fields replace the prefix field they stand for.
    """

    name: str
    priority: int
    direction: Direction
    access: Access
    protocol: NsgProtocol
    source_address_prefixes: tuple[str, ...] = ("*",)
    source_port_ranges: tuple[PortRange, ...] = (PortRange(0, 65535),)
    destination_address_prefixes: tuple[str, ...] = ("*",)
    destination_port_ranges: tuple[PortRange, ...] = (PortRange(0, 65535),)
    source_application_security_groups: tuple[ResourceId, ...] = ()
    destination_application_security_groups: tuple[ResourceId, ...] = ()
    description: str = ""
    is_default: bool = False
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkSecurityGroup(LocatedResource):
    """An NSG: its security rules and Azure's default rules."""

    security_rules: tuple[SecurityRule, ...] = ()
    default_security_rules: tuple[SecurityRule, ...] = ()
    """The six platform rules (priority 65000+), filled in from the catalog by the sources."""

    def rules(self, direction: Direction) -> tuple[SecurityRule, ...]:
        """All rules for one direction in evaluation order (lowest priority number first)."""
        return tuple(
            sorted(
                (
                    r
                    for r in (*self.security_rules, *self.default_security_rules)
                    if r.direction == direction
                ),
                key=lambda r: r.priority,
            )
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationSecurityGroup(LocatedResource):
    """An application security group: NICs that NSG rules name as a group."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PublicIpAddress(LocatedResource):
    """A public IP address resource."""

    sku: str = "Standard"
    ip_address: Address | None = None
    """Usually unknown before deployment; the analyses treat a public IP symbolically."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NatGateway(LocatedResource):
    """A NAT gateway: subnets that use it reach the internet from its public IPs."""

    public_ip_addresses: tuple[ResourceId, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkInterface(LocatedResource):
    """A NIC: subnet, private address, NSG, ASGs, public IP and IP forwarding."""

    subnet: ResourceId
    private_ip_address: Address | None = None
    network_security_group: ResourceId | None = None
    application_security_groups: tuple[ResourceId, ...] = ()
    public_ip_address: ResourceId | None = None
    enable_ip_forwarding: bool = False
    virtual_machine: ResourceId | None = None


class VmRole(StrEnum):
    """What heiki needs to know about a VM's job (stored in the ``heiki-role`` tag)."""

    DNS_SERVER = "dns-server"
    GIT_SERVER = "git-server"
    CI_RUNNER = "ci-runner"
    INTEGRATION_RUNTIME = "integration-runtime"
    JUMPBOX = "jumpbox"
    PACKAGE_MIRROR = "package-mirror"
    MODEL_MIRROR = "model-mirror"
    WORKLOAD = "workload"


@dataclass(frozen=True, slots=True, kw_only=True)
class VirtualMachine(LocatedResource):
    """A virtual machine with its NICs and the role heiki knows it for (Git server, runner, DNS...)."""

    network_interfaces: tuple[ResourceId, ...]
    role: VmRole = VmRole.WORKLOAD
    product: str = ""
    """What runs on it, e.g. ``github-enterprise-server`` or ``github-actions-runner``."""
    dns_forwarders: tuple[tuple[DnsName, tuple[Address, ...]], ...] = ()
    """For a DNS-server VM: conditional forwarders (zone -> targets); zone ``.`` is the default."""


class GatewayType(StrEnum):
    VPN = "Vpn"
    EXPRESS_ROUTE = "ExpressRoute"


@dataclass(frozen=True, slots=True, kw_only=True)
class VirtualNetworkGateway(LocatedResource):
    """A VPN or ExpressRoute gateway: the hub's way to on-premises."""

    gateway_type: GatewayType
    subnet: ResourceId
    """The GatewaySubnet the gateway is deployed into."""
    sku: str = ""
    enable_bgp: bool = False
    public_ip_addresses: tuple[ResourceId, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class BastionHost(LocatedResource):
    """An Azure Bastion host: the access path to VMs without public IPs."""

    subnet: ResourceId
    public_ip_address: ResourceId | None = None
    sku: str = "Standard"


@dataclass(frozen=True, slots=True)
class ServiceEndpointPolicyDefinition:
    """Which resources a service endpoint may reach for one service: resource IDs, resource
    groups or subscriptions (``/subscriptions/...``), or Microsoft aliases
    (``/services/Azure/MachineLearning``)."""

    name: str
    service: str
    """``Microsoft.Storage``."""
    service_resources: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceEndpointPolicy(LocatedResource):
    """``Microsoft.Network/serviceEndpointPolicies``: attached to subnets, it limits what their
    service endpoints reach - the documented guard against exfiltration over a storage service
    endpoint."""

    definitions: tuple[ServiceEndpointPolicyDefinition, ...] = ()

    def for_service(self, service: str) -> tuple[ServiceEndpointPolicyDefinition, ...]:
        return tuple(d for d in self.definitions if d.service.lower() == service.lower())
