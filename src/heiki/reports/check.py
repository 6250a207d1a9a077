"""``heiki check``: one canonical record of the run, rendered as text or JSON.

Today the record holds the input diagnostics, the DNS matrix, the DNS toil and the findings; the
readiness, closure and reachability parts arrive with later releases and join the same record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from heiki.analyses.dns.matrix import DnsMatrix, Expectation, MatrixCell
from heiki.analyses.dns.toil import DnsToil
from heiki.analyses.egress import EgressReport
from heiki.analyses.trace import Verdict
from heiki.diagnostics import Diagnostic, Severity
from heiki.model.environment import Environment
from heiki.reports.serialize import FORMAT_VERSION
from heiki.reports.show import summary
from heiki.rules.findings import Finding


@dataclass(frozen=True)
class CheckResult:
    environment: Environment
    source: str
    diagnostics: tuple[Diagnostic, ...]
    matrix: DnsMatrix
    toil: DnsToil
    egress: EgressReport
    findings: tuple[Finding, ...]

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity) + sum(
            1 for d in self.diagnostics if d.severity is severity
        )


def _cell_record(cell: MatrixCell) -> dict[str, Any]:
    return {
        "name": str(cell.name),
        "vantage": cell.vantage,
        "expected": cell.expected.value,
        "expected_address": str(cell.expected_address) if cell.expected_address else None,
        "outcome": cell.resolution.outcome.value,
        "answer": cell.resolution.answer_text,
        "ok": cell.ok,
    }


def _finding_record(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule_id,
        "title": finding.title,
        "severity": finding.severity.value,
        "message": finding.message,
        "resource": finding.resource,
        "location": str(finding.location) if finding.location else None,
        "evidence": list(finding.evidence),
        "fix": finding.fix,
        "references": list(finding.references),
    }


def check_document(result: CheckResult) -> dict[str, Any]:
    """The canonical record (``--format json``)."""
    return {
        "format_version": FORMAT_VERSION,
        "source": result.source,
        "environment": result.environment.name,
        "summary": summary(result.environment),
        "diagnostics": [
            {
                "code": d.code,
                "severity": d.severity.value,
                "message": d.message,
                "location": str(d.location) if d.location else None,
            }
            for d in result.diagnostics
        ],
        "dns": {
            "vantages": [v.name for v in result.matrix.vantages],
            "cells": [_cell_record(c) for c in result.matrix.cells],
            "failures": len(result.matrix.failures),
        },
        "toil": {
            "total": result.toil.total,
            "events": [
                {
                    "event": e.event.value,
                    "subject": e.subject,
                    "changes": e.count,
                    "not_applicable": e.not_applicable or None,
                    "change_requests": [
                        {
                            "team": c.team,
                            "system": c.system,
                            "action": c.action,
                            "items": list(c.items),
                        }
                        for c in e.changes
                    ],
                }
                for e in result.toil.events
            ],
        },
        "egress": [
            {
                "subnet": s.vantage.name,
                "roles": list(s.roles),
                "required": [
                    {
                        "profile": r.profile,
                        "destination": r.label,
                        "verdict": r.trace.verdict.value,
                        "reason": r.trace.reason,
                    }
                    for r in s.required
                ],
                "any_internet": {
                    "verdict": s.any_internet.verdict.value,
                    "reason": s.any_internet.reason,
                },
                "foreign_storage": {
                    "verdict": s.foreign_storage.verdict.value,
                    "reason": s.foreign_storage.reason,
                },
                "bypasses_firewall": len(s.bypasses),
            }
            for s in result.egress.subnets
        ],
        "findings": [_finding_record(f) for f in result.findings],
    }


def render_check(result: CheckResult) -> RenderableType:
    env = result.environment
    counts = summary(env)
    parts: list[RenderableType] = [
        Text.assemble((env.name, "bold"), f" loaded from {result.source}"),
        Text(", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items() if v)),
        _matrix_table(result.matrix),
        _toil_table(result.toil),
        _egress_table(result.egress),
        _findings(result),
    ]
    return Group(*parts)


def _matrix_table(matrix: DnsMatrix) -> RenderableType:
    vantages = [v.name for v in matrix.vantages]
    by_key = {(str(c.name), c.vantage): c for c in matrix.cells}
    table = Table(
        title="DNS matrix (expected private IP or public answer, per vantage)", title_justify="left"
    )
    table.add_column("name", overflow="fold", max_width=60)
    table.add_column("expected")
    for vantage in vantages:
        table.add_column(vantage, overflow="fold")
    for needed in matrix.names:
        row: list[Text | str] = [
            str(needed.name),
            str(needed.address) if needed.expect is Expectation.PRIVATE else "public",
        ]
        for vantage in vantages:
            cell = by_key.get((str(needed.name), vantage))
            if cell is None:
                row.append("")
                continue
            outcome = cell.resolution.outcome.value
            shown = (
                ", ".join(str(a) for a in cell.resolution.addresses)
                if cell.resolution.addresses
                else outcome
            )
            row.append(
                Text(
                    f"ok {shown}" if cell.ok else f"FAIL {shown}",
                    style="green" if cell.ok else "bold red",
                )
            )
        table.add_row(*row)
    return table


def _toil_table(toil: DnsToil) -> RenderableType:
    table = Table(
        title=f"DNS toil: manual change requests per lifecycle event (total {toil.total})",
        title_justify="left",
    )
    for column in ("event", "changes", "who", "what"):
        table.add_column(column, overflow="fold")
    for event in toil.events:
        if event.not_applicable:
            table.add_row(event.event.value, "-", "", f"not applicable: {event.not_applicable}")
            continue
        who = ", ".join(sorted({c.team for c in event.changes})) or "nobody"
        what = "; ".join(f"{c.action} on {c.system} ({len(c.items)} items)" for c in event.changes)
        table.add_row(event.event.value, str(event.count), who, what or "-")
    return table


def _egress_table(egress: EgressReport) -> RenderableType:
    table = Table(
        title="Egress per workload subnet (required destinations, exfiltration)",
        title_justify="left",
    )
    for column in (
        "subnet",
        "roles",
        "required",
        "dropped",
        "any-internet",
        "foreign storage",
        "bypasses firewall",
    ):
        table.add_column(column, overflow="fold")
    for subnet in egress.subnets:
        delivered = len(subnet.required) - len(subnet.dropped)
        dropped = ", ".join(r.label for r in subnet.dropped[:6])
        if len(subnet.dropped) > 6:
            dropped += f" (+{len(subnet.dropped) - 6})"
        table.add_row(
            subnet.vantage.name,
            ", ".join(subnet.roles),
            f"{delivered}/{len(subnet.required)}",
            Text(dropped or "-", style="red" if dropped else "green"),
            _verdict_text(subnet.any_internet.verdict, bad=Verdict.DELIVERED),
            _verdict_text(subnet.foreign_storage.verdict, bad=Verdict.DELIVERED),
            Text(str(len(subnet.bypasses)), style="red" if subnet.bypasses else "green"),
        )
    return table


def _verdict_text(verdict: Verdict, bad: Verdict) -> Text:
    return Text(verdict.value, style="bold red" if verdict is bad else "green")


_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _findings(result: CheckResult) -> RenderableType:
    lines: list[RenderableType] = []
    for diagnostic in result.diagnostics:
        lines.append(Text(str(diagnostic), style=_SEVERITY_STYLE[diagnostic.severity]))
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        group = [f for f in result.findings if f.severity is severity]
        if not group:
            continue
        lines.append(Text(f"{severity.value}s ({len(group)})", style="bold"))
        for finding in group:
            where = f" [{finding.location}]" if finding.location else ""
            lines.append(
                Text(
                    f"  {finding.rule_id} {finding.message}{where}", style=_SEVERITY_STYLE[severity]
                )
            )
            for step in finding.evidence:
                lines.append(Text(f"      {step}", style="dim"))
            lines.append(Text(f"      fix: {finding.fix}"))
    errors = result.count(Severity.ERROR)
    warnings = result.count(Severity.WARNING)
    verdict = (
        "no findings" if not (errors or warnings) else f"{errors} error(s), {warnings} warning(s)"
    )
    lines.append(Text(f"Result: {verdict}.", style="bold"))
    return Group(*lines)
