"""Carve subnets out of an address space and hand out host addresses, deterministically."""

from __future__ import annotations

from dataclasses import dataclass

from heiki.model.values import Address, Prefix


@dataclass(frozen=True, slots=True)
class SubnetRequest:
    """A subnet a blueprint asks for: its role, name and size."""

    role: str
    name: str
    size: int
    """Prefix length wanted, e.g. 26 for a /26."""
    fixed: Prefix | None = None


def carve(space: tuple[Prefix, ...], requests: list[SubnetRequest]) -> dict[str, Prefix | None]:
    """Place every request in the address space; fixed prefixes first, then largest blocks first.

    Each automatic request gets the lowest aligned block that overlaps nothing placed so far, so
    the result depends only on the input. A request that does not fit maps to ``None``.
    """
    placed: dict[str, Prefix | None] = {}
    taken: list[Prefix] = []
    for request in requests:
        if request.fixed is not None:
            placed[request.role] = request.fixed
            taken.append(request.fixed)
    automatic = [r for r in requests if r.fixed is None]
    # Largest first (smallest prefix length); stable on the declared order for equal sizes.
    for request in sorted(automatic, key=lambda r: r.size):
        placed[request.role] = _first_free(space, request.size, taken)
        if placed[request.role] is not None:
            taken.append(placed[request.role])  # type: ignore[arg-type]
    return placed


def _first_free(space: tuple[Prefix, ...], size: int, taken: list[Prefix]) -> Prefix | None:
    for block in space:
        if size < block.prefixlen:
            continue
        for candidate in block.subnets(new_prefix=size):
            if not any(candidate.overlaps(t) for t in taken):
                return candidate
    return None


class HostAllocator:
    """Hands out host addresses of one subnet in order, skipping Azure's reserved addresses."""

    def __init__(self, prefix: Prefix, leading_reserved: int, trailing_reserved: int) -> None:
        self._prefix = prefix
        self._next = leading_reserved
        self._last = prefix.num_addresses - 1 - trailing_reserved
        self._used: set[Address] = set()

    def reserve(self, address: Address) -> None:
        self._used.add(address)

    def next(self) -> Address | None:
        while self._next <= self._last:
            candidate = self._prefix.network_address + self._next
            self._next += 1
            if candidate not in self._used:
                self._used.add(candidate)
                return candidate
        return None
