"""The topology as a Mermaid flowchart for pull-request comments (GitHub and Azure DevOps render
it), with the failing paths drawn in: the first failing flow of each capability that is not
ready, and every path that makes a closure check fail.

Built from the same diagram and trace mapping as the HTML page, so both pictures agree. VNets
are subgraphs; subnets are nodes, with the gateway, firewall and resolver endpoints as nodes of
their own (paths turn there); above ``SPOKES_IN_DETAIL`` spokes a spoke is one node, and
beyond as many more, the spokes no drawn path crosses are one node together.
"""

from __future__ import annotations

from heiki.analyses.trace import Trace
from heiki.reports.html.diagram import Box, Diagram, build_diagram
from heiki.reports.html.mapping import TraceMapper
from heiki.reports.record import CheckResult

SPOKES_IN_DETAIL = 12
PATHS_SHOWN = 8
_OWN_NODES = ("chip gateway", "chip firewall", "chip dns")
_RANK = {"ok": 0, "unknown": 1, "bad": 2}


def _id(box_id: str) -> str:
    return "n_" + "".join(c if c.isalnum() else "_" for c in box_id)


def _label(text: str) -> str:
    cleaned = text.replace('"', "#quot;").replace("\n", "<br/>")
    return f'"{cleaned}"'


class _Chart:
    def __init__(self, diagram: Diagram) -> None:
        self.diagram = diagram
        self.boxes = {b.id: b for b in diagram.boxes}
        vnets = [b for b in diagram.boxes if b.kind == "vnet"]
        self.collapsed = {b.id for b in vnets[1:]} if len(vnets) > SPOKES_IN_DETAIL + 1 else set()

    def node_of(self, box_id: str) -> str | None:
        """The chart node standing for a diagram element (a chip folds into its subnet, a
        subnet into its VNet when spokes are collapsed)."""
        ancestor = self.boxes.get(box_id)
        while ancestor is not None:  # anything inside a collapsed spoke is the spoke's node
            if ancestor.kind == "vnet" and ancestor.id in self.collapsed:
                return _id(ancestor.id)
            ancestor = self.boxes.get(ancestor.parent)
        box = self.boxes.get(box_id)
        while box is not None:
            if box.kind in ("subnet", "service", "outside", "onprem", "vnet"):
                return _id(box.id)
            if box.kind in _OWN_NODES:
                return _id(box.id)
            box = self.boxes.get(box.parent)
        return None

    def lines(self, folded_spokes: set[str]) -> list[str]:
        """The node declarations; the spokes in ``folded_spokes`` (node IDs) are left out."""
        lines = ["flowchart LR"]
        children: dict[str, list[Box]] = {}
        for box in self.diagram.boxes:
            children.setdefault(box.parent, []).append(box)
        for box in self.diagram.boxes:
            if box.kind == "onprem":
                lines.append(f"  {_id(box.id)}[{_label(box.label)}]")
            elif box.kind == "vnet" and box.id in self.collapsed:
                if _id(box.id) in folded_spokes:
                    continue
                subnets = len(children.get(box.id, []))
                text = f"{box.label}\n{subnets} subnet(s)"
                lines.append(f"  {_id(box.id)}[{_label(text)}]")
            elif box.kind == "vnet":
                lines.append(f"  subgraph {_id(box.id)}[{_label(box.label)}]")
                for subnet in children.get(box.id, []):
                    chips = children.get(subnet.id, [])
                    own = [c for c in chips if c.kind in _OWN_NODES]
                    folded = [c for c in chips if c.kind not in _OWN_NODES]
                    text = subnet.label + (f"\n{len(folded)} more inside" if folded else "")
                    lines.append(f"    {_id(subnet.id)}[{_label(text)}]")
                    for chip in own:
                        lines.append(f"    {_id(chip.id)}[{_label(chip.label)}]")
                        lines.append(f"    {_id(subnet.id)} --- {_id(chip.id)}")
                lines.append("  end")
            elif box.kind == "outside":
                lines.append(f"  {_id(box.id)}(({_label(box.label)}))")
        return lines


