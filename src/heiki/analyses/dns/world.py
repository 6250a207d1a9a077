"""Everything the resolver looks up, computed once per environment.

- private zones with their records: the record sets declared, plus those the private endpoints'
  DNS zone groups write (from the catalog's templates);
- public DNS: the privatelink CNAMEs Azure publishes for resources with private endpoints, the
  compute-instance names, and symbolic public endpoints for everything else;
- who answers DNS at which address: resolver inbound endpoints, firewall DNS proxies, DNS VMs,
  on-premises servers, and Azure DNS itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import TypeVar, cast

from heiki.analyses.allocation import allocate_endpoint_ips
from heiki.catalog import Catalog
from heiki.catalog.names import (
    compute_instance_names,
    compute_instance_target,
    endpoint_records,
    online_endpoint_names,
    public_names_of,
    target_region,
)
from heiki.model.base import Resource
from heiki.model.dns import (
    DnsForwardingRuleset,
    DnsResolver,
    PrivateDnsZone,
    RecordSet,
    RecordType,
    VirtualNetworkLink,
)
from heiki.model.endpoints import PrivateEndpoint
from heiki.model.environment import Environment
from heiki.model.firewall import AzureFirewall, FirewallPolicy
from heiki.model.ml import Compute, Workspace
from heiki.model.network import NetworkInterface, VirtualMachine, VmRole
from heiki.model.onprem import ConditionalForwarder, OnPremDnsServer, OnPremDnsZone
from heiki.model.source import SourceLocation
from heiki.model.values import Address, DnsName, ResourceId


@dataclass(frozen=True, slots=True)
class ZoneRecord:
    """An A or CNAME answer held by a zone, and where it came from."""

    relative: str
    addresses: tuple[Address, ...] = ()
    cname: DnsName | None = None
    origin: str = ""
    resource: ResourceId | None = None
    location: SourceLocation | None = None


@dataclass(frozen=True)
class ZoneView:
    """A private DNS zone as the resolver reads it: records by name."""

    zone: PrivateDnsZone
    records: dict[str, tuple[ZoneRecord, ...]]

    @property
    def name(self) -> DnsName:
        return self.zone.zone

    def lookup(self, name: DnsName) -> ZoneRecord | None:
        return lookup_records(self.records, self.name, name)


_T = TypeVar("_T")


def _closest(index: dict[tuple[str, ...], _T], name: DnsName) -> _T | None:
    """The entry of the longest suffix of ``name`` in ``index``."""
    labels = name.labels
    for start in range(len(labels) + 1):
        found = index.get(labels[start:])
        if found is not None:
            return found
    return None


def lookup_records(
    records: dict[str, tuple[ZoneRecord, ...]], zone: DnsName, name: DnsName
) -> ZoneRecord | None:
    """Exact match first, then the closest wildcard (``*.x`` covers anything below ``x``)."""
    relative = name.relativize(zone)
    found = records.get(relative)
    if found:
        return found[0]
    labels = name.labels[: len(name.labels) - len(zone.labels)]
    for start in range(1, len(labels) + 1):
        rest = labels[start:]
        key = ".".join(("*", *rest))
        found = records.get(key)
        if found:
            return found[0]
    return None


@dataclass(frozen=True, slots=True)
class PublicAlias:
    """A CNAME Azure publishes in public DNS (a resource with a private endpoint)."""

    target: DnsName
    reason: str
    resource: ResourceId | None = None


@dataclass(frozen=True)
class DnsWorld:
    """Everything DNS in an environment, indexed for resolution: zones, links, rulesets, servers."""

    env: Environment
    catalog: Catalog
    zones: tuple[ZoneView, ...]
    links: dict[ResourceId, tuple[tuple[ZoneView, VirtualNetworkLink], ...]]
    rulesets: dict[ResourceId, tuple[DnsForwardingRuleset, ...]]
    public_aliases: dict[DnsName, PublicAlias]
    public_privatelink: dict[DnsName, DnsName]
    """Privatelink names that exist publicly -> the public name whose endpoint they lead to."""
    public_nxdomain_zones: tuple[DnsName, ...]
    services_by_name: dict[DnsName, ResourceId]
    """Public and privatelink names of the environment's resources -> the resource."""
    resolvers_by_ip: dict[Address, tuple[DnsResolver, str]]
    firewalls_by_ip: dict[Address, tuple[AzureFirewall, FirewallPolicy | None]]
    dns_vms_by_ip: dict[Address, tuple[VirtualMachine, ResourceId | None]]
    onprem_by_ip: dict[Address, OnPremDnsServer]
    onprem_records: dict[tuple[Address, DnsName], dict[str, tuple[ZoneRecord, ...]]]
    region: str
    privatelink_zones: dict[DnsName, DnsName] = field(default_factory=dict)
    """A service's public suffix (``blob.core.windows.net``) -> its privatelink zone, for
    resources outside the environment that have private endpoints of their own."""
    _notes: tuple[str, ...] = field(default=())
    _by_zone_name: dict[ResourceId, dict[tuple[str, ...], tuple[ZoneView, VirtualNetworkLink]]] = (
        field(default_factory=dict, init=False, compare=False, repr=False)
    )
    """Per VNet, its linked zones by their labels (built on first use)."""
    _onprem_index: dict[
        Address,
        tuple[dict[tuple[str, ...], OnPremDnsZone], dict[tuple[str, ...], ConditionalForwarder]],
    ] = field(default_factory=dict, init=False, compare=False, repr=False)
    """Per on-premises server, its hosted zones and conditional forwarders by their labels."""

    def linked_zones(self, vnet: ResourceId) -> tuple[tuple[ZoneView, VirtualNetworkLink], ...]:
        return self.links.get(vnet, ())

    def closest_onprem(
        self, address: Address, name: DnsName
    ) -> tuple[OnPremDnsZone | None, ConditionalForwarder | None]:
        """The most specific hosted zone and conditional forwarder of an on-premises server
        that cover ``name`` (first declared wins among equals, as in a scan)."""
        index = self._onprem_index.get(address)
        if index is None:
            server = self.onprem_by_ip[address]
            zones: dict[tuple[str, ...], OnPremDnsZone] = {}
            forwarders: dict[tuple[str, ...], ConditionalForwarder] = {}
            for hosted in server.zones:
                zones.setdefault(hosted.zone.labels, hosted)
            for forwarder in server.conditional_forwarders:
                forwarders.setdefault(forwarder.zone.labels, forwarder)
            index = self._onprem_index[address] = (zones, forwarders)
        return _closest(index[0], name), _closest(index[1], name)

    def closest_linked_zone(
        self, vnet: ResourceId, name: DnsName
    ) -> tuple[ZoneView, VirtualNetworkLink] | None:
        """The most specific zone linked to ``vnet`` that holds ``name`` (a lookup per label of
        the name, not a scan of the zones: a resolver answers millions of such questions)."""
        index = self._by_zone_name.get(vnet)
        if index is None:
            index = {}
            for view, link in self.links.get(vnet, ()):
                index.setdefault(view.name.labels, (view, link))
            self._by_zone_name[vnet] = index
        return _closest(index, name)

    def public_tags(self, name: DnsName) -> tuple[str, ...]:
        """Service tags of a public name, from the catalog (most specific pattern wins)."""
        best: tuple[int, tuple[str, ...]] | None = None
        for endpoint in self.catalog.public_endpoints:
            pattern = DnsName(endpoint.pattern)
            if not name.matches_pattern(pattern):
                continue
            score = len(pattern.labels) + (0 if pattern.is_wildcard else 100)
            if best is None or score > best[0]:
                tags = tuple(t.replace("{region}", self.region) for t in endpoint.service_tags)
                best = (score, tags)
        return best[1] if best else ("Internet",)


