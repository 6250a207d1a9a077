"""Toil: the manual, out-of-band changes each lifecycle event forces, and who must make them.

DNS events (new or deleted compute instance, new private endpoint, new spoke) are simulated on a
copy of the environment by the DNS toil analysis. Three more come from readiness: a new Python
package or a new pretrained model is free when the capability is ready (pip or conda, Hugging
Face, a mirror that reaches its upstream, an ML registry), and otherwise needs an approval and a
manual transfer; a new dataset from on-premises is free when a pipeline feeds the lake, and
otherwise a person copies it.
"""

from __future__ import annotations

from dataclasses import dataclass

from heiki.analyses.dns.toil import DnsToil, ManualChange
from heiki.analyses.readiness import Capability, Readiness, Status

SECURITY_TEAM = "security team"
DATA_PERSON = "a person copying data"


@dataclass(frozen=True, slots=True)
class ToilEvent:
    """The manual changes one lifecycle event needs, and who makes them."""

    event: str
    subject: str
    changes: tuple[ManualChange, ...]
    not_applicable: str = ""
    evidence: tuple[str, ...] = ()

    @property
    def manual_changes(self) -> int:
        return len(self.changes)

    @property
    def who(self) -> tuple[str, ...]:
        return tuple(sorted({c.team for c in self.changes}))


@dataclass(frozen=True)
class Toil:
    """The manual changes of every lifecycle event."""

    events: tuple[ToilEvent, ...]

    @property
    def total(self) -> int:
        return sum(e.manual_changes for e in self.events)


def toil(dns: DnsToil, ready: Readiness) -> Toil:
    events = [
        ToilEvent(
            e.event.value,
            e.subject,
            e.changes,
            e.not_applicable,
            tuple(
                f"{r.vantage} -> {r.name}: {r.outcome.value} {r.answer_text}" for r in e.failing[:6]
            ),
        )
        for e in dns.events
    ]
    events.append(
        _inflow(
            ready.get("packages"),
            "new Python package",
            "any package",
            "package and its dependencies",
            "list every package and dependency, file, wait",
        )
    )
    events.append(
        _inflow(
            ready.get("pretrained models"),
            "new pretrained model",
            "any model",
            "model and its licence",
            "name the model, its source and licence, file, wait",
        )
    )
    data = ready.get("data")
    if data.status is Status.NOT_APPLICABLE:
        events.append(ToilEvent("new dataset from on-premises", "any dataset", (), data.summary))
    elif data.status is Status.READY:
        events.append(ToilEvent("new dataset from on-premises", "any dataset", ()))
    else:
        events.append(
            ToilEvent(
                "new dataset from on-premises",
                "any dataset",
                (
                    ManualChange(
                        DATA_PERSON,
                        "manual upload",
                        "export, carry and upload the data",
                        (data.summary,),
                    ),
                ),
                evidence=data.evidence,
            )
        )
    return Toil(tuple(events))


def _inflow(capability: Capability, event: str, subject: str, what: str, request: str) -> ToilEvent:
    """Something new from the internet (a package, a model): free when the capability is ready,
    a manual mirror sync when the mirror reaches no upstream, otherwise an approval and a manual
    transfer."""
    if capability.status is Status.NOT_APPLICABLE:
        return ToilEvent(event, subject, (), capability.summary)
    if capability.status is Status.READY and capability.manual:
        sync = ManualChange(
            DATA_PERSON,
            "mirror sync",
            f"copy the {what} into the internal mirror",
            (capability.manual,),
        )
        return ToilEvent(event, subject, (sync,), evidence=(capability.manual,))
    if capability.status is Status.READY:
        return ToilEvent(event, subject, ())
    approval = ManualChange(
        SECURITY_TEAM,
        f"{event.removeprefix('new ')} approval",
        f"approve the {what}",
        (request,),
    )
    transfer = ManualChange(
        DATA_PERSON,
        "manual transfer",
        "download outside and carry it in",
        ("through a stray storage account or a jump box",),
    )
    return ToilEvent(event, subject, (approval, transfer), evidence=capability.evidence)
