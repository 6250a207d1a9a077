"""Markdown from the canonical record, sized for a pull-request comment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from heiki.reports.folding import fold, instance_names
from heiki.reports.record import managed_vnet_note, shown_evidence

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
        f"in {len(record['dns']['views'])} DNS view(s), {record['dns']['failures']} failing"
        + (
            f" ({_cell(note)})"
            if (note := managed_vnet_note(record["dns"]["managed_vnet_vantages"]))
            else ""
        ),
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
    findings = _finding_blocks(record, evidence=True)
    suppressed: list[str] = []
    if record["suppressed"]:
        suppressed += ["", "### Suppressed", ""]
        suppressed += [
            f"- `{s['rule']}` {_cell(s['message'])} - {_cell(s['reason'])}"
            for s in record["suppressed"]
        ]
    head = "\n".join(lines) + "\n"
    tail = "\n".join(suppressed) + "\n" if suppressed else ""
    return head + _fitted(findings, record, len(head) + len(tail)) + tail


COMMENT_LIMIT = 65536
"""GitHub refuses a pull-request comment over 65,536 characters ("Body is too long"; the REST
API's create-an-issue-comment): the findings are shortened to fit, the JSON keeps them all."""


def _finding_blocks(record: dict[str, Any], evidence: bool) -> list[str]:
    """One Markdown block per root finding, its consequences folded under it."""
    folded_findings = fold(record["findings"])
    blocks = []
    for finding in folded_findings.roots:  # consequences and instances fold under their root
        where = ""
        if finding["location"]:
            where = f" (`{finding['location']['file']}`"
            where += f" line {finding['location']['line']})" if finding["location"]["line"] else ")"
        lines = [
            f"- **{finding['severity']}** `{finding['rule']}` {_cell(finding['message'])}{where}"
        ]
        if evidence and finding["evidence"]:
            lines.append("  <details><summary>evidence</summary>")
            lines.append("")
            lines += [f"  - {_cell(step)}" for step in shown_evidence(finding["evidence"])]
            lines.append("")
            lines.append("  </details>")
        lines.append(f"  - fix: {_cell(finding['fix'])}")
        instances = folded_findings.instances.get(finding["id"], [])
        if instances:
            lines.append(
                f"  - the same at this place for {len(instances)} more: "
                f"{_cell(instance_names(instances))}"
            )
        folded = folded_findings.consequences.get(finding["id"], [])
        if folded:
            lines.append(f"  - consequences ({len(folded)}):")
            lines += [f"    - `{c['rule']}` {_cell(c['message'])}" for c in folded]
        blocks.append("\n".join(lines) + "\n")
    return blocks


def _fitted(blocks: list[str], record: dict[str, Any], used: int) -> str:
    """The findings within the comment limit: all with their evidence when they fit, else
    without it, else as many as fit and a count of the rest."""
    room = COMMENT_LIMIT - used - 200  # the closing note's own length
    if sum(len(b) for b in blocks) <= room:
        return "".join(blocks)
    blocks = _finding_blocks(record, evidence=False)
    shown: list[str] = []
    size = 0
    for block in blocks:
        if size + len(block) > room:
            break
        shown.append(block)
        size += len(block)
    note = "_Evidence left out to fit a pull-request comment (--format json has it)"
    if len(shown) < len(blocks):
        note += f"; {len(blocks) - len(shown)} more finding(s) there too"
    return "".join(shown) + "\n" + note + "._\n"
