"""How Azure names things behind a private endpoint: the records a DNS zone group writes, the
public names that CNAME into them, and compute-instance host names.

Shared by the sources (the a-record design needs the list of names) and the DNS analysis (which
builds zones and public DNS from it), so that both derive names from the catalog the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from heiki.catalog import Catalog, PrivateLinkService, notebook_host
from heiki.model.endpoints import PrivateEndpoint
from heiki.model.environment import Environment
from heiki.model.ml import Compute, ComputeType, Registry, Workspace
from heiki.model.values import Address, DnsName, ResourceId


@dataclass(frozen=True, slots=True)
class EndpointRecord:
    """One record a private endpoint's zone group writes, and the public name that leads to it."""

    endpoint: ResourceId
    target: ResourceId
    group_id: str
    zone: DnsName
    """The privatelink zone the record lives in."""
    relative: str
    """The record-set name relative to ``zone`` (may start with ``*``)."""
    member: str
    address: Address | None
    """The member's IP on the endpoint; ``None`` if the endpoint has no such member."""
    public: DnsName | None
    """The client-facing name that Azure public DNS CNAMEs to ``private`` (None if none exists)."""

    @property
    def private(self) -> DnsName:
        return self.zone.join(self.relative)


def forwarder_zones(
    catalog: Catalog, endpoints: Iterable[PrivateEndpoint], with_computes: bool, region: str
) -> tuple[str, ...]:
    """Every public zone on-premises DNS must forward for these private endpoints (the
    catalog's "public DNS zone forwarders"), plus the compute-instance suffixes when there is
    compute. ``region`` fills ``{region}`` for endpoints that do not say theirs."""
    zones: set[str] = set()
    for endpoint in endpoints:
        for group in endpoint.group_ids:
            service = catalog.private_link_service(
                endpoint.private_link_service.resource_type, group
            )
            for zone in service.public_forwarder_zones if service else ():
                zones.add(zone.replace("{region}", endpoint.location or region))
    if with_computes:
        zones.update(catalog.compute_instance_suffixes)
    return tuple(sorted(zones))


def target_region(env: Environment, target: ResourceId, fallback: str) -> str:
    resource = env.get(target)
    location = getattr(resource, "location", "") if resource else ""
    return location if location and location != "global" else fallback


def template_values(env: Environment, target: ResourceId, region: str) -> dict[str, str]:
    """Values for the catalog's name templates: name, region, workspace / registry GUIDs."""
    values = {"name": target.name.lower(), "region": region}
    other = env.unmodelled_resource(target)
    if other is not None and other.host and _is_label(other.host):
        values["name"] = other.host.lower()  # a custom subdomain names the public host
    resource = env.get(target)
    if isinstance(resource, Workspace):
        values["workspace_id"] = resource.workspace_id
        values["notebook_host"] = notebook_host(resource.name, region, resource.workspace_id)
    if isinstance(resource, Registry):
        values["registry_id"] = resource.registry_id or target.name.lower()
    return values


def endpoint_records(
    catalog: Catalog, env: Environment, endpoint: PrivateEndpoint
) -> tuple[EndpointRecord, ...]:
    """The records the endpoint's sub-resources need, with the IPs of the endpoint's members
    (worked out once per endpoint and environment: the DNS matrix, toil, readiness and rules
    all ask)."""
    known: dict[int, tuple[PrivateEndpoint, tuple[EndpointRecord, ...]]] = env.derived(
        ("endpoint_records", catalog), dict
    )
    found = known.get(id(endpoint))
    if found is None or found[0] is not endpoint:  # (the entry keeps its endpoint alive)
        found = known[id(endpoint)] = (endpoint, _endpoint_records(catalog, env, endpoint))
    return found[1]


