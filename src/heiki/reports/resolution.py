"""Render a DNS resolution (``heiki resolve``) and the vantage list (``heiki vantages``)."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from heiki.analyses.dns.types import Outcome, Resolution
from heiki.analyses.vantage import Vantage
from heiki.reports.serialize import FORMAT_VERSION, to_data

_STYLE = {
    Outcome.PRIVATE: "green",
    Outcome.PUBLIC: "yellow",
    Outcome.NXDOMAIN: "red",
    Outcome.SERVFAIL: "red",
    Outcome.UNREACHABLE: "red",
}


def resolution_document(resolution: Resolution) -> dict[str, Any]:
    data = to_data(resolution)
    data["answer"] = resolution.answer_text
    return {"format_version": FORMAT_VERSION, "resolution": data}


def render_resolution(resolution: Resolution) -> RenderableType:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("at")
    table.add_column("step", overflow="fold")
    for index, step in enumerate(resolution.steps, start=1):
        where = f" ({step.location})" if step.location else ""
        table.add_row(str(index), step.server, f"{step.detail}{where}")
    style = _STYLE[resolution.outcome]
    headline = Text.assemble(
        (f"{resolution.name}", "bold"),
        f" from {resolution.vantage}: ",
        (f"{resolution.outcome.value} {resolution.answer_text}", style),
    )
    return Group(headline, table)


def render_vantages(vantages: tuple[Vantage, ...]) -> RenderableType:
    table = Table(title="Vantages", title_justify="left")
    table.add_column("vantage", overflow="fold")
    table.add_column("kind")
    table.add_column("prefix / address")
    table.add_column("what", overflow="fold")
    for vantage in vantages:
        where = str(vantage.address or vantage.prefix or "")
        table.add_row(vantage.name, vantage.kind.value, where, vantage.description)
    return table
