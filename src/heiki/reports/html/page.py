"""``heiki check --format html``: one self-contained page - the picture, the verdict next to it,
and every flow behind the verdict ready to be drawn on the picture hop by hop.

Everything is inline (CSS, JavaScript, SVG, the data as JSON) and a Content-Security-Policy
forbids any request: the page is opened inside closed networks. Same input, same bytes.
"""

from __future__ import annotations

import json
from html import escape
from importlib import resources
from typing import Any

from heiki.analyses.trace import Trace
from heiki.model.environment import Environment
from heiki.reports.folding import fold
from heiki.reports.html.diagram import Diagram, build_diagram
from heiki.reports.html.mapping import TraceMapper
from heiki.reports.html.svg import render_svg
from heiki.reports.record import CheckResult, managed_vnet_note
from heiki.reports.ruledocs import find_rule_doc, rule_page

FLOWS_PER_ITEM = 24
"""Flows drawn for one capability or closure check: enough to show every vantage of a normal
estate; a 1,000-spoke estate shows the first ones and says how many there are."""

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


def _asset(name: str) -> str:
    return (
        resources.files("heiki").joinpath(f"reports/html/assets/{name}").read_text(encoding="utf-8")
    )


def _trace(trace: Trace, mapper: TraceMapper) -> dict[str, Any]:
    deciding = trace.deciding_step
    passed = mapper.hops(trace)
    hops: list[dict[str, Any]] = []
    for hop, (elements, status) in zip(trace.hops, passed, strict=False):
        hops.append(
            {
                "node": hop.node,
                "elements": elements,
                "status": status,
                "steps": [
                    {
                        "kind": s.kind.value,
                        "detail": s.detail,
                        "action": s.action,
                        "where": str(s.location) if s.location else "",
                        "deciding": s is deciding,
                    }
                    for s in hop.steps
                ],
            }
        )
    for elements, status in passed[len(trace.hops) :]:
        hops.append({"node": "outside", "elements": elements, "status": status, "steps": []})
    return {
        "title": f"{trace.vantage} -> {trace.destination}:{trace.port}/{trace.protocol}",
        "verdict": trace.verdict.value,
        "reason": trace.reason,
        "hops": hops,
    }


class _Flows:
    """Every flow the page can draw, once each, referenced by number."""

    def __init__(self, mapper: TraceMapper) -> None:
        self.mapper = mapper
        self.items: list[dict[str, Any]] = []
        self._seen: dict[int, int] = {}

    def add(self, trace: Trace) -> int:
        key = id(trace)
        if key not in self._seen:
            self._seen[key] = len(self.items)
            self.items.append(_trace(trace, self.mapper))
        return self._seen[key]

    def dns(self, cell: Any, vantage: str) -> int:
        resolution = cell.resolution
        hops: list[dict[str, Any]] = []
        start = self.mapper.vantage_subnet.get(vantage)
        hops.append(
            {
                "node": f"DNS client {vantage}",
                "elements": [start] if start else [],
                "status": "ok",
                "steps": [],
            }
        )
        for step in resolution.steps:
            elements = [
                e
                for e in (self.mapper.resource(step.resource), self.mapper.address(step.server))
                if e
            ]
            failed = step.kind.value == "failure"
            hops.append(
                {
                    "node": step.server,
                    "elements": list(dict.fromkeys(elements)),
                    "status": "bad" if failed else "ok",
                    "steps": [
                        {
                            "kind": step.kind.value,
                            "detail": step.detail,
                            "action": "drop" if failed else "info",
                            "where": str(step.location) if step.location else "",
                            "deciding": step is resolution.deciding_step,
                        }
                    ],
                }
            )
        if not cell.ok:
            hops[-1]["status"] = "bad"
        self.items.append(
            {
                "title": f"{cell.name} from {vantage}",
                "verdict": "delivered" if cell.ok else "dropped",
                "reason": f"expected {cell.expected.value}"
                + (f" {cell.expected_address}" if cell.expected_address else "")
                + f", got {resolution.answer_text}",
                "hops": hops,
            }
        )
        return len(self.items) - 1


