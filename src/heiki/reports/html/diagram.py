"""The architecture picture of the talk, laid out from the model: pure, deterministic Python.

Columns from left to right: on-premises (clients, DNS servers, data sources) and its gateway
connection; the hub VNet (gateway, firewall with tier and DNS proxy, resolver endpoints,
Bastion, DNS VMs); the spokes in a grid, each with its subnets and what runs there (compute,
VMs by role, private endpoints grouped by the service they reach); then the PaaS services, the
private DNS zones with the VNets they are linked to, and the outside (internet, foreign storage).

No layout engine: the shape of a hub-and-spoke estate is known, so boxes are stacked in
columns and a spoke grid grows by rows; 50 spokes stay legible at 100 % zoom because every box
keeps its size and the page scrolls. Beyond ``SPOKES_DRAWN_MAX`` spokes the page's picture
(``fold=True``) draws the first spoke of each group that draws alike - the same subnets, with the
same kinds of things in them - and one box for the rest of the group, and beyond
``SERVICES_DRAWN_PER_KIND`` services of a kind one box for the rest: a thousand spokes drew a
picture 168,500 px tall. Every drawn element has a stable ``id`` and the lookup keys (resource
IDs, ``vnet/subnet`` names) that let a trace hop find it; a folded spoke's or service's keys find
the box that stands for it, and the text alternative names each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from heiki.model.endpoints import PrivateEndpoint
from heiki.model.environment import Environment
from heiki.model.firewall import FirewallPolicy
from heiki.model.ml import ComputeType
from heiki.model.network import NetworkInterface, Subnet, VirtualNetwork
from heiki.model.values import ResourceId

LINE = 16
PAD = 8
CHIP_H = 18
SUBNET_HEAD = 20
VNET_HEAD = 34
VNET_W = 290
COLUMN_GAP = 50
SPOKES_PER_ROW_MAX = 4
MARGIN = 20
SPOKES_DRAWN_MAX = 50
"""Spoke VNets drawn each in full; beyond, spokes that draw alike are folded (``fold=True``)."""
SERVICES_DRAWN_PER_KIND = 6
"""Services of one kind drawn each when folding; beyond, the rest of the kind is one box."""
FOLD_H = 52
"""Height of the box of folded spokes: a heading and a line of their first names."""


@dataclass(frozen=True, slots=True)
class Box:
    """A box of the network diagram (VNet, subnet, resource) with its place and size."""

    id: str
    x: int
    y: int
    w: int
    h: int
    label: str
    kind: str
    """CSS class: onprem, vnet, subnet, chip, service, zone, outside."""
    description: str = ""
    """Text alternative: what the box is, for screen readers and the tooltip."""
    parent: str = ""
    """The box it is drawn in (a subnet's VNet, a chip's subnet)."""


@dataclass(frozen=True, slots=True)
class Edge:
    """A line of the network diagram (peering, endpoint, flow)."""

    id: str
    source: str
    target: str
    kind: str
    """peering, gateway, endpoint, egress, link."""
    label: str = ""


@dataclass
class Diagram:
    """The network diagram: its size, boxes, edges and legend."""

    width: int = 0
    height: int = 0
    boxes: list[Box] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    """Lookup key (a lower-cased resource ID, ``subnet:vnet/subnet``, ``outside:internet``) ->
    box id."""
    outline: list[tuple[int, str]] = field(default_factory=list)
    """The picture as an indented list (depth, text): its text alternative."""

    def add(self, box: Box, *keys: str) -> Box:
        self.boxes.append(box)
        for key in keys:
            self.keys.setdefault(key.lower(), box.id)
        return box

    def find(self, key: str) -> str | None:
        return self.keys.get(key.lower())


def subnet_key(vnet: str, subnet: str) -> str:
    return f"subnet:{vnet}/{subnet}".lower()


class _Ids:
    def __init__(self) -> None:
        self._used: dict[str, int] = {}

    def __call__(self, prefix: str, name: str) -> str:
        slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")[:40] or "x"
        base = f"{prefix}-{slug}"
        count = self._used.get(base, 0)
        self._used[base] = count + 1
        return base if count == 0 else f"{base}-{count + 1}"


def _hub(env: Environment) -> VirtualNetwork | None:
    """The VNet on-premises connects to, else the firewall's, else the most peered one."""
    connection = env.on_premises.connection if env.on_premises else None
    for gateway in env.virtual_network_gateways:
        if connection is not None and gateway.id == connection.gateway:
            vnet = env.vnet_of_subnet(gateway.subnet)
            if vnet is not None:
                return vnet
    for firewall in env.firewalls:
        vnet = env.vnet_of_subnet(firewall.subnet)
        if vnet is not None:
            return vnet
    peered = sorted(env.virtual_networks, key=lambda v: (-len(v.peerings), v.name))
    if peered and peered[0].peerings and len(env.virtual_networks) > 1:
        return peered[0]
    return None