_GROWING = frozenset(
    {
        "private_endpoints",
        "computes",
        "workspaces",
        "storage_accounts",
        "key_vaults",
        "container_registries",
        "registries",
        "data_factories",
    }
)
"""What a hypothetical lifecycle event adds (DNS toil): a world can be extended by these."""


def build_world(env: Environment, catalog: Catalog, base: DnsWorld | None = None) -> DnsWorld:
    """Precompute the resolver's tables; pure and deterministic. With ``base``, the world of an
    environment that only adds endpoints, computes and services to ``base``'s is built from it
    (DNS toil asks for one per hypothetical event) - the same world, without redoing a thousand
    spokes; anything else is built from scratch."""
    env = allocate_endpoint_ips(env, catalog)
    if base is not None and base.catalog is catalog:
        extended = _extend(base, env, catalog)
        if extended is not None:
            return extended
    zone_records: dict[ResourceId, dict[str, list[ZoneRecord]]] = {}
    for zone in env.private_dns_zones:
        zone_records[zone.id] = _records_of(zone.record_sets, zone.id)
    zones_by_id = {z.id: z for z in env.private_dns_zones}
    public_aliases: dict[DnsName, PublicAlias] = {}
    public_privatelink: dict[DnsName, DnsName] = {}
    for endpoint in env.private_endpoints:
        _endpoint_names(
            catalog, env, endpoint, zones_by_id, public_aliases, public_privatelink, zone_records
        )
    _compute_names(catalog, env, env.computes, public_aliases)
    for online in online_endpoint_names(catalog, env):
        public_aliases.setdefault(
            online.public,
            PublicAlias(
                online.target,
                f"online endpoint {online.public.labels[0]} of private-link workspace "
                f"{online.workspace.name}",
                online.workspace.id,
            ),
        )
    views = tuple(
        ZoneView(zone, {k: tuple(v) for k, v in sorted(zone_records.get(zone.id, {}).items())})
        for zone in env.private_dns_zones
    )
    links = _links(env, views)
    rulesets: dict[ResourceId, list[DnsForwardingRuleset]] = {}
    for ruleset in env.dns_forwarding_rulesets:
        for ruleset_link in ruleset.virtual_network_links:
            rulesets.setdefault(ruleset_link.virtual_network, []).append(ruleset)
    resolvers: dict[Address, tuple[DnsResolver, str]] = {}
    for resolver in env.dns_resolvers:
        for inbound in resolver.inbound_endpoints:
            if inbound.private_ip_address is not None:
                resolvers[inbound.private_ip_address] = (resolver, inbound.name)
    firewalls: dict[Address, tuple[AzureFirewall, FirewallPolicy | None]] = {}
    for firewall in env.firewalls:
        if firewall.private_ip_address is not None:
            policy = env.get_typed(firewall.firewall_policy, FirewallPolicy)
            firewalls[firewall.private_ip_address] = (firewall, policy)
    dns_vms: dict[Address, tuple[VirtualMachine, ResourceId | None]] = {}
    for vm in env.virtual_machines:
        if vm.role is not VmRole.DNS_SERVER and not vm.dns_forwarders:
            continue
        for nic_id in vm.network_interfaces:
            nic = env.get_typed(nic_id, NetworkInterface)
            if nic and nic.private_ip_address is not None:
                vnet = env.vnet_of_subnet(nic.subnet)
                dns_vms[nic.private_ip_address] = (vm, vnet.id if vnet else None)
    onprem: dict[Address, OnPremDnsServer] = {}
    onprem_records: dict[tuple[Address, DnsName], dict[str, tuple[ZoneRecord, ...]]] = {}
    nx_zones: list[DnsName] = []
    public_namespaces = _public_namespaces(catalog)
    if env.on_premises:
        for server in env.on_premises.dns_servers:
            onprem[server.address] = server
            for hosted in server.zones:
                onprem_records[(server.address, hosted.zone)] = {
                    k: tuple(v) for k, v in _records_of(hosted.record_sets, None).items()
                }
            nx_zones += [
                z.zone
                for z in server.zones
                if not any(z.zone.is_subdomain_of(p) for p in public_namespaces)
            ]
    services: dict[DnsName, ResourceId] = {}
    for resource in (r for kind in _SERVICE_KINDS for r in getattr(env, kind)):
        for public_name in public_names_of(catalog, env, resource.id):
            services.setdefault(public_name, resource.id)
    for other in env.unmodelled:
        # resources heiki does not simulate still have a public endpoint that a trace can meet
        spec = catalog.coverage.surface(other.type)
        if spec is None or other.surface is None:
            continue
        try:
            resource_id = ResourceId(other.resource_id)
            short = other.host or other.name.rsplit("/", 1)[-1]
            for template in spec.public_names:
                name = DnsName(template.format(name=short, region=env.location))
                services.setdefault(name, resource_id)
        except ValueError:
            continue  # a name that is no DNS label: no public endpoint to meet
    for private_name, public_name in public_privatelink.items():
        if public_name in services:
            services.setdefault(private_name, services[public_name])
    return DnsWorld(
        env=env,
        catalog=catalog,
        zones=views,
        links=links,
        rulesets={k: tuple(v) for k, v in rulesets.items()},
        public_aliases=public_aliases,
        public_privatelink=public_privatelink,
        public_nxdomain_zones=tuple(nx_zones),
        services_by_name=services,
        privatelink_zones=_privatelink_zones(catalog),
        resolvers_by_ip=resolvers,
        firewalls_by_ip=firewalls,
        dns_vms_by_ip=dns_vms,
        onprem_by_ip=onprem,
        onprem_records=onprem_records,
        region=env.location,
    )


