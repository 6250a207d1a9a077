"""The diff for machines: the JSON document (schema in the package) and SARIF of new findings."""

from __future__ import annotations

from typing import Any

from heiki.reports.diff.compare import Review
from heiki.reports.diff.render import headline
from heiki.reports.diff.snapshot import FlowState, Snapshot
from heiki.reports.sarif import sarif_document
from heiki.reports.serialize import FORMAT_VERSION


def _flow(flow: FlowState | None) -> dict[str, Any] | None:
    if flow is None:
        return None
    return {
        "verdict": flow.verdict,
        "reason": flow.reason,
        "deciding_step": flow.step or None,
        "trace": list(flow.trace),
    }


def _side(side: Snapshot) -> dict[str, Any]:
    return {"source": side.source, "environment": side.environment, "verdict": side.verdict}


def diff_document(review: Review) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "tool": {"name": "heiki", "version": review.head.tool_version},
        "base": _side(review.base),
        "head": _side(review.head),
        "headline": headline(review),
        "worse": review.worse,
        "notes": list(review.notes),
        "readiness": [
            {
                "loop": c.loop,
                "capability": c.capability,
                "before": c.before,
                "after": c.after,
                "worse": c.worse,
                "blocked": [
                    {"vantage": v.vantage, "before": _flow(v.before), "after": _flow(v.after)}
                    for v in c.blocked
                ],
                "fixed": [
                    {"vantage": v.vantage, "before": _flow(v.before), "after": _flow(v.after)}
                    for v in c.fixed
                ],
            }
            for c in review.capabilities
        ],
        "closure": [
            {
                "check": c.check,
                "before": c.before,
                "after": c.after,
                "worse": c.worse,
                "opened": list(c.opened),
                "closed": list(c.closed),
            }
            for c in review.closure
        ],
        "paths": [
            {
                "path": p.path,
                "opened": p.opened,
                "before": _flow(p.before),
                "after": _flow(p.after),
            }
            for p in review.paths
        ],
        "required": [
            {
                "profile": r.profile,
                "destinations": list(r.destinations),
                "before": r.before,
                "after": r.after,
                "reason": r.reason,
                "subnets": list(r.subnets),
            }
            for r in review.required
        ],
        "toil": [
            {
                "event": t.event,
                "before": t.before,
                "after": t.after,
                "added": list(t.added),
                "removed": list(t.removed),
                "who": list(t.who),
            }
            for t in review.toil
        ],
        "dns": [
            {
                "before": d.before,
                "after": d.after,
                "broke": d.broke,
                "vantages": list(d.vantages),
                "names": [{"name": n, "before": b, "after": a} for n, b, a in d.names],
            }
            for d in review.dns
        ],
        "findings": {
            "new": list(review.findings.new),
            "fixed": list(review.findings.fixed),
            "unchanged": review.findings.unchanged,
        },
        "diagnostics": {
            "new": list(review.diagnostics.new),
            "fixed": list(review.diagnostics.fixed),
            "unchanged": review.diagnostics.unchanged,
        },
        "resources": [
            {
                "change": r.kind.value,
                "resource": r.resource,
                "type": r.type,
                "name": r.name,
                "properties": [
                    {"path": p.path, "before": p.before, "after": p.after} for p in r.properties
                ],
            }
            for r in review.resources
        ],
    }


def diff_sarif(review: Review) -> dict[str, Any]:
    """Only what the change adds: code scanning annotates the new findings in the diff."""
    new = review.findings.new
    fired = {f["rule"] for f in new}
    return sarif_document(
        {
            "tool": {"version": review.head.tool_version},
            "environment": review.head.environment,
            "rules": [r for r in review.head.rules if r["id"] in fired],
            "findings": list(new),
            "diagnostics": list(review.diagnostics.new),
        }
    )
