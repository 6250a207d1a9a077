"""Where a packet goes to and comes from, and whether a rule's address field covers it.

Private space is exact (``ipaddress``). The public internet is symbolic: a ``PublicEndpoint`` is
a name plus the service tags its addresses belong to (from the catalog); ``any-internet`` is a
public address in no Azure tag, ``foreign-storage`` a storage account that is not ours. A rule on
a public CIDR cannot be decided against a symbolic endpoint and says so ("unknown") - never a
guess.
"""

from __future__ import annotations

import bisect
import ipaddress
from dataclasses import dataclass
from enum import StrEnum

from heiki.model.values import Address, DnsName, Prefix

ANY_INTERNET = "any-internet"
FOREIGN_STORAGE = "foreign-storage"
MICROSOFT_PROBE_LABEL = "heiki-batch"
"""First label of a probe name that stands for a Microsoft-owned account (Batch's storage)."""


@dataclass(frozen=True, slots=True)
class PublicEndpoint:
    """A public destination, kept symbolic."""

    name: DnsName
    service_tags: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.name} [{', '.join(self.service_tags)}]"


Endpoint = Address | PublicEndpoint
"""A packet's address: an exact IPv4 address (private or public), or a symbolic public one."""


class Match(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


def is_public(endpoint: Endpoint) -> bool:
    if isinstance(endpoint, PublicEndpoint):
        return True
    return not (endpoint.is_private or endpoint in ipaddress.IPv4Network("100.64.0.0/10"))


def tag_matches(tag: str, endpoint_tags: tuple[str, ...]) -> bool:
    """``Storage`` covers ``Storage.japaneast``; a regional tag covers only its own region."""
    wanted = tag.lower()
    return any(t.lower() == wanted for t in endpoint_tags)


@dataclass(frozen=True, slots=True)
class Source:
    """Where a flow starts: a single address or a whole range (a subnet, on-premises clients)."""

    prefix: Prefix

    @property
    def label(self) -> str:
        return str(self.prefix.network_address) if self.prefix.prefixlen == 32 else str(self.prefix)


def prefix_match(source: Prefix, entry: Prefix) -> Match:
    """Does a rule's CIDR cover every address of ``source``?"""
    if source.subnet_of(entry):
        return Match.YES
    if source.overlaps(entry):
        return Match.UNKNOWN
    return Match.NO


def parse_cidr(text: str) -> Prefix | None:
    """A rule entry as a network (``10.0.0.5`` is a /32), or ``None`` for tags and ``*``."""
    try:
        return ipaddress.IPv4Network(text.strip(), strict=False)
    except ValueError:
        return None


def endpoint_in_prefix(endpoint: Endpoint, prefix: Prefix) -> Match:
    if isinstance(endpoint, PublicEndpoint):
        if prefix.prefixlen == 0:
            return Match.YES
        if prefix.is_private or prefix.subnet_of(ipaddress.IPv4Network("100.64.0.0/10")):
            return Match.NO
        return Match.UNKNOWN  # a public CIDR against a symbolic public address
    return Match.YES if endpoint in prefix else Match.NO


def combine_any(matches: list[Match]) -> Match:
    """OR across the entries of one field."""
    if Match.YES in matches:
        return Match.YES
    if Match.UNKNOWN in matches:
        return Match.UNKNOWN
    return Match.NO


def combine_all(matches: list[Match]) -> Match:
    """AND across fields."""
    if Match.NO in matches:
        return Match.NO
    if Match.UNKNOWN in matches:
        return Match.UNKNOWN
    return Match.YES


def range_match(start: int, end: int, entry_start: int, entry_end: int) -> Match:
    """``prefix_match`` on integers: does [entry_start, entry_end] cover [start, end]?"""
    if entry_start <= start and end <= entry_end:
        return Match.YES
    if entry_start <= end and start <= entry_end:
        return Match.UNKNOWN
    return Match.NO


class RangeSet:
    """Address ranges (prefixes) for fast containment questions, sorted for bisection."""

    __slots__ = ("_ends", "_reach", "_starts")

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        ordered = sorted(ranges)
        self._starts = [start for start, _ in ordered]
        self._ends = [end for _, end in ordered]
        reach: list[int] = []
        for end in self._ends:
            reach.append(max(end, reach[-1]) if reach else end)
        self._reach = reach

    def __bool__(self) -> bool:
        return bool(self._starts)

    def match(self, start: int, end: int) -> Match:
        """YES if one range covers [start, end]; UNKNOWN if one only overlaps it; else NO."""
        result = Match.NO
        index = bisect.bisect_right(self._starts, end) - 1
        while index >= 0 and self._reach[index] >= start:
            entry_start, entry_end = self._starts[index], self._ends[index]
            if entry_start <= start and end <= entry_end:
                return Match.YES
            if entry_end >= start:
                result = Match.UNKNOWN
            index -= 1
        return result
