"""Pair two snapshots: what got worse, what got better, and the input changes behind them.

Worse - what makes ``heiki diff`` exit 1 - is: a capability (or one of its vantages) no longer
ready, a path that opens (a closure check that fails or gains evidence, an internet or
foreign-storage path now delivered, a new path that bypasses the firewall), more manual changes
for a lifecycle event, and a new finding at or above the threshold. A required destination of a
workload subnet now dropped (or now delivered) is listed; it is worse through the capability it
leaves not ready - the egress profiles list alternatives (conda beside pip), so one dropped is
not by itself a broken loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from heiki.reports.diff.resources import ResourceChange, resource_changes
from heiki.reports.diff.snapshot import CellState, FlowState, RequiredRow, Snapshot

_SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}
_READY = "ready"
_DELIVERED = "delivered"


@dataclass(frozen=True, slots=True)
class VantageChange:
    """A vantage of a capability whose flow was blocked or fixed by the change."""

    vantage: str
    before: FlowState | None
    after: FlowState | None


@dataclass(frozen=True, slots=True)
class CapabilityChange:
    """A loop capability whose status changed: blocked or fixed by the change."""

    loop: str
    capability: str
    before: str
    after: str
    summary: str
    blocked: tuple[VantageChange, ...]
    """Vantages whose flow is no longer delivered (or that arrive not delivered)."""
    fixed: tuple[VantageChange, ...]

    @property
    def worse(self) -> bool:
        return bool(self.blocked) or (self.before == _READY and self.after == "not-ready")


@dataclass(frozen=True, slots=True)
class ClosureChange:
    """A closure check whose status changed: opened or closed by the change."""

    check: str
    before: str
    after: str
    summary: str
    opened: tuple[str, ...]
    closed: tuple[str, ...]

    @property
    def worse(self) -> bool:
        return (self.after == "fail" and self.before != "fail") or bool(
            self.opened and self.after == "fail"
        )


@dataclass(frozen=True, slots=True)
class PathChange:
    """A traced path whose verdict changed."""

    path: str
    before: FlowState | None
    after: FlowState | None

    @property
    def opened(self) -> bool:
        return (
            self.after is not None
            and self.after.verdict == _DELIVERED
            and (self.before is None or self.before.verdict != _DELIVERED)
        )


@dataclass(frozen=True, slots=True)
class RequiredChange:
    """Required destinations (of the egress report) of one profile whose verdict changed the
    same way, for the same reason, for the same subnets: one cause."""

    profile: str
    destinations: tuple[str, ...]
    before: str
    after: str
    reason: str
    """Why they are not delivered on the side where they are not (after when dropped)."""
    subnets: tuple[str, ...]

    @property
    def dropped(self) -> bool:
        return self.before == _DELIVERED and self.after != _DELIVERED


@dataclass(frozen=True, slots=True)
class ToilChange:
    """A lifecycle event whose manual changes changed."""

    event: str
    before: int
    after: int
    added: tuple[str, ...]
    removed: tuple[str, ...]
    who: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DnsChange:
    """Names whose answer changed the same way for the same vantages: one cause."""

    before: str
    after: str
    vantages: tuple[str, ...]
    names: tuple[tuple[str, str, str], ...]
    """(name, answer before, answer after)."""
    broke: bool
    """The answer was right before and is wrong now."""


@dataclass(frozen=True)
class FindingChanges:
    """Findings new in head, fixed by head, and unchanged."""

    new: tuple[dict[str, Any], ...]
    fixed: tuple[dict[str, Any], ...]
    unchanged: int


@dataclass(frozen=True)
class Review:
    """What a change does: capabilities, closure, paths, toil, DNS, findings and resources."""

    base: Snapshot
    head: Snapshot
    capabilities: tuple[CapabilityChange, ...]
    closure: tuple[ClosureChange, ...]
    paths: tuple[PathChange, ...]
    toil: tuple[ToilChange, ...]
    dns: tuple[DnsChange, ...]
    findings: FindingChanges
    diagnostics: FindingChanges
    resources: tuple[ResourceChange, ...]
    threshold: int
    notes: tuple[str, ...] = field(default=())
    required: tuple[RequiredChange, ...] = field(default=())

    @property
    def blocking(self) -> tuple[CapabilityChange, ...]:
        return tuple(c for c in self.capabilities if c.worse)

    @property
    def opened(self) -> tuple[str, ...]:
        """Every path this change opens, once: closure evidence and delivered paths."""
        found = [p.path for p in self.paths if p.opened]
        # closure evidence names the subnet first ("ml/compute reaches a foreign storage
        # account"): a subnet whose path is listed already is not a second opening
        subnets = {p.split(" -> ", 1)[0] + " " for p in found}
        for change in self.closure:
            if change.worse:
                found += [
                    e for e in change.opened if not any(e.startswith(s) for s in subnets)
                ] or ([] if change.opened else [f"{change.check}: {change.summary}"])
        return tuple(dict.fromkeys(found))

    @property
    def more_toil(self) -> tuple[ToilChange, ...]:
        return tuple(t for t in self.toil if t.after > t.before)

    @property
    def failing_findings(self) -> tuple[dict[str, Any], ...]:
        return tuple(
            f
            for f in (*self.findings.new, *self.diagnostics.new)
            # one defect, one finding: consequences of a root cause do not count again
            if not f.get("caused_by") and _SEVERITY_RANK.get(f["severity"], 0) >= self.threshold
        )

    @property
    def worse(self) -> bool:
        return bool(self.blocking or self.opened or self.more_toil or self.failing_findings)

    @property
    def verdict_changed(self) -> bool:
        return bool(
            self.capabilities
            or self.closure
            or self.paths
            or self.required
            or self.toil
            or self.dns
            or self.findings.new
            or self.findings.fixed
            or self.diagnostics.new
            or self.diagnostics.fixed
        )


def _capabilities(base: Snapshot, head: Snapshot) -> tuple[CapabilityChange, ...]:
    changes: list[CapabilityChange] = []
    for key in [*base.capabilities, *(k for k in head.capabilities if k not in base.capabilities)]:
        old = base.capabilities.get(key)
        new = head.capabilities.get(key)
        before = dict(old.vantages) if old else {}
        after = dict(new.vantages) if new else {}
        blocked, fixed = [], []
        for vantage in sorted(set(before) | set(after)):
            was, now = before.get(vantage), after.get(vantage)
            was_ok = was is not None and was.verdict == _DELIVERED
            now_ok = now is not None and now.verdict == _DELIVERED
            if now is not None and not now_ok and (was is None or was_ok):
                blocked.append(VantageChange(vantage, was, now))
            elif was is not None and not was_ok and (now is None or now_ok):
                fixed.append(VantageChange(vantage, was, now))
        status_before = old.status if old else "absent"
        status_after = new.status if new else "absent"
        if blocked or fixed or status_before != status_after:
            anchor = new or old
            assert anchor is not None
            changes.append(
                CapabilityChange(
                    anchor.loop,
                    anchor.name,
                    status_before,
                    status_after,
                    new.summary if new else old.summary if old else "",
                    tuple(blocked),
                    tuple(fixed),
                )
            )
    return tuple(changes)


def _closure(base: Snapshot, head: Snapshot) -> tuple[ClosureChange, ...]:
    changes: list[ClosureChange] = []
    for name in [*base.closure, *(k for k in head.closure if k not in base.closure)]:
        old, new = base.closure.get(name), head.closure.get(name)
        before = old.evidence if old else ()
        after = new.evidence if new else ()
        opened = tuple(e for e in after if e not in before)
        closed = tuple(e for e in before if e not in after)
        status_before = old.status if old else "absent"
        status_after = new.status if new else "absent"
        if status_before != status_after or (
            "fail" in (status_before, status_after) and (opened or closed)
        ):
            anchor = new or old
            summary = anchor.summary if anchor is not None else ""
            changes.append(
                ClosureChange(name, status_before, status_after, summary, opened, closed)
            )
    return tuple(changes)


def _paths(base: Snapshot, head: Snapshot) -> tuple[PathChange, ...]:
    changes: list[PathChange] = []
    for path in sorted(set(base.paths) | set(head.paths)):
        old, new = base.paths.get(path), head.paths.get(path)
        if old is None and new is not None and new.verdict != _DELIVERED:
            continue  # a new subnet whose internet path is closed: nothing opened
        if old is not None and new is None and old.verdict != _DELIVERED:
            continue  # a subnet that went away with its closed path
        if (old.verdict if old else None) != (new.verdict if new else None):
            changes.append(PathChange(path, old, new))
    return tuple(changes)


def _required(base: Snapshot, head: Snapshot) -> tuple[RequiredChange, ...]:
    """Required destinations of the subnets on both sides that became delivered or stopped
    being delivered, grouped by cause (a thousand spokes and four conda hosts: one row)."""
    by_destination: dict[tuple[str, str, str, str, str], list[str]] = {}
    known: dict[tuple[int, int], list[tuple[str, str, str, str, str]]] = {}
    for subnet in sorted(set(base.required) & set(head.required)):
        old, new = base.required[subnet], head.required[subnet]
        # subnets of one shape share their rows: compare each pair of row tuples once
        pair = (id(old), id(new))
        changes = known.get(pair)
        if changes is None:
            changes = known[pair] = _required_rows(old, new)
        for key in changes:
            by_destination.setdefault(key, []).append(subnet)
    causes: dict[tuple[str, str, str, str, tuple[str, ...]], list[str]] = {}
    for (destination, profile, before, after, reason), subnets in by_destination.items():
        causes.setdefault((profile, before, after, reason, tuple(subnets)), []).append(destination)
    return tuple(
        RequiredChange(profile, tuple(sorted(destinations)), before, after, reason, subnets)
        for (profile, before, after, reason, subnets), destinations in sorted(causes.items())
    )


def _required_rows(
    old: tuple[RequiredRow, ...], new: tuple[RequiredRow, ...]
) -> list[tuple[str, str, str, str, str]]:
    """(destination, profile, verdict before, verdict after, why not delivered) of the rows
    that became delivered or stopped being delivered."""
    after = {(row[0], row[1]): row for row in new}
    found = []
    for destination, profile, verdict, reason in old:
        now = after.get((destination, profile))
        if now is None:
            continue
        _, _, now_verdict, now_reason = now
        if (verdict == _DELIVERED) == (now_verdict == _DELIVERED):
            continue
        why = now_reason if verdict == _DELIVERED else reason
        found.append((destination, profile, verdict, now_verdict, why))
    return found


def _toil(base: Snapshot, head: Snapshot) -> tuple[ToilChange, ...]:
    changes: list[ToilChange] = []
    for event in [*base.toil, *(k for k in head.toil if k not in base.toil)]:
        old, new = base.toil.get(event), head.toil.get(event)
        before = old.changes if old else ()
        after = new.changes if new else ()
        count_before = old.manual_changes if old else 0
        count_after = new.manual_changes if new else 0
        if count_before != count_after or set(before) != set(after):
            changes.append(
                ToilChange(
                    event,
                    count_before,
                    count_after,
                    tuple(c for c in after if c not in before),
                    tuple(c for c in before if c not in after),
                    new.who if new else (),
                )
            )
    return tuple(changes)


def _dns(base: Snapshot, head: Snapshot) -> tuple[DnsChange, ...]:
    """Compare cell by cell through the views: vantages in the same pair of views (one on each
    side) get the same answers, so a name is compared once per pair, not once per vantage."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for vantage, view in base.views.items():
        other = head.views.get(vantage)
        if other is not None:
            pairs.setdefault((view, other), []).append(vantage)
    names_by_view_base: dict[str, list[str]] = {}
    for name, view in base.cells:
        names_by_view_base.setdefault(view, []).append(name)
    groups: dict[tuple[str, str, tuple[str, ...], bool], list[tuple[str, str, str]]] = {}
    for (old_view, new_view), vantages in sorted(pairs.items()):
        members = tuple(sorted(vantages))
        for name in names_by_view_base.get(old_view, ()):
            old = base.cells[(name, old_view)]
            new: CellState | None = head.cells.get((name, new_view))
            if new is None or (old.outcome, old.answer, old.ok) == (
                new.outcome,
                new.answer,
                new.ok,
            ):
                continue
            key = (_state(old), _state(new), members, old.ok and not new.ok)
            groups.setdefault(key, []).append((name, old.answer, new.answer))
    return tuple(
        DnsChange(before, after, vantages, tuple(sorted(names)), broke)
        for (before, after, vantages, broke), names in sorted(groups.items())
    )