def mermaid_chart(result: CheckResult) -> str:
    """The chart, without the ``` fence."""
    env = result.environment
    diagram = build_diagram(env)
    chart = _Chart(diagram)
    mapper = TraceMapper(env, diagram)
    shown = _failing(result)[:PATHS_SHOWN]
    paths = [(label, _path(chart, mapper, trace)) for label, trace in shown]
    on_paths = {node for _, path in paths for node, _ in path}
    # Beyond SPOKES_IN_DETAIL collapsed spokes, those no drawn path crosses are one node: a
    # thousand spoke nodes would pass Mermaid's 50,000-character limit and a pull-request
    # comment's 65,536 (the HTML report folds the spokes that draw alike, beyond 50).
    folded: dict[str, str] = {}
    kept = 0
    for box in diagram.boxes:
        if box.kind != "vnet" or box.id not in chart.collapsed:
            continue
        node = _id(box.id)
        if node in on_paths:
            continue
        kept += 1
        if kept > SPOKES_IN_DETAIL:
            folded[node] = _MORE_SPOKES
    lines = chart.lines(set(folded))
    if folded:
        lines.append(f"  {_MORE_SPOKES}[{_label(f'{len(folded)} more spoke VNets')}]")
    links: list[str] = []
    for edge in diagram.edges:
        if edge.kind not in ("peering", "gateway", "egress"):
            continue
        source, target = chart.node_of(edge.source), chart.node_of(edge.target)
        if source is not None:
            source = folded.get(source, source)
        if target is not None:
            target = folded.get(target, target)
        if source and target and source != target:
            arrow = "===" if edge.kind == "gateway" else "---"
            links.append(f"  {source} {arrow} {target}")
    links = list(dict.fromkeys(links))
    red: list[int] = []
    bad_nodes: set[str] = set()
    for label, path in paths:
        for index in range(1, len(path)):
            (source, _), (target, _) = path[index - 1], path[index]
            text = f'|"{label}"|' if index == 1 else ""
            red.append(len(links))
            links.append(f"  {source} -.->{text} {target}")
        bad_nodes.update(node for node, status in path if status == "bad")
    lines += links
    lines.append("  classDef bad stroke:#cf222e,stroke-width:3px,stroke-dasharray:6 3")
    if bad_nodes:
        lines.append(f"  class {','.join(sorted(bad_nodes))} bad")
    if red:
        lines.append(f"  linkStyle {','.join(map(str, red))} stroke:#cf222e,stroke-width:2px")
    return "\n".join(lines) + "\n"


_MORE_SPOKES = "n_more_spokes"


def _path(chart: _Chart, mapper: TraceMapper, trace: Trace) -> list[tuple[str, str]]:
    """The chart nodes a failing flow crosses, each with the worst status it had there."""
    path: list[tuple[str, str]] = []
    for elements, status in mapper.hops(trace):
        for element in elements:
            node = chart.node_of(element)
            if node is None:
                continue
            if path and path[-1][0] == node:
                if _RANK[status] > _RANK[path[-1][1]]:
                    path[-1] = (node, status)  # the hop that decided, at the same node
                continue
            path.append((node, status))
    aim = mapper.intended(trace)
    target = chart.node_of(aim) if aim else None
    if path and target and path[-1][0] != target and path[-1][1] == "bad":
        path.append((target, "unreached"))  # where it was going, drawn as not reached
    return path


def _failing(result: CheckResult) -> list[tuple[str, Trace]]:
    """(label, trace): one failing flow per not-ready capability, then the open paths."""
    found: list[tuple[str, Trace]] = []
    for capability in result.readiness.capabilities:
        if capability.failing:
            found.append((f"\u2717 {capability.name} blocked", capability.failing[0]))
    for check in result.closure.checks:
        for trace in check.traces[:2]:
            found.append((f"\u26a0 open: {check.name}", trace))
    return found
