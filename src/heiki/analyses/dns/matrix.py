"""The DNS matrix: every name the environment's workloads need x every relevant vantage.

Private names (private endpoints, compute instances) must resolve to the endpoint's IP from every
client and workload vantage; the public names workloads need (Azure ML's own FQDNs, package and
model sources) must resolve publicly from the workload subnets.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass
from enum import StrEnum

from heiki.analyses.bulk import collector_paused
from heiki.analyses.dns.resolver import Resolver
from heiki.analyses.dns.types import Outcome, Resolution
from heiki.analyses.vantage import Vantage, VantageKind, list_vantages
from heiki.catalog import Catalog
from heiki.catalog.names import (
    compute_instance_names,
    compute_instance_target,
    endpoint_records,
    online_endpoint_names,
    target_region,
)
from heiki.model.environment import Environment
from heiki.model.ml import ComputeType, Workspace
from heiki.model.network import NetworkInterface
from heiki.model.values import Address, DnsName, ResourceId

PUBLIC_PROFILES = ("azure-ml", "mcr")
"""Profiles whose exact FQDNs every workload subnet must resolve (plus the capability profiles)."""


class Expectation(StrEnum):
    PRIVATE = "private"
    PUBLIC = "public"


@dataclass(frozen=True, slots=True)
class NeededName:
    """A name a workload must resolve, and the answer it must get."""

    name: DnsName
    expect: Expectation
    address: Address | None
    """The private IP it must resolve to (for private names)."""
    why: str
    resource: ResourceId | None = None


@dataclass(frozen=True, slots=True)
class DnsView:
    """Vantages that resolve every name the same way (their first DNS server is the same and
    reachable): each name is resolved once for all of them."""

    id: str
    vantages: tuple[str, ...]
    server: str
    """What they share: the first DNS server they ask, or why a vantage stands alone."""


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """One name from one view: the answer every vantage of the view gets."""

    name: DnsName
    view: str
    vantages: tuple[str, ...]
    """The view's vantages that need the name (on-premises clients need no public name)."""
    expected: Expectation
    expected_address: Address | None
    resolution: Resolution
    """Resolved from the first of ``vantages``: the evidence is that vantage's own."""

    @property
    def vantage(self) -> str:
        return self.vantages[0]

    @property
    def ok(self) -> bool:
        if self.expected is Expectation.PRIVATE:
            return (
                self.resolution.outcome is Outcome.PRIVATE
                and self.expected_address in self.resolution.addresses
            )
        return self.resolution.outcome in (Outcome.PUBLIC, Outcome.PRIVATE)


@dataclass(frozen=True)
class DnsMatrix:
    """Needed names resolved per DNS view: the names, the vantages, their views and the cells."""

    names: tuple[NeededName, ...]
    vantages: tuple[Vantage, ...]
    views: tuple[DnsView, ...]
    cells: tuple[MatrixCell, ...]
    """One per name and view: the matrix grows with names x views, not names x vantages."""
    managed: tuple[str, ...] = ()
    """Compute in a workspace's managed VNet, left out: it resolves with Microsoft-managed
    private zones heiki cannot see, so no expected address holds there (its traces resolve the
    workspace's names through those zones and everything else publicly)."""

    @functools.cached_property
    def failures(self) -> tuple[MatrixCell, ...]:
        return tuple(c for c in self.cells if not c.ok)


def private_names(env: Environment, catalog: Catalog) -> tuple[NeededName, ...]:
    """Names clients use for private endpoints and compute instances, with the IP expected."""
    needed: dict[DnsName, NeededName] = {}
    for endpoint in env.private_endpoints:
        for record in endpoint_records(catalog, env, endpoint):
            if record.address is None or record.relative.startswith("*"):
                continue
            # Clients use the public name; where none exists (ML registries) the private one.
            name = record.public or record.private
            needed.setdefault(
                name,
                NeededName(
                    name,
                    Expectation.PRIVATE,
                    record.address,
                    f"{record.group_id} of {record.target.name}",
                    record.target,
                ),
            )
    for online in online_endpoint_names(catalog, env):
        # the wildcard inference record of the workspace's endpoint answers every scoring name
        address = next(
            (
                r.address
                for pe in env.private_endpoints_for(online.workspace.id)
                for r in endpoint_records(catalog, env, pe)
                if r.relative.startswith("*")
                and online.target.is_subdomain_of(r.zone)
                and online.target.parent() == r.zone.join(r.relative[2:])
            ),
            None,
        )
        needed.setdefault(
            online.public,
            NeededName(
                online.public,
                Expectation.PRIVATE,
                address,
                f"online endpoint {online.public.labels[0]}",
                online.workspace.id,
            ),
        )
    for compute in env.computes:
        if compute.compute_type is not ComputeType.COMPUTE_INSTANCE:
            continue
        workspace = env.get_typed(compute.workspace, Workspace)
        if workspace is None or not env.private_endpoints_for(workspace.id):
            continue
        region = target_region(env, workspace.id, env.location)
        target = compute_instance_target(catalog, workspace, region)
        address = next(
            (
                r.address
                for pe in env.private_endpoints_for(workspace.id)
                for r in endpoint_records(catalog, env, pe)
                if r.private == target
            ),
            None,
        )
        for name in compute_instance_names(catalog, compute, region):
            needed.setdefault(
                name,
                NeededName(
                    name,
                    Expectation.PRIVATE,
                    address,
                    f"compute instance {compute.name}",
                    compute.id,
                ),
            )
    return tuple(sorted(needed.values(), key=_dns_order))