def _endpoint_names(
    catalog: Catalog,
    env: Environment,
    endpoint: PrivateEndpoint,
    zones_by_id: dict[ResourceId, PrivateDnsZone],
    aliases: dict[DnsName, PublicAlias],
    privatelink: dict[DnsName, DnsName],
    zone_records: dict[ResourceId, dict[str, list[ZoneRecord]]],
) -> None:
    """The public CNAMEs an endpoint's service gets and the records its zone groups write."""
    written = endpoint_records(catalog, env, endpoint)
    configured = {
        zones_by_id[c.private_dns_zone].zone: c.private_dns_zone
        for g in endpoint.dns_zone_groups
        for c in g.zone_configs
        if c.private_dns_zone in zones_by_id
    }
    for record in written:
        if record.public is not None:
            aliases.setdefault(
                record.public,
                PublicAlias(
                    record.private,
                    f"{record.target.name} has a private endpoint ({record.group_id})",
                    record.target,
                ),
            )
            privatelink.setdefault(record.private, record.public)
        zone_id = configured.get(record.zone)
        if zone_id is None or record.address is None:
            continue
        zone_records.setdefault(zone_id, {}).setdefault(record.relative, []).append(
            ZoneRecord(
                relative=record.relative,
                addresses=(record.address,),
                origin=f"DNS zone group of {endpoint.name}",
                resource=endpoint.id,
                location=endpoint.source,
            )
        )


