"""Vantages: where a question is asked from, named the way a person thinks.

``onprem`` (the on-premises clients), a subnet (``ml/compute`` or ``vnet-ml/snet-compute``), a VM or
compute name, or a resource ID.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum

from heiki.model.environment import Environment
from heiki.model.network import NetworkInterface, Subnet, VirtualNetwork
from heiki.model.values import Address, Prefix, ResourceId

ONPREM = "onprem"


class VantageKind(StrEnum):
    ONPREM = "onprem"
    SUBNET = "subnet"
    VM = "vm"
    COMPUTE = "compute"
    MANAGED = "managed"
    """Compute in a workspace's managed VNet (no customer subnet)."""


@dataclass(frozen=True, slots=True)
class Vantage:
    """A place traffic or a DNS query starts from. ``vnet`` is ``None`` on-premises."""

    name: str
    kind: VantageKind
    vnet: ResourceId | None = None
    subnet: ResourceId | None = None
    prefix: Prefix | None = None
    address: Address | None = None
    resource: ResourceId | None = None
    description: str = ""

    @property
    def on_premises(self) -> bool:
        return self.kind is VantageKind.ONPREM


class UnknownVantageError(ValueError):
    """The user named a vantage that the environment does not have."""


def _short(name: str, prefix: str) -> str:
    return name[len(prefix) :] if name.lower().startswith(prefix) else name


def subnet_label(vnet: VirtualNetwork, subnet: Subnet) -> str:
    return f"{_short(vnet.name, 'vnet-')}/{_short(subnet.name, 'snet-')}"


def list_vantages(env: Environment) -> tuple[Vantage, ...]:
    """Every vantage of the environment, on-premises first, then subnets, VMs and computes."""
    return env.derived(("list_vantages",), lambda: _list_vantages(env))


def _list_vantages(env: Environment) -> tuple[Vantage, ...]:
    vantages: list[Vantage] = []
    onprem = env.on_premises
    if onprem is not None:
        prefix = (
            onprem.clients[0].prefix
            if onprem.clients
            else (onprem.address_space[0] if onprem.address_space else None)
        )
        vantages.append(
            Vantage(
                ONPREM,
                VantageKind.ONPREM,
                prefix=prefix,
                description="on-premises clients (use the on-premises DNS servers)",
            )
        )
    for vnet in env.virtual_networks:
        for subnet in vnet.subnets:
            vantages.append(
                Vantage(
                    subnet_label(vnet, subnet),
                    VantageKind.SUBNET,
                    vnet=vnet.id,
                    subnet=subnet.id,
                    prefix=subnet.address_prefix,
                    resource=subnet.id,
                    description=f"subnet {subnet.name} of {vnet.name}",
                )
            )
    for vm in env.virtual_machines:
        nic = (
            env.get_typed(vm.network_interfaces[0], NetworkInterface)
            if vm.network_interfaces
            else None
        )
        if nic is not None:
            vantages.append(
                _in_subnet(
                    env,
                    vm.name,
                    VantageKind.VM,
                    nic.subnet,
                    vm.id,
                    f"VM ({vm.role.value})",
                    nic.private_ip_address,
                )
            )
    for compute in env.computes:
        if compute.subnet is None:
            vantages.append(
                Vantage(
                    compute.name,
                    VantageKind.MANAGED,
                    resource=compute.id,
                    description=f"{compute.compute_type.value} in the workspace's managed VNet",
                )
            )
        if compute.subnet is not None:
            vantages.append(
                _in_subnet(
                    env,
                    compute.name,
                    VantageKind.COMPUTE,
                    compute.subnet,
                    compute.id,
                    compute.compute_type.value,
                    None,
                )
            )
    return tuple(vantages)


def _in_subnet(
    env: Environment,
    name: str,
    kind: VantageKind,
    subnet_id: ResourceId,
    resource: ResourceId,
    what: str,
    address: Address | None,
) -> Vantage:
    vnet = env.vnet_of_subnet(subnet_id)
    subnet = env.subnet(subnet_id)
    return Vantage(
        name,
        kind,
        vnet=vnet.id if vnet else None,
        subnet=subnet_id,
        prefix=subnet.address_prefix if subnet else None,
        address=address,
        resource=resource,
        description=f"{what} in {subnet.name if subnet else '?'}",
    )


def find_vantage(env: Environment, text: str) -> Vantage:
    """The vantage a person means by ``text``; raises ``UnknownVantageError`` with suggestions."""
    wanted = text.strip()
    vantages = list_vantages(env)
    lowered = wanted.lower()
    for vantage in vantages:
        if vantage.name.lower() == lowered:
            return vantage
    if "/" in wanted and not wanted.startswith("/"):
        vnet_text, _, subnet_text = wanted.partition("/")
        for vantage in vantages:
            if vantage.kind is not VantageKind.SUBNET or vantage.subnet is None:
                continue
            vnet = env.vnet_of_subnet(vantage.subnet)
            subnet = env.subnet(vantage.subnet)
            if (
                vnet
                and subnet
                and _matches(vnet.name, vnet_text, "vnet-")
                and _matches(subnet.name, subnet_text, "snet-")
            ):
                return vantage
    if wanted.startswith("/"):
        try:
            rid = ResourceId(wanted)
        except ValueError as exc:
            raise UnknownVantageError(str(exc)) from None
        for vantage in vantages:
            if vantage.resource == rid:
                return vantage
        raise UnknownVantageError(f"{wanted} is not a subnet, VM or compute of this environment")
    names = [v.name for v in vantages]
    close = difflib.get_close_matches(wanted, names, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UnknownVantageError(
        f"unknown vantage {wanted!r}{hint} (see `heiki vantages` for the list)"
    )


def _matches(name: str, text: str, prefix: str) -> bool:
    lowered = text.lower()
    return name.lower() == lowered or _short(name, prefix).lower() == lowered
