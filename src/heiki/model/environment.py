"""The aggregate root: one closed environment, every resource keyed by its case-insensitive ID."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field, fields
from typing import TypeVar, cast

from heiki.model.base import Resource
from heiki.model.coverage import UnmodelledResource
from heiki.model.dns import DnsForwardingRuleset, DnsResolver, PrivateDnsZone
from heiki.model.endpoints import PrivateEndpoint
from heiki.model.firewall import AzureFirewall, FirewallPolicy, IpGroup
from heiki.model.ml import Compute, KubernetesCompute, Registry, Workspace
from heiki.model.network import (
    ApplicationSecurityGroup,
    BastionHost,
    NatGateway,
    NetworkInterface,
    NetworkSecurityGroup,
    PublicIpAddress,
    RouteTable,
    ServiceEndpointPolicy,
    Subnet,
    VirtualMachine,
    VirtualNetwork,
    VirtualNetworkGateway,
)
from heiki.model.onprem import OnPremises
from heiki.model.services import (
    ApplicationInsights,
    ContainerRegistry,
    DataFactory,
    KeyVault,
    PrivateLinkScope,
    StorageAccount,
)
from heiki.model.values import ResourceId

R = TypeVar("R", bound=Resource)
D = TypeVar("D")
_MISSING = object()


@dataclass(frozen=True, kw_only=True)
class Environment:
    """Everything heiki knows about one environment. Immutable; build a new one to change it.

    The per-type tuples are the data; ``get`` and the lookups are indexes built once.
    Subnets and peerings live inside their VNet, as in ARM, and are indexed by their own IDs.
    """

    name: str
    description: str = ""
    location: str = ""
    virtual_networks: tuple[VirtualNetwork, ...] = ()
    route_tables: tuple[RouteTable, ...] = ()
    network_security_groups: tuple[NetworkSecurityGroup, ...] = ()
    application_security_groups: tuple[ApplicationSecurityGroup, ...] = ()
    public_ip_addresses: tuple[PublicIpAddress, ...] = ()
    nat_gateways: tuple[NatGateway, ...] = ()
    service_endpoint_policies: tuple[ServiceEndpointPolicy, ...] = ()
    network_interfaces: tuple[NetworkInterface, ...] = ()
    virtual_machines: tuple[VirtualMachine, ...] = ()
    virtual_network_gateways: tuple[VirtualNetworkGateway, ...] = ()
    bastion_hosts: tuple[BastionHost, ...] = ()
    firewalls: tuple[AzureFirewall, ...] = ()
    firewall_policies: tuple[FirewallPolicy, ...] = ()
    ip_groups: tuple[IpGroup, ...] = ()
    private_endpoints: tuple[PrivateEndpoint, ...] = ()
    private_dns_zones: tuple[PrivateDnsZone, ...] = ()
    dns_resolvers: tuple[DnsResolver, ...] = ()
    dns_forwarding_rulesets: tuple[DnsForwardingRuleset, ...] = ()
    workspaces: tuple[Workspace, ...] = ()
    computes: tuple[Compute, ...] = ()
    kubernetes_computes: tuple[KubernetesCompute, ...] = ()
    registries: tuple[Registry, ...] = ()
    storage_accounts: tuple[StorageAccount, ...] = ()
    key_vaults: tuple[KeyVault, ...] = ()
    container_registries: tuple[ContainerRegistry, ...] = ()
    application_insights: tuple[ApplicationInsights, ...] = ()
    private_link_scopes: tuple[PrivateLinkScope, ...] = ()
    data_factories: tuple[DataFactory, ...] = ()
    on_premises: OnPremises | None = None
    unmodelled: tuple[UnmodelledResource, ...] = ()
    """Resources of the input that heiki does not simulate (see ``model.coverage``)."""
    _index: dict[str, Resource] = field(init=False, repr=False, compare=False)
    """Resources by the lower-cased text of their ID (``ResourceId._key``): a string hashes in C,
    a ``ResourceId`` through its Python ``__hash__`` - and analyses look IDs up millions of
    times at 1,000 spokes."""
    _unmodelled_ids: dict[str, UnmodelledResource] = field(init=False, repr=False, compare=False)
    _subnet_vnet: dict[ResourceId, VirtualNetwork] = field(init=False, repr=False, compare=False)
    _endpoints_by_target: dict[ResourceId, tuple[PrivateEndpoint, ...]] = field(
        init=False, repr=False, compare=False
    )
    _computes_by_workspace: dict[ResourceId, tuple[Compute, ...]] = field(
        init=False, repr=False, compare=False
    )
    _derived: dict[Hashable, object] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Resource] = {}
        subnet_vnet: dict[ResourceId, VirtualNetwork] = {}
        for resource in self.top_level():
            index.setdefault(resource.id._key, resource)
            if isinstance(resource, VirtualNetwork):
                for child in (*resource.subnets, *resource.peerings):
                    index.setdefault(child.id._key, child)
                for subnet in resource.subnets:
                    subnet_vnet[subnet.id] = resource
            if isinstance(resource, DnsResolver):
                for endpoint in (*resource.inbound_endpoints, *resource.outbound_endpoints):
                    index.setdefault(endpoint.id._key, endpoint)
        by_target: dict[ResourceId, list[PrivateEndpoint]] = {}
        for endpoint in self.private_endpoints:
            by_target.setdefault(endpoint.private_link_service, []).append(endpoint)
        object.__setattr__(self, "_index", index)
        unmodelled: dict[str, UnmodelledResource] = {}
        for other in self.unmodelled:
            unmodelled.setdefault(other.resource_id.lower(), other)
        object.__setattr__(self, "_unmodelled_ids", unmodelled)
        object.__setattr__(self, "_subnet_vnet", subnet_vnet)
        object.__setattr__(
            self, "_endpoints_by_target", {k: tuple(v) for k, v in by_target.items()}
        )
        by_workspace: dict[ResourceId, list[Compute]] = {}
        for compute in self.computes:
            by_workspace.setdefault(compute.workspace, []).append(compute)
        object.__setattr__(
            self, "_computes_by_workspace", {k: tuple(v) for k, v in by_workspace.items()}
        )
        object.__setattr__(self, "_derived", {})

    def derived(self, key: Hashable, build: Callable[[], D]) -> D:
        """A value computed from this (immutable) environment - and what ``key`` names, such as
        the catalog - by a pure function: built on first use, then kept with the environment.
        ``key`` names the function and its other arguments."""
        found = self._derived.get(key, _MISSING)
        if found is _MISSING:
            found = self._derived[key] = build()
        return cast(D, found)

    def top_level(self) -> Iterator[Resource]:
        """The resources declared at the top (a VNet, not its subnets), in declaration order."""
        for f in fields(self):
            if not f.init:
                continue
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                for item in value:
                    if isinstance(item, Resource):
                        yield item

    def resources(self) -> Iterator[Resource]:
        """Every resource, children included, in declaration order."""
        yield from self._index.values()

    def get(self, resource_id: ResourceId) -> Resource | None:
        return self._index.get(resource_id._key)

    def unmodelled_resource(self, resource_id: ResourceId) -> UnmodelledResource | None:
        """The input resource heiki does not simulate with this ID, if any."""
        return self._unmodelled_ids.get(str(resource_id).lower())

    def is_unmodelled(self, resource_id: ResourceId) -> bool:
        """Whether the input holds this resource although the model does not simulate it."""
        return str(resource_id).lower() in self._unmodelled_ids

    def get_typed(self, resource_id: ResourceId | None, kind: type[R]) -> R | None:
        """The resource with that ID if it exists and is of ``kind``."""
        if resource_id is None:
            return None
        found = self._index.get(resource_id._key)
        return found if isinstance(found, kind) else None

    def vnet_of_subnet(self, subnet_id: ResourceId) -> VirtualNetwork | None:
        return self._subnet_vnet.get(subnet_id)

    def subnet(self, subnet_id: ResourceId) -> Subnet | None:
        return self.get_typed(subnet_id, Subnet)

    def vnet_by_name(self, name: str) -> VirtualNetwork | None:
        for vnet in self.virtual_networks:
            if vnet.name.lower() == name.lower():
                return vnet
        return None

    def computes_of(self, workspace: ResourceId) -> tuple[Compute, ...]:
        """The computes of a workspace, in declaration order."""
        return self._computes_by_workspace.get(workspace, ())

    def private_endpoints_for(self, target: ResourceId) -> tuple[PrivateEndpoint, ...]:
        return self._endpoints_by_target.get(target, ())

    def zones_linked_to(self, vnet: ResourceId) -> tuple[PrivateDnsZone, ...]:
        return tuple(z for z in self.private_dns_zones if z.is_linked_to(vnet))