def _selections(result: CheckResult, flows: _Flows) -> dict[str, dict[str, Any]]:
    find = flows.mapper.diagram.find
    selections: dict[str, dict[str, Any]] = {}
    for capability in result.readiness.capabilities:
        traces = capability.failing or capability.flows
        selections[f"cap:{capability.loop.value}:{capability.name}"] = {
            "flows": [flows.add(t) for t in traces[:FLOWS_PER_ITEM]],
            "more": max(0, len(traces) - FLOWS_PER_ITEM),
            "elements": [],
        }
    for check in result.closure.checks:
        elements = [e for r in check.resources if (e := find(str(r)))]
        selections[f"closure:{check.name}"] = {
            "flows": [flows.add(t) for t in check.traces[:FLOWS_PER_ITEM]],
            "more": max(0, len(check.traces) - FLOWS_PER_ITEM),
            "elements": list(dict.fromkeys(elements)),
        }
    # a finding draws the flows behind it: those of the capability or closure check it reports
    # (named in its message), from the vantages its message names
    blocked = [(c.name, c.failing) for c in result.readiness.capabilities if c.failing]
    opened = [t for c in result.closure.checks for t in c.traces]
    for finding in result.findings:
        found = find(finding.resource) if finding.resource else None
        message = f" {finding.message} "
        reported = [t for what, failing in blocked if f" {what} " in message for t in failing]
        if not reported:  # not a capability's finding: the open paths of the vantage it names
            reported = [
                t for t in opened if f" {t.vantage} " in message or f" {t.vantage}:" in message
            ]
        chosen = list(dict.fromkeys(reported))[:FLOWS_PER_ITEM]
        selections[f"finding:{finding.id}"] = {
            "flows": [flows.add(t) for t in chosen],
            "more": max(0, len(reported) - len(chosen)),
            "elements": [found] if found else [],
        }
    for index, cell in enumerate(result.matrix.failures):
        selections[f"dns:{index}"] = {
            "flows": [flows.dns(cell, cell.vantage)],
            "more": 0,
            "elements": [],
        }
    return selections


def _table(head: list[str], rows: list[str]) -> str:
    cells = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _button(key: str, text: str) -> str:
    return (
        f'<button type="button" class="select" data-select="{escape(key)}" '
        f'aria-pressed="false">{escape(text)}</button>'
    )


_STATUS_TEXT = {
    "ready": "\u2713 ready",
    "not-ready": "\u2717 not ready",
    "not-applicable": "\u2013 n/a",
    "pass": "\u2713 pass",
    "fail": "\u2717 fail",
}


def _status_cell(status: str) -> str:
    return f'<td class="status {escape(status)}">{escape(_STATUS_TEXT.get(status, status))}</td>'


def _verdict_sections(result: CheckResult, record: dict[str, Any]) -> str:
    verdict = record["verdict"]
    ready = {True: "yes", False: "no", None: "not judged"}[verdict["ready"]]
    parts = [
        '<section id="verdict" aria-labelledby="verdict-h"><h2 id="verdict-h">Verdict</h2><ul>',
        f"<li><strong>Workable:</strong> {ready} ("
        + ", ".join(f"{escape(k)} {escape(v)}" for k, v in verdict["loops"].items())
        + ")</li>",
        f"<li><strong>Closed:</strong> {'yes' if verdict['closed'] else 'no'}</li>",
        f"<li><strong>Toil:</strong> {verdict['toil']} manual change(s)</li>",
        f"<li><strong>Findings:</strong> {verdict['errors']} error(s), "
        f"{verdict['warnings']} warning(s)</li></ul></section>",
    ]
    rows = [
        f'<tr data-loop="{escape(c.loop.value)}"><td>{escape(c.loop.value)}</td>'
        f"<td>{_button(f'cap:{c.loop.value}:{c.name}', c.name)}</td>{_status_cell(c.status.value)}"
        f"<td>{escape(c.summary)}</td></tr>"
        for c in result.readiness.capabilities
    ]
    loops = "".join(
        f'<label><input type="checkbox" class="loop-filter" value="{loop}" checked> {loop}</label>'
        for loop in ("inner", "middle", "outer")
    )
    parts.append(
        '<section id="readiness" aria-labelledby="readiness-h"><h2 id="readiness-h">Readiness'
        f'</h2><fieldset class="filters"><legend>Loops</legend>{loops}</fieldset>'
        + _table(["loop", "capability", "status", "how / why"], rows)
        + "</section>"
    )
    rows = [
        f"<tr><td>{_button(f'closure:{c.name}', c.name)}</td>{_status_cell(c.status.value)}"
        f"<td>{escape(c.summary)}</td></tr>"
        for c in result.closure.checks
    ]
    parts.append(
        '<section id="closure" aria-labelledby="closure-h"><h2 id="closure-h">Closure</h2>'
        + _table(["check", "status", "detail"], rows)
        + "</section>"
    )
    rows = [
        f"<tr><td>{escape(e['event'])}</td><td>"
        + ("n/a" if e["not_applicable"] else str(e["manual_changes"]))
        + f"</td><td>{escape(', '.join(e['who']) or '-')}</td></tr>"
        for e in record["toil"]["events"]
    ]
    parts.append(
        '<section id="toil" aria-labelledby="toil-h"><h2 id="toil-h">Toil</h2>'
        + _table(["event", "manual changes", "who"], rows)
        + "</section>"
    )
    return "".join(parts)


