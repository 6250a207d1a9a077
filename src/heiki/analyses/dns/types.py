"""What a resolution returns: an outcome, the answer, and every step that led to it.

Shaped like pybatfish's traces: a ``Resolution`` is a list of ``DnsStep`` values, each naming the
server it happened at, what decided, and the model resource (with its source location) involved.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from heiki.model.source import SourceLocation
from heiki.model.values import Address, DnsName, ResourceId


class Outcome(StrEnum):
    PRIVATE = "private"
    """Answered with private addresses (a private endpoint, a VM, an on-premises host)."""
    PUBLIC = "public"
    """Answered with a public endpoint (symbolic: name plus service tags)."""
    NXDOMAIN = "nxdomain"
    SERVFAIL = "servfail"
    """No answer: every forwarder failed, a CNAME loop, or a chain that is too long."""
    UNREACHABLE = "unreachable"
    """The client's DNS server (or every server on the way) cannot be reached or is not one."""


class StepKind(StrEnum):
    CLIENT = "client"
    QUERY = "query"
    PRIVATE_ZONE = "private-zone"
    FORWARDING_RULE = "forwarding-rule"
    CONDITIONAL_FORWARDER = "conditional-forwarder"
    LOCAL_ZONE = "local-zone"
    PROXY = "proxy"
    PUBLIC_DNS = "public-dns"
    CNAME = "cname"
    ANSWER = "answer"
    FAILURE = "failure"


@dataclass(frozen=True, slots=True)
class DnsStep:
    """One step of a resolution: a server asked, a zone or rule matched, an answer given."""

    kind: StepKind
    server: str
    """Where the step happened, e.g. ``Azure DNS (vnet-hub)`` or ``on-premises dns-1 192.168.0.53``."""
    detail: str
    name: DnsName | None = None
    resource: ResourceId | None = None
    location: SourceLocation | None = None

    def __str__(self) -> str:
        return f"[{self.server}] {self.detail}"


@dataclass(frozen=True, slots=True)
class PublicAnswer:
    """A public endpoint, kept symbolic: the name that ended the chain and its service tags."""

    name: DnsName
    service_tags: tuple[str, ...]

    def __str__(self) -> str:
        return f"public {self.name} ({', '.join(self.service_tags)})"


class Resolution(NamedTuple):
    """The answer to one question, and how it was reached (immutable).

    A named tuple rather than a dataclass: a DNS matrix builds a million of these, and tuples
    are built in half the time of frozen dataclasses.
    """

    vantage: str
    name: DnsName
    outcome: Outcome
    addresses: tuple[Address, ...] = ()
    public: PublicAnswer | None = None
    cname_chain: tuple[DnsName, ...] = ()
    steps: tuple[DnsStep, ...] = ()

    @property
    def answer_text(self) -> str:
        if self.outcome is Outcome.PRIVATE:
            return ", ".join(str(a) for a in self.addresses)
        if self.outcome is Outcome.PUBLIC and self.public is not None:
            return str(self.public)
        return self.outcome.value.upper()

    @property
    def deciding_step(self) -> DnsStep | None:
        """The last step that is not the final answer: the zone, rule or failure that decided."""
        for step in reversed(self.steps):
            if step.kind not in (StepKind.ANSWER, StepKind.CNAME):
                return step
        return None
