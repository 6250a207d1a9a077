"""The canonical record of a check: one plain-data shape that every report format renders.

Text, JSON, SARIF and Markdown are all produced from ``check_record(result)``, so they cannot
disagree. The shape is documented by ``schema/check-report.schema.json`` (validated in tests).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from heiki import __version__
from heiki.analyses.closure import Closure
from heiki.analyses.dns.matrix import DnsMatrix
from heiki.analyses.egress import EgressReport, RequiredTrace
from heiki.analyses.readiness import Loop, Readiness, Status
from heiki.analyses.toil import Toil
from heiki.catalog import Catalog
from heiki.config import Config, Suppression
from heiki.diagnostics import Diagnostic, Severity
from heiki.model.coverage import coverage_gaps
from heiki.model.environment import Environment
from heiki.model.source import SourceLocation
from heiki.reports.serialize import FORMAT_VERSION, ReusedList
from heiki.reports.show import summary
from heiki.rules.context import RuleContext
from heiki.rules.engine import ENGINE_RULES, check_rules
from heiki.rules.findings import Finding
from heiki.rules.registry import rule_by_id


@dataclass(frozen=True)
class CheckResult:
    """Everything one check found: the analyses' results and the findings."""

    environment: Environment
    source: str
    diagnostics: tuple[Diagnostic, ...]
    readiness: Readiness
    closure: Closure
    toil: Toil
    matrix: DnsMatrix
    egress: EgressReport
    findings: tuple[Finding, ...]
    suppressed: tuple[tuple[Finding, Suppression], ...] = ()

    def count(self, severity: Severity) -> int:
        """Root causes and input diagnostics of that severity: one defect counts once (its
        consequences and its other instances do not count again)."""
        return sum(
            1
            for f in self.findings
            if f.severity is severity and f.caused_by is None and f.instance_of is None
        ) + sum(1 for d in self.diagnostics if d.severity is severity)


def check_environment(
    environment: Environment,
    catalog: Catalog,
    source: str = "",
    diagnostics: tuple[Diagnostic, ...] = (),
    config: Config | None = None,
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    context: RuleContext | None = None,
) -> CheckResult:
    """Run every analysis and the selected rules once: what ``heiki check`` reports.
    ``context`` lets a caller prepare the analyses (the trace-sharing tests give it an exact
    tracer)."""
    context = context or RuleContext(environment, catalog)
    run = check_rules(environment, catalog, config, select, ignore, context=context)
    return CheckResult(
        environment=environment,
        source=source,
        diagnostics=diagnostics,
        readiness=context.readiness,
        closure=context.closure,
        toil=context.toil,
        matrix=context.dns_matrix,
        egress=context.egress,
        findings=run.findings,
        suppressed=run.suppressed,
    )


def _location(location: SourceLocation | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {
        "file": location.file,
        "line": location.line,
        "column": location.column,
        "pointer": location.pointer or None,
    }


def _workable(readiness: Readiness) -> bool | None:
    """No loop not-ready; None when no loop could be judged at all (nothing to promise)."""
    statuses = [readiness.loop_status(loop) for loop in Loop]
    if all(s is Status.NOT_APPLICABLE for s in statuses):
        return None
    return all(s is not Status.NOT_READY for s in statuses)


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.id,
        "caused_by": finding.caused_by,
        "instance_of": finding.instance_of,
        "rule": finding.rule_id,
        "title": finding.title,
        "severity": finding.severity.value,
        "resource": finding.resource,
        "location": _location(finding.location),
        "message": finding.message,
        "evidence": list(finding.evidence),
        "fix": finding.fix,
        "references": list(finding.references),
    }


def _rules(findings: tuple[Finding, ...]) -> list[dict[str, Any]]:
    """Metadata of the rules that fired (what SARIF's tool.driver.rules needs)."""
    engine = {meta.id: meta for meta in ENGINE_RULES}
    result: list[dict[str, Any]] = []
    for rule_id in sorted({f.rule_id for f in findings}):
        rule = rule_by_id(rule_id)
        meta = rule.meta if rule is not None else engine[rule_id]
        result.append(
            {
                "id": meta.id,
                "name": meta.name,
                "title": meta.title,
                "severity": meta.severity.value,
                "rationale": meta.rationale,
                "fix": meta.fix,
                "references": list(meta.references),
            }
        )
    return result


MANAGED_SHOWN = 8
"""Managed-VNet compute the human reports name before they count the rest."""


def managed_vnet_note(managed: Sequence[str]) -> str:
    """What the DNS matrix leaves out, said for people: the compute in a managed VNet it does
    not resolve from (``DnsMatrix.managed``, ``dns.managed_vnet_vantages``), or ""."""
    if not managed:
        return ""
    shown = ", ".join(managed[:MANAGED_SHOWN])
    if len(managed) > MANAGED_SHOWN:
        shown += f", ... {len(managed) - MANAGED_SHOWN} more"
    return (
        f"Not in the DNS matrix (not modelled): compute in a workspace's managed VNet "
        f"({len(managed)}: {shown}), which resolves with Microsoft-managed private zones heiki "
        "cannot see"
    )


EVIDENCE_SHOWN = 12
"""Evidence lines the text and Markdown reports print per finding when they cut its evidence;
the rest are counted there and listed in the JSON (a blocked capability of a 1,000-spoke estate
has a line per cluster)."""
EVIDENCE_UNCUT = 20
"""Evidence up to this many lines is printed whole: a count should save more than it hides."""


