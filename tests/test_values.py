"""Value types: resource IDs, DNS names, port ranges, and subnet carving invariants."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from heiki.model.values import DnsName, PortRange, ResourceId
from heiki.sources.blueprint.carving import HostAllocator, SubnetRequest, carve

SUBNET = (
    "/subscriptions/S1/resourceGroups/rg-Net/providers/Microsoft.Network/"
    "virtualNetworks/vnet-hub/subnets/AzureFirewallSubnet"
)


def test_resource_id_is_case_insensitive_but_keeps_spelling() -> None:
    a = ResourceId(SUBNET)
    b = ResourceId(SUBNET.lower())
    assert a == b and hash(a) == hash(b)
    assert str(a) == SUBNET
    assert a.resource_type == "Microsoft.Network/virtualNetworks/subnets"
    assert a.name == "AzureFirewallSubnet"
    assert a.resource_group == "rg-Net"
    assert a.parent == ResourceId(SUBNET.rsplit("/", 2)[0])


@pytest.mark.parametrize(
    "text",
    ["", "subscriptions/x", "/subscriptions/", "/subscriptions/s/resourceGroups/r/providers/Ns/t"],
)
def test_resource_id_rejects_malformed(text: str) -> None:
    with pytest.raises(ValueError):
        ResourceId(text)


def test_resource_id_build_and_child() -> None:
    vnet = ResourceId.build("s", "rg", "Microsoft.Network/virtualNetworks", "v")
    assert vnet.child("subnets", "a") == ResourceId.build(
        "s", "rg", "Microsoft.Network/virtualNetworks/subnets", "v", "a"
    )


def test_dns_name_semantics() -> None:
    name = DnsName("Acct.Blob.Core.Windows.Net.")
    assert str(name) == "acct.blob.core.windows.net"
    zone = DnsName("blob.core.windows.net")
    assert name.is_subdomain_of(zone) and zone.is_subdomain_of(zone)
    assert not zone.is_subdomain_of(name)
    assert name.relativize(zone) == "acct"
    assert zone.relativize(zone) == "@"
    assert zone.join("acct") == name
    wildcard = DnsName("*.contoso.com")
    assert DnsName("a.b.contoso.com").matches_pattern(wildcard)
    assert not DnsName("contoso.com").matches_pattern(wildcard)  # the apex is not matched


@pytest.mark.parametrize("text", ["a..b", "a.*.b", "-" * 64 + ".com", "bad name.com"])
def test_dns_name_rejects_malformed(text: str) -> None:
    with pytest.raises(ValueError):
        DnsName(text)


labels = st.lists(
    st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True), min_size=1, max_size=5
)


@given(labels, labels)
def test_dns_join_relativize_round_trip(prefix: list[str], zone_labels: list[str]) -> None:
    zone = DnsName(".".join(zone_labels))
    name = DnsName(".".join(prefix + zone_labels))
    assert zone.join(name.relativize(zone)) == name
    assert name.is_subdomain_of(zone)


@given(st.integers(0, 65535), st.integers(0, 65535))
def test_port_range_parse_round_trip(a: int, b: int) -> None:
    low, high = sorted((a, b))
    port_range = PortRange(low, high)
    assert PortRange.parse(str(port_range)) == port_range
    assert port_range.contains(low) and port_range.contains(high)


@given(st.lists(st.integers(min_value=20, max_value=29), min_size=1, max_size=12))
def test_carving_never_overlaps_and_stays_inside(sizes: list[int]) -> None:
    space = (ipaddress.IPv4Network("10.8.0.0/16"),)
    requests = [SubnetRequest(f"r{i}", f"s{i}", size) for i, size in enumerate(sizes)]
    placed = carve(space, requests)
    blocks = [p for p in placed.values() if p is not None]
    assert all(b.subnet_of(space[0]) for b in blocks)
    for i, a in enumerate(blocks):
        for b in blocks[i + 1 :]:
            assert not a.overlaps(b)
    # deterministic: same input, same plan
    assert carve(space, requests) == placed


def test_host_allocator_skips_reserved_addresses() -> None:
    allocator = HostAllocator(ipaddress.IPv4Network("10.0.1.0/29"), 4, 1)
    assert str(allocator.next()) == "10.0.1.4"
    assert str(allocator.next()) == "10.0.1.5"
    assert str(allocator.next()) == "10.0.1.6"
    assert allocator.next() is None  # .7 is the broadcast address
