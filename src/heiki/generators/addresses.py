"""Address spaces as deployment parameters.

Every VNet address space becomes a parameter and every address inside it (subnet prefixes, static
private-endpoint and resolver IPs, UDR next hops, NSG and firewall rule addresses, DNS servers) an
expression of that parameter, so one parameter file moves a VNet consistently - and
``heiki check azuredeploy.json --parameters moved.json`` verifies the result before deployment.

:class:`AddressPlan` finds which parameter an address belongs to and at which offset; the two
writers turn that into ARM (``cidrSubnet``/``cidrHost``) or Bicep. The Bicep writer does octet
arithmetic instead of ``cidrSubnet()``/``cidrHost()`` because checkov's Bicep parser (pycep) does
not know those functions, and the output must pass checkov. Octet arithmetic is exact here: an
address space is aligned to its prefix, so its host bits are zero and adding an offset smaller
than the space never carries from one octet into the next.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from heiki.model.environment import Environment


def camel(name: str) -> str:
    """``vnet-ml address space`` -> ``vnetMlAddressSpace`` (a parameter name)."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", name) if p]
    text = parts[0].lower() + "".join(p[:1].upper() + p[1:] for p in parts[1:])
    # a Bicep identifier starts with a letter (resource names may start with a digit)
    return text if text[:1].isalpha() else f"r{text}"


@dataclass(frozen=True, slots=True)
class AddressSpace:
    """A VNet address space and the template parameter that carries it."""

    parameter: str
    network: ipaddress.IPv4Network


class AddressPlan:
    """The VNet address spaces of an environment, each a parameter."""

    def __init__(self, env: Environment) -> None:
        self.parameters: dict[str, Any] = {}
        self.spaces: list[AddressSpace] = []
        for vnet in env.virtual_networks:
            for position, space in enumerate(vnet.address_space):
                suffix = str(position + 1) if position else ""
                name, copy = camel(f"{vnet.name} address space") + suffix, 2
                while name in self.parameters:  # vnet-ml and vnet_ml spell the same name
                    name, copy = camel(f"{vnet.name} {copy} address space") + suffix, copy + 1
                self.parameters[name] = {
                    "type": "string",
                    "defaultValue": str(space),
                    "metadata": {
                        "description": f"Address space of {vnet.name} (a /{space.prefixlen}; "
                        "every subnet and address inside keeps its offset)."
                    },
                }
                self.spaces.append(AddressSpace(name, space))
        # subnets of a VNet -> the space they are in; a host is written relative to its subnet.
        # Keyed by (network address as int, prefix length): a lookup per prefix length.
        self._subnets: dict[tuple[int, int], tuple[ipaddress.IPv4Network, AddressSpace]] = {}
        # the planned spaces equal to one of a VNet's, in plan order (each subnet scanned every
        # VNet's spaces: quadratic, 4 million comparisons at 1,000 spokes)
        by_network: dict[tuple[int, int], list[tuple[int, AddressSpace]]] = {}
        for index, planned in enumerate(self.spaces):
            by_network.setdefault(_key(planned.network), []).append((index, planned))
        for vnet in env.virtual_networks:
            candidates = sorted(
                {
                    entry
                    for space in vnet.address_space
                    for entry in by_network.get(_key(space), ())
                },
                key=lambda entry: entry[0],
            )
            for subnet in vnet.subnets:
                for _, planned in candidates:
                    if subnet.address_prefix.subnet_of(planned.network):
                        self._subnets.setdefault(
                            _key(subnet.address_prefix), (subnet.address_prefix, planned)
                        )
        self._spaces = {_key(space.network): space for space in reversed(self.spaces)}

    def space_of(self, network: ipaddress.IPv4Network) -> AddressSpace | None:
        base = int(network.network_address)
        for length in range(network.prefixlen, -1, -1):
            space = self._spaces.get((base >> (32 - length) << (32 - length), length))
            if space is not None:
                return space
        return None

    def is_subnet(self, network: ipaddress.IPv4Network) -> bool:
        return _key(network) in self._subnets

    def subnet_of_host(
        self, address: ipaddress.IPv4Address
    ) -> tuple[ipaddress.IPv4Network, AddressSpace] | None:
        value = int(address)
        keys = [(value >> (32 - n) << (32 - n), n) for n in range(32, -1, -1)]
        for key in keys:
            found = self._subnets.get(key)
            if found is not None and value != key[0]:
                return found
        for key in keys:
            space = self._spaces.get(key)
            if space is not None and value != key[0]:
                return space.network, space
        return None


def _key(network: ipaddress.IPv4Network) -> tuple[int, int]:
    return int(network.network_address), network.prefixlen


def rewrite(value: Any, express: Callable[[str], Any | None]) -> Any:
    """``value`` with every literal address or prefix string that ``express`` knows replaced."""
    if isinstance(value, dict):
        return {k: rewrite(v, express) for k, v in value.items()}
    if isinstance(value, list):
        return [rewrite(v, express) for v in value]
    if not isinstance(value, str) or value.startswith("["):
        return value
    expression = express(value)
    return value if expression is None else expression


