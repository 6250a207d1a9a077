"""The diff for people: one headline, then only the sections that changed (text and markdown)."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from heiki.reports.diff.compare import (
    CapabilityChange,
    ClosureChange,
    DnsChange,
    RequiredChange,
    Review,
    ToilChange,
    VantageChange,
)
from heiki.reports.diff.resources import ResourceChange
from heiki.reports.markdown import COMMENT_LIMIT
from heiki.reports.record import shown_evidence

FEW = 3
TRACE_LINES = 12
PROPERTY_LINES = 8
TRACES_SHOWN = 5
RESOURCES_SHOWN = 40


def _few(items: list[str] | tuple[str, ...]) -> str:
    if len(items) > FEW:
        return ", ".join(items[:FEW]) + f" and {len(items) - FEW} more"
    return " and ".join(items) if len(items) < 3 else f"{', '.join(items[:-1])} and {items[-1]}"


def headline(review: Review) -> str:
    """One sentence a reviewer reads first: ``this change blocks packages for ml/compute and
    opens nothing``."""
    clauses: list[str] = []
    for change in review.capabilities:
        blocked = [v.vantage for v in change.blocked]
        fixed = [v.vantage for v in change.fixed]
        if blocked:
            clauses.append(f"blocks {change.capability} for {_few(blocked)}")
        elif change.worse:
            clauses.append(f"makes {change.capability} not ready")
        if fixed:
            clauses.append(f"makes {change.capability} ready for {_few(fixed)}")
        elif not blocked and change.after == "ready" and change.before != "ready":
            clauses.append(f"makes {change.capability} ready")
    for verb, changes in (
        ("adds", [(t.after - t.before, t.event) for t in review.toil if t.after > t.before]),
        ("saves", [(t.before - t.after, t.event) for t in review.toil if t.after < t.before]),
    ):
        if len(changes) == 1:
            clauses.append(f"{verb} {changes[0][0]} manual change(s) per {changes[0][1]}")
        elif changes:
            sign = "+" if verb == "adds" else "-"
            listed = _few([f"{event} {sign}{delta}" for delta, event in changes])
            total = sum(delta for delta, _ in changes)
            clauses.append(f"{verb} {total} manual change(s) over {len(changes)} events ({listed})")
    new = [f for f in review.findings.new if not f["caused_by"]] + list(review.diagnostics.new)
    gone = [f for f in review.findings.fixed if not f["caused_by"]] + list(review.diagnostics.fixed)
    if new:
        clauses.append(f"adds {len(new)} finding(s)")
    if gone:
        clauses.append(f"fixes {len(gone)} finding(s)")
    for verb, preposition, required in (
        ("drops", "for", [r for r in review.required if r.dropped]),
        ("delivers", "to", [r for r in review.required if not r.dropped]),
    ):
        if required:
            subnets = {s for r in required for s in r.subnets}
            destinations = {d for r in required for d in r.destinations}
            clauses.append(
                f"{verb} {len(destinations)} required destination(s) {preposition} "
                f"{len(subnets)} subnet(s)"
            )
    closed = [
        p.path
        for p in review.paths
        if p.before is not None and p.before.verdict == "delivered" and not p.opened
    ]
    if closed:
        clauses.append(f"closes {len(closed)} path(s)")
    opened = review.opened
    ending = f"opens {len(opened)} path(s)" if opened else "opens nothing"
    if not clauses:
        still = "changes no readiness, toil, DNS answer or finding"
        if review.dns:
            still = f"changes {sum(len(d.names) for d in review.dns)} DNS answer(s)"
        return f"this change {still} and {ending}"
    if len(clauses) == 1:
        return f"this change {clauses[0]} and {ending}"
    return f"this change {', '.join(clauses)} and {ending}"


def _vantage_line(change: VantageChange) -> str:
    now = change.after or change.before
    if now is None:
        return change.vantage
    why = now.step or now.reason
    return f"{change.vantage}: {now.verdict} - {why}"


def _properties(change: ResourceChange) -> list[str]:
    lines = [
        f"{p.path}: {p.after}"
        if p.after in ("added", "removed")
        else f"{p.path}: {p.before} -> {p.after}"
        for p in change.properties[:PROPERTY_LINES]
    ]
    if len(change.properties) > PROPERTY_LINES:
        lines.append(f"... {len(change.properties) - PROPERTY_LINES} more")
    return lines


# -- what a row says, the same in every format (the renderers only lay it out) ------------------


def _capability_lines(change: CapabilityChange) -> list[str]:
    lines = [f"blocked {_vantage_line(v)}" for v in change.blocked]
    # a change to a thousand spokes blocks a thousand vantages: cut as a finding's evidence
    return shown_evidence(lines + [f"fixed {v.vantage}" for v in change.fixed])


def _closure_lines(check: ClosureChange) -> list[str]:
    opened = [f"opened {e}" for e in check.opened]
    return shown_evidence(opened + [f"closed {e}" for e in check.closed])


def _toil_lines(toil: ToilChange) -> list[str]:
    return [f"+ {c}" for c in toil.added] + [f"- {c}" for c in toil.removed]


def _required_cells(required: RequiredChange) -> tuple[str, str, str, str]:
    """(destinations and profile, before -> after, subnets, why) of egress rows that changed."""
    return (
        f"{required.profile}: {', '.join(required.destinations)}",
        f"{required.before} -> {required.after}",
        f"{len(required.subnets)}: {_few(required.subnets)}",
        required.reason,
    )


def _names(group: DnsChange) -> str:
    return f"{len(group.names)}: {_few([n[0] for n in group.names])}"


def _rule(finding: dict[str, Any]) -> str:
    return str(finding.get("rule") or finding.get("code", ""))


def _row(table: Table, *cells: str) -> None:
    # plain text: rule and resource names hold brackets that rich would read as markup
    table.add_row(*(Text(cell) for cell in cells))


def render_review(review: Review) -> RenderableType:
    parts: list[RenderableType] = [
        Text(f"heiki diff: {review.base.source} -> {review.head.source}", style="bold"),
        Text(headline(review), style="bold red" if review.worse else "bold green"),
    ]
    parts += [Text(note, style="dim") for note in review.notes]
    if review.capabilities:
        table = Table(title="Readiness", title_justify="left", show_lines=True)
        for column in ("loop", "capability", "before", "after", "vantages"):
            table.add_column(column)
        for change in review.capabilities:
            lines = _capability_lines(change)
            _row(
                table,
                change.loop,
                change.capability,
                change.before,
                change.after,
                "\n".join(lines) or change.summary,
            )
        parts.append(table)
    if review.paths:
        table = Table(title="Paths", title_justify="left", show_lines=True)
        for column in ("path", "before", "after", "trace"):
            table.add_column(column)
        for path in review.paths:
            flow = path.after if path.opened else (path.before or path.after)
            trace = flow.trace[1 : TRACE_LINES + 1] if flow else ()
            _row(
                table,
                path.path,
                path.before.verdict if path.before else "-",
                path.after.verdict if path.after else "-",
                "\n".join(trace),
            )
        parts.append(table)
    if review.required:
        table = Table(title="Required destinations", title_justify="left", show_lines=True)
        for column in ("profile: destinations", "verdict", "subnets", "why not delivered"):
            table.add_column(column)
        for required in review.required:
            _row(table, *_required_cells(required))
        parts.append(table)
    if review.closure:
        table = Table(title="Closure", title_justify="left", show_lines=True)
        for column in ("check", "before", "after", "opened / closed"):
            table.add_column(column)
        for check in review.closure:
            lines = _closure_lines(check)
            _row(table, check.check, check.before, check.after, "\n".join(lines) or check.summary)
        parts.append(table)
    if review.toil:
        table = Table(title="Toil", title_justify="left", show_lines=True)
        for column in ("event", "before", "after", "changes"):
            table.add_column(column)
        for toil in review.toil:
            lines = _toil_lines(toil)
            _row(table, toil.event, str(toil.before), str(toil.after), "\n".join(lines))
        parts.append(table)
    if review.dns:
        table = Table(title="DNS answers", title_justify="left", show_lines=True)
        for column in ("names", "vantages", "before", "after"):
            table.add_column(column)
        for group in review.dns:
            example = group.names[0]
            _row(
                table,
                _names(group),
                _few(group.vantages),
                f"{group.before}\n{example[1]}",
                f"{group.after}\n{example[2]}",
            )
        parts.append(table)
    findings = review.findings
    if findings.new or findings.fixed or review.diagnostics.new or review.diagnostics.fixed:
        table = Table(title="Findings", title_justify="left")
        for column in ("", "severity", "rule", "message"):
            table.add_column(column)
        for label, items in (
            ("new", findings.new + review.diagnostics.new),
            ("fixed", findings.fixed + review.diagnostics.fixed),
        ):
            for finding in items:
                _row(
                    table,
                    label,
                    finding["severity"],
                    _rule(finding),
                    finding["message"],
                )
        parts.append(table)
    parts.append(Text(f"{findings.unchanged} finding(s) unchanged", style="dim"))
    if review.resources:
        table = Table(title="Input changes", title_justify="left", show_lines=True)
        for column in ("change", "type", "name", "properties"):
            table.add_column(column)
        for resource in review.resources[:RESOURCES_SHOWN]:
            _row(
                table,
                resource.kind.value,
                resource.type,
                resource.name,
                "\n".join(_properties(resource)),
            )
        parts.append(table)
        if len(review.resources) > RESOURCES_SHOWN:
            more = len(review.resources) - RESOURCES_SHOWN
            parts.append(Text(f"{more} more resource change(s) in --format json", style="dim"))
    else:
        parts.append(Text("no resource changed", style="dim"))
    return Group(*parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def markdown_review(review: Review) -> str:
    """A pull-request comment: the headline first, then a table per section that changed."""
    lines = [
        f"**heiki:** {headline(review)}",
        "",
        f"`{review.base.source}` -> `{review.head.source}`"
        + (" - **worse**" if review.worse else " - nothing got worse"),
        "",
    ]
    lines += [f"> {note}" for note in review.notes]
    if review.notes:
        lines.append("")
    if review.capabilities:
        lines += [
            "### Readiness",
            "",
            "| loop | capability | before | after | vantages |",
            "|---|---|---|---|---|",
        ]
        for change in review.capabilities:
            detail = _capability_lines(change)
            lines.append(
                f"| {change.loop} | {change.capability} | {change.before} | {change.after} | "
                f"{_cell(chr(10).join(detail) or change.summary)} |"
            )
        lines.append("")
    if review.paths:
        lines += ["### Paths", "", "| path | before | after |", "|---|---|---|"]
        for path in review.paths:
            lines.append(
                f"| {_cell(path.path)} | {path.before.verdict if path.before else '-'} | "
                f"{path.after.verdict if path.after else '-'} |"
            )
        lines.append("")
        opened = [p for p in review.paths if p.opened and p.after is not None]
        for path in opened[:TRACES_SHOWN]:
            if path.after is not None:
                lines += [f"<details><summary>trace: {_cell(path.path)}</summary>", "", "```"]
                lines += list(path.after.trace)
                lines += ["```", "", "</details>", ""]
        if len(opened) > TRACES_SHOWN:
            lines += [f"{len(opened) - TRACES_SHOWN} more trace(s) in `--format json`.", ""]
    if review.required:
        lines += [
            "### Required destinations",
            "",
            "| profile: destinations | verdict | subnets | why not delivered |",
            "|---|---|---|---|",
        ]
        for required in review.required:
            lines.append("| " + " | ".join(_cell(c) for c in _required_cells(required)) + " |")
        lines.append("")
    if review.closure:
        lines += ["### Closure", "", "| check | before | after | detail |", "|---|---|---|---|"]
        for check in review.closure:
            detail = _closure_lines(check)
            lines.append(
                f"| {check.check} | {check.before} | {check.after} | "
                f"{_cell(chr(10).join(detail) or check.summary)} |"
            )
        lines.append("")
    if review.toil:
        lines += ["### Toil", "", "| event | before | after | changes |", "|---|---|---|---|"]
        for toil in review.toil:
            detail = _toil_lines(toil)
            lines.append(
                f"| {toil.event} | {toil.before} | {toil.after} | {_cell(chr(10).join(detail))} |"
            )
        lines.append("")
    if review.dns:
        lines += [
            "### DNS answers",
            "",
            "| names | vantages | before | after |",
            "|---|---|---|---|",
        ]
        for group in review.dns:
            example = group.names[0]
            lines.append(
                f"| {_cell(_names(group))} | "
                f"{_cell(_few(group.vantages))} | {_cell(group.before)}: {_cell(example[1])} | "
                f"{_cell(group.after)}: {_cell(example[2])} |"
            )
        lines.append("")
    findings = review.findings
    lines += ["### Findings", ""]
    new = findings.new + review.diagnostics.new
    fixed = findings.fixed + review.diagnostics.fixed
    if not new and not fixed:
        lines.append(f"No new or fixed finding ({findings.unchanged} unchanged).")
    else:
        lines += ["| | severity | rule | message |", "|---|---|---|---|"]
        for label, items in (("new", new), ("fixed", fixed)):
            for finding in items:
                lines.append(
                    f"| {label} | {finding['severity']} | `{_rule(finding)}` | "
                    f"{_cell(finding['message'])} |"
                )
        lines += ["", f"{findings.unchanged} finding(s) unchanged."]
    lines += ["", "### Input changes", ""]
    if not review.resources:
        lines.append("No resource changed.")
    else:
        lines += ["| change | type | name | properties |", "|---|---|---|---|"]
        for resource in review.resources[:RESOURCES_SHOWN]:
            lines.append(
                f"| {resource.kind.value} | {resource.type} | {_cell(resource.name)} | "
                f"{_cell(chr(10).join(_properties(resource)))} |"
            )
        if len(review.resources) > RESOURCES_SHOWN:
            lines += ["", f"{len(review.resources) - RESOURCES_SHOWN} more in `--format json`."]
    return _within_comment_limit(lines)


_CUT_NOTE = "_Cut to fit a pull-request comment: `--format json` has the rest._"


def _within_comment_limit(lines: list[str]) -> str:
    """The comment, its tail cut at a line to stay under GitHub's limit (the headline and the
    first sections stay), with any open code fence or ``<details>`` closed."""
    text = "\n".join(lines) + "\n"
    if len(text) <= COMMENT_LIMIT:
        return text
    kept: list[str] = []
    size = len(_CUT_NOTE) + 64  # the note and the closers
    for line in lines:
        if size + len(line) + 1 > COMMENT_LIMIT:
            break
        kept.append(line)
        size += len(line) + 1
    if sum(line.startswith("```") for line in kept) % 2:
        kept.append("```")
    opened = sum("<details>" in line for line in kept) - sum("</details>" in line for line in kept)
    kept += ["</details>"] * opened
    return "\n".join([*kept, "", _CUT_NOTE]) + "\n"