@dataclass(frozen=True, slots=True)
class _Chip:
    """A small labelled resource inside a subnet box."""

    label: str
    kind: str
    keys: tuple[str, ...]
    description: str


class _BySubnet:
    """What sits in each subnet, found in one pass over the environment; chips made once."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.items: dict[ResourceId, list[_Chip]] = {}
        self.endpoints: dict[ResourceId, dict[ResourceId, list[PrivateEndpoint]]] = {}
        self._chips: dict[ResourceId, list[_Chip]] = {}
        for gateway in env.virtual_network_gateways:
            self._add(
                gateway.subnet,
                _Chip(
                    f"gateway {gateway.name} ({gateway.gateway_type.value})",
                    "gateway",
                    (str(gateway.id),),
                    f"virtual network gateway {gateway.name}",
                ),
            )
        for firewall in env.firewalls:
            policy = env.get_typed(firewall.firewall_policy, FirewallPolicy)
            settings = policy.dns_settings if policy is not None else None
            proxy = ", DNS proxy" if settings is not None and settings.enable_proxy else ""
            address = f" {firewall.private_ip_address}" if firewall.private_ip_address else ""
            keys = [str(firewall.id), f"firewall:{firewall.name}"]
            if firewall.private_ip_address:
                keys.append(f"ip:{firewall.private_ip_address}")
            if firewall.firewall_policy:
                keys.append(str(firewall.firewall_policy))
            self._add(
                firewall.subnet,
                _Chip(
                    f"firewall {firewall.name} ({firewall.sku_tier.value}{proxy})",
                    "firewall",
                    tuple(keys),
                    f"Azure Firewall {firewall.name}{address}, {firewall.sku_tier.value} tier"
                    f"{proxy}",
                ),
            )
        for resolver in env.dns_resolvers:
            for inbound in resolver.inbound_endpoints:
                address = f" {inbound.private_ip_address}" if inbound.private_ip_address else ""
                self._add(
                    inbound.subnet,
                    _Chip(
                        f"resolver inbound{address}",
                        "dns",
                        (str(inbound.id), str(resolver.id), f"ip:{inbound.private_ip_address}"),
                        f"DNS Private Resolver {resolver.name}, inbound endpoint{address}",
                    ),
                )
            for outbound in resolver.outbound_endpoints:
                self._add(
                    outbound.subnet,
                    _Chip(
                        "resolver outbound",
                        "dns",
                        (str(outbound.id),),
                        f"DNS Private Resolver {resolver.name}, outbound endpoint",
                    ),
                )
        for bastion in env.bastion_hosts:
            self._add(
                bastion.subnet,
                _Chip(f"Bastion {bastion.name}", "bastion", (str(bastion.id),), "Azure Bastion"),
            )
        for compute in env.computes:
            if compute.subnet is None:
                continue
            kind = (
                "compute instance"
                if compute.compute_type is ComputeType.COMPUTE_INSTANCE
                else "cluster"
            )
            self._add(
                compute.subnet,
                _Chip(
                    f"{kind} {compute.name}",
                    "compute",
                    (str(compute.id), f"compute:{compute.name}"),
                    f"Azure ML {kind} {compute.name}",
                ),
            )
        for attached in env.kubernetes_computes:
            if attached.scoring_subnet is None:
                continue  # a public, cluster-only or unknown front end has no place in a subnet
            self._add(
                attached.scoring_subnet,
                _Chip(
                    f"scoring {attached.name}",
                    "compute",
                    (str(attached.id), f"compute:{attached.name}"),
                    f"Azure ML {attached.attach_type} compute {attached.name}: its scoring front "
                    f"end ({attached.exposure.value})",
                ),
            )
        for vm in env.virtual_machines:
            placed: set[ResourceId] = set()
            for nic_id in vm.network_interfaces:
                nic = env.get_typed(nic_id, NetworkInterface)
                if nic is None or nic.subnet in placed:
                    continue
                placed.add(nic.subnet)
                address = f" {nic.private_ip_address}" if nic.private_ip_address else ""
                self._add(
                    nic.subnet,
                    _Chip(
                        f"{vm.role.value} {vm.name}{address}",
                        "vm",
                        (str(vm.id), str(nic.id), f"vm:{vm.name}", f"ip:{nic.private_ip_address}"),
                        f"virtual machine {vm.name}{address}, {vm.role.value}"
                        + (f", {vm.product}" if vm.product else ""),
                    ),
                )
        for endpoint in env.private_endpoints:
            by_service = self.endpoints.setdefault(endpoint.subnet, {})
            by_service.setdefault(endpoint.private_link_service, []).append(endpoint)

    def _add(self, subnet: ResourceId, chip: _Chip) -> None:
        self.items.setdefault(subnet, []).append(chip)

    def chips(self, subnet: Subnet) -> list[_Chip]:
        """What runs in a subnet, one chip per thing (private endpoints: one per service); made
        once per subnet (a box's height, its drawing and a folded group's keys all ask)."""
        found = self._chips.get(subnet.id)
        if found is None:
            found = self._chips[subnet.id] = self._make_chips(subnet)
        return found

    def _make_chips(self, subnet: Subnet) -> list[_Chip]:
        chips = list(self.items.get(subnet.id, ()))
        for service, endpoints in self.endpoints.get(subnet.id, {}).items():
            groups = ", ".join(dict.fromkeys(g for e in endpoints for g in e.group_ids))
            chips.append(
                _Chip(
                    f"PE {service.name} ({groups})",
                    "endpoint",
                    tuple(str(e.id) for e in endpoints),
                    f"private endpoints of {service.name}: {groups}",
                )
            )
        return chips


def _vnet_height(index: _BySubnet, vnet: VirtualNetwork) -> int:
    height = VNET_HEAD
    for subnet in vnet.subnets:
        height += SUBNET_HEAD + len(index.chips(subnet)) * (CHIP_H + 2) + PAD
    return height + PAD


def _draw_vnet(
    diagram: Diagram, ids: _Ids, index: _BySubnet, vnet: VirtualNetwork, x: int, y: int
) -> Box:
    height = _vnet_height(index, vnet)
    spaces = ", ".join(str(p) for p in vnet.address_space)
    box = diagram.add(
        Box(
            ids("vnet", vnet.name),
            x,
            y,
            VNET_W,
            height,
            f"{vnet.name}  {spaces}",
            "vnet",
            f"virtual network {vnet.name} ({spaces})",
        ),
        str(vnet.id),
    )
    diagram.outline.append((1, f"VNet {vnet.name} ({spaces})"))
    cursor = y + VNET_HEAD
    for subnet in vnet.subnets:
        chips = index.chips(subnet)
        height = SUBNET_HEAD + len(chips) * (CHIP_H + 2) + 2
        subnet_box = diagram.add(
            Box(
                ids("subnet", f"{vnet.name}-{subnet.name}"),
                x + PAD,
                cursor,
                VNET_W - 2 * PAD,
                height,
                f"{subnet.name}  {subnet.address_prefix}",
                "subnet",
                f"subnet {subnet.name} ({subnet.address_prefix}) of {vnet.name}",
                box.id,
            ),
            str(subnet.id),
            subnet_key(vnet.name, subnet.name),
        )
        diagram.outline.append((2, f"subnet {subnet.name} ({subnet.address_prefix})"))
        chip_y = cursor + SUBNET_HEAD
        for chip in chips:
            diagram.add(
                Box(
                    ids(chip.kind, chip.label),
                    x + 2 * PAD,
                    chip_y,
                    VNET_W - 4 * PAD,
                    CHIP_H,
                    chip.label,
                    f"chip {chip.kind}",
                    chip.description,
                    subnet_box.id,
                ),
                *chip.keys,
            )
            diagram.outline.append((3, chip.description))
            chip_y += CHIP_H + 2
        cursor += height + PAD
    return box


def _drawing(index: _BySubnet, vnet: VirtualNetwork) -> tuple[object, ...]:
    """What a spoke's drawing shows but its names and addresses: spokes with the same are drawn
    alike (a thousand spokes of one blueprint are one group)."""
    return (
        len(vnet.address_space),
        len(vnet.peerings),
        tuple(
            (
                subnet.name.lower(),
                subnet.address_prefix.prefixlen,
                tuple(chip.kind for chip in index.chips(subnet)),
            )
            for subnet in vnet.subnets
        ),
    )


def _cells(
    index: _BySubnet, spokes: list[VirtualNetwork], fold: bool
) -> list[tuple[VirtualNetwork, tuple[VirtualNetwork, ...]]]:
    """The spoke grid's cells: ``(vnet, ())`` draws a VNet, ``(first, members)`` one box for
    the members of ``first``'s group after it."""
    if not fold or len(spokes) <= SPOKES_DRAWN_MAX:
        return [(vnet, ()) for vnet in spokes]
    groups: dict[tuple[object, ...], list[VirtualNetwork]] = {}
    for vnet in spokes:
        groups.setdefault(_drawing(index, vnet), []).append(vnet)
    cells: list[tuple[VirtualNetwork, tuple[VirtualNetwork, ...]]] = []
    for first, *rest in groups.values():
        cells.append((first, ()))
        if rest:
            cells.append((first, tuple(rest)))
    return cells


