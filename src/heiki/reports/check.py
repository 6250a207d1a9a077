"""``heiki check`` as rich text, rendered from the canonical record.

Order: the verdict, the readiness of the three loops, closure, toil, egress, the DNS matrix, then
the findings grouped by severity, each with its evidence and fix.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from heiki.reports.folding import SHOWN_INSTANCES, fold, instance_names
from heiki.reports.record import managed_vnet_note, shown_evidence

_STATUS_STYLE = {
    "ready": "green",
    "pass": "green",
    "not-ready": "bold red",
    "fail": "bold red",
    "not-applicable": "dim",
}
_WORKABLE = {
    True: ("workable", "green"),
    False: ("not workable", "bold red"),
    None: ("workability not judged", "yellow"),
}
_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def render_check(record: dict[str, Any]) -> RenderableType:
    verdict = record["verdict"]
    loops = ", ".join(f"{loop} {status}" for loop, status in verdict["loops"].items())
    counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in record["summary"].items() if v)
    parts: list[RenderableType] = [
        Text.assemble((record["environment"], "bold"), f" loaded from {record['source']}"),
        Text(counts, style="dim"),
        Text.assemble(
            "Verdict: ",
            (
                _WORKABLE[verdict["ready"]][0],
                _WORKABLE[verdict["ready"]][1],
            ),
            f" ({loops}); ",
            (
                "closed" if verdict["closed"] else "NOT closed",
                "green" if verdict["closed"] else "bold red",
            ),
            f"; toil {verdict['toil']} manual change(s); "
            f"{verdict['errors']} error(s), {verdict['warnings']} warning(s)",
        ),
        *_coverage(record),
        _readiness(record),
        _closure(record),
        _toil(record),
        _egress(record),
        _dns(record),
        _findings(record),
    ]
    return Group(*parts)


def _coverage(record: dict[str, Any]) -> list[RenderableType]:
    """Right below the verdict: what it does not cover, so that no line reads as a promise
    about resources heiki did not look at."""
    gaps = record["coverage"]
    if not gaps:
        return []
    return [
        Text("Not modelled (the verdict does not cover):", style="bold yellow"),
        *(Text(f"  {gap['text']}") for gap in gaps),
    ]


def _status(value: str) -> Text:
    return Text(value, style=_STATUS_STYLE.get(value, ""))


def _readiness(record: dict[str, Any]) -> RenderableType:
    table = Table(title="Readiness of the three loops", title_justify="left")
    for column in ("loop", "capability", "status", "how / why"):
        table.add_column(column, overflow="fold")
    for item in record["readiness"]:
        table.add_row(item["loop"], item["capability"], _status(item["status"]), item["summary"])
    return table


def _closure(record: dict[str, Any]) -> RenderableType:
    closure = record["closure"]
    title = f"Closure: {'closed' if closure['closed'] else 'NOT closed'}"
    table = Table(title=title, title_justify="left")
    for column in ("check", "status", "detail"):
        table.add_column(column, overflow="fold")
    for check in closure["checks"]:
        table.add_row(check["check"], _status(check["status"]), check["summary"])
    return table


def _toil(record: dict[str, Any]) -> RenderableType:
    toil = record["toil"]
    table = Table(
        title=f"Toil: manual changes per lifecycle event (total {toil['total']})",
        title_justify="left",
    )
    for column in ("event", "manual changes", "who", "what"):
        table.add_column(column, overflow="fold")
    for event in toil["events"]:
        if event["not_applicable"]:
            table.add_row(event["event"], "-", "", f"not applicable: {event['not_applicable']}")
            continue
        what = (
            "; ".join(
                f"{c['action']} on {c['system']} ({len(c['items'])} items)"
                for c in event["changes"]
            )
            or "-"
        )
        table.add_row(
            event["event"],
            Text(
                str(event["manual_changes"]),
                style="bold red" if event["manual_changes"] else "green",
            ),
            ", ".join(event["who"]) or "nobody",
            what,
        )
    return table


_LEGEND_SUBNETS = 8


def _egress_cells(subnet: dict[str, Any]) -> tuple[str, str, str, bool, str, str, int]:
    """What a subnet's row shows, without its name: equal cells make one row."""
    dropped = [r["destination"] for r in subnet["required"] if r["verdict"] != "delivered"]
    shown = ", ".join(dropped[:6]) + (f" (+{len(dropped) - 6})" if len(dropped) > 6 else "")
    delivered = len(subnet["required"]) - len(dropped)
    return (
        ", ".join(subnet["roles"]),
        f"{delivered}/{len(subnet['required'])}",
        shown or "-",
        bool(dropped),
        subnet["any_internet"]["verdict"],
        subnet["foreign_storage"]["verdict"],
        subnet["bypasses_firewall"],
    )


