"""Immutable value types for the domain's primitives: resource IDs, DNS names, port ranges.

They follow dnspython's ``Name``: canonicalised on construction, case-insensitive where Azure is,
hashable, and validated early so that a bad value fails where it enters, not deep in an analysis.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import sys
from dataclasses import dataclass, field
from typing import Any, TypeAlias

Prefix: TypeAlias = ipaddress.IPv4Network
"""An IPv4 prefix; ``ipaddress`` already is an immutable, validated value type."""

Address: TypeAlias = ipaddress.IPv4Address


def parse_prefix(text: str) -> Prefix:
    """Parse a CIDR strictly (host bits must be zero), as ARM does for address prefixes."""
    try:
        return ipaddress.IPv4Network(text.strip(), strict=True)
    except ValueError as exc:
        raise ValueError(f"not an IPv4 prefix: {text!r} ({exc})") from None


def first_ipv4_prefix(written: Any) -> Prefix | None:
    """The first IPv4 prefix of a value written as one prefix or a list of them (what a subnet's
    ``addressPrefix`` / ``addressPrefixes`` hold); None when none parses."""
    for text in written if isinstance(written, list) else [written]:
        if not isinstance(text, str):
            continue
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            continue
        if isinstance(network, ipaddress.IPv4Network):
            return network
    return None


def first_assignable(prefix: Prefix, reserved_leading: int) -> Address | None:
    """The address Azure gives the only occupant of a subnet: the first after the reserved ones;
    None for a subnet too small to hold one (Azure refuses it)."""
    address = prefix.network_address + reserved_leading
    return address if address in prefix else None


def parse_address(text: str) -> Address:
    """Parse an IPv4 address."""
    try:
        return ipaddress.IPv4Address(text.strip())
    except ValueError:
        raise ValueError(f"not an IPv4 address: {text!r}") from None


@dataclass(frozen=True, slots=True)
class ResourceId:
    """An Azure Resource Manager resource ID.

    ARM compares IDs case-insensitively, so equality and hashing use the lower-cased text while
    ``text`` keeps the spelling of the source for messages and generated code.
    Shape: ``/subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{type}/{name}]...``
    """

    text: str
    _key: str = field(init=False, repr=False, compare=True)
    _type: str = field(init=False, repr=False, compare=False)
    """The full type once asked ("" before: analyses ask it of the same IDs again and again);
    interned, so the IDs of one type share one string."""
    _name: str = field(init=False, repr=False, compare=False)
    """The resource's name once asked ("" before): messages and traces ask it many times."""

    def __init__(self, text: str) -> None:
        cleaned = text.strip().rstrip("/")
        key = cleaned.lower()
        lowered = key.split("/")
        if not cleaned.startswith("/") or len(lowered) < 3:
            raise ValueError(f"not a resource ID: {text!r}")
        if lowered[1] != "subscriptions" or not lowered[2]:
            raise ValueError(f"resource ID must start with /subscriptions/{{id}}: {text!r}")
        if "providers" in lowered:
            tail = lowered[lowered.index("providers") + 1 :]
            # namespace, then (type, name) pairs
            if len(tail) < 3 or len(tail) % 2 == 0 or "" in tail:
                raise ValueError(f"malformed provider part in resource ID: {text!r}")
        object.__setattr__(self, "text", cleaned)
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_type", "")
        object.__setattr__(self, "_name", "")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ResourceId) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __lt__(self, other: ResourceId) -> bool:
        return self._key < other._key

    def __str__(self) -> str:
        return self.text

    @property
    def _parts(self) -> list[str]:
        return self.text.split("/")

    @property
    def subscription_id(self) -> str:
        return self._parts[2]

    @property
    def resource_group(self) -> str | None:
        parts = self._parts
        lowered = [p.lower() for p in parts]
        if "resourcegroups" in lowered:
            return parts[lowered.index("resourcegroups") + 1]
        return None

    @property
    def provider_tail(self) -> list[str]:
        parts = self._parts
        lowered = [p.lower() for p in parts]
        if "providers" not in lowered:
            return []
        return parts[lowered.index("providers") + 1 :]

    @property
    def resource_type(self) -> str:
        """Full type, e.g. ``Microsoft.Network/virtualNetworks/subnets``."""
        if self._type:
            return self._type
        tail = self.provider_tail
        if not tail:
            found = "Microsoft.Resources/resourceGroups" if self.resource_group else ""
        else:
            found = sys.intern("/".join([tail[0], *tail[1::2]]))
        object.__setattr__(self, "_type", found)
        return found

    @property
    def name(self) -> str:
        if self._name:
            return self._name
        tail = self.provider_tail
        found = tail[-1] if tail else self._parts[-1]
        object.__setattr__(self, "_name", found)
        return found

    @property
    def parent(self) -> ResourceId | None:
        tail = self.provider_tail
        if len(tail) <= 3:
            return None
        return ResourceId(self.text.rsplit("/", 2)[0])

    def child(self, child_type: str, name: str) -> ResourceId:
        """The ID of a child resource, e.g. ``vnet.child("subnets", "snet-pe")``."""
        return ResourceId(f"{self.text}/{child_type}/{name}")

    @staticmethod
    def build(
        subscription_id: str, resource_group: str, resource_type: str, *names: str
    ) -> ResourceId:
        """Build an ID from a full type (``Microsoft.Network/virtualNetworks/subnets``) and names."""
        namespace, *types = resource_type.split("/")
        if len(types) != len(names) or not types:
            raise ValueError(f"{resource_type} needs {len(types)} names, got {len(names)}")
        pairs = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
        return ResourceId(
            f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"
            f"/providers/{namespace}/{pairs}"
        )


