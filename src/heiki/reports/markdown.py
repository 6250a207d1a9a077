"""Markdown from the canonical record, sized for a pull-request comment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from heiki.reports.record import CheckResult

_ICON = {
    "ready": "ready",
    "not-ready": "**NOT READY**",
    "not-applicable": "n/a",
    "pass": "pass",
    "fail": "**FAIL**",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_document(record: dict[str, Any], result: CheckResult | None = None) -> str:
    """The comment; with the check ``result`` it also draws the topology (Mermaid) with the
    failing paths."""
    verdict = record["verdict"]
    lines = [
        f"## heiki: {record['environment']}",
        "",
        f"- **Workable:** {({True: 'yes', False: 'no', None: 'not judged'})[verdict['ready']]} ("
        + ", ".join(f"{loop} {status}" for loop, status in verdict["loops"].items())
        + ")",
        f"- **Closed:** {'yes' if verdict['closed'] else 'no'}",
        f"- **Toil:** {verdict['toil']} manual change(s) over the lifecycle events",
        f"- **Findings:** {verdict['errors']} error(s), {verdict['warnings']} warning(s)",
        f"- **DNS:** {record['dns']['names']} names x {len(record['dns']['vantages'])} vantages "
        f"in {len(record['dns']['views'])} DNS view(s), {record['dns']['failures']} failing",
        "",
    ]
    if record["coverage"]:
        lines += [
            "**Not modelled** (the verdict does not cover):",
            "",
            *(f"- {_cell(gap['text'])}" for gap in record["coverage"]),
            "",
        ]
    if result is not None:
        from heiki.reports.mermaid import mermaid_chart

        lines += [
            "<details><summary>Topology and failing paths</summary>",
            "",
            "```mermaid",
            mermaid_chart(result).rstrip("\n"),
            "```",
            "",
            "</details>",
            "",
        ]
    lines += [
        "### Readiness",
        "",
        "| loop | capability | status | how / why |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {c['loop']} | {c['capability']} | {_ICON[c['status']]} | {_cell(c['summary'])} |"
        for c in record["readiness"]
    ]
    lines += ["", "### Closure", "", "| check | status | detail |", "|---|---|---|"]
    lines += [
        f"| {c['check']} | {_ICON[c['status']]} | {_cell(c['summary'])} |"
        for c in record["closure"]["checks"]
    ]
    lines += ["", "### Toil", "", "| event | manual changes | who |", "|---|---|---|"]
    for event in record["toil"]["events"]:
        changes = "n/a" if event["not_applicable"] else str(event["manual_changes"])
        lines.append(f"| {event['event']} | {changes} | {', '.join(event['who']) or '-'} |")
    lines += ["", "### Findings", ""]
    if not record["findings"]:
        lines.append("No findings.")
    consequences: dict[str, list[dict[str, Any]]] = {}
    for finding in record["findings"]:
        if finding["caused_by"]:
            consequences.setdefault(finding["caused_by"], []).append(finding)
    for finding in record["findings"]:
        if finding["caused_by"]:
            continue  # folded under its root cause below
        where = ""
        if finding["location"]:
            where = f" (`{finding['location']['file']}`"
            where += f" line {finding['location']['line']})" if finding["location"]["line"] else ")"
        lines.append(
            f"- **{finding['severity']}** `{finding['rule']}` {_cell(finding['message'])}{where}"
        )
        if finding["evidence"]:
            lines.append("  <details><summary>evidence</summary>")
            lines.append("")
            lines += [f"  - {_cell(step)}" for step in finding["evidence"]]
            lines.append("")
            lines.append("  </details>")
        lines.append(f"  - fix: {_cell(finding['fix'])}")
        folded = consequences.get(finding["id"], [])
        if folded:
            lines.append(f"  - consequences ({len(folded)}):")
            lines += [f"    - `{c['rule']}` {_cell(c['message'])}" for c in folded]
    if record["suppressed"]:
        lines += ["", "### Suppressed", ""]
        lines += [
            f"- `{s['rule']}` {_cell(s['message'])} - {_cell(s['reason'])}"
            for s in record["suppressed"]
        ]
    return "\n".join(lines) + "\n"