def _findings_section(result: CheckResult, record: dict[str, Any]) -> str:
    severities = "".join(
        f'<label><input type="checkbox" class="severity-filter" value="{s}" checked> {s}</label>'
        for s in ("error", "warning", "info")
    )
    items = []
    # the record's folding (consequences and repeated instances under their root), drawn from
    # the findings themselves
    by_id = {f.id: f for f in result.findings}
    folded_findings = fold(record["findings"])
    for root in folded_findings.roots:
        finding = by_id[root["id"]]
        consequences = [by_id[c["id"]] for c in folded_findings.consequences.get(root["id"], ())]
        instances = [by_id[i["id"]] for i in folded_findings.instances.get(root["id"], ())]
        evidence = "".join(f"<li>{escape(e)}</li>" for e in finding.evidence)
        folded = "".join(f"<li>{escape(c.rule_id)}: {escape(c.message)}</li>" for c in consequences)
        where = (
            f' <span class="where">{escape(str(finding.location))}</span>'
            if finding.location
            else ""
        )
        items.append(
            f'<li class="finding {finding.severity.value}" data-severity="{finding.severity.value}">'
            f'<span class="severity">{escape(finding.severity.value)}</span> '
            f'<a href="#rule-{escape(finding.rule_id)}">{escape(finding.rule_id)}</a> '
            f"{_button(f'finding:{finding.id}', finding.message)}{where}"
            + (
                f"<details><summary>evidence</summary><ul>{evidence}</ul></details>"
                if evidence
                else ""
            )
            + f'<p class="fix">fix: {escape(finding.fix)}</p>'
            + (
                f"<details><summary>the same at this place for {len(instances)} more"
                f"</summary><ul>{''.join(f'<li>{escape(str(i.resource))}</li>' for i in instances)}"
                "</ul></details>"
                if instances
                else ""
            )
            + (
                f"<details><summary>{len(consequences)} consequence(s)</summary><ul>{folded}</ul>"
                "</details>"
                if consequences
                else ""
            )
            + "</li>"
        )
    body = f'<ul class="findings">{"".join(items)}</ul>' if items else "<p>No findings.</p>"
    return (
        '<section id="findings" aria-labelledby="findings-h"><h2 id="findings-h">Findings</h2>'
        f'<fieldset class="filters"><legend>Severity</legend>{severities}</fieldset>{body}</section>'
    )