def _compute_names(
    catalog: Catalog,
    env: Environment,
    computes: tuple[Compute, ...],
    aliases: dict[DnsName, PublicAlias],
) -> None:
    """The public names of compute instances of private-link workspaces."""
    for compute in computes:
        workspace = env.get_typed(compute.workspace, Workspace)
        if workspace is None:
            continue
        region = target_region(env, workspace.id, env.location)
        target = compute_instance_target(catalog, workspace, region)
        has_endpoint = bool(env.private_endpoints_for(workspace.id))
        for name in compute_instance_names(catalog, compute, region):
            if has_endpoint:
                aliases.setdefault(
                    name,
                    PublicAlias(
                        target,
                        f"compute instance {compute.name} of private-link "
                        f"workspace {workspace.name}",
                        compute.id,
                    ),
                )


def _links(
    env: Environment, views: tuple[ZoneView, ...]
) -> dict[ResourceId, tuple[tuple[ZoneView, VirtualNetworkLink], ...]]:
    """The zones linked to each VNet, with their links."""
    view_by_id = {v.zone.id: v for v in views}
    links: dict[ResourceId, list[tuple[ZoneView, VirtualNetworkLink]]] = {}
    for zone in env.private_dns_zones:
        for link in zone.virtual_network_links:
            links.setdefault(link.virtual_network, []).append((view_by_id[zone.id], link))
    return {k: tuple(v) for k, v in links.items()}


_SERVICE_KINDS = (
    "storage_accounts",
    "key_vaults",
    "container_registries",
    "workspaces",
    "data_factories",
    "registries",
)
"""The environment's services with public names, in the order the full build reads them."""


def _added(base: Environment, env: Environment) -> dict[str, tuple[Resource, ...]] | None:
    """What ``env`` appends to ``base``, per growing field; None when it changes anything else
    (or changes what it keeps: the kept items must be the very same objects)."""
    added: dict[str, tuple[Resource, ...]] = {}
    for item in fields(Environment):
        if not item.init:
            continue
        old, new = getattr(base, item.name), getattr(env, item.name)
        if old is new:
            continue
        if not isinstance(old, tuple) or not isinstance(new, tuple):
            if old != new:
                return None
            continue
        if len(new) < len(old) or any(a is not b for a, b in zip(old, new, strict=False)):
            return None
        if len(new) > len(old):
            if item.name not in _GROWING:
                return None
            added[item.name] = new[len(old) :]
    return added