def _state(cell: CellState) -> str:
    return f"{cell.outcome} ({'as expected' if cell.ok else 'wrong'})"


def _finding_key(finding: dict[str, Any]) -> tuple[str, str]:
    return (finding.get("rule") or finding.get("code") or "", finding.get("resource") or "")


def _pair(before: tuple[dict[str, Any], ...], after: tuple[dict[str, Any], ...]) -> FindingChanges:
    """Match by rule (or diagnostic code) and resource, not by message: a reworded message or a
    moved line is the same finding. Where a resource has several findings of one rule, the
    extra ones are new (or fixed)."""
    old: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for finding in before:
        old.setdefault(_finding_key(finding), []).append(finding)
    new: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for finding in after:
        new.setdefault(_finding_key(finding), []).append(finding)
    added: list[dict[str, Any]] = []
    fixed: list[dict[str, Any]] = []
    unchanged = 0
    for key in sorted(set(old) | set(new)):
        was, now = old.get(key, []), new.get(key, [])
        unchanged += min(len(was), len(now))
        if len(now) > len(was):
            # the ones whose message the base did not have are the new ones
            messages = {f["message"] for f in was}
            fresh = [f for f in now if f["message"] not in messages] + [
                f for f in now if f["message"] in messages
            ]
            added += fresh[: len(now) - len(was)]
        elif len(was) > len(now):
            messages = {f["message"] for f in now}
            gone = [f for f in was if f["message"] not in messages] + [
                f for f in was if f["message"] in messages
            ]
            fixed += gone[: len(was) - len(now)]
    return FindingChanges(tuple(added), tuple(fixed), unchanged)


def compare(base: Snapshot, head: Snapshot, threshold: int, notes: tuple[str, ...] = ()) -> Review:
    """The review of ``head`` against ``base``; ``threshold`` is the lowest severity rank
    (1 info, 2 warning, 3 error) of a new finding that makes the change worse."""
    return Review(
        base=base,
        head=head,
        capabilities=_capabilities(base, head),
        closure=_closure(base, head),
        paths=_paths(base, head),
        toil=_toil(base, head),
        dns=_dns(base, head),
        findings=_pair(base.findings, head.findings),
        diagnostics=_pair(base.diagnostics, head.diagnostics),
        resources=resource_changes(base.resources, head.resources),
        threshold=threshold,
        notes=notes,
        required=_required(base, head),
    )