def shown_evidence(evidence: list[str]) -> list[str]:
    """The evidence lines a human report prints."""
    if len(evidence) <= EVIDENCE_UNCUT:
        return evidence
    rest = len(evidence) - EVIDENCE_SHOWN
    return [*evidence[:EVIDENCE_SHOWN], f"... {rest} more (--format json lists them)"]


MATRIX_CELL_LIMIT = 2000
"""Above this many cells the record keeps only the failing ones: the matrix grows with names x
vantages (a 100-spoke estate has about 750,000 cells), and the passing cells add bytes, not news."""


def _dns_record(result: CheckResult, complete: bool) -> dict[str, Any]:
    """The matrix by view: the vantages of a view are listed once, each cell names its view
    (and its vantages only where they are fewer than the view's: public names are not asked
    from on-premises)."""
    matrix = result.matrix
    members = {view.id: view.vantages for view in matrix.views}
    return {
        "vantages": [v.name for v in matrix.vantages],
        "views": [
            {"view": view.id, "server": view.server, "vantages": list(view.vantages)}
            for view in matrix.views
        ],
        "names": len({c.name for c in matrix.cells}),
        "failures": len(matrix.failures),
        "managed_vnet_vantages": list(matrix.managed),
        "complete": complete,
        "cells": [
            {
                "name": str(c.name),
                "view": c.view,
                **({"vantages": list(c.vantages)} if c.vantages != members[c.view] else {}),
                "expected": c.expected.value,
                "expected_address": str(c.expected_address) if c.expected_address else None,
                "outcome": c.resolution.outcome.value,
                "answer": c.resolution.answer_text,
                "ok": c.ok,
            }
            for c in matrix.cells
            if complete or not c.ok
        ],
    }


class _RequiredRows:
    """The ``required`` arrays of the egress record: subnets whose required destinations end
    alike (a thousand spokes of one shape) get one ``ReusedList``, written once by ``dumps``."""

    def __init__(self) -> None:
        self._lists: dict[tuple[tuple[str, str, str, str], ...], ReusedList] = {}

    def __call__(self, required: tuple[RequiredTrace, ...]) -> ReusedList:
        key = tuple((r.profile, r.label, r.trace.verdict.value, r.trace.reason) for r in required)
        found = self._lists.get(key)
        if found is None:
            found = self._lists[key] = ReusedList(
                {"profile": profile, "destination": label, "verdict": verdict, "reason": reason}
                for profile, label, verdict, reason in key
            )
        return found


def check_record(result: CheckResult) -> dict[str, Any]:
    readiness = result.readiness
    required = _RequiredRows()
    complete = len(result.matrix.cells) <= MATRIX_CELL_LIMIT
    return {
        "format_version": FORMAT_VERSION,
        "tool": {"name": "heiki", "version": __version__},
        "source": result.source,
        "environment": result.environment.name,
        "verdict": {
            "loops": {loop.value: readiness.loop_status(loop).value for loop in Loop},
            "ready": _workable(readiness),
            "closed": result.closure.closed,
            "toil": result.toil.total,
            "errors": result.count(Severity.ERROR),
            "warnings": result.count(Severity.WARNING),
        },
        "summary": summary(result.environment),
        "readiness": [
            {
                "loop": c.loop.value,
                "capability": c.name,
                "status": c.status.value,
                "summary": c.summary,
                "via": c.via,
                "evidence": list(c.evidence),
            }
            for c in readiness.capabilities
        ],
        "closure": {
            "closed": result.closure.closed,
            "checks": [
                {
                    "check": c.name,
                    "status": c.status.value,
                    "summary": c.summary,
                    "evidence": list(c.evidence),
                }
                for c in result.closure.checks
            ],
        },
        "toil": {
            "total": result.toil.total,
            "events": [
                {
                    "event": e.event,
                    "subject": e.subject,
                    "manual_changes": e.manual_changes,
                    "who": list(e.who),
                    "not_applicable": e.not_applicable or None,
                    "changes": [
                        {
                            "team": c.team,
                            "system": c.system,
                            "action": c.action,
                            "items": list(c.items),
                        }
                        for c in e.changes
                    ],
                    "evidence": list(e.evidence),
                }
                for e in result.toil.events
            ],
        },
        "dns": _dns_record(result, complete),
        "egress": [
            {
                "subnet": s.vantage.name,
                "roles": list(s.roles),
                "required": required(s.required),
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
        "coverage": [
            {
                "what": gap.title,
                "count": gap.count,
                "not_covered": gap.not_covered,
                "text": gap.text,
                "resources": [r.resource_id for r in gap.resources],
            }
            for gap in coverage_gaps(result.environment.unmodelled)
        ],
        "diagnostics": [
            {
                "code": d.code,
                "severity": d.severity.value,
                "message": d.message,
                "location": _location(d.location),
            }
            for d in result.diagnostics
        ],
        "findings": [_finding(f) for f in result.findings],
        "suppressed": [
            {
                "rule": f.rule_id,
                "resource": f.resource,
                "message": f.message,
                "reason": s.reason,
                "suppression": str(s.location),
            }
            for f, s in result.suppressed
        ],
        "rules": _rules(result.findings),
    }
