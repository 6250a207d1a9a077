"""The diagram as inline SVG: boxes, labels, edges; every element addressable by id."""

from __future__ import annotations

from html import escape

from heiki.reports.html.diagram import Box, Diagram

CHAR_W = 6.2
"""Average width of a character of the 11 px sans-serif label font: long labels are cut to fit
(the whole text stays in the element's title)."""


def _fit(text: str, width: int) -> str:
    room = max(4, int((width - 12) / CHAR_W))
    return text if len(text) <= room else text[: room - 1] + "\u2026"


def _center(box: Box) -> tuple[float, float]:
    return box.x + box.w / 2, box.y + box.h / 2


def _anchor(source: Box, target: Box) -> tuple[float, float, float, float]:
    """Connect the facing sides: right of the left box to left of the right one."""
    sx, sy = _center(source)
    tx, ty = _center(target)
    if source.x + source.w <= target.x:
        return source.x + source.w, sy, target.x, ty
    if target.x + target.w <= source.x:
        return source.x, sy, target.x + target.w, ty
    if source.y + source.h <= target.y:
        return sx, source.y + source.h, tx, target.y
    return sx, source.y, tx, target.y + target.h


def render_svg(diagram: Diagram, title: str) -> str:
    boxes = {b.id: b for b in diagram.boxes}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="diagram" role="img" '
        f'aria-labelledby="diagram-title diagram-desc" width="{diagram.width}" '
        f'height="{diagram.height}" viewBox="0 0 {diagram.width} {diagram.height}">',
        f'<title id="diagram-title">{escape(title)}</title>',
        '<desc id="diagram-desc">The environment as a hub-and-spoke picture; the same '
        "content as a list follows the diagram (Diagram as text).</desc>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>'
        "</defs>",
        '<g class="edges">',
    ]
    for edge in diagram.edges:
        source, target = boxes[edge.source], boxes[edge.target]
        x1, y1, x2, y2 = _anchor(source, target)
        parts.append(
            f'<line id="{edge.id}" class="edge {edge.kind}" x1="{x1:.0f}" y1="{y1:.0f}" '
            f'x2="{x2:.0f}" y2="{y2:.0f}"><title>{escape(edge.kind)}: {escape(source.label)} '
            f"- {escape(target.label.splitlines()[0])}</title></line>"
        )
    parts.append("</g>")
    parts.append('<g class="boxes">')
    for box in diagram.boxes:
        lines = box.label.splitlines() or [""]
        kinds = box.kind.split()
        focusable = bool({"chip", "folded", "subnet", "service", "zone", "outside"} & set(kinds))
        tab = ' tabindex="0"' if focusable else ""
        parts.append(
            f'<g id="{box.id}" class="node {box.kind}"{tab} aria-label="{escape(box.description)}">'
            f"<title>{escape(box.description)}</title>"
            f'<rect x="{box.x}" y="{box.y}" width="{box.w}" height="{box.h}" rx="4"/>'
        )
        head = box.kind in ("vnet", "onprem")
        for index, line in enumerate(lines):
            baseline = box.y + (18 if head else 13) + index * 14
            if box.kind in ("subnet",):
                baseline = box.y + 14
            parts.append(f'<text x="{box.x + 6}" y="{baseline}">{escape(_fit(line, box.w))}</text>')
        parts.append(f'<text class="mark" x="{box.x + box.w - 14}" y="{box.y + 13}"></text></g>')
    parts.append("</g>")
    parts.append('<g id="overlay" class="overlay"></g>')
    parts.append("</svg>")
    return "\n".join(parts)
