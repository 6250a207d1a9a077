"""CIDR functions (MS Learn: template-functions-cidr), on the standard library's ipaddress."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from heiki.sources.arm.expressions.errors import ExpressionError
from heiki.sources.arm.expressions.functions.registry import arm_function
from heiki.sources.arm.expressions.functions.values import need_int, need_str

if TYPE_CHECKING:
    from heiki.sources.arm.expressions.evaluator import Evaluator

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _network(function: str, args: list[Any]) -> Network:
    text = need_str(function, args, 0)
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ExpressionError(f"{function}(): {text!r} is not a CIDR range") from None


@arm_function("parseCidr", 1, 1)
def _parse_cidr(ev: Evaluator, args: list[Any]) -> Any:
    network = _network("parseCidr", args)
    if network.version == 4:
        first = network.network_address + (1 if network.prefixlen < 31 else 0)
        last = network.broadcast_address - (1 if network.prefixlen < 31 else 0)
        return {
            "network": str(network.network_address),
            "netmask": str(network.netmask),
            "broadcast": str(network.broadcast_address),
            "firstUsable": str(first),
            "lastUsable": str(last),
            "cidr": network.prefixlen,
        }
    return {
        "network": str(network.network_address),
        "netmask": str(network.netmask),
        "firstUsable": str(network.network_address),
        "lastUsable": str(network.broadcast_address),
        "cidr": network.prefixlen,
    }


@arm_function("cidrSubnet", 3, 3)
def _cidr_subnet(ev: Evaluator, args: list[Any]) -> Any:
    network = _network("cidrSubnet", args)
    prefix = need_int("cidrSubnet", args, 1)
    index = need_int("cidrSubnet", args, 2)
    if not network.prefixlen <= prefix <= network.max_prefixlen:
        raise ExpressionError(f"cidrSubnet(): /{prefix} does not fit in {network}")
    count = 1 << (prefix - network.prefixlen)
    if not 0 <= index < count:
        raise ExpressionError(
            f"cidrSubnet(): {network} has {count} /{prefix} subnets, not {index + 1}"
        )
    size = 1 << (network.max_prefixlen - prefix)
    start = int(network.network_address) + index * size
    return f"{ipaddress.ip_address(start) if network.version == 4 else ipaddress.IPv6Address(start)}/{prefix}"


@arm_function("cidrHost", 2, 2)
def _cidr_host(ev: Evaluator, args: list[Any]) -> Any:
    network = _network("cidrHost", args)
    index = need_int("cidrHost", args, 1)
    usable = network.num_addresses - (2 if network.version == 4 else 1)
    if not 0 <= index < usable:
        raise ExpressionError(f"cidrHost(): {network} has {usable} usable hosts, not {index + 1}")
    return str(network.network_address + 1 + index)
