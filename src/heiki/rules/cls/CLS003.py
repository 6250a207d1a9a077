"""CLS003: a prod environment reaches the internet."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.analyses.closure import CheckStatus
from heiki.diagnostics import Severity
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class ProdReachesInternet(Rule):
    meta = RuleMeta(
        id="CLS003",
        name="prod-reaches-internet",
        title="Prod reaches the internet in an Open-Dev / Closed-Prod design",
        severity=Severity.ERROR,
        rationale=(
            "Open-Dev / Closed-Prod (slide 14) lets developers reach packages in dev because prod "
            "has no internet at all; assets move to prod only through the ML registry."
        ),
        fix="Give prod spokes no egress profiles beyond Azure ML's own dependencies; promote "
        "models and environments through the registry.",
        references=(
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-share-models-pipelines-across-workspaces-with-registries",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        check = ctx.closure.get("prod without internet")
        if check.status is not CheckStatus.FAIL:
            return
        for message, resource in zip(check.evidence, check.resources, strict=False):
            yield Violation(message, resource)
