"""AML004: compute without a public IP in a workspace that has no private endpoint."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.ml import Workspace
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class NoPublicIpNeedsWorkspaceEndpoint(Rule):
    meta = RuleMeta(
        id="AML004",
        name="no-public-ip-compute-without-workspace-endpoint",
        title="Compute without a public IP in a workspace without a private endpoint",
        severity=Severity.ERROR,
        rationale=(
            "A compute instance or cluster without a public IP talks to the workspace through "
            "the workspace's private endpoint; Azure refuses to create it otherwise ('Provided "
            "EnableNodePublicIp False requires workspace private endpoint')."
        ),
        fix="Give the workspace a private endpoint (amlworkspace) in a VNet the compute subnet "
        "reaches, with its privatelink zones linked, before creating the compute.",
        references=(
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-secure-training-vnet",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.env
        for compute in env.computes:
            if compute.subnet is None or compute.enable_node_public_ip:
                continue
            workspace = env.get_typed(compute.workspace, Workspace)
            if workspace is None or env.private_endpoints_for(workspace.id):
                continue
            yield Violation(
                f"{compute.compute_type.value} {compute.name} has no public IP, but workspace "
                f"{workspace.name} has no private endpoint: Azure will not create it",
                compute.id,
            )