def public_names(env: Environment, catalog: Catalog) -> tuple[NeededName, ...]:
    """Exact public FQDNs workloads need: Azure ML's own and the inner-loop sources."""
    profiles = list(PUBLIC_PROFILES)
    for _, names in catalog.capabilities:
        profiles += [p for p in names if p not in profiles]
    needed: dict[DnsName, NeededName] = {}
    for profile_name in profiles:
        profile = catalog.egress_profile(profile_name)
        for destination in profile.destinations if profile else ():
            fqdn = destination.for_region(env.location).fqdn
            if not fqdn or fqdn.startswith("*"):
                continue
            name = DnsName(fqdn)
            needed.setdefault(
                name, NeededName(name, Expectation.PUBLIC, None, f"egress profile {profile_name}")
            )
    return tuple(sorted(needed.values(), key=_dns_order))


def workload_vantages(env: Environment) -> tuple[Vantage, ...]:
    """On-premises clients and every subnet that holds compute, VMs or a runtime."""
    used: set[ResourceId] = {c.subnet for c in env.computes if c.subnet is not None}
    used |= {
        nic.subnet
        for nic in env.network_interfaces
        if isinstance(nic, NetworkInterface) and nic.virtual_machine is not None
    }
    result = []
    for vantage in list_vantages(env):
        if (
            vantage.kind is VantageKind.ONPREM and env.on_premises and env.on_premises.dns_servers
        ) or (vantage.kind is VantageKind.SUBNET and vantage.subnet in used):
            result.append(vantage)
    return tuple(result)


def dns_matrix(
    env: Environment,
    catalog: Catalog,
    resolver: Resolver | None = None,
    private: tuple[NeededName, ...] | None = None,
) -> DnsMatrix:
    """``private``: the private names of the resolver's environment, where the caller has them."""
    with collector_paused():
        return _dns_matrix(env, catalog, resolver, private)


def _dns_matrix(
    env: Environment,
    catalog: Catalog,
    resolver: Resolver | None,
    private: tuple[NeededName, ...] | None,
) -> DnsMatrix:
    resolver = resolver or Resolver(env, catalog)
    vantages = workload_vantages(resolver.world.env)
    if private is None:
        private = private_names(resolver.world.env, catalog)
    public = public_names(resolver.world.env, catalog)
    needed_names = (*private, *public)
    views = _views(resolver, vantages, needed_names)
    # who asks, per view: everyone for private names; on-premises clients do not install
    # packages into Azure compute, so not them for public names (worked out once per view)
    askers = {
        expect: [
            (view, [v for v in members if expect is Expectation.PRIVATE or not v.on_premises])
            for view, members in views
        ]
        for expect in Expectation
    }
    names_of = {
        (expect, view.id): tuple(v.name for v in members)
        for expect, pairs in askers.items()
        for view, members in pairs
    }
    cells: list[MatrixCell] = []
    for needed in needed_names:
        for view, members in askers[needed.expect]:
            if not members:
                continue
            cells.append(
                MatrixCell(
                    needed.name,
                    view.id,
                    names_of[(needed.expect, view.id)],
                    needed.expect,
                    needed.address,
                    resolver.resolve(members[0], needed.name),
                )
            )
    managed = tuple(
        v.name for v in list_vantages(resolver.world.env) if v.kind is VantageKind.MANAGED
    )
    return DnsMatrix(
        needed_names, vantages, tuple(view for view, _ in views), tuple(cells), managed
    )


def _views(
    resolver: Resolver, vantages: tuple[Vantage, ...], needed: tuple[NeededName, ...]
) -> list[tuple[DnsView, list[Vantage]]]:
    """The vantages grouped by DNS view, in the order of their first vantage. A vantage's view
    is known once it has resolved (its plan to its first server is made then)."""
    if needed:
        for vantage in vantages:
            resolver.resolve(vantage, needed[0].name)
    groups: dict[object, list[Vantage]] = {}
    servers: dict[object, str] = {}
    for vantage in vantages:
        key = resolver.view_key(vantage)
        if key is None:
            groups[("alone", vantage.name)] = [vantage]
            servers[("alone", vantage.name)] = "no shared first DNS server"
            continue
        groups.setdefault(key, []).append(vantage)
        context, address = key
        # Azure DNS answers per VNet (its linked zones); a custom server answers everyone alike
        where = f" as seen from {str(context).rsplit('/', 1)[-1]}" if context else ""
        servers[key] = f"first DNS server {ipaddress.IPv4Address(address)}{where}"
    return [
        (DnsView(f"view-{i}", tuple(v.name for v in members), servers[key]), members)
        for i, (key, members) in enumerate(groups.items(), start=1)
    ]


def _dns_order(needed: NeededName) -> tuple[str, ...]:
    """The order of ``DnsName.__lt__`` (labels from the root), each name's key built once
    instead of twice per comparison (25,000 names at 1,000 spokes)."""
    return needed.name.labels[::-1]