def _draw_folded(
    diagram: Diagram,
    ids: _Ids,
    index: _BySubnet,
    first: VirtualNetwork,
    members: tuple[VirtualNetwork, ...],
    x: int,
    y: int,
) -> Box:
    """One box for spokes drawn like ``first``; their VNets, subnets and what runs there find
    it."""
    names = [vnet.name for vnet in members]
    keys: list[str] = []
    for vnet in members:
        keys.append(str(vnet.id))
        for subnet in vnet.subnets:
            keys += [str(subnet.id), subnet_key(vnet.name, subnet.name)]
            for chip in index.chips(subnet):
                keys += chip.keys
    shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
    box = diagram.add(
        Box(
            ids("spokes", f"like-{first.name}"),
            x,
            y,
            VNET_W,
            FOLD_H,
            f"{len(members)} more spoke VNets like {first.name}\n{shown}",
            "vnet folded",
            f"{len(members)} spoke VNets drawn as one box, each with the subnets of {first.name} "
            f"and the same kinds of resources in them: {', '.join(names)}",
        ),
        *keys,
    )
    diagram.outline.append(
        (1, f"{len(members)} more spoke VNets like {first.name}: {', '.join(names)}")
    )
    return box


def _services(env: Environment) -> list[tuple[ResourceId, str, str]]:
    found: list[tuple[ResourceId, str, str]] = []
    for kind, resources in (
        ("workspace", env.workspaces),
        ("registry", env.registries),
        ("storage", env.storage_accounts),
        ("key vault", env.key_vaults),
        ("container registry", env.container_registries),
        ("data factory", env.data_factories),
        ("monitor scope", env.private_link_scopes),
    ):
        for resource in resources:
            found.append((resource.id, resource.name, kind))
    return found


