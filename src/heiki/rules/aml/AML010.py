"""AML010: a managed-network workspace allows internet outbound."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.analyses.closure import open_managed_networks, project_names
from heiki.diagnostics import Severity
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class ManagedNetworkOpen(Rule):
    meta = RuleMeta(
        id="AML010",
        name="managed-network-internet-outbound",
        title="A managed-network workspace allows internet outbound",
        severity=Severity.ERROR,
        rationale=(
            "isolationMode AllowInternetOutbound gives every compute instance, cluster, "
            "serverless job and managed online endpoint of the workspace direct internet "
            "access from Microsoft's managed network - no firewall of yours sees it, and any "
            "storage account on the internet is writable from it. The setting is the verdict: "
            "it holds for compute created tomorrow as much as for compute declared today."
        ),
        fix="Set managedNetwork.isolationMode to AllowOnlyApprovedOutbound and add FQDN / "
        "service-tag / private-endpoint outbound rules for what the workloads need.",
        references=(
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-managed-network",
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-prevent-data-loss-exfiltration",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for workspace in open_managed_networks(ctx.env):
            names = project_names(ctx.env, workspace.id)
            shared = f" - as do those of its project(s) {names}" if names else ""
            yield Violation(
                f"workspace {workspace.name}'s managed network is AllowInternetOutbound: every "
                f"compute and serverless job it runs reaches the internet and foreign storage{shared}",
                workspace.id,
                workspace.source,
                (f"managedNetwork.isolationMode = AllowInternetOutbound on {workspace.name}",),
            )