def _egress(record: dict[str, Any]) -> RenderableType:
    if not record["egress"]:
        return Text("Egress: no workload subnet (compute, runner, integration runtime) to trace")
    # Subnets whose rows would read the same (a thousand spokes of one shape) make one row,
    # named by the first with a count, like the DNS matrix's views; the JSON lists each.
    rows: dict[tuple[str, str, str, bool, str, str, int], list[str]] = {}
    for subnet in record["egress"]:
        rows.setdefault(_egress_cells(subnet), []).append(subnet["subnet"])
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
    legend = []
    for cells, members in rows.items():
        roles, required, shown, dropped, any_internet, foreign, bypasses = cells
        label = members[0] if len(members) == 1 else f"{members[0]} +{len(members) - 1}"
        if len(members) > 1:
            listed = ", ".join(members[:_LEGEND_SUBNETS])
            if len(members) > _LEGEND_SUBNETS:
                listed += f", ... {len(members) - _LEGEND_SUBNETS} more (--format json)"
            legend.append(f"  {label}: {listed}")
        table.add_row(
            label,
            roles,
            required,
            Text(shown, style="red" if dropped else "green"),
            _open(any_internet),
            _open(foreign),
            Text(str(bypasses), style="red" if bypasses else "green"),
        )
    if not legend:
        return table
    return Group(
        table,
        Text("Subnets whose rows read the same (one row stands for them):\n" + "\n".join(legend)),
    )


def _open(verdict: str) -> Text:
    return Text(verdict, style="bold red" if verdict == "delivered" else "green")


_MATRIX_MAX_VIEWS = 10
_FAILING_ROWS = 100


def _dns(record: dict[str, Any]) -> RenderableType:
    dns = record["dns"]
    vantages, views = dns["vantages"], dns["views"]
    title = (
        f"DNS matrix ({dns['names']} names x {len(vantages)} vantages in {len(views)} DNS "
        f"view(s), {dns['failures']} failing)"
    )
    managed = managed_vnet_note(dns["managed_vnet_vantages"])
    if not dns["names"] or not vantages:
        empty = Text("DNS matrix: nothing to resolve (no client or workload vantage)")
        return Group(empty, Text(managed)) if managed else empty
    legend = _views_legend(views)
    parts: list[RenderableType] = []
    if dns["complete"] and len(views) <= _MATRIX_MAX_VIEWS:
        parts.append(_dns_matrix(dns, title))
    else:
        parts.append(_dns_failures(dns, title))
    if legend:
        parts.append(legend)
    if managed:
        parts.append(Text(managed))
    return Group(*parts) if len(parts) > 1 else parts[0]


_LEGEND_VANTAGES = 8


def _view_label(view: dict[str, Any]) -> str:
    members = view["vantages"]
    return members[0] if len(members) == 1 else f"{members[0]} +{len(members) - 1}"


def _views_legend(views: list[dict[str, Any]]) -> Text | None:
    """The vantages of each shared view, listed once (a column stands for all of them)."""
    lines = []
    for view in views:
        members = view["vantages"]
        if len(members) == 1:
            continue
        shown = ", ".join(members[:_LEGEND_VANTAGES])
        if len(members) > _LEGEND_VANTAGES:
            shown += f", ... {len(members) - _LEGEND_VANTAGES} more (--format json)"
        lines.append(f"  {_view_label(view)} = {view['view']} ({view['server']}): {shown}")
    if not lines:
        return None
    return Text("Vantages that share a DNS view (one column, one answer):\n" + "\n".join(lines))


def _cell_text(cell: dict[str, Any]) -> Text:
    shown = cell["answer"] if cell["outcome"] == "private" else cell["outcome"]
    return Text(
        f"{'ok' if cell['ok'] else 'FAIL'} {shown}",
        style="green" if cell["ok"] else "bold red",
    )


