"""TOIL001: a new package, model or dataset needs a person or another team."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext

_EVENTS = ("new Python package", "new pretrained model", "new dataset from on-premises")


class ManualWork(Rule):
    meta = RuleMeta(
        id="TOIL001",
        name="manual-work-per-event",
        title="Routine work needs an approval or a manual transfer",
        severity=Severity.WARNING,
        rationale=(
            "'Make a list of every package and dependency, file an application, and wait' "
            "(slide 13); 'a DBA exports CSV, someone puts it in a Blob' (slide 23). Each such event "
            "costs days, and the transfers themselves open holes."
        ),
        fix="Allow the package ecosystems and the model hub through the firewall, or run internal "
        "mirrors that reach them, or promote models through an Azure ML registry; feed the lake "
        "with a Data Factory pipeline through a self-hosted integration runtime.",
        references=(
            "https://learn.microsoft.com/en-us/azure/data-factory/create-self-hosted-integration-runtime",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for event in ctx.toil.events:
            if event.event in _EVENTS and event.changes:
                who = ", ".join(event.who)
                yield Violation(
                    f"'{event.event}' needs {event.manual_changes} manual change(s) by {who}",
                    evidence=tuple(
                        f"{c.team}: {c.action}: {'; '.join(c.items)}" for c in event.changes
                    )
                    + event.evidence,
                )