_ASCII_LABEL = re.compile(r"[a-z0-9_-]+")
_ASCII_NAME = re.compile(r"(?:\*|[a-z0-9_-]{1,63})(?:\.[a-z0-9_-]{1,63})*")
"""A whole name of ASCII labels (a wildcard first), each within 63 characters."""


@dataclass(frozen=True, slots=True)
class DnsName:
    """An absolute DNS name held as lower-cased labels (DNS is case-insensitive).

    ``*`` is allowed as the first label for wildcard records and firewall FQDN patterns.
    """

    labels: tuple[str, ...]
    _hash: int = field(init=False, repr=False, compare=False)

    def __init__(self, text: str | tuple[str, ...]) -> None:
        labels = _dns_labels(text)
        object.__setattr__(self, "labels", labels)
        # names are dictionary keys in every DNS table: hash once
        object.__setattr__(self, "_hash", hash(labels))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DnsName) and self.labels == other.labels

    def __str__(self) -> str:
        return ".".join(self.labels) if self.labels else "."

    def __lt__(self, other: DnsName) -> bool:
        return tuple(reversed(self.labels)) < tuple(reversed(other.labels))

    @property
    def is_root(self) -> bool:
        return not self.labels

    @property
    def is_wildcard(self) -> bool:
        return bool(self.labels) and self.labels[0] == "*"

    def parent(self) -> DnsName:
        if not self.labels:
            raise ValueError("the root has no parent")
        return DnsName(self.labels[1:])

    def is_subdomain_of(self, other: DnsName) -> bool:
        """True if ``self`` equals ``other`` or lies below it (dnspython semantics)."""
        n = len(other.labels)
        return n == 0 or (len(self.labels) >= n and self.labels[-n:] == other.labels)

    def relativize(self, origin: DnsName) -> str:
        """The name relative to ``origin`` as a record-set name (``@`` for the apex)."""
        if not self.is_subdomain_of(origin):
            raise ValueError(f"{self} is not within {origin}")
        rest = self.labels[: len(self.labels) - len(origin.labels)]
        return ".".join(rest) if rest else "@"

    def join(self, relative: str) -> DnsName:
        """Absolute name of a record-set name (``@`` or ``a.b``) inside this zone."""
        if relative in ("@", ""):
            return self
        return DnsName(tuple(relative.lower().split(".")) + self.labels)

    def matches_pattern(self, pattern: DnsName) -> bool:
        """Match a name against a wildcard pattern the way DNS wildcards and Azure Firewall do.

        ``*.contoso.com`` matches ``a.contoso.com`` and ``a.b.contoso.com`` but never the apex.
        """
        if not pattern.is_wildcard:
            return self == pattern
        base = pattern.parent()
        return self != base and self.is_subdomain_of(base)