def _dns_section(result: CheckResult) -> str:
    matrix = result.matrix
    failures = matrix.failures
    note = managed_vnet_note(matrix.managed)
    managed = f"<p>{escape(note)}.</p>" if note else ""
    if not matrix.cells:
        return (
            '<section id="dns" aria-labelledby="dns-h"><h2 id="dns-h">DNS</h2><p>Nothing to '
            f"resolve: no client or workload vantage.</p>{managed}</section>"
        )
    if not failures:
        return (
            '<section id="dns" aria-labelledby="dns-h"><h2 id="dns-h">DNS</h2><p>Every name '
            f"resolves as expected from every vantage ({len(matrix.cells)} cells in "
            f"{len(matrix.views)} view(s)).</p>{managed}</section>"
        )
    rows = [
        f"<tr><td>{_button(f'dns:{index}', str(cell.name))}</td>"
        f"<td>{escape(', '.join(cell.vantages[:3]))}"
        + (f" +{len(cell.vantages) - 3}" if len(cell.vantages) > 3 else "")
        + f"</td><td>{escape(cell.expected.value)} "
        f"{escape(str(cell.expected_address or ''))}</td>"
        f"<td>{escape(cell.resolution.answer_text)}</td></tr>"
        for index, cell in enumerate(failures)
    ]
    return (
        '<section id="dns" aria-labelledby="dns-h"><h2 id="dns-h">DNS: failing cells</h2>'
        + _table(["name", "vantages", "expected", "answer"], rows)
        + managed
        + "</section>"
    )


def _rules_section(result: CheckResult) -> str:
    pages = []
    for rule_id in sorted({f.rule_id for f in result.findings}):
        doc = find_rule_doc(rule_id)
        if doc is None:
            continue
        pages.append(
            f'<details id="rule-{escape(rule_id)}" class="rule"><summary>{escape(rule_id)}</summary>'
            f"<pre>{escape(rule_page(doc))}</pre></details>"
        )
    if not pages:
        return ""
    return (
        '<section id="rules" aria-labelledby="rules-h"><h2 id="rules-h">Rules that fired</h2>'
        + "".join(pages)
        + "</section>"
    )


def _outline(diagram: Diagram) -> str:
    items = "".join(
        f'<li class="depth-{depth}">{escape(text)}</li>' for depth, text in diagram.outline
    )
    return f'<details class="outline"><summary>Diagram as text</summary><ul>{items}</ul></details>'


def _json(data: Any) -> str:
    # inside <script>: no "</" may appear, so that no value can end the element
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/")


def html_page(
    env: Environment,
    title: str,
    result: CheckResult | None = None,
    record: dict[str, Any] | None = None,
) -> str:
    """The page of ``check`` (with a result and its record) or of ``show`` (the picture only)."""
    diagram = build_diagram(env, fold=True)
    mapper = TraceMapper(env, diagram)
    flows = _Flows(mapper)
    selections = _selections(result, flows) if result is not None else {}
    body = [
        '<a class="skip" href="#panel">Skip to the verdict</a>',
        f"<header><h1>heiki: {escape(title)}</h1>",
        f'<p class="source">{escape(result.source if result else env.name)}</p></header>',
        '<main><div class="layout">',
        '<section id="picture" aria-labelledby="picture-h"><h2 id="picture-h">Architecture</h2>',
        '<div class="legend"><span class="ok">\u2713 delivered</span>'
        '<span class="bad">\u2717 deciding step (dropped)</span>'
        '<span class="unknown">? not decided offline</span>'
        '<button type="button" class="fit" aria-pressed="false">fit to width</button></div>',
        f'<div class="scroll">{render_svg(diagram, f"Architecture of {title}")}</div>',
        _outline(diagram),
        '<section id="trace" aria-live="polite" aria-labelledby="trace-h">'
        '<h2 id="trace-h">Selected</h2><p class="hint">Select a capability, a closure check, '
        "a finding or a DNS cell to draw its flows on the picture (Escape clears).</p>"
        '<div id="trace-body"></div></section>',
        "</section>",
        '<aside id="panel" aria-label="Verdict and evidence">',
    ]
    if result is not None and record is not None:
        body += [
            _verdict_sections(result, record),
            _findings_section(result, record),
            _dns_section(result),
            _rules_section(result),
        ]
    body.append("</aside></div></main>")
    data = {"flows": flows.items, "selections": selections}
    return "".join(
        [
            "<!DOCTYPE html>\n",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>heiki: {escape(title)}</title>",
            f"<style>{_asset('report.css')}</style></head><body>",
            "\n".join(body),
            f'<script type="application/json" id="heiki-data">{_json(data)}</script>',
            f"<script>{_asset('report.js')}</script>",
            "</body></html>\n",
        ]
    )
