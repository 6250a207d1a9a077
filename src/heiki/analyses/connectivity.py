"""Can a packet get from a site to an address? The interface DNS uses for each query hop.

``AddressSpaceConnectivity`` looks only at address spaces: same VNet, VNet peering (not
transitive), and the gateway to on-premises (with gateway transit). It does not evaluate routes,
NSGs or firewalls; ``analyses.trace.TraceConnectivity`` implements the same protocol with full
traces, and ``heiki check`` / ``resolve`` use that one.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from typing import Protocol

from heiki.catalog import Catalog
from heiki.model.environment import Environment
from heiki.model.values import Address, ResourceId

SCOPE_NOTE = "address-space connectivity only; routes, NSGs and firewalls not simulated"


@dataclass(frozen=True, slots=True)
class PathCheck:
    """Whether an address is reachable from a VNet (address space only), and why not."""

    reachable: bool
    reason: str


class Connectivity(Protocol):
    def check(
        self, source_vnet: ResourceId | None, destination: Address, port: int, protocol: str
    ) -> PathCheck:
        """Whether ``destination:port/protocol`` is reachable from a VNet (``None``: on-premises)."""
        ...


class AddressSpaceConnectivity:
    """The simple predicate: who can reach whom by address space, peering and gateway.

    Everything is indexed up front (peerings as a set, address spaces sorted for bisection), so
    that a hub with a thousand spokes costs a lookup per check, not a scan.
    """

    def __init__(self, env: Environment, catalog: Catalog) -> None:
        self._azure_dns = catalog.azure_dns
        gateway_vnet: dict[ResourceId, ResourceId] = {}
        for gateway in env.virtual_network_gateways:
            vnet = env.vnet_of_subnet(gateway.subnet)
            if vnet is not None:
                gateway_vnet[gateway.id] = vnet.id
        connection = env.on_premises.connection if env.on_premises else None
        hub = gateway_vnet.get(connection.gateway) if connection and connection.gateway else None
        self._onprem_gateway_vnet = hub
        self._names = {v.id: v.name for v in env.virtual_networks}
        peerings = {
            (vnet.id, p.remote_virtual_network): p
            for vnet in env.virtual_networks
            for p in vnet.peerings
        }
        # Traffic from a into b needs both peering objects and access allowed on a's side.
        self._peered = {
            (a, b)
            for (a, b), p in peerings.items()
            if p.allow_virtual_network_access and (b, a) in peerings
        }
        self._onprem_reachers: set[ResourceId] = {hub} if hub else set()
        for (a, b), p in peerings.items():
            back = peerings.get((b, a))
            if (
                hub is not None
                and b == hub
                and p.use_remote_gateways
                and back is not None
                and back.allow_gateway_transit
                and (a, b) in self._peered
            ):
                self._onprem_reachers.add(a)
        spaces: list[tuple[int, int, ResourceId | str]] = [
            (int(space.network_address), int(space.broadcast_address), vnet.id)
            for vnet in env.virtual_networks
            for space in vnet.address_space
        ]
        if env.on_premises:
            spaces += [
                (int(space.network_address), int(space.broadcast_address), "onprem")
                for space in env.on_premises.address_space
            ]
        spaces.sort(key=lambda item: item[0])
        self._spaces = spaces
        self._starts = [start for start, _, _ in spaces]
        self._reach = list(itertools.accumulate((end for _, end, _ in spaces), max))

    @property
    def onprem_reachers(self) -> set[ResourceId]:
        """VNets that reach on-premises through a gateway (their own, or by transit)."""
        return self._onprem_reachers

    def reaches_onprem(self, vnet_id: ResourceId) -> bool:
        """Own gateway to on-premises, or a peering to it with gateway transit."""
        return vnet_id in self._onprem_reachers

    def owner(self, address: Address) -> ResourceId | str | None:
        """The VNet whose address space holds ``address``, ``"onprem"``, or ``None``."""
        value = int(address)
        index = bisect.bisect_right(self._starts, value) - 1
        # Scan back only while an earlier space could still reach this far (overlaps are an
        # input error, but the answer must stay right for unvalidated models too).
        while index >= 0 and self._reach[index] >= value:
            start, end, owner = self._spaces[index]
            if start <= value <= end:
                return owner
            index -= 1
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
        source_name = self._names.get(source_vnet)
        if source_name is None:
            return PathCheck(False, f"unknown source VNet {source_vnet}")
        if owner == "onprem":
            if self.reaches_onprem(source_vnet):
                return PathCheck(True, f"{source_name} -> gateway -> on-premises ({SCOPE_NOTE})")
            return PathCheck(False, f"{source_name} has no gateway path to on-premises")
        assert isinstance(owner, ResourceId)
        if owner == source_vnet:
            return PathCheck(True, f"inside {source_name}")
        if (source_vnet, owner) in self._peered:
            return PathCheck(True, f"{source_name} -> peering -> {owner.name} ({SCOPE_NOTE})")
        return PathCheck(
            False, f"{source_name} and {owner.name} are not peered (peering is not transitive)"
        )