@functools.lru_cache(maxsize=1 << 16)
def _dns_labels(text: str | tuple[str, ...]) -> tuple[str, ...]:
    """The validated, lower-cased labels of a name (the same names are built many times over
    on a large estate: parsed and checked once)."""
    if isinstance(text, tuple):
        labels = tuple(label.lower() for label in text)
    else:
        lowered = text.strip().rstrip(".").lower()
        if len(lowered) <= 253 and _ASCII_NAME.fullmatch(lowered):
            return tuple(lowered.split("."))  # nearly every name: checked in one match
        labels = tuple(lowered.split(".")) if lowered else ()
    for index, label in enumerate(labels):
        if not label:
            raise ValueError(f"empty label in DNS name {text!r}")
        if len(label) > 63:
            raise ValueError(f"label longer than 63 characters in DNS name {text!r}")
        if label == "*" and index != 0:
            raise ValueError(f"wildcard only allowed as the first label: {text!r}")
        if (
            label != "*"
            and not _ASCII_LABEL.fullmatch(label)  # the fast path for nearly every name
            and not all(c.isalnum() or c in "-_" for c in label)
        ):
            raise ValueError(f"invalid character in DNS name {text!r}")
    if sum(len(label) + 1 for label in labels) > 254:
        raise ValueError(f"DNS name longer than 253 characters: {text!r}")
    return labels


@dataclass(frozen=True, slots=True, order=True)
class PortRange:
    """An inclusive TCP/UDP port range; ``*`` is 0-65535."""

    low: int
    high: int

    def __post_init__(self) -> None:
        if not (0 <= self.low <= self.high <= 65535):
            raise ValueError(f"invalid port range {self.low}-{self.high}")

    @staticmethod
    def parse(text: str | int) -> PortRange:
        value = str(text).strip()
        if value in ("*", "Any", "any"):
            return PortRange(0, 65535)
        try:
            if "-" in value:
                low, high = value.split("-", 1)
                return PortRange(int(low), int(high))
            return PortRange(int(value), int(value))
        except ValueError:
            raise ValueError(f"not a port or port range: {text!r}") from None

    def __str__(self) -> str:
        if (self.low, self.high) == (0, 65535):
            return "*"
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"

    def contains(self, port: int) -> bool:
        return self.low <= port <= self.high


@dataclass(frozen=True, slots=True)
class FqdnPattern:
    """A firewall FQDN target as written: ``pypi.org``, ``*.pytorch.org``, ``*``, or a mistake.

    Kept as text (lower-cased) rather than a ``DnsName``, because the mistakes people make -
    ``*pytorch.org`` without the dot - must load so that a rule can report them.
    Matching follows Azure Firewall: ``*.x`` matches every name below ``x`` but never ``x``
    itself; ``*`` matches everything; a leading ``*`` without a dot matches any name ending in
    the rest (which is why it is a mistake: ``*pytorch.org`` also matches ``evilpytorch.org``).
    """

    text: str

    def __init__(self, text: str) -> None:
        cleaned = text.strip().rstrip(".").lower()
        if not cleaned or " " in cleaned:
            raise ValueError(f"not an FQDN pattern: {text!r}")
        object.__setattr__(self, "text", cleaned)

    def __str__(self) -> str:
        return self.text

    @property
    def is_wildcard(self) -> bool:
        return self.text.startswith("*")

    @property
    def is_everything(self) -> bool:
        return self.text == "*"

    @property
    def is_well_formed(self) -> bool:
        """``*`` alone, ``*.name`` or a plain name; anything else is a typo waiting to bite."""
        if self.is_everything:
            return True
        body = self.text[2:] if self.text.startswith("*.") else self.text
        if "*" in body:
            return False
        try:
            DnsName(body)
        except ValueError:
            return False
        return True

    @property
    def base(self) -> str:
        """The name a wildcard hangs off (``*.x.com`` -> ``x.com``); the name itself otherwise."""
        if self.text.startswith("*."):
            return self.text[2:]
        return self.text.lstrip("*")

    def matches(self, name: DnsName) -> bool:
        text = str(name)
        if self.is_everything:
            return True
        if self.text.startswith("*."):
            return text.endswith("." + self.text[2:])
        if self.text.startswith("*"):
            return text.endswith(self.text[1:]) and text != self.text[1:]
        return text == self.text
