"""NET005: a VNet overlaps the on-premises address space."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class OverlapWithOnPremises(Rule):
    meta = RuleMeta(
        id="NET005",
        name="overlap-with-onprem",
        title="VNet address space overlaps on-premises",
        severity=Severity.ERROR,
        rationale=(
            "Overlapping ranges cannot be routed both ways: the VNet route always wins inside "
            "Azure, so on-premises hosts in the overlap are unreachable, and gateway routes for "
            "them are rejected. (Blueprints and templates are refused at load time for this, as "
            "IN010; the rule covers models built another way.)"
        ),
        fix="Re-address the VNet from a range that on-premises does not use.",
        references=(
            "https://learn.microsoft.com/en-us/azure/virtual-network/virtual-networks-faq",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        onprem = ctx.env.on_premises
        if onprem is None:
            return
        for vnet in ctx.env.virtual_networks:
            for space in vnet.address_space:
                for other in onprem.address_space:
                    if space.overlaps(other):
                        yield Violation(
                            f"{vnet.name} ({space}) overlaps on-premises {other}", vnet.id
                        )
