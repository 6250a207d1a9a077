"""Helpers for reachability tests: traces by vantage name, and model surgery."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dnshelp import CATALOG, design, replace_in
from heiki.analyses.trace import Trace, Tracer
from heiki.analyses.vantage import find_vantage
from heiki.model.environment import Environment
from heiki.model.network import Subnet, VirtualNetwork

__all__ = ["CATALOG", "design", "replace_in", "replace_subnet", "replace_vnet", "steps", "trace"]


def trace(
    env: Environment, vantage: str, destination: str, port: int = 443, protocol: str = "tcp"
) -> Trace:
    return Tracer(env, CATALOG).trace(find_vantage(env, vantage), destination, port, protocol)


def steps(result: Trace) -> str:
    return "\n".join(f"[{h.node}] {s}" for h in result.hops for s in h.steps)


def replace_vnet(env: Environment, name: str, **changes: Any) -> Environment:
    return replace(
        env,
        virtual_networks=tuple(
            replace(v, **changes) if v.name == name else v for v in env.virtual_networks
        ),
    )


def replace_subnet(
    env: Environment, vnet_name: str, subnet_name: str, **changes: Any
) -> Environment:
    def edit(vnet: VirtualNetwork) -> VirtualNetwork:
        if vnet.name != vnet_name:
            return vnet
        subnets: tuple[Subnet, ...] = tuple(
            replace(s, **changes) if s.name == subnet_name else s for s in vnet.subnets
        )
        return replace(vnet, subnets=subnets)

    return replace(env, virtual_networks=tuple(edit(v) for v in env.virtual_networks))
