"""What one side of a diff keeps from its check: plain, picklable values keyed for pairing.

A snapshot is taken where the check ran (a worker process, when both sides run at once), so it
holds strings and small records, never the model: the parent receives a few MB, not the estate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from heiki.analyses.trace import Trace, Verdict
from heiki.reports.record import CheckResult
from heiki.reports.serialize import to_data


@dataclass(frozen=True, slots=True)
class FlowState:
    """One flow of a capability or a path, from one vantage."""

    verdict: str
    reason: str
    step: str
    """The deciding step (``nsg: NSG nsg-x: rule deny-all (4096) denies [deny]``)."""
    trace: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CapabilityState:
    """A capability as one side of a diff saw it."""

    loop: str
    name: str
    status: str
    summary: str
    via: str
    vantages: tuple[tuple[str, FlowState], ...]
    """Per vantage: its first failing flow if any, else its first flow (sorted by vantage)."""


@dataclass(frozen=True, slots=True)
class CheckState:
    """A closure check as one side of a diff saw it."""

    status: str
    summary: str
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EventState:
    """A lifecycle event's manual changes as one side of a diff saw them."""

    event: str
    subject: str
    manual_changes: int
    who: tuple[str, ...]
    changes: tuple[str, ...]
    not_applicable: str


@dataclass(frozen=True, slots=True)
class CellState:
    """A DNS matrix cell as one side of a diff saw it."""

    outcome: str
    answer: str
    ok: bool


RequiredRow = tuple[str, str, str, str]
"""A required destination of a workload subnet: (destination, profile, verdict, reason)."""


@dataclass(frozen=True)
class Snapshot:
    """One side of a diff: everything a check found, in a comparable form."""

    environment: str
    source: str
    verdict: dict[str, Any]
    capabilities: dict[str, CapabilityState]
    """Keyed ``loop/capability``."""
    closure: dict[str, CheckState]
    paths: dict[str, FlowState]
    """``subnet -> any-internet``, ``subnet -> foreign-storage`` and every delivered path that
    bypasses the firewall (``subnet -> destination (bypass)``)."""
    toil: dict[str, EventState]
    required: dict[str, tuple[RequiredRow, ...]]
    """Workload subnet -> its required destinations (the egress report's rows); subnets whose
    rows read the same share one tuple, pickled once."""
    views: dict[str, str]
    """Vantage -> its DNS view."""
    cells: dict[tuple[str, str], CellState]
    """(name, view) -> the answer of every vantage of the view."""
    findings: tuple[dict[str, Any], ...]
    """As in the check record (root causes and consequences), suppressed ones left out."""
    diagnostics: tuple[dict[str, Any], ...]
    rules: tuple[dict[str, Any], ...]
    resources: dict[str, tuple[str, Any]]
    """Resource ID -> (type, its properties without source locations)."""
    tool_version: str


def trace_lines(trace: Trace) -> tuple[str, ...]:
    head = (
        f"{trace.vantage} -> {trace.destination}:{trace.port}/{trace.protocol}: "
        f"{trace.verdict.value} ({trace.reason})"
    )
    return (head, *(f"{hop.node}: {step}" for hop in trace.hops for step in hop.steps))


def _flow(trace: Trace) -> FlowState:
    step = trace.deciding_step
    return FlowState(
        trace.verdict.value, trace.reason, str(step) if step else "", trace_lines(trace)
    )


def _vantages(
    failing: tuple[Trace, ...], flows: tuple[Trace, ...]
) -> tuple[tuple[str, FlowState], ...]:
    chosen: dict[str, Trace] = {}
    for trace in failing:
        chosen.setdefault(trace.vantage, trace)
    for trace in flows:
        # a vantage is only as ready as its worst flow
        if trace.verdict is not Verdict.DELIVERED:
            chosen.setdefault(trace.vantage, trace)
    for trace in flows:
        chosen.setdefault(trace.vantage, trace)
    return tuple((name, _flow(chosen[name])) for name in sorted(chosen))


def _without_sources(value: Any) -> Any:
    """The model's data minus where it was read from: moving a line is not a change."""
    if isinstance(value, dict):
        return {k: _without_sources(v) for k, v in value.items() if k != "source"}
    if isinstance(value, list):
        return [_without_sources(v) for v in value]
    return value


def _resources(result: CheckResult) -> dict[str, tuple[str, Any]]:
    env = result.environment
    found: dict[str, tuple[str, Any]] = {}
    for resource in env.top_level():
        found[resource.id.text] = (resource.id.resource_type, _without_sources(to_data(resource)))
    if env.on_premises is not None:
        found["on-premises"] = ("on-premises", _without_sources(to_data(env.on_premises)))
    return found


def snapshot(result: CheckResult, record: dict[str, Any]) -> Snapshot:
    """The comparable facts of one check (``record`` is its ``check_record``)."""
    capabilities = {
        f"{c.loop.value}/{c.name}": CapabilityState(
            c.loop.value,
            c.name,
            c.status.value,
            c.summary,
            c.via,
            _vantages(c.failing, c.flows),
        )
        for c in result.readiness.capabilities
    }
    closure = {
        c.name: CheckState(c.status.value, c.summary, tuple(c.evidence))
        for c in result.closure.checks
    }
    paths: dict[str, FlowState] = {}
    for subnet in result.egress.subnets:
        name = subnet.vantage.name
        paths[f"{name} -> any-internet"] = _flow(subnet.any_internet)
        paths[f"{name} -> foreign-storage"] = _flow(subnet.foreign_storage)
        for bypass in subnet.bypasses:
            if bypass is subnet.any_internet or bypass is subnet.foreign_storage:
                continue  # already a path of its own
            paths.setdefault(
                f"{name} -> {bypass.destination}:{bypass.port} (bypass)", _flow(bypass)
            )
    # the record already gives subnets whose rows read the same one array: one tuple each
    rows: dict[int, tuple[RequiredRow, ...]] = {}
    required: dict[str, tuple[RequiredRow, ...]] = {}
    for subnet in record["egress"]:
        found = rows.get(id(subnet["required"]))
        if found is None:
            found = rows[id(subnet["required"])] = tuple(
                (r["destination"], r["profile"], r["verdict"], r["reason"])
                for r in subnet["required"]
            )
        required[subnet["subnet"]] = found
    toil = {
        f"{e.event}": EventState(
            e.event,
            e.subject,
            e.manual_changes,
            tuple(e.who),
            tuple(
                f"{c.team}: {c.action} on {c.system}"
                + (f" ({', '.join(c.items)})" if c.items else "")
                for c in e.changes
            ),
            e.not_applicable,
        )
        for e in result.toil.events
    }
    matrix = result.matrix
    views = {vantage: view.id for view in matrix.views for vantage in view.vantages}
    cells = {
        (str(c.name), c.view): CellState(c.resolution.outcome.value, c.resolution.answer_text, c.ok)
        for c in matrix.cells
    }
    return Snapshot(
        environment=result.environment.name,
        source=result.source,
        verdict=dict(record["verdict"]),
        capabilities=capabilities,
        closure=closure,
        paths=paths,
        toil=toil,
        required=required,
        views=views,
        cells=cells,
        findings=tuple(record["findings"]),
        diagnostics=tuple(record["diagnostics"]),
        rules=tuple(record["rules"]),
        resources=_resources(result),
        tool_version=record["tool"]["version"],
    )
