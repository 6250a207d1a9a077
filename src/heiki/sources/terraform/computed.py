"""Private IPs that a Terraform configuration leaves to Azure, given as Azure gives them, so that
what refers to them (a spoke's DNS servers pointing at the firewall or the resolver's inbound
endpoint, a route to the firewall, an A record of a private endpoint) is checked with an address
instead of being dropped as unknown.

Azure gives a dynamic address the first free one of its subnet after the reserved ones (the
catalog's ``subnet_reserved``). A firewall and a resolver inbound endpoint own their subnet, so
theirs is exact (.4). Where a subnet is shared (NICs, private endpoints) the order of creation
decides; heiki takes the order in which the configuration is evaluated, skips every address it
has seen given statically, and names each address it assumed (``heiki-assumed``).
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Iterator
from typing import Any

from heiki.catalog import Catalog
from heiki.model.values import ResourceId, first_assignable, first_ipv4_prefix

Attrs = dict[str, Any]

COMPUTED = "__computed__"
"""An attribute holding what references to a resource see on top of its attributes."""


class AddressBook:
    """The subnets a configuration declares (ID -> prefix) and the addresses taken in each."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.prefixes: dict[str, ipaddress.IPv4Network] = {}
        self.taken: dict[str, set[ipaddress.IPv4Address]] = {}

    # -- what the configuration declares -------------------------------------------------------
    def subnet(self, subnet_id: str, prefixes: Any) -> None:
        """A subnet and its address prefixes (the first IPv4 one is where addresses come from)."""
        prefix = first_ipv4_prefix(prefixes)
        if prefix is not None:
            self.prefixes.setdefault(subnet_id.lower(), prefix)

    def vnet(self, vnet_id: str, attrs: Attrs) -> None:
        """The subnets a virtual network declares inline."""
        for block in _blocks(attrs, "subnet"):
            name = block.get("name")
            if isinstance(name, str) and name:
                prefixes = block.get("address_prefixes") or block.get("address_prefix")
                self.subnet(f"{vnet_id}/subnets/{name}", prefixes)

    def static(self, subnet_id: Any, address: Any) -> None:
        """An address the configuration gives itself."""
        if isinstance(subnet_id, str) and isinstance(address, str):
            with contextlib.suppress(ValueError):
                self.taken.setdefault(subnet_id.lower(), set()).add(ipaddress.IPv4Address(address))

    # -- what Azure gives ----------------------------------------------------------------------
    def first(self, subnet_id: Any) -> str | None:
        """The address Azure gives the only occupant of a dedicated subnet."""
        prefix = self._prefix(subnet_id)
        if prefix is None:
            return None
        address = first_assignable(prefix, self.catalog.subnet_reserved_leading)
        if address is None:
            return None
        self.taken.setdefault(str(subnet_id).lower(), set()).add(address)
        return str(address)

    def next(self, subnet_id: Any) -> str | None:
        """The first free address of a shared subnet, now taken."""
        prefix = self._prefix(subnet_id)
        if prefix is None:
            return None
        taken = self.taken.setdefault(str(subnet_id).lower(), set())
        address = next((a for a in self._candidates(prefix) if a not in taken), None)
        if address is None:
            return None
        taken.add(address)
        return str(address)

    def _prefix(self, subnet_id: Any) -> ipaddress.IPv4Network | None:
        return self.prefixes.get(subnet_id.lower()) if isinstance(subnet_id, str) else None

    def _candidates(self, prefix: ipaddress.IPv4Network) -> Iterator[ipaddress.IPv4Address]:
        last = prefix.num_addresses - 1 - self.catalog.subnet_reserved_trailing
        for offset in range(self.catalog.subnet_reserved_leading, last + 1):
            yield prefix.network_address + offset

    # -- per resource type ---------------------------------------------------------------------
    def fill(self, kind: str, attrs: Attrs) -> tuple[Attrs, list[str]]:
        """Attributes of a resource of type ``kind`` that Azure computes and the configuration
        leaves open, and a description of each address assumed ("10.0.0.4 in ...").

        A firewall's or inbound endpoint's address is seen by references only (under
        ``COMPUTED``): the model gives such a resource the same address itself and marks it
        assumed. A NIC's or private endpoint's becomes its attribute, so the model holds the
        address that references see."""
        if kind == "azurerm_firewall":
            seen, notes = self._configs(attrs, "ip_configuration", dedicated=True, method=None)
            return ({COMPUTED: seen} if seen else {}), notes
        if kind == "azurerm_private_dns_resolver_inbound_endpoint":
            seen, notes = self._configs(
                attrs, "ip_configurations", dedicated=True, method="private_ip_allocation_method"
            )
            return ({COMPUTED: seen} if seen else {}), notes
        if kind == "azurerm_network_interface":
            filled, notes = self._configs(
                attrs, "ip_configuration", dedicated=False, method="private_ip_address_allocation"
            )
            configs = filled.get("ip_configuration", _blocks(attrs, "ip_configuration"))
            addresses = [c.get("private_ip_address") for c in configs]
            if addresses and isinstance(addresses[0], str):
                filled["private_ip_address"] = addresses[0]
            if all(isinstance(a, str) for a in addresses) and addresses:
                filled["private_ip_addresses"] = addresses
            return filled, notes
        if kind == "azurerm_private_endpoint":
            return self._endpoint(attrs)
        return {}, []

    def _configs(
        self, attrs: Attrs, key: str, *, dedicated: bool, method: str | None
    ) -> tuple[Attrs, list[str]]:
        configs = _blocks(attrs, key)
        for config in configs:  # what is given first: a dynamic address never takes it
            if method is None or str(config.get(method, "Dynamic")).lower() == "static":
                self.static(config.get("subnet_id"), config.get("private_ip_address"))
        filled: list[Attrs] = []
        notes: list[str] = []
        changed = False
        for config in configs:
            given = config.get("private_ip_address")
            dynamic = method is None or str(config.get(method, "Dynamic")).lower() != "static"
            if dynamic and not isinstance(given, str) and "subnet_id" in config:
                subnet = config["subnet_id"]
                address = self.first(subnet) if dedicated else self.next(subnet)
                if address is not None:
                    config = {**config, "private_ip_address": address}
                    notes.append(f"{address} in {_subnet_text(subnet)}")
                    changed = True
            filled.append(config)
        return ({key: filled} if changed else {}), notes

    def _endpoint(self, attrs: Attrs) -> tuple[Attrs, list[str]]:
        """A private endpoint without ``ip_configuration`` blocks: one address per member of the
        service it connects to (the catalog's members), as static ``ip_configuration`` blocks so
        the model holds the same addresses that references to it see."""
        subnet = attrs.get("subnet_id")
        connections = _blocks(attrs, "private_service_connection")
        if _blocks(attrs, "ip_configuration"):
            for config in _blocks(attrs, "ip_configuration"):
                self.static(subnet, config.get("private_ip_address"))
            return {}, []
        if not connections or self._prefix(subnet) is None:
            return {}, []
        connection = connections[0]
        target = connection.get("private_connection_resource_id")
        groups = connection.get("subresource_names")
        if not isinstance(target, str) or not isinstance(groups, list):
            return {}, []
        try:
            target_type = ResourceId(target).resource_type
        except ValueError:
            return {}, []
        location = attrs.get("location")
        region = location.replace(" ", "").lower() if isinstance(location, str) else ""
        configs: list[Attrs] = []
        for group in groups:
            if not isinstance(group, str):
                return {}, []
            service = self.catalog.private_link_service(target_type, group)
            members = [m.name.format(region=region) for m in service.members] if service else []
            for member in members or [group]:
                address = self.next(subnet)
                if address is None:
                    return {}, []
                configs.append(
                    {
                        "name": f"ipconfig-{member}".lower(),
                        "private_ip_address": address,
                        "subresource_name": group,
                        "member_name": member,
                    }
                )
        first = {**connection, "private_ip_address": configs[0]["private_ip_address"]}
        notes = [f"{c['private_ip_address']} ({c['member_name']})" for c in configs]
        return {
            "ip_configuration": configs,
            "private_service_connection": [first, *connections[1:]],
        }, [f"{', '.join(notes)} in {_subnet_text(subnet)}"]


def _blocks(attrs: Attrs, key: str) -> list[Attrs]:
    value = attrs.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _subnet_text(subnet_id: Any) -> str:
    parts = str(subnet_id).split("/")
    return "/".join(parts[-3::2]) if len(parts) >= 3 else str(subnet_id)
