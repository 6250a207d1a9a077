"""AML003: the workspace storage's firewall shuts out the Azure ML service itself."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.ml import PublicNetworkAccess
from heiki.model.services import DefaultAction, StorageAccount
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class StorageFirewallBlocksWorkspace(Rule):
    meta = RuleMeta(
        id="AML003",
        name="storage-firewall-blocks-workspace",
        title="The workspace storage firewall admits neither the workspace nor trusted services",
        severity=Severity.ERROR,
        rationale=(
            "Studio data preview, datastore validation, labeling and designer call the storage "
            "account from the Azure ML service, not from compute. With the account's firewall on "
            "'selected networks' (defaultAction Deny) and neither a resource-instance rule for "
            "the workspace nor the trusted-services bypass, those calls fail with 'Unable to "
            "access data... behind a virtual network' - the compute still works, which hides it."
        ),
        fix="Add the workspace to networkAcls.resourceAccessRules (preferred) or keep bypass "
        "AzureServices on the account; or disable public network access and reach it only "
        "through its private endpoints.",
        references=(
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-enable-studio-virtual-network",
            "https://learn.microsoft.com/en-us/azure/storage/common/storage-network-security-resource-instances",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for workspace in ctx.env.workspaces:
            storage = ctx.env.get_typed(workspace.storage_account, StorageAccount)
            if storage is None or storage.public_network_access is not PublicNetworkAccess.ENABLED:
                continue  # disabled: only private endpoints, which studio uses from clients
            acls = storage.network_acls
            if acls.default_action is not DefaultAction.DENY:
                continue
            admitted = workspace.id in acls.resource_access_rules
            trusted = any(b.strip().lower() == "azureservices" for b in acls.bypass)
            if admitted or trusted:
                continue
            yield Violation(
                f"storage account {storage.name} of workspace {workspace.name} denies by default "
                "and admits neither the workspace (resource-instance rule) nor trusted services",
                storage.id,
                evidence=(
                    f"{storage.name}: networkAcls defaultAction Deny, bypass "
                    f"{', '.join(acls.bypass) or 'None'}, resource-instance rules "
                    f"{len(acls.resource_access_rules)}",
                ),
            )