def _endpoint_records(
    catalog: Catalog, env: Environment, endpoint: PrivateEndpoint
) -> tuple[EndpointRecord, ...]:
    records: list[EndpointRecord] = []
    target = endpoint.private_link_service
    region = target_region(env, target, endpoint.location or env.location)
    values = template_values(env, target, region)
    ips = {c.member_name.lower(): c.private_ip_address for c in endpoint.ip_configurations}
    first_ip = (
        endpoint.ip_configurations[0].private_ip_address if endpoint.ip_configurations else None
    )
    other = env.unmodelled_resource(target)
    kind = other.kind if other is not None else ""
    for group in endpoint.group_ids:
        service = catalog.private_link_service(target.resource_type, group)
        if service is None:
            continue
        for record in service.records:
            if not record.applies_to(kind):
                continue
            member = record.member.format(**values)
            address = ips.get(member.lower())
            if address is None and len(service.members) == 1:
                address = first_ip  # a single-IP service: whatever its member is called
            public: DnsName | None = None
            try:
                if not record.name.startswith("*") and _has_public_name(service, record.zone):
                    public = DnsName(record.public_name().format(**values))
                zone = DnsName(record.zone.format(**values))
            except ValueError:
                continue  # a name that is no DNS label (Azure refuses it; the source says so)
            records.append(
                EndpointRecord(
                    endpoint=endpoint.id,
                    target=target,
                    group_id=group,
                    zone=zone,
                    relative=record.name.format(**values).lower(),
                    member=member,
                    address=address,
                    public=public,
                )
            )
    return tuple(records)


def _is_label(text: str) -> bool:
    """A DNS label Azure accepts as a custom subdomain (letters, digits, hyphens)."""
    return 0 < len(text) <= 63 and all(c.isascii() and (c.isalnum() or c == "-") for c in text)


def _has_public_name(service: PrivateLinkService, zone: str) -> bool:
    """Registries have no public name that Azure DNS CNAMEs into privatelink (catalog note)."""
    return bool(service.public_names) or service.group_id == "azuremonitor"


def compute_instance_names(catalog: Catalog, compute: Compute, region: str) -> tuple[DnsName, ...]:
    """Every host name of a compute instance (both suffixes, and the ``-22`` SSH name)."""
    if compute.compute_type is not ComputeType.COMPUTE_INSTANCE:
        return ()
    names = []
    for suffix in catalog.compute_instance_suffixes:
        for pattern in catalog.compute_instance_host_patterns:
            host = pattern.format(compute=compute.name.lower(), region=region)
            names.append(DnsName(f"{host}.{suffix}"))
    return tuple(names)


def compute_instance_target(catalog: Catalog, workspace: Workspace, region: str) -> DnsName:
    """The privatelink name a compute instance's public name chains to (decision in catalog)."""
    return DnsName(
        catalog.compute_instance_cname_target.format(
            workspace_id=workspace.workspace_id, region=region
        )
    )


def public_names_of(
    catalog: Catalog, env: Environment, resource: ResourceId
) -> tuple[DnsName, ...]:
    """Every client-facing name of a resource, whether or not it has a private endpoint."""
    region = target_region(env, resource, env.location)
    values = template_values(env, resource, region)
    names: list[DnsName] = []
    for service in catalog.private_link_for(resource.resource_type):
        for record in service.records:
            if record.name.startswith("*") or not _has_public_name(service, record.zone):
                continue
            try:
                names.append(DnsName(record.public_name().format(**values)))
            except (KeyError, ValueError):
                continue
    return tuple(dict.fromkeys(names))


@dataclass(frozen=True, slots=True)
class OnlineEndpointName:
    """The scoring name of a managed online endpoint of a private-link workspace."""

    endpoint: str
    """The online endpoint's resource ID, as the input wrote it."""
    workspace: Workspace
    public: DnsName
    target: DnsName
    """The privatelink name Azure DNS CNAMEs ``public`` to."""


def online_endpoint_names(catalog: Catalog, env: Environment) -> tuple[OnlineEndpointName, ...]:
    """Every managed online endpoint whose workspace has a private endpoint, with its scoring
    name and the privatelink name it chains to (catalog ``online_endpoint_names``)."""
    kind, public, target = catalog.online_endpoint_names
    found: list[OnlineEndpointName] = []
    for other in env.unmodelled:
        if not kind or other.type.lower() != kind.lower():
            continue
        try:
            endpoint_id = ResourceId(other.resource_id)
        except ValueError:
            continue
        parent = endpoint_id.parent
        workspace = env.get_typed(parent, Workspace) if parent is not None else None
        if workspace is None or not env.private_endpoints_for(workspace.id):
            continue
        region = target_region(env, workspace.id, env.location)
        values = {
            "endpoint": endpoint_id.name.lower(),
            "region": region,
            "workspace_id": workspace.workspace_id,
        }
        try:
            found.append(
                OnlineEndpointName(
                    other.resource_id,
                    workspace,
                    DnsName(public.format(**values)),
                    DnsName(target.format(**values)),
                )
            )
        except ValueError:
            continue  # a name that is no DNS label: Azure refuses it too
    return tuple(found)
