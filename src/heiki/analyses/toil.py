"""Toil: the manual, out-of-band changes each lifecycle event forces, and who must make them.

DNS events (new or deleted compute instance, new private endpoint, new spoke) are simulated on a
copy of the environment by the DNS toil analysis. Two more come from readiness: a new Python
package is free when packages are ready (pip, conda or a mirror), and otherwise needs an approval
and a manual transfer; a new dataset from on-premises is free when a pipeline feeds the lake, and
otherwise a person copies it.
"""

from __future__ import annotations

from dataclasses import dataclass

from heiki.analyses.dns.toil import DnsToil, ManualChange
from heiki.analyses.readiness import Readiness, Status

SECURITY_TEAM = "security team"
DATA_PERSON = "a person copying data"


@dataclass(frozen=True, slots=True)
class ToilEvent:
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
    packages = ready.get("packages")
    if packages.status is Status.NOT_APPLICABLE:
        events.append(ToilEvent("new Python package", "any package", (), packages.summary))
    elif packages.status is Status.READY and packages.manual:
        events.append(
            ToilEvent(
                "new Python package",
                "any package",
                (
                    ManualChange(
                        DATA_PERSON,
                        "mirror sync",
                        "copy the package and its dependencies into the internal mirror",
                        (packages.manual,),
                    ),
                ),
                evidence=(packages.manual,),
            )
        )
    elif packages.status is Status.READY:
        events.append(ToilEvent("new Python package", "any package", ()))
    else:
        events.append(
            ToilEvent(
                "new Python package",
                "any package",
                (
                    ManualChange(
                        SECURITY_TEAM,
                        "package approval",
                        "approve the package and its dependencies",
                        ("list every package and dependency, file, wait",),
                    ),
                    ManualChange(
                        DATA_PERSON,
                        "manual transfer",
                        "download outside and carry it in",
                        ("through a stray storage account or a jump box",),
                    ),
                ),
                evidence=packages.evidence,
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
