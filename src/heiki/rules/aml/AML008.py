"""AML008: a workspace in v1 legacy mode."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class V1LegacyMode(Rule):
    meta = RuleMeta(
        id="AML008",
        name="v1-legacy-mode",
        title="Workspace in v1 legacy mode",
        severity=Severity.WARNING,
        rationale=(
            "v1LegacyMode keeps every workspace call inside the private network by turning the "
            "v2 API off - and with it CLI and SDK v2, managed online endpoints and parts of "
            "studio. The v1 API it keeps is retired, so the inner and outer loops run on "
            "unsupported clients. The v2 API sends only metadata through public ARM, over TLS; "
            "data stays in the network."
        ),
        fix="Turn v1LegacyMode off; if policy forbids metadata over public ARM, review which v2 "
        "operations go through ARM rather than keeping the retired API.",
        references=(
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-configure-network-isolation-with-v2",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        ends = ctx.catalog.aml_v1_sdk_support_ends
        for workspace in ctx.env.workspaces:
            if workspace.v1_legacy_mode:
                yield Violation(
                    f"workspace {workspace.name} is in v1 legacy mode: the v2 API (CLI/SDK v2, "
                    f"managed online endpoints) is off, and SDK v1 support ends {ends}",
                    workspace.id,
                )
