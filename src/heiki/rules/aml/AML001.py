"""AML001: a compute instance or cluster has a public IP in a closed design."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class ComputeWithPublicIp(Rule):
    meta = RuleMeta(
        id="AML001",
        name="compute-with-public-ip",
        title="Azure ML compute has a public IP",
        severity=Severity.ERROR,
        rationale=(
            "With a node public IP Azure creates a public load balancer and an inbound rule from "
            "AzureMachineLearning; the node also reaches the internet straight through its own IP, "
            "around the firewall."
        ),
        fix="Create the compute with enableNodePublicIp: false (no public IP) and route its "
        "egress through the firewall.",
        references=(
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-secure-training-vnet",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for compute in ctx.env.computes:
            if compute.enable_node_public_ip and compute.subnet is not None:
                yield Violation(
                    f"{compute.compute_type.value} {compute.name} has a public IP",
                    compute.id,
                    defects=(f"public-ip:{compute.id}",),
                )