def build_diagram(env: Environment, fold: bool = False) -> Diagram:
    """The picture of ``env``; ``fold`` draws spokes and services that are many and alike as
    one box each (the page's picture; the Mermaid chart folds spokes its own way)."""
    diagram = Diagram()
    ids = _Ids()
    index = _BySubnet(env)
    x = MARGIN
    top = MARGIN
    bottom = top
    hub = _hub(env)
    onprem_box: Box | None = None
    onprem = env.on_premises
    if onprem is not None:
        lines: list[tuple[str, str, tuple[str, ...]]] = []
        lines += [
            (f"clients {c.name} {c.prefix}", "client", (f"client:{c.name}",))
            for c in onprem.clients
        ]
        lines += [
            (f"DNS {s.name} {s.address}", "dns", (f"ip:{s.address}",)) for s in onprem.dns_servers
        ]
        lines += [
            (f"{d.kind} {d.name} {d.address}:{d.port}", "data", (f"data:{d.name}",))
            for d in onprem.data_sources
        ]
        height = VNET_HEAD + len(lines) * (CHIP_H + 2) + PAD
        spaces = ", ".join(str(p) for p in onprem.address_space)
        onprem_box = diagram.add(
            Box(
                ids("onprem", onprem.name),
                x,
                top,
                240,
                height,
                f"on-premises  {spaces}",
                "onprem",
                f"on-premises network ({spaces})",
            ),
            "onprem",
        )
        diagram.outline.append((0, f"on-premises ({spaces})"))
        chip_y = top + VNET_HEAD
        for label, kind, keys in lines:
            diagram.add(
                Box(
                    ids(kind, label),
                    x + PAD,
                    chip_y,
                    240 - 2 * PAD,
                    CHIP_H,
                    label,
                    f"chip {kind}",
                    label,
                    onprem_box.id,
                ),
                *keys,
            )
            diagram.outline.append((1, label))
            chip_y += CHIP_H + 2
        bottom = max(bottom, top + height)
        x += 240 + COLUMN_GAP
    spokes = [v for v in env.virtual_networks if hub is None or v.id != hub.id]
    if hub is not None:
        diagram.outline.append((0, "hub"))
        hub_box = _draw_vnet(diagram, ids, index, hub, x, top)
        bottom = max(bottom, hub_box.y + hub_box.h)
        x += VNET_W + COLUMN_GAP
    cells = _cells(index, spokes, fold)
    per_row = min(SPOKES_PER_ROW_MAX, max(1, math.ceil(math.sqrt(len(cells))))) if cells else 1
    if spokes:
        diagram.outline.append((0, f"{len(spokes)} spoke VNet(s)" if hub else "VNets"))
    row_y = top
    for start in range(0, len(cells), per_row):
        row = cells[start : start + per_row]
        row_height = 0
        for position, (vnet, members) in enumerate(row):
            cell_x = x + position * (VNET_W + PAD * 3)
            if members:
                box = _draw_folded(diagram, ids, index, vnet, members, cell_x, row_y)
            else:
                box = _draw_vnet(diagram, ids, index, vnet, cell_x, row_y)
            row_height = max(row_height, box.h)
        row_y += row_height + PAD * 3
    bottom = max(bottom, row_y)
    x += (VNET_W + PAD * 3) * (per_row if spokes else 0) + COLUMN_GAP - PAD * 3
    # the right column: the outside, the services, the private DNS zones
    right_w = 280
    cursor = top
    diagram.outline.append((0, "outside and services"))
    for key, label, description in (
        ("outside:internet", "internet", "the internet"),
        ("outside:foreign-storage", "foreign storage", "storage accounts outside the environment"),
    ):
        diagram.add(
            Box(ids("outside", label), x, cursor, right_w, 28, label, "outside", description), key
        )
        diagram.outline.append((1, description))
        cursor += 28 + PAD
    by_kind: dict[str, list[tuple[ResourceId, str, str]]] = {}
    for service in _services(env):
        by_kind.setdefault(service[2], []).append(service)
    for kind, of_kind in by_kind.items():
        drawn, rest = of_kind, of_kind[len(of_kind) :]
        if fold and len(of_kind) > SERVICES_DRAWN_PER_KIND:
            drawn, rest = (
                of_kind[: SERVICES_DRAWN_PER_KIND - 1],
                of_kind[SERVICES_DRAWN_PER_KIND - 1 :],
            )
        for service_id, service_name, _ in drawn:
            diagram.add(
                Box(
                    ids("service", service_name),
                    x,
                    cursor,
                    right_w,
                    24,
                    f"{kind} {service_name}",
                    "service",
                    f"{kind} {service_name}",
                ),
                str(service_id),
            )
            diagram.outline.append((1, f"{kind} {service_name}"))
            cursor += 24 + 4
        if rest:
            names = ", ".join(service_name for _, service_name, _ in rest)
            diagram.add(
                Box(
                    ids("services", f"more-{kind}"),
                    x,
                    cursor,
                    right_w,
                    24,
                    f"{len(rest)} more {kind} ({rest[0][1]}, ...)",
                    "service folded",
                    f"{len(rest)} more {kind} resources drawn as one box: {names}",
                ),
                *(str(service_id) for service_id, _, _ in rest),
            )
            diagram.outline.append((1, f"{len(rest)} more {kind} resources: {names}"))
            cursor += 24 + 4
    cursor += PAD
    for zone in env.private_dns_zones:
        linked = [
            found.name
            for link in zone.virtual_network_links
            if (found := env.get(link.virtual_network)) is not None
        ]
        where = f"linked: {', '.join(linked)}" if linked else "not linked"
        diagram.add(
            Box(
                ids("zone", zone.name),
                x,
                cursor,
                right_w,
                34,
                f"{zone.name}\n{where}",
                "zone",
                f"private DNS zone {zone.name}, {where}",
            ),
            str(zone.id),
            f"zone:{zone.name}",
        )
        diagram.outline.append((1, f"private DNS zone {zone.name} ({where})"))
        cursor += 34 + 4
    bottom = max(bottom, cursor)
    _edges(diagram, ids, env, onprem_box)
    diagram.width = x + right_w + MARGIN
    diagram.height = bottom + MARGIN
    return diagram


