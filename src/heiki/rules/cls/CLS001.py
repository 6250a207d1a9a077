"""CLS001: something can be reached from the internet."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.analyses.closure import CheckStatus
from heiki.diagnostics import Severity
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class PublicInbound(Rule):
    meta = RuleMeta(
        id="CLS001",
        name="public-inbound",
        title="A resource accepts traffic from the internet",
        severity=Severity.ERROR,
        rationale=(
            "The network perimeter is one of the two layers of the talk's security model: with "
            "public network access on, a stolen account is enough to reach the data - the "
            "perimeter no longer helps."
        ),
        fix="Disable public network access (publicNetworkAccess: Disabled) and reach the resource "
        "through its private endpoint; remove public IPs and open inbound NSG rules.",
        references=(
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-configure-private-link",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        check = ctx.closure.get("no public inbound")
        if check.status is not CheckStatus.FAIL:
            return
        for message, resource in zip(check.evidence, check.resources, strict=False):
            # a compute's public IP is AML001's defect; closure names its consequence
            yield Violation(message, resource, causes=(f"public-ip:{resource}",))