def _extend(base: DnsWorld, env: Environment, catalog: Catalog) -> DnsWorld | None:
    """``build_world(env)`` from ``base``, when ``env`` only appends to ``base.env`` and what it
    appends names nothing ``base`` already holds; None otherwise (then built from scratch)."""
    added = _added(base.env, env)
    if added is None:
        return None
    if not added:
        return replace(base, env=env)
    endpoints = cast(tuple[PrivateEndpoint, ...], added.get("private_endpoints", ()))
    if any(base.env.get(e.private_link_service) is not None for e in endpoints):
        return None  # a new endpoint of an existing resource may change its names: rebuild
    zones_by_id = {z.id: z for z in env.private_dns_zones}
    aliases: dict[DnsName, PublicAlias] = {}
    privatelink: dict[DnsName, DnsName] = {}
    records: dict[ResourceId, dict[str, list[ZoneRecord]]] = {}
    for endpoint in endpoints:
        _endpoint_names(catalog, env, endpoint, zones_by_id, aliases, privatelink, records)
    computes = cast(tuple[Compute, ...], added.get("computes", ()))
    _compute_names(catalog, env, computes, aliases)
    services: dict[DnsName, ResourceId] = {}
    for kind in _SERVICE_KINDS:
        for resource in added.get(kind, ()):
            for public_name in public_names_of(catalog, env, resource.id):
                services.setdefault(public_name, resource.id)
    # first writer wins in a full build: a name the base already holds would be decided by order
    if (
        set(aliases) & set(base.public_aliases)
        or set(privatelink) & set(base.public_privatelink)
        or set(services) & set(base.services_by_name)
        or set(services) & set(base.public_privatelink.values())
        or set(privatelink.values()) & set(base.services_by_name)
    ):
        return None
    for private_name, public_name in privatelink.items():
        if public_name in services:
            services.setdefault(private_name, services[public_name])
    zones = base.zones
    links = base.links
    if records:
        views = []
        for view in base.zones:
            more = records.get(view.zone.id)
            if not more:
                views.append(view)
                continue
            merged = {k: list(v) for k, v in view.records.items()}
            for relative, found in more.items():
                merged.setdefault(relative, []).extend(found)
            views.append(ZoneView(view.zone, {k: tuple(v) for k, v in sorted(merged.items())}))
        zones = tuple(views)
        links = _links(env, zones)
    return replace(
        base,
        env=env,
        zones=zones,
        links=links,
        public_aliases={**base.public_aliases, **aliases},
        public_privatelink={**base.public_privatelink, **privatelink},
        services_by_name={**base.services_by_name, **services},
    )


def _records_of(
    record_sets: tuple[RecordSet, ...], zone: ResourceId | None
) -> dict[str, list[ZoneRecord]]:
    records: dict[str, list[ZoneRecord]] = {}
    for record_set in record_sets:
        records.setdefault(record_set.name.lower(), []).append(
            ZoneRecord(
                relative=record_set.name.lower(),
                addresses=record_set.a_records,
                cname=record_set.cname if record_set.record_type is RecordType.CNAME else None,
                origin=f"record set {record_set.name}",
                resource=zone,
                location=record_set.source,
            )
        )
    return records


def _privatelink_zones(catalog: Catalog) -> dict[DnsName, DnsName]:
    """``privatelink.X`` zones of the catalog (without a region placeholder), keyed by ``X``."""
    found: dict[DnsName, DnsName] = {}
    for service in catalog.private_link:
        for zone in service.private_dns_zones:
            if zone.startswith("privatelink.") and "{" not in zone:
                found.setdefault(DnsName(zone.removeprefix("privatelink.")), DnsName(zone))
    return found


def _public_namespaces(catalog: Catalog) -> tuple[DnsName, ...]:
    """Azure's public zones (every forwarder zone of the catalog, and the compute suffixes).

    An on-premises zone below one of them shadows public names (the A-record design); it does not
    make the namespace private, so public DNS still answers there.
    """
    zones = {
        DnsName(zone)
        for service in catalog.private_link
        for zone in service.public_forwarder_zones
        if "{region}" not in zone
    }
    zones |= {DnsName(s) for s in catalog.compute_instance_suffixes}
    return tuple(sorted(zones))
