"""AML002: the workspace reaches its storage with account keys, but the account refuses them."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.ml import DatastoresAuthMode
from heiki.model.services import StorageAccount
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class DatastoresNeedSharedKey(Rule):
    meta = RuleMeta(
        id="AML002",
        name="datastores-need-shared-key",
        title="Workspace datastores use account keys on a storage account without shared keys",
        severity=Severity.ERROR,
        rationale=(
            "By default a workspace reaches its storage account with the account key "
            "(systemDatastoresAuthMode AccessKey). With shared-key access disabled on the "
            "account - the secure setting - the default datastores are not all created, studio "
            "cannot show data and compute-instance mounts fail, unless the workspace uses its "
            "identity for the system datastores."
        ),
        fix="Set systemDatastoresAuthMode to 'identity' on the workspace and give its managed "
        "identity (and the people using studio) Storage Blob Data Contributor and Storage File "
        "Data Privileged Contributor on the account.",
        references=(
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-disable-local-auth-storage",
            "https://learn.microsoft.com/en-us/azure/storage/common/shared-key-authorization-prevent",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for workspace in ctx.env.workspaces:
            if workspace.system_datastores_auth_mode is not DatastoresAuthMode.ACCESS_KEY:
                continue
            storage = ctx.env.get_typed(workspace.storage_account, StorageAccount)
            if storage is None or storage.allow_shared_key_access:
                continue
            yield Violation(
                f"workspace {workspace.name} reaches {storage.name} with account keys "
                "(systemDatastoresAuthMode AccessKey), but the account does not allow shared keys",
                workspace.id,
                evidence=(
                    f"{storage.name}: allowSharedKeyAccess false",
                    f"{workspace.name}: systemDatastoresAuthMode AccessKey (the default)",
                ),
            )
