"""Can a packet get from a site to an address? The interface DNS uses for each query hop.

``AddressSpaceConnectivity`` looks only at address spaces: same VNet, VNet peering (not
transitive), and the gateway to on-premises (with gateway transit). It does not evaluate routes,
NSGs or firewalls; the reachability analysis will provide a full implementation of the same
``Connectivity`` protocol, and DNS will use it unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from heiki.catalog import Catalog
from heiki.model.environment import Environment
from heiki.model.network import VirtualNetwork
from heiki.model.values import Address, ResourceId

SCOPE_NOTE = "address-space connectivity only; routes, NSGs and firewalls not simulated"


@dataclass(frozen=True, slots=True)
class PathCheck:
    reachable: bool
    reason: str


class Connectivity(Protocol):
    def check(
        self, source_vnet: ResourceId | None, destination: Address, port: int, protocol: str
    ) -> PathCheck:
        """Whether ``destination:port/protocol`` is reachable from a VNet (``None``: on-premises)."""
        ...


class AddressSpaceConnectivity:
    """The simple predicate: who can reach whom by address space, peering and gateway."""

    def __init__(self, env: Environment, catalog: Catalog) -> None:
        self._env = env
        self._azure_dns = catalog.azure_dns
        self._vnets = {v.id: v for v in env.virtual_networks}
        gateway_vnet: dict[ResourceId, ResourceId] = {}
        for gateway in env.virtual_network_gateways:
            vnet = env.vnet_of_subnet(gateway.subnet)
            if vnet is not None:
                gateway_vnet[gateway.id] = vnet.id
        self._gateway_vnets = set(gateway_vnet.values())
        connection = env.on_premises.connection if env.on_premises else None
        self._onprem_gateway_vnet = (
            gateway_vnet.get(connection.gateway) if connection and connection.gateway else None
        )

    def _peering(self, a: VirtualNetwork, b: ResourceId) -> bool:
        """Traffic from ``a`` into ``b`` over a peering both sides have set up."""
        forward = [p for p in a.peerings if p.remote_virtual_network == b]
        remote = self._vnets.get(b)
        back = [p for p in remote.peerings if p.remote_virtual_network == a.id] if remote else []
        return bool(forward and back and forward[0].allow_virtual_network_access)

    def reaches_onprem(self, vnet_id: ResourceId) -> bool:
        hub = self._onprem_gateway_vnet
        if hub is None:
            return False
        if vnet_id == hub:
            return True
        vnet = self._vnets.get(vnet_id)
        hub_vnet = self._vnets.get(hub)
        if vnet is None or hub_vnet is None:
            return False
        uses = any(p.remote_virtual_network == hub and p.use_remote_gateways for p in vnet.peerings)
        transit = any(
            p.remote_virtual_network == vnet_id and p.allow_gateway_transit
            for p in hub_vnet.peerings
        )
        return uses and transit and self._peering(vnet, hub)

    def owner(self, address: Address) -> ResourceId | str | None:
        """The VNet whose address space holds ``address``, ``"onprem"``, or ``None``."""
        for vnet in self._env.virtual_networks:
            if any(address in space for space in vnet.address_space):
                return vnet.id
        onprem = self._env.on_premises
        if onprem and any(address in space for space in onprem.address_space):
            return "onprem"
        return None

    def check(
        self, source_vnet: ResourceId | None, destination: Address, port: int, protocol: str
    ) -> PathCheck:
        if destination == self._azure_dns:
            if source_vnet is None:
                return PathCheck(
                    False, f"{destination} is reachable only from inside an Azure VNet"
                )
            return PathCheck(True, f"{destination} is the Azure platform DNS of the VNet")
        owner = self.owner(destination)
        if owner is None:
            return PathCheck(False, f"no network of the environment holds {destination}")
        if source_vnet is None:
            if owner == "onprem":
                return PathCheck(True, "inside on-premises")
            assert isinstance(owner, ResourceId)
            if self._onprem_gateway_vnet is None:
                return PathCheck(False, "on-premises has no gateway connection to Azure")
            if self.reaches_onprem(owner):
                return PathCheck(True, f"on-premises -> gateway -> {owner.name} ({SCOPE_NOTE})")
            return PathCheck(
                False,
                f"{owner.name} is not connected to the gateway on-premises uses "
                "(no peering with gateway transit)",
            )
        source = self._vnets.get(source_vnet)
        if source is None:
            return PathCheck(False, f"unknown source VNet {source_vnet}")
        if owner == "onprem":
            if self.reaches_onprem(source_vnet):
                return PathCheck(True, f"{source.name} -> gateway -> on-premises ({SCOPE_NOTE})")
            return PathCheck(False, f"{source.name} has no gateway path to on-premises")
        assert isinstance(owner, ResourceId)
        if owner == source_vnet:
            return PathCheck(True, f"inside {source.name}")
        if self._peering(source, owner):
            return PathCheck(True, f"{source.name} -> peering -> {owner.name} ({SCOPE_NOTE})")
        return PathCheck(
            False, f"{source.name} and {owner.name} are not peered (peering is not transitive)"
        )