def _edges(diagram: Diagram, ids: _Ids, env: Environment, onprem_box: Box | None) -> None:
    seen: set[frozenset[str]] = set()
    for vnet in env.virtual_networks:
        for peering in vnet.peerings:
            source = diagram.find(str(vnet.id))
            target = diagram.find(str(peering.remote_virtual_network))
            if source is None or target is None or frozenset((source, target)) in seen:
                continue
            seen.add(frozenset((source, target)))
            diagram.edges.append(Edge(ids("peering", peering.name), source, target, "peering"))
            diagram.keys.setdefault(str(peering.id).lower(), diagram.edges[-1].id)
    connection = env.on_premises.connection if env.on_premises else None
    if onprem_box is not None and connection is not None:
        gateway = diagram.find(str(connection.gateway))
        if gateway is not None:
            diagram.edges.append(
                Edge(ids("connection", "onprem"), onprem_box.id, gateway, "gateway", "connection")
            )
    for endpoint in env.private_endpoints:
        chip = diagram.find(str(endpoint.id))
        service = diagram.find(str(endpoint.private_link_service))
        if chip is None or service is None or frozenset((chip, service)) in seen:
            continue
        seen.add(frozenset((chip, service)))
        diagram.edges.append(Edge(ids("link", endpoint.name), chip, service, "endpoint"))
    internet = diagram.find("outside:internet")
    for firewall in env.firewalls:
        chip = diagram.find(str(firewall.id))
        if chip is not None and internet is not None:
            diagram.edges.append(Edge(ids("egress", firewall.name), chip, internet, "egress"))