def _dns_matrix(dns: dict[str, Any], title: str) -> RenderableType:
    views = dns["views"]
    table = Table(title=title, title_justify="left")
    table.add_column("name", overflow="fold", max_width=60)
    table.add_column("expected")
    for view in views:
        table.add_column(_view_label(view), overflow="fold")
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    expected: dict[str, str] = {}
    for cell in dns["cells"]:
        rows.setdefault(cell["name"], {})[cell["view"]] = cell
        expected[cell["name"]] = cell["expected_address"] or cell["expected"]
    for name, cells in rows.items():
        row: list[Text | str] = [name, expected[name]]
        for view in views:
            cell = cells.get(view["view"])
            row.append(_cell_text(cell) if cell is not None else "")
        table.add_row(*row)
    return table


def _dns_failures(dns: dict[str, Any], title: str) -> RenderableType:
    """Too large for a grid: list the failing cells only (all of them are in the JSON)."""
    failing = [c for c in dns["cells"] if not c["ok"]]
    if not failing:
        return Text(f"{title}: every cell answers as expected (--format json lists them)")
    labels = {view["view"]: _view_label(view) for view in dns["views"]}
    # the heading on a line of its own: a table title wraps at the (narrow) table's width
    table = Table()
    for column in ("name", "view", "expected", "got"):
        table.add_column(column, overflow="fold")
    for cell in failing[:_FAILING_ROWS]:
        expected = cell["expected_address"] or cell["expected"]
        table.add_row(cell["name"], labels[cell["view"]], expected, _cell_text(cell))
    if len(failing) > _FAILING_ROWS:
        table.add_row(f"... {len(failing) - _FAILING_ROWS} more (--format json)", "", "", "")
    return Group(Text(f"{title}; failing cells"), table)


def _where(location: dict[str, Any]) -> str:
    """``file:line:column`` as compilers print it."""
    parts = [location["file"], location["line"], location["column"]]
    where = ":".join(str(p) for p in parts if p)
    if not location["line"] and location.get("pointer"):
        where += f"#{location['pointer']}"  # JSON input: the path stands in for the line
    return where


def _findings(record: dict[str, Any]) -> RenderableType:
    lines: list[RenderableType] = []
    for diagnostic in record["diagnostics"]:
        where = f"{_where(diagnostic['location'])}: " if diagnostic["location"] else ""
        lines.append(
            Text(
                f"{where}{diagnostic['severity']} {diagnostic['code']}: {diagnostic['message']}",
                style=_SEVERITY_STYLE[diagnostic["severity"]],
            )
        )
    folded = fold(record["findings"])
    for severity in ("error", "warning", "info"):
        group = [f for f in folded.roots if f["severity"] == severity]
        if not group:
            continue
        lines.append(Text(f"{severity}s ({len(group)})", style="bold"))
        for finding in group:
            where = f" [{_where(finding['location'])}]" if finding["location"] else ""
            lines.append(
                Text(
                    f"  {finding['rule']} {finding['message']}{where}",
                    style=_SEVERITY_STYLE[severity],
                )
            )
            for step in shown_evidence(finding["evidence"]):
                lines.append(Text(f"      {step}", style="dim"))
            lines.append(Text(f"      fix: {finding['fix']}"))
            # one defect, one finding: its other instances and what it causes fold under it
            instances = folded.instances.get(finding["id"], ())
            if instances:
                lines.append(
                    Text(
                        f"      the same at this place for {len(instances)} more: "
                        f"{instance_names(instances)}"
                        + (
                            " (--format json lists them)"
                            if len(instances) > SHOWN_INSTANCES
                            else ""
                        )
                    )
                )
            for consequence in folded.consequences.get(finding["id"], ()):
                lines.append(
                    Text(f"      consequence: {consequence['rule']} {consequence['message']}")
                )
    for item in record["suppressed"]:
        lines.append(
            Text(f"suppressed {item['rule']} {item['message']} - {item['reason']}", style="dim")
        )
    verdict = record["verdict"]
    if not (verdict["errors"] or verdict["warnings"]):
        result = "no findings"
    else:
        result = f"{verdict['errors']} error(s), {verdict['warnings']} warning(s)"
    lines.append(Text(f"Result: {result}.", style="bold"))
    return Group(*lines)
