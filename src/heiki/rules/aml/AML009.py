"""AML009: a managed-network workspace with settings Azure refuses."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.ml import IsolationMode, OutboundRuleType, Workspace
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext

# Which outbound rule types each isolation mode accepts.
_ALLOWED = {
    IsolationMode.ALLOW_INTERNET_OUTBOUND: {OutboundRuleType.PRIVATE_ENDPOINT},
    IsolationMode.ALLOW_ONLY_APPROVED_OUTBOUND: set(OutboundRuleType),
}


class ManagedNetworkMisuse(Rule):
    meta = RuleMeta(
        id="AML009",
        name="managed-network-misuse",
        title="Managed-network workspace with compute in a customer subnet or rules its mode "
        "rejects",
        severity=Severity.ERROR,
        rationale=(
            "A workspace with a managed virtual network runs its compute in that network: a "
            "compute that names a customer subnet is refused. Outbound rules depend on the mode: "
            "under AllowInternetOutbound only private-endpoint rules are valid; FQDN and service "
            "tag rules exist only under AllowOnlyApprovedOutbound (which also deploys a managed "
            "Azure Firewall for the FQDN rules)."
        ),
        fix="Drop the subnet from computes of a managed-network workspace (or turn the managed "
        "network off and bring your own VNet); keep only private-endpoint rules under "
        "AllowInternetOutbound, or switch to AllowOnlyApprovedOutbound.",
        references=(
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-managed-network",
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-managed-network-compute",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.env
        for compute in env.computes:
            workspace = env.get_typed(compute.workspace, Workspace)
            if workspace is None or compute.subnet is None:
                continue
            mode = workspace.managed_network.isolation_mode
            if mode is not IsolationMode.DISABLED:
                yield Violation(
                    f"{compute.compute_type.value} {compute.name} names subnet "
                    f"{compute.subnet.name}, but workspace {workspace.name} has a managed "
                    f"network ({mode.value})",
                    compute.id,
                )
        for workspace in env.workspaces:
            mode = workspace.managed_network.isolation_mode
            allowed = _ALLOWED.get(mode)
            if allowed is None:
                continue
            for rule in workspace.managed_network.outbound_rules:
                if rule.rule_type not in allowed:
                    yield Violation(
                        f"workspace {workspace.name}: outbound rule {rule.name} is a "
                        f"{rule.rule_type.value} rule, which {mode.value} does not accept",
                        workspace.id,
                    )
