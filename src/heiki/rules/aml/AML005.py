"""AML005: a compute subnet has fewer free addresses than its computes can take."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.ml import ComputeType
from heiki.model.values import ResourceId
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class ComputeSubnetTooSmall(Rule):
    meta = RuleMeta(
        id="AML005",
        name="compute-subnet-too-small",
        title="A compute subnet cannot hold its clusters at full scale",
        severity=Severity.WARNING,
        rationale=(
            "Every cluster node and compute instance takes an address of its subnet. A cluster "
            "that cannot get one for each node up to its maximum stops scaling out with an "
            "allocation error in the middle of a run."
        ),
        fix="Size the subnet for every cluster's maximum nodes plus the instances (Azure keeps "
        "five addresses of each subnet), or lower max nodes, or give clusters their own subnet.",
        references=(
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-secure-training-vnet",
            "https://learn.microsoft.com/en-us/azure/virtual-network/virtual-networks-faq",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.env
        catalog = ctx.catalog
        reserved = catalog.subnet_reserved_leading + catalog.subnet_reserved_trailing
        demand: dict[ResourceId, list[str]] = {}
        needed: dict[ResourceId, int] = {}
        for compute in env.computes:
            if compute.subnet is None:
                continue
            nodes = compute.max_nodes if compute.compute_type is ComputeType.AML_COMPUTE else 1
            needed[compute.subnet] = needed.get(compute.subnet, 0) + nodes
            demand.setdefault(compute.subnet, []).append(f"{compute.name}: {nodes}")
        # addresses already taken per subnet, counted once (not per compute subnet)
        occupied: dict[ResourceId, int] = {}
        for pe in env.private_endpoints:
            occupied[pe.subnet] = occupied.get(pe.subnet, 0) + (len(pe.ip_configurations) or 1)
        for nic in env.network_interfaces:
            occupied[nic.subnet] = occupied.get(nic.subnet, 0) + 1
        for subnet_id, nodes in sorted(needed.items(), key=lambda item: str(item[0])):
            subnet = env.subnet(subnet_id)
            if subnet is None:
                continue
            taken = occupied.get(subnet_id, 0)
            free = subnet.address_prefix.num_addresses - reserved - taken
            if nodes > free:
                yield Violation(
                    f"subnet {subnet.name} ({subnet.address_prefix}) has {free} free address(es) "
                    f"but its computes can take {nodes}",
                    subnet_id,
                    evidence=tuple(demand[subnet_id]),
                )
