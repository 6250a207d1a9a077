"""Which diagram elements a trace hop or a DNS step passed: the link between the verdict's
evidence and the picture (used by the HTML page and the Mermaid chart)."""

from __future__ import annotations

import ipaddress
import re

from heiki.analyses.dns.types import Outcome
from heiki.analyses.trace import Trace, Verdict
from heiki.analyses.vantage import list_vantages
from heiki.model.environment import Environment
from heiki.reports.html.diagram import Diagram, subnet_key

_IP = re.compile(r"\b(\d{1,3}(?:\.\d{1,3}){3})\b")


class TraceMapper:
    """Finds the diagram elements a trace hop or a DNS step passed."""

    def __init__(self, env: Environment, diagram: Diagram) -> None:
        self.diagram = diagram
        self.vantage_subnet: dict[str, str] = {}
        for vantage in list_vantages(env):
            found = diagram.find(str(vantage.subnet)) if vantage.subnet else None
            if vantage.on_premises:
                found = diagram.find("onprem")
            elif found is None and vantage.resource is not None:
                found = diagram.find(str(vantage.resource))
            if found is not None:
                self.vantage_subnet[vantage.name] = found
        self.workspaces = {w.name: str(w.id) for w in env.workspaces}

    def node(self, node: str) -> list[str]:
        find = self.diagram.find
        found: str | None = None
        if node.startswith("DNS from "):
            found = self.vantage_subnet.get(node.removeprefix("DNS from "))
        elif node.startswith("firewall "):
            found = find(f"firewall:{node.removeprefix('firewall ')}")
        elif node == "on-premises":
            found = find("onprem")
        elif node.startswith("managed VNet of "):
            workspace = self.workspaces.get(node.removeprefix("managed VNet of "))
            found = find(workspace) if workspace else None
        elif "/" in node:
            vnet, _, subnet = node.partition("/")
            found = find(subnet_key(vnet, subnet))
        return [found] if found else []

    def resource(self, resource: object) -> str | None:
        return self.diagram.find(str(resource)) if resource is not None else None

    def address(self, text: str) -> str | None:
        for match in _IP.findall(text):
            try:
                ipaddress.IPv4Address(match)
            except ValueError:
                continue
            found = self.diagram.find(f"ip:{match}")
            if found:
                return found
        return None

    def hops(self, trace: Trace) -> list[tuple[list[str], str]]:
        """Per hop of ``trace``: the elements it passed and how it went there (ok / bad /
        unknown); a flow that left Azure ends at the internet or foreign storage."""
        found: list[tuple[list[str], str]] = []
        for hop in trace.hops:
            elements = self.node(hop.node)
            for step in hop.steps:
                element = self.resource(step.resource)
                if element and element not in elements:
                    elements.append(element)
            found.append((elements, hop_status([s.action for s in hop.steps])))
        outside = None
        if trace.verdict is Verdict.DELIVERED and trace.destination == "foreign-storage":
            outside = self.diagram.find("outside:foreign-storage")
        elif trace.verdict is Verdict.DELIVERED and trace.egress:
            outside = self.diagram.find("outside:internet")
        if outside:
            found.append(([outside], "ok"))
        return found

    def intended(self, trace: Trace) -> str | None:
        """Where a flow to the outside was going (for a dropped one: the place not reached)."""
        if trace.destination == "foreign-storage":
            return self.diagram.find("outside:foreign-storage")
        public = trace.resolution is not None and trace.resolution.outcome is Outcome.PUBLIC
        if public or trace.destination == "any-internet" or trace.destination.startswith("tag:"):
            return self.diagram.find("outside:internet")
        return None


def hop_status(actions: list[str]) -> str:
    if any(a in ("deny", "drop") for a in actions):
        return "bad"
    if "unknown" in actions:
        return "unknown"
    return "ok"
