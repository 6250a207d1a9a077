"""NET006: an AKS node subnet cannot hold the addresses the cluster's node pools take."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.network import Subnet
from heiki.model.source import SourceLocation
from heiki.model.values import ResourceId
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class AksSubnetTooSmall(Rule):
    meta = RuleMeta(
        id="NET006",
        name="aks-subnet-too-small",
        title="An AKS node subnet is too small for the cluster's nodes (and, with Azure CNI, pods)",
        severity=Severity.ERROR,
        rationale=(
            "With Azure CNI on the node subnet every node reserves an address for each pod it may "
            "run - 31 addresses per node at the default 30 pods - and an upgrade adds a node: a "
            "/24 holds seven such nodes. The deployment, a scale-out or the next upgrade then "
            "fails for want of addresses, and the fix is a new subnet and a new node pool."
        ),
        fix="Give the node pool a larger subnet, lower maxPods or maxCount, or use Azure CNI "
        "Overlay (networkPluginMode: overlay) or a pod subnet so that pods take no node-subnet "
        "addresses.",
        references=(
            "https://learn.microsoft.com/en-us/azure/aks/concepts-network-legacy-cni",
            "https://learn.microsoft.com/en-us/azure/aks/concepts-network-ip-address-planning",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.env
        reserved = ctx.catalog.subnet_reserved_leading + ctx.catalog.subnet_reserved_trailing
        demand: dict[ResourceId, list[tuple[int, str, str]]] = {}
        where: dict[ResourceId, SourceLocation | None] = {}
        rules = ctx.catalog.aks_addressing
        for cluster in env.unmodelled:
            plugin, mode = cluster.network_plugin, cluster.network_plugin_mode
            for pool in cluster.node_pools:
                try:
                    subnet_id = ResourceId(pool.subnet)
                except ValueError:
                    continue
                in_subnet = pool.pods_in_node_subnet(plugin, mode)
                key = "overlay" if mode.lower() == "overlay" else (plugin or "kubenet")
                pods = pool.max_pods or rules.max_pods(key)
                taken = rules.addresses(pool.nodes, pods, in_subnet)
                how = (
                    f"pool {pool.name}: ({pool.nodes} nodes + {rules.surge_nodes}) x "
                    f"(1 + {pods} pods, Azure CNI)"
                    if in_subnet
                    else f"pool {pool.name}: {pool.nodes} nodes + {rules.surge_nodes}"
                )
                demand.setdefault(subnet_id, []).append((taken, cluster.name, how))
                where.setdefault(subnet_id, cluster.source)  # the pools that ask for them
        if not demand:
            return
        occupied: dict[ResourceId, int] = {}
        for nic in env.network_interfaces:
            occupied[nic.subnet] = occupied.get(nic.subnet, 0) + 1
        for endpoint in env.private_endpoints:
            occupied[endpoint.subnet] = occupied.get(endpoint.subnet, 0) + max(
                1, len(endpoint.ip_configurations)
            )
        for subnet_id, takers in demand.items():
            subnet = env.get_typed(subnet_id, Subnet)
            if subnet is None:
                continue  # not in the input: its size is not known here
            usable = subnet.address_prefix.num_addresses - reserved
            others = occupied.get(subnet_id, 0)
            needed = sum(taken for taken, _, _ in takers) + others
            if needed <= usable:
                continue
            clusters = ", ".join(dict.fromkeys(name for _, name, _ in takers))
            yield Violation(
                f"subnet {subnet.name} ({subnet.address_prefix}, {usable} usable addresses) "
                f"cannot hold the {needed} addresses AKS cluster(s) {clusters} need there",
                subnet_id,
                where[subnet_id],
                evidence=(
                    *(f"{name}: {how} = {taken}" for taken, name, how in takers),
                    *((f"already in the subnet: {others} address(es)",) if others else ()),
                ),
            )
