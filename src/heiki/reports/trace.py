"""Render a trace (``heiki trace``) and a subnet's effective routes (``heiki routes``)."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from heiki.analyses.routing import EffectiveRoute
from heiki.analyses.trace import Trace, Verdict
from heiki.reports.serialize import FORMAT_VERSION, to_data

_VERDICT_STYLE = {
    Verdict.DELIVERED: "green",
    Verdict.DROPPED: "bold red",
    Verdict.UNKNOWN: "yellow",
}
_ACTION_STYLE = {
    "deny": "red",
    "drop": "red",
    "unknown": "yellow",
    "deliver": "green",
    "allow": "green",
}


def trace_document(trace: Trace) -> dict[str, Any]:
    return {"format_version": FORMAT_VERSION, "trace": to_data(trace)}


def render_trace(trace: Trace) -> RenderableType:
    lines: list[RenderableType] = [
        Text.assemble(
            (f"{trace.vantage} -> {trace.destination}:{trace.port}/{trace.protocol}: ", "bold"),
            (trace.verdict.value, _VERDICT_STYLE[trace.verdict]),
            f" ({trace.reason})",
        )
    ]
    for hop in trace.hops:
        lines.append(Text(f"  {hop.node}", style="bold"))
        for step in hop.steps:
            where = f"  [{step.location}]" if step.location else ""
            lines.append(
                Text.assemble(
                    f"    {step.kind.value}: {step.detail} ",
                    (f"[{step.action}]", _ACTION_STYLE.get(step.action, "dim")),
                    (where, "dim"),
                )
            )
    return Group(*lines)


def routes_document(subnet: str, routes: tuple[EffectiveRoute, ...]) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "subnet": subnet,
        "routes": [
            {
                "source": r.source.value,
                "state": r.state,
                "address_prefix": r.address_prefix,
                "next_hop_type": r.next_hop_type.value,
                "next_hop_ip": str(r.next_hop_ip) if r.next_hop_ip else None,
                "name": r.name,
                "invalid_reason": r.invalid_reason or None,
            }
            for r in routes
        ],
    }


def render_routes(subnet: str, routes: tuple[EffectiveRoute, ...]) -> RenderableType:
    table = Table(title=f"Effective routes of {subnet}", title_justify="left")
    for column in ("source", "state", "address prefix", "next hop type", "next hop IP", "note"):
        table.add_column(column, overflow="fold")
    for route in routes:
        table.add_row(
            route.source.value,
            Text(route.state, style="green" if route.active else "dim"),
            route.address_prefix,
            route.next_hop_type.value,
            str(route.next_hop_ip or ""),
            route.invalid_reason or route.name,
        )
    return table
