"""DNS toil: what a lifecycle event forces people to change by hand before names resolve again.

Each event is applied to a copy of the environment (a new compute instance, a deleted one, a new
storage account with a private endpoint). Then every name the event concerns is resolved from
every vantage that needs it. A vantage that does not get the right private IP needs a manual
out-of-band change; changes are grouped into change requests per team and system, because that is
what a person files (one ticket to the on-premises DNS team listing four records is one change).
Stale records left behind by a deletion count too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from heiki.analyses.allocation import allocate_endpoint_ips
from heiki.analyses.dns.matrix import workload_vantages
from heiki.analyses.dns.resolver import Resolver
from heiki.analyses.dns.types import Outcome, Resolution
from heiki.analyses.dns.world import DnsWorld, build_world
from heiki.analyses.vantage import Vantage
from heiki.catalog import Catalog
from heiki.catalog.names import (
    compute_instance_names,
    compute_instance_target,
    endpoint_records,
    target_region,
)
from heiki.model.endpoints import (
    PrivateDnsZoneConfig,
    PrivateDnsZoneGroup,
    PrivateEndpoint,
)
from heiki.model.environment import Environment
from heiki.model.ml import Compute, ComputeType, Workspace, placeholder_guid
from heiki.model.services import StorageAccount
from heiki.model.values import Address, DnsName, ResourceId

ONPREM_DNS_TEAM = "on-premises DNS team"
PLATFORM_TEAM = "Azure platform team"


class LifecycleEvent(StrEnum):
    NEW_COMPUTE_INSTANCE = "new compute instance"
    DELETE_COMPUTE_INSTANCE = "delete compute instance"
    NEW_PRIVATE_ENDPOINT = "new private endpoint (storage account)"
    NEW_WORKSPACE = "new spoke (workspace)"


@dataclass(frozen=True, slots=True)
class ManualChange:
    """One change request to one team for one system, with the concrete items it must contain."""

    team: str
    system: str
    action: str
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EventToil:
    """The manual DNS changes one lifecycle event needs."""

    event: LifecycleEvent
    subject: str
    changes: tuple[ManualChange, ...]
    failing: tuple[Resolution, ...]
    """Resolutions that were wrong right after the event (the evidence)."""
    not_applicable: str = ""

    @property
    def count(self) -> int:
        return len(self.changes)


@dataclass(frozen=True)
class DnsToil:
    """The manual DNS changes of every lifecycle event."""

    events: tuple[EventToil, ...]

    @property
    def total(self) -> int:
        return sum(e.count for e in self.events)


def _workspace_with_instances(env: Environment) -> tuple[Workspace, Compute | None] | None:
    for workspace in env.workspaces:
        if not env.private_endpoints_for(workspace.id):
            continue
        instance = next(
            (
                c
                for c in env.computes
                if c.workspace == workspace.id
                and c.compute_type is ComputeType.COMPUTE_INSTANCE
                and c.subnet is not None
            ),
            None,
        )
        return workspace, instance
    return None


def _expected_workspace_ip(
    env: Environment, catalog: Catalog, workspace: Workspace
) -> Address | None:
    region = target_region(env, workspace.id, env.location)
    target = compute_instance_target(catalog, workspace, region)
    for endpoint in env.private_endpoints_for(workspace.id):
        for record in endpoint_records(catalog, env, endpoint):
            if record.private == target:
                return record.address
    return None


def _forwarder_zone(catalog: Catalog, name: DnsName, region: str) -> DnsName:
    """The public zone an on-premises forwarder for ``name`` must cover (longest catalog match)."""
    zones = [
        DnsName(zone.replace("{region}", region))
        for service in catalog.private_link
        for zone in service.public_forwarder_zones
    ] + [DnsName(suffix) for suffix in catalog.compute_instance_suffixes]
    matching = [z for z in zones if name.is_subdomain_of(z)]
    return max(matching, key=lambda z: len(z.labels)) if matching else name.parent()


def _a_record_style(resolver: Resolver) -> bool:
    """On-premises hosts zones for public Azure names: the design adds one A record per name."""
    world = resolver.world
    return any(
        zone.zone in world.public_aliases
        for server in world.onprem_by_ip.values()
        for zone in server.zones
    )


def _changes_for(
    failures: list[tuple[Vantage, DnsName, Address | None, Resolution]],
    catalog: Catalog,
    region: str,
    a_record_style: bool,
) -> tuple[ManualChange, ...]:
    """Group what each failing resolution needs into change requests."""
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for vantage, name, address, resolution in failures:
        if vantage.on_premises:
            server = next(
                (s.server for s in resolution.steps if s.server.startswith("on-premises ")),
                "on-premises DNS",
            )
            if a_record_style:
                key = (ONPREM_DNS_TEAM, server, "add A records")
                grouped.setdefault(key, []).append(f"{name} A {address}")
            else:
                key = (ONPREM_DNS_TEAM, server, "add conditional forwarders")
                zone = _forwarder_zone(catalog, name, region)
                grouped.setdefault(key, []).append(f"{zone} -> the hub DNS endpoint")
        else:
            key = (PLATFORM_TEAM, vantage.name, "make the private name resolve (zone link/record)")
            grouped.setdefault(key, []).append(f"{name} -> {address}")
    return tuple(
        ManualChange(team, system, action, tuple(sorted(set(items))))
        for (team, system, action), items in sorted(grouped.items())
    )


def _check(
    resolver: Resolver,
    names: list[tuple[DnsName, Address | None]],
    vantages: tuple[Vantage, ...],
    originals: dict[DnsName, tuple[DnsName, Address | None]] | None = None,
) -> tuple[tuple[ManualChange, ...], tuple[Resolution, ...]]:
    """Resolve every name from every vantage; the failures become change requests.

    ``originals`` maps the name of a copy to the name it was copied from: a copy that fails
    where its original fails too inherits a defect of today's environment (reported by the DNS
    rules already); it is not toil the design forces on every new one."""
    failures = []
    evidence = []
    for vantage in vantages:
        for name, address in names:
            resolution = resolver.resolve(vantage, name)
            ok = resolution.outcome is Outcome.PRIVATE and address in resolution.addresses
            if not ok and originals and name in originals:
                original, expected = originals[name]
                today = resolver.resolve(vantage, original)
                if not (today.outcome is Outcome.PRIVATE and expected in today.addresses):
                    continue
            if not ok:
                failures.append((vantage, name, address, resolution))
                evidence.append(resolution)
    env = resolver.world.env
    changes = _changes_for(
        failures, resolver.world.catalog, env.location, _a_record_style(resolver)
    )
    return changes, tuple(evidence)


def new_compute_instance(
    env: Environment, catalog: Catalog, name: str = "ci-new", base: DnsWorld | None = None
) -> EventToil:
    found = _workspace_with_instances(env)
    if found is None:
        return EventToil(
            LifecycleEvent.NEW_COMPUTE_INSTANCE, name, (), (), "no private-link workspace"
        )
    workspace, template = found
    subnet = (
        template.subnet
        if template
        else next(
            (c.subnet for c in env.computes if c.workspace == workspace.id and c.subnet), None
        )
    )
    if subnet is None:
        return EventToil(
            LifecycleEvent.NEW_COMPUTE_INSTANCE, name, (), (), "the workspace has no compute subnet"
        )
    compute = Compute(
        id=workspace.id.child("computes", name),
        name=name,
        location=workspace.location,
        workspace=workspace.id,
        compute_type=ComputeType.COMPUTE_INSTANCE,
        subnet=subnet,
        enable_node_public_ip=False,
    )
    after = replace(env, computes=(*env.computes, compute))
    address = _expected_workspace_ip(after, catalog, workspace)
    region = target_region(after, workspace.id, after.location)
    names = [(n, address) for n in compute_instance_names(catalog, compute, region)]
    home = after.vnet_of_subnet(subnet)
    vantages = tuple(
        v
        for v in workload_vantages(after)
        if v.on_premises or (home is not None and v.vnet == home.id)
    )
    changes, evidence = _check(_resolver(after, catalog, base), names, vantages)
    return EventToil(LifecycleEvent.NEW_COMPUTE_INSTANCE, name, changes, evidence)


def delete_compute_instance(env: Environment, catalog: Catalog) -> EventToil:
    found = _workspace_with_instances(env)
    if found is None or found[1] is None:
        return EventToil(
            LifecycleEvent.DELETE_COMPUTE_INSTANCE,
            "-",
            (),
            (),
            "no compute instance in a private-link workspace",
        )
    workspace, instance = found
    assert instance is not None
    after = replace(env, computes=tuple(c for c in env.computes if c.id != instance.id))
    region = target_region(after, workspace.id, after.location)
    gone = set(compute_instance_names(catalog, instance, region))
    stale: dict[str, list[str]] = {}
    if after.on_premises:
        for server in after.on_premises.dns_servers:
            label = f"on-premises {server.name} {server.address}"
            for zone in server.zones:
                for record in zone.record_sets:
                    fqdn = zone.zone.join(record.name)
                    if fqdn in gone:
                        stale.setdefault(label, []).append(
                            f"{fqdn} A {', '.join(map(str, record.a_records))}"
                        )
    changes = tuple(
        ManualChange(ONPREM_DNS_TEAM, server, "remove stale A records", tuple(sorted(items)))
        for server, items in sorted(stale.items())
    )
    return EventToil(LifecycleEvent.DELETE_COMPUTE_INSTANCE, instance.name, changes, ())


def new_private_endpoint(
    env: Environment, catalog: Catalog, name: str = "stnewaccount", base: DnsWorld | None = None
) -> EventToil:
    template = next((pe for pe in env.private_endpoints if "blob" in pe.group_ids), None)
    if template is None:
        return EventToil(
            LifecycleEvent.NEW_PRIVATE_ENDPOINT,
            name,
            (),
            (),
            "no blob private endpoint to model the new one on",
        )
    account_id = ResourceId.build(
        template.id.subscription_id,
        template.id.resource_group or "rg",
        "Microsoft.Storage/storageAccounts",
        name,
    )
    account = StorageAccount(id=account_id, name=name, location=template.location)
    # The new endpoint is modelled on an existing blob endpoint: same subnet, same zone group;
    # its IP is left to Azure (allocated by heiki like any IP the source leaves open).
    endpoint = PrivateEndpoint(
        id=ResourceId.build(
            template.id.subscription_id,
            template.id.resource_group or "rg",
            "Microsoft.Network/privateEndpoints",
            f"pep-{name}-blob",
        ),
        name=f"pep-{name}-blob",
        location=template.location,
        subnet=template.subnet,
        private_link_service=account_id,
        group_ids=("blob",),
        dns_zone_groups=tuple(
            PrivateDnsZoneGroup(
                g.name,
                tuple(PrivateDnsZoneConfig(c.name, c.private_dns_zone) for c in g.zone_configs),
            )
            for g in template.dns_zone_groups
        ),
    )
    after = replace(
        env,
        storage_accounts=(*env.storage_accounts, account),
        private_endpoints=(*env.private_endpoints, endpoint),
    )
    resolver = _resolver(after, catalog, base)
    allocated = next(pe for pe in resolver.world.env.private_endpoints if pe.id == endpoint.id)
    address = (
        allocated.ip_configurations[0].private_ip_address if allocated.ip_configurations else None
    )
    names = [(DnsName(f"{name}.blob.core.windows.net"), address)]
    changes, evidence = _check(resolver, names, workload_vantages(after))
    return EventToil(LifecycleEvent.NEW_PRIVATE_ENDPOINT, name, changes, evidence)


def new_workspace(
    env: Environment, catalog: Catalog, name: str = "mlw-new", base: DnsWorld | None = None
) -> EventToil:
    """A second workspace like the first, with its own storage, Key Vault and registry."""
    found = _workspace_with_instances(env)
    if found is None:
        return EventToil(LifecycleEvent.NEW_WORKSPACE, name, (), (), "no private-link workspace")
    workspace, _ = found
    clones: dict[ResourceId, ResourceId] = {}
    for original in (
        workspace.id,
        workspace.storage_account,
        workspace.key_vault,
        workspace.container_registry,
    ):
        if original is not None:
            clones[original] = ResourceId(f"{original.text}new")
    new_id = clones[workspace.id]
    copies = [
        replace(
            workspace,
            id=new_id,
            name=new_id.name,
            workspace_id=placeholder_guid(new_id),
            storage_account=clones[workspace.storage_account],
            key_vault=clones[workspace.key_vault],
            container_registry=clones.get(workspace.container_registry)
            if workspace.container_registry
            else None,
        )
    ]
    storage = [
        replace(s, id=clones[s.id], name=clones[s.id].name)
        for s in env.storage_accounts
        if s.id in clones
    ]
    vaults = [
        replace(v, id=clones[v.id], name=clones[v.id].name)
        for v in env.key_vaults
        if v.id in clones
    ]
    registries = [
        replace(r, id=clones[r.id], name=clones[r.id].name)
        for r in env.container_registries
        if r.id in clones
    ]
    # Its endpoints copy the first workspace's (same subnet and zone groups); Azure picks the IPs.
    endpoints = [
        replace(
            pe,
            id=ResourceId(f"{pe.id.text}new"),
            name=f"{pe.name}new",
            private_link_service=clones[pe.private_link_service],
            ip_configurations=(),
        )
        for pe in env.private_endpoints
        if pe.private_link_service in clones
    ]
    after = replace(
        env,
        workspaces=(*env.workspaces, *copies),
        storage_accounts=(*env.storage_accounts, *storage),
        key_vaults=(*env.key_vaults, *vaults),
        container_registries=(*env.container_registries, *registries),
        private_endpoints=(*env.private_endpoints, *endpoints),
    )
    resolver = _resolver(after, catalog, base)
    world_env = resolver.world.env
    names: list[tuple[DnsName, Address | None]] = []
    originals: dict[DnsName, tuple[DnsName, Address | None]] = {}
    copied_from = {copy: original for original, copy in clones.items()}
    by_service: dict[tuple[ResourceId, str, str, DnsName], tuple[DnsName, Address | None]] = {}
    for endpoint in world_env.private_endpoints:
        if endpoint.private_link_service not in clones:
            continue  # only the originals' names are compared
        for record in endpoint_records(catalog, world_env, endpoint):
            if record.public is not None and record.address is not None:
                key = (endpoint.private_link_service, record.group_id, record.member, record.zone)
                by_service[key] = (
                    record.public,
                    record.address,
                )
    for endpoint in world_env.private_endpoints:
        if endpoint.private_link_service not in clones.values():
            continue
        for record in endpoint_records(catalog, world_env, endpoint):
            if record.public is not None and record.address is not None:
                names.append((record.public, record.address))
                original = copied_from[endpoint.private_link_service]
                twin = by_service.get((original, record.group_id, record.member, record.zone))
                if twin is not None:
                    originals[record.public] = twin
    changes, evidence = _check(resolver, names, workload_vantages(after), originals)
    return EventToil(LifecycleEvent.NEW_WORKSPACE, new_id.name, changes, evidence)


def _resolver(after: Environment, catalog: Catalog, base: DnsWorld | None) -> Resolver:
    """A resolver for the environment after an event; its DNS world extends today's."""
    return Resolver(after, catalog, world=build_world(after, catalog, base))


def dns_toil(env: Environment, catalog: Catalog, world: DnsWorld | None = None) -> DnsToil:
    """Toil of every DNS-relevant lifecycle event for ``env``. ``world``: today's DNS world,
    where the caller has it (each event's world extends it instead of being built anew)."""
    # Endpoint IPs a source left to Azure get their deterministic placeholders first, so that
    # the expected answers exist (blueprints assign them; ARM templates usually do not).
    env = allocate_endpoint_ips(env, catalog)
    base = world if world is not None and world.env is env else build_world(env, catalog)
    return DnsToil(
        (
            new_compute_instance(env, catalog, base=base),
            delete_compute_instance(env, catalog),
            new_private_endpoint(env, catalog, base=base),
            new_workspace(env, catalog, base=base),
        )
    )
