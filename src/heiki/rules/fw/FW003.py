"""FW003: a firewall network rule allows the whole Storage or AzureCloud service tag."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.firewall import FirewallAction, NetworkRule
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext
from heiki.rules.nsg.NSG002 import is_broad_tag


class FirewallBroadStorageTag(Rule):
    meta = RuleMeta(
        id="FW003",
        name="firewall-broad-storage-tag",
        title="Firewall network rule allows every storage account (Storage / AzureCloud tag)",
        severity=Severity.ERROR,
        rationale=(
            "The firewall sees only addresses for a network rule: a Storage tag lets the workload "
            "write to any storage account in the region, including one an attacker owns."
        ),
        fix="Reach your storage through private endpoints; allow Microsoft-owned storage by FQDN "
        "application rules only where a dependency needs it.",
        references=("https://learn.microsoft.com/en-us/azure/firewall/service-tags",),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for policy in ctx.env.firewall_policies:
            for group in policy.rule_collection_groups:
                for collection in group.rule_collections:
                    if collection.action is not FirewallAction.ALLOW:
                        continue
                    for rule in collection.rules:
                        if not isinstance(rule, NetworkRule):
                            continue
                        broad = [d for d in rule.destination_addresses if is_broad_tag(d)]
                        if broad:
                            yield Violation(
                                f"policy {policy.name} rule {rule.name} allows {', '.join(broad)}",
                                policy.id,
                                rule.source or collection.source,
                            )
