"""DNS005: an ADLS Gen2 (hierarchical namespace) account has no dfs private endpoint."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.ml import PublicNetworkAccess
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class LakeWithoutDfsEndpoint(Rule):
    meta = RuleMeta(
        id="DNS005",
        name="lake-without-dfs-endpoint",
        title="ADLS Gen2 account has no dfs private endpoint",
        severity=Severity.ERROR,
        rationale=(
            "A hierarchical-namespace account answers on two endpoints. With only a blob endpoint, "
            "<account>.dfs.core.windows.net still resolves publicly, so Data Lake operations "
            "(directories, ACLs, ABFS drivers, Spark) fail once public access is off."
        ),
        fix="Add a private endpoint for the dfs sub-resource (and keep the blob one) with zone "
        "privatelink.dfs.core.windows.net.",
        references=(
            "https://learn.microsoft.com/en-us/azure/storage/common/storage-private-endpoints",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.env
        for account in env.storage_accounts:
            if not account.is_hns_enabled:
                continue
            groups = {
                g.lower() for pe in env.private_endpoints_for(account.id) for g in pe.group_ids
            }
            closed = account.public_network_access is PublicNetworkAccess.DISABLED
            if "dfs" not in groups and (groups or closed):
                yield Violation(
                    f"storage account {account.name} has a hierarchical namespace but no dfs "
                    f"private endpoint (endpoints: {', '.join(sorted(groups)) or 'none'})",
                    account.id,
                )