def _parse(text: str) -> ipaddress.IPv4Network | ipaddress.IPv4Address | None:
    try:
        if "/" in text:
            return ipaddress.IPv4Network(text, strict=True)
        return ipaddress.IPv4Address(text)
    except ValueError:
        return None


class ArmAddresses:
    """ARM expressions: ``cidrSubnet(space, bits, index)`` for subnets, ``cidrHost(subnet, n)``
    for hosts."""

    def __init__(self, plan: AddressPlan) -> None:
        self.plan = plan

    def _network(self, network: ipaddress.IPv4Network) -> str | None:
        space = self.plan.space_of(network)
        if space is None:
            return None
        base = f"parameters('{space.parameter}')"
        if network == space.network:
            return base
        if self.plan.is_subnet(network):
            index = (int(network.network_address) - int(space.network.network_address)) >> (
                32 - network.prefixlen
            )
            return f"cidrSubnet({base}, {network.prefixlen}, {index})"
        if network.prefixlen == 32:
            host = self._host(network.network_address)
            return f"format('{{0}}/32', {host})" if host else None
        return None

    def _host(self, address: ipaddress.IPv4Address) -> str | None:
        found = self.plan.subnet_of_host(address)
        if found is None:
            return None
        subnet, space = found
        within = self._network(subnet) if subnet != space.network else None
        expression = within or f"parameters('{space.parameter}')"
        # cidrHost(range, n) is the (n+1)-th address after the network address
        return f"cidrHost({expression}, {int(address) - int(subnet.network_address) - 1})"

    def __call__(self, text: str) -> str | None:
        parsed = _parse(text)
        if isinstance(parsed, ipaddress.IPv4Network):
            expression = self._network(parsed)
        elif isinstance(parsed, ipaddress.IPv4Address):
            expression = self._host(parsed)
        else:
            return None
        return f"[{expression}]" if expression else None


class Code(str):
    """Source text in the output language (Bicep, HCL) the writer emits as is, not as a quoted
    string."""

    parameters: tuple[str, ...]
    """The parameters the text reads (what the layout looks for)."""

    def __new__(cls, text: str, parameters: tuple[str, ...] = ()) -> Code:
        code = super().__new__(cls, text)
        code.parameters = parameters
        return code


def octets_variable(parameter: str) -> str:
    return f"{parameter}Octets"


def octets_declaration(parameter: str, reference: str | None = None) -> str:
    """The Bicep variable that splits an address-space parameter (read as ``reference``) into
    its four octets."""
    return f"var {octets_variable(parameter)} = split(split({reference or parameter}, '/')[0], '.')"


def _own(name: str) -> str:
    return name


class BicepAddresses:
    """Bicep interpolations over the octets of the address-space parameter:
    ``'${vnetMlAddressSpaceOctets[0]}.${vnetMlAddressSpaceOctets[1]}.1.37'``. ``reference`` says
    how Bicep reads a parameter (``addressSpaces.x`` when grouped), ``top`` which top-level
    parameter that is."""

    def __init__(
        self,
        plan: AddressPlan,
        reference: Callable[[str], str] = _own,
        top: Callable[[str], str] = _own,
    ) -> None:
        self.plan = plan
        self.reference = reference
        self.top = top

    def _octets(self, address: ipaddress.IPv4Address, space: AddressSpace) -> str:
        offset = int(address) - int(space.network.network_address)
        variable = octets_variable(space.parameter)
        parts = []
        for index in range(4):
            shift = 8 * (3 - index)
            value = (offset >> shift) & 0xFF
            network_bits = max(0, min(8, space.network.prefixlen - 8 * index))
            if network_bits == 8:  # all network bits: the parameter's octet
                parts.append(f"${{{variable}[{index}]}}")
            elif network_bits == 0:  # all host bits: the space's octet is 0, the offset's is it
                parts.append(str(value))
            elif value == 0:
                parts.append(f"${{{variable}[{index}]}}")
            else:
                parts.append(f"${{int({variable}[{index}]) + {value}}}")
        return ".".join(parts)

    def __call__(self, text: str) -> Code | None:
        parsed = _parse(text)
        if isinstance(parsed, ipaddress.IPv4Network):
            space = self.plan.space_of(parsed)
            if space is None:
                return None
            if parsed == space.network:
                return Code(self.reference(space.parameter), (self.top(space.parameter),))
            body = f"{self._octets(parsed.network_address, space)}/{parsed.prefixlen}"
        elif isinstance(parsed, ipaddress.IPv4Address):
            found = self.plan.subnet_of_host(parsed)
            if found is None:
                return None
            space = found[1]
            body = self._octets(parsed, space)
        else:
            return None
        return Code(f"'{body}'", (self.top(space.parameter),))
