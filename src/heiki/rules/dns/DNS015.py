"""DNS015: the DNS design makes routine lifecycle events need manual changes by another team."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext
from heiki.rules.dns._common import DOCS_AML_DNS


class DnsDesignForcesManualChanges(Rule):
    meta = RuleMeta(
        id="DNS015",
        name="dns-design-forces-manual-changes",
        title="Routine changes need manual DNS work by another team",
        severity=Severity.WARNING,
        rationale=(
            "When on-premises DNS holds one A record per private name, every new compute instance "
            "or private endpoint waits for a change request to the DNS team (three weeks in the "
            "talk), and every deletion leaves a stale record. Conditional forwarders to a resolver "
            "in Azure make these events need no change at all."
        ),
        fix="Replace per-name A records with conditional forwarders for the public zones, "
        "targeting a DNS Private Resolver inbound endpoint (or the firewall DNS proxy).",
        references=(
            DOCS_AML_DNS,
            "https://learn.microsoft.com/en-us/azure/dns/private-resolver-endpoints-rulesets",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for event in ctx.dns_toil.events:
            if not event.changes:
                continue
            teams = sorted({c.team for c in event.changes})
            yield Violation(
                f"'{event.event.value}' ({event.subject}) needs {event.count} manual change "
                f"request(s) to {', '.join(teams)}",
                evidence=tuple(
                    f"{c.team} / {c.system}: {c.action}: {'; '.join(c.items)}"
                    for c in event.changes
                ),
            )
