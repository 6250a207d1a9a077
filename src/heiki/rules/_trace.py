"""Helpers shared by the rules that cite traces as evidence."""

from __future__ import annotations

from heiki.analyses.trace import Trace


def trace_evidence(trace: Trace) -> tuple[str, ...]:
    lines = [
        f"trace {trace.vantage} -> {trace.destination}:{trace.port}/{trace.protocol}: "
        f"{trace.verdict.value} ({trace.reason})"
    ]
    for hop in trace.hops:
        for step in hop.steps:
            lines.append(f"[{hop.node}] {step}")
    return tuple(lines)
