"""AML003: the firewall of the workspace's storage or Key Vault shuts out the Azure ML service."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.ml import PublicNetworkAccess, Workspace
from heiki.model.services import DefaultAction, KeyVault, StorageAccount
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class DependencyFirewallBlocksWorkspace(Rule):
    meta = RuleMeta(
        id="AML003",
        name="dependency-firewall-blocks-workspace",
        title="The workspace's storage or Key Vault firewall shuts out the Azure ML service",
        severity=Severity.ERROR,
        rationale=(
            "Studio data preview, datastore validation, labeling and designer call the storage "
            "account from the Azure ML service, not from compute. With the account's firewall on "
            "'selected networks' (defaultAction Deny) and neither a resource-instance rule for "
            "the workspace nor the trusted-services bypass, those calls fail with 'Unable to "
            "access data... behind a virtual network' - the compute still works, which hides it. "
            "The same holds for the workspace Key Vault without the trusted-services bypass: "
            "listing or creating datastores returns Forbidden."
        ),
        fix="Add the workspace to the storage account's networkAcls.resourceAccessRules "
        "(preferred) or keep bypass AzureServices; keep bypass AzureServices on the Key Vault; or "
        "disable public network access and reach both only through their private endpoints.",
        references=(
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-enable-studio-virtual-network",
            "https://learn.microsoft.com/en-us/azure/storage/common/storage-network-security-resource-instances",
            "https://learn.microsoft.com/en-us/azure/key-vault/general/overview-vnet-service-endpoints",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for workspace in ctx.env.workspaces:
            yield from _storage(ctx, workspace)
            yield from _vault(ctx, workspace)


def _storage(ctx: RuleContext, workspace: Workspace) -> Iterable[Violation]:
    storage = ctx.env.get_typed(workspace.storage_account, StorageAccount)
    if storage is None or storage.public_network_access is not PublicNetworkAccess.ENABLED:
        return  # disabled: only private endpoints, which studio uses from the clients
    acls = storage.network_acls
    if acls.default_action is not DefaultAction.DENY:
        return
    if workspace.id in acls.resource_access_rules or _trusted(acls.bypass):
        return
    yield Violation(
        f"storage account {storage.name} of workspace {workspace.name} denies by default and "
        "admits neither the workspace (resource-instance rule) nor trusted services",
        storage.id,
        evidence=(
            f"{storage.name}: networkAcls defaultAction Deny, bypass "
            f"{', '.join(acls.bypass) or 'None'}, resource-instance rules "
            f"{len(acls.resource_access_rules)}",
        ),
    )


def _vault(ctx: RuleContext, workspace: Workspace) -> Iterable[Violation]:
    vault = ctx.env.get_typed(workspace.key_vault, KeyVault)
    if vault is None or vault.public_network_access is not PublicNetworkAccess.ENABLED:
        return
    acls = vault.network_acls
    if acls.default_action is not DefaultAction.DENY or _trusted(acls.bypass):
        return
    yield Violation(
        f"Key Vault {vault.name} of workspace {workspace.name} denies by default without the "
        "trusted-services bypass",
        vault.id,
        evidence=(
            f"{vault.name}: networkAcls defaultAction Deny, bypass "
            f"{', '.join(acls.bypass) or 'None'}",
        ),
    )


def _trusted(bypass: tuple[str, ...]) -> bool:
    return any(b.strip().lower() == "azureservices" for b in bypass)
