"""The requirements catalog: Azure facts as versioned, dated data with a source for every entry.

Microsoft's lists change (zone names, FQDNs, ports), so they live in ``catalog/data/*.yaml`` and
never as literals in logic. ``load_catalog()`` reads them once into typed, immutable records.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields
from importlib import resources
from typing import Any

import yaml

from heiki.catalog.coverage import Coverage, parse_coverage
from heiki.catalog.provenance import CatalogError, Provenance, provenance
from heiki.model.values import Address, Prefix, parse_address, parse_prefix

__all__ = ["Catalog", "CatalogError", "Coverage", "Provenance", "load_catalog"]


@dataclass(frozen=True, slots=True)
class EndpointMember:
    """One member of a private endpoint's NIC: its name and its address index."""

    name: str
    ip_index: int


@dataclass(frozen=True, slots=True)
class ZoneRecordTemplate:
    """A record a private endpoint puts in a private DNS zone, as a template over the service's
    name."""

    zone: str
    name: str
    member: str
    public: str = ""
    kinds: tuple[str, ...] = ()
    """Only for targets of these ARM kinds (empty: every kind)."""
    except_kinds: tuple[str, ...] = ()
    """Not for targets of these kinds."""

    def applies_to(self, kind: str) -> bool:
        """Whether a target of this ``kind`` gets the record; a kind the input does not say
        gets only the records every kind gets."""
        lowered = kind.lower()
        if self.kinds:
            return bool(lowered) and lowered in (k.lower() for k in self.kinds)
        return lowered not in (k.lower() for k in self.except_kinds)

    def public_name(self) -> str:
        """The client-facing FQDN template this record answers for."""
        if self.public:
            return self.public
        return f"{self.name}.{self.zone.removeprefix('privatelink.')}"


@dataclass(frozen=True, slots=True)
class PrivateLinkService:
    """A Private Link sub-resource (type and group ID): its zones, forwarder zones, members and
    records."""

    resource_type: str
    group_id: str
    private_dns_zones: tuple[str, ...]
    public_forwarder_zones: tuple[str, ...]
    members: tuple[EndpointMember, ...]
    records: tuple[ZoneRecordTemplate, ...]
    public_names: tuple[str, ...]
    provenance: Provenance
    notes: str = ""
    static_ip: bool = True
    """Whether the member names are Azure's complete list, so that a generator may write static
    IPs per member (``ipConfigurations``); otherwise Azure allocates them."""


@dataclass(frozen=True, slots=True)
class EgressDestination:
    """One required destination: exactly one of ``service_tag`` / ``fqdn`` is set."""

    protocol: str
    ports: tuple[int, ...]
    service_tag: str = ""
    fqdn: str = ""
    note: str = ""
    when: str = ""
    owner: str = ""
    """``microsoft`` for a wildcard that stands for Microsoft-owned resources (the storage
    accounts Azure Batch runs compute with): its probe is one of those, not any account."""

    def for_region(self, region: str) -> EgressDestination:
        return EgressDestination(
            protocol=self.protocol,
            ports=self.ports,
            service_tag=self.service_tag.replace("{region}", region),
            fqdn=self.fqdn.replace("{region}", region),
            note=self.note,
            when=self.when,
            owner=self.owner,
        )


@dataclass(frozen=True, slots=True)
class EgressProfile:
    """A named list of destinations a workload must reach (Azure ML, pip, Hugging Face...)."""

    name: str
    title: str
    destinations: tuple[EgressDestination, ...]
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class DefaultSecurityRule:
    """One of the default rules Azure puts in every NSG."""

    name: str
    priority: int
    direction: str
    access: str
    protocol: str
    source: str
    destination: str


@dataclass(frozen=True, slots=True)
class SubnetConstraint:
    """A subnet Azure constrains: fixed name (reserved) or delegation, and size limits.

    Sizes are prefix lengths: ``min_size`` 26 means at least a /26; ``max_size`` 24 at most a /24.
    """

    role: str
    name: str
    delegation: str
    min_size: int
    max_size: int
    recommended_size: int | None
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class FirewallTier:
    """What an Azure Firewall SKU tier can do (DNS proxy, FQDNs in network rules, TLS
    inspection...)."""

    name: str
    dns_proxy: bool
    network_fqdn_rules: bool
    threat_intel_deny: bool
    tls_inspection: bool
    needs_management_nic: bool


@dataclass(frozen=True, slots=True)
class PublicEndpoint:
    """A public service host pattern and the service tags that cover it."""

    pattern: str
    service_tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    """A recorded decision where Azure's documentation is ambiguous, with its sources."""

    id: str
    question: str
    decision: str
    sources: tuple[str, ...]
    as_of: str


@dataclass(frozen=True, slots=True)
class NameRule:
    """How Azure names a resource type (``type#computeType`` for a kind of compute)."""

    resource_type: str
    pattern: str
    says: str
    what: str


@dataclass(frozen=True, slots=True)
class DeploymentLimits:
    """What one ARM deployment may hold."""

    parameters: int = 256
    resources: int = 800
    outputs: int = 64
    template_bytes: int = 4 * 2**20
    """A template (after expansion), compressed."""
    resource_bytes: int = 2**20
    """One resource definition - an inline nested deployment is one - compressed."""
    job_bytes: int = 2**20
    """The deployment job (the template, its parameters and the request's metadata), compressed."""
    job_metadata_allowance: int = 128 * 2**10
    """Room kept in the job for the request's own metadata, which heiki cannot measure."""


@dataclass(frozen=True, slots=True)
class AksAddressing:
    """What an AKS node pool takes of its subnet (catalog ``aks_addressing``)."""

    default_max_pods: tuple[tuple[str, int], ...] = ()
    """Per network plugin (``azure``, ``kubenet``, ``overlay``): maxPods when not written."""
    surge_nodes: int = 1
    """Nodes added during an upgrade, besides the pool's own."""
    default_node_count: int = 1

    def max_pods(self, plugin: str) -> int:
        defaults = dict(self.default_max_pods)
        return defaults.get(plugin.lower(), defaults.get("azure", 0))

    def addresses(self, nodes: int, max_pods: int, pods_in_subnet: bool) -> int:
        """The subnet addresses a pool of ``nodes`` takes: its nodes and upgrade surge, and with
        Azure CNI on the node subnet an address for every pod each of them may run."""
        hosts = nodes + self.surge_nodes
        return hosts + hosts * max_pods if pods_in_subnet else hosts


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every Azure fact heiki relies on. Pass it to analyses; never read data files from them."""

    version: str
    private_link: tuple[PrivateLinkService, ...]
    egress_profiles: tuple[EgressProfile, ...]
    capabilities: tuple[tuple[str, tuple[str, ...]], ...]
    azure_dns: Address
    azure_dns_provenance: Provenance
    subnet_reserved_leading: int
    subnet_reserved_trailing: int
    nsg_default_rules: tuple[DefaultSecurityRule, ...]
    nsg_default_rules_provenance: Provenance
    system_none_prefixes: tuple[Prefix, ...]
    service_endpoint_tags: tuple[tuple[str, str], ...]
    """Service endpoint name -> the service tag its route covers (``{region}`` templated)."""
    firewall_snat_private_ranges: tuple[Prefix, ...]
    docker_bridge: Prefix
    reserved_subnets: tuple[SubnetConstraint, ...]
    delegated_subnets: tuple[SubnetConstraint, ...]
    firewall_tiers: tuple[FirewallTier, ...]
    compute_instance_suffixes: tuple[str, ...]
    compute_instance_host_patterns: tuple[str, ...]
    compute_instance_cname_target: str
    managed_network_required_tags: tuple[str, ...]
    managed_network_fqdn_ports: tuple[int, ...]
    public_endpoints: tuple[PublicEndpoint, ...]
    public_endpoints_provenance: Provenance
    decisions: tuple[Decision, ...]
    api_versions: tuple[tuple[str, str], ...] = ()
    """Resource-type prefix -> the API version generators write (longest prefix wins)."""
    deployment_limits: DeploymentLimits = DeploymentLimits()
    name_rules: tuple[NameRule, ...] = ()
    """Names Azure refuses, for resources whose names become DNS labels."""
    aml_v1_sdk_support_ends: str = ""
    """The date support for the Azure ML v1 SDK (the only client of a v1-legacy workspace) ends."""
    public_ip_compute_control_tags: tuple[str, ...] = ()
    """Service tags Azure ML and Batch manage public-IP compute from (``{region}`` templated)."""
    workspace_storage_roles: tuple[tuple[str, str], ...] = ()
    """Role name -> built-in role definition GUID the workspace identity needs on its storage."""
    bastion_nsg_rules: tuple[tuple[str, str, tuple[int, ...]], ...] = ()
    """(direction, peer, ports) Azure Bastion needs on AzureBastionSubnet's NSG."""
    service_endpoint_policy_aliases: tuple[tuple[str, str], ...] = ()
    """Alias (``/services/Azure/MachineLearning``) -> the Microsoft-owned resources it admits
    (``azure-ml``: the storage Azure ML's compute needs)."""
    online_endpoint_names: tuple[str, str, str] = ("", "", "")
    """(resource type, public scoring name template, its privatelink CNAME target template)
    of managed online endpoints ({endpoint}, {region}, {workspace_id})."""
    foundation_model_accounts: tuple[str, tuple[str, ...], str] = ("", (), "")
    """(resource type, ARM kinds, the name suffix clients call) of the accounts that serve
    foundation models (Azure OpenAI, AI Services)."""
    batch_endpoint_storage: tuple[str, tuple[str, ...]] = ("", ())
    """Batch endpoints' type and the storage private-endpoint groups their deployments need."""
    aks_addressing: AksAddressing = field(default_factory=lambda: AksAddressing())
    """What an AKS node pool takes of its subnet's addresses."""
    private_subnet_api_version: str = ""
    """The Microsoft.Network API version from which a subnet without defaultOutboundAccess is
    private (``YYYY-MM-DD``; empty: never)."""
    coverage: Coverage = field(
        default_factory=lambda: Coverage("its network paths are not checked", (), (), ())
    )
    """What heiki reads of the types it does not simulate, and what the verdict leaves out."""
    _private_link_by_type: dict[str, tuple[PrivateLinkService, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _hash: int | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, list[PrivateLinkService]] = {}
        for service in self.private_link:
            index.setdefault(service.resource_type.lower(), []).append(service)
        object.__setattr__(self, "_private_link_by_type", {k: tuple(v) for k, v in index.items()})

    def __hash__(self) -> int:
        # The catalog is a cache key (default NSG rules per catalog): hashing its thousand
        # nested values on every call took a fifth of loading a 1,000-spoke blueprint.
        found = self._hash
        if found is None:
            found = hash(tuple(getattr(self, f.name) for f in fields(self) if f.compare))
            object.__setattr__(self, "_hash", found)
        return found

    def name_rule(self, resource_type: str) -> NameRule | None:
        """The rule Azure's names of that type follow (``Microsoft.Resources/locations`` too)."""
        return next((r for r in self.name_rules if r.resource_type == resource_type), None)

    def api_version(self, resource_type: str) -> str:
        matches = [
            (prefix, version)
            for prefix, version in self.api_versions
            if resource_type.lower().startswith(prefix.lower())
        ]
        if not matches:
            raise CatalogError(f"no API version for {resource_type} in the catalog")
        return max(matches, key=lambda m: len(m[0]))[1]

    def private_link_for(self, resource_type: str) -> tuple[PrivateLinkService, ...]:
        """The private-link entries of a resource type (every group ID)."""
        return self._private_link_by_type.get(resource_type.lower(), ())

    def private_link_service(self, resource_type: str, group_id: str) -> PrivateLinkService | None:
        wanted = group_id.lower()
        return next(
            (s for s in self.private_link_for(resource_type) if s.group_id.lower() == wanted),
            None,
        )

    def group_ids(self, resource_type: str) -> tuple[str, ...]:
        return tuple(
            s.group_id
            for s in self.private_link
            if s.resource_type.lower() == resource_type.lower()
        )

    def egress_profile(self, name: str) -> EgressProfile | None:
        for profile in self.egress_profiles:
            if profile.name == name:
                return profile
        return None

    def reserved_subnet(self, role: str) -> SubnetConstraint | None:
        for constraint in (*self.reserved_subnets, *self.delegated_subnets):
            if constraint.role == role:
                return constraint
        return None

    def firewall_tier(self, name: str) -> FirewallTier | None:
        for tier in self.firewall_tiers:
            if tier.name.lower() == name.lower():
                return tier
        return None

    def service_endpoint_tag(self, service: str, region: str) -> str | None:
        for name, tag in self.service_endpoint_tags:
            if name.lower() == service.lower():
                return tag.replace("{region}", region)
        return None

    def bastion_rule(self, direction: str, peers: tuple[str, ...], ports: tuple[int, ...]) -> bool:
        """Whether an allow rule with these peers (the far side) and ports is one Azure Bastion
        documents for AzureBastionSubnet."""
        documented = [(p.lower(), set(q)) for d, p, q in self.bastion_nsg_rules if d == direction]
        return bool(peers) and all(
            any(peer.lower() == name and set(ports) <= allowed for name, allowed in documented)
            for peer in peers
        )

    def decision(self, decision_id: str) -> Decision | None:
        for decision in self.decisions:
            if decision.id == decision_id:
                return decision
        return None


def notebook_host(workspace_name: str, region: str, workspace_id: str) -> str:
    """``ml-<ws, truncated>-<region>-<guid>``, the workspace's notebooks host label.

    Azure truncates the workspace name so that the label stays within 63 characters
    (https://learn.microsoft.com/en-us/azure/machine-learning/how-to-custom-dns).
    """
    room = 63 - len("ml-") - len(region) - len(workspace_id) - 2
    return f"ml-{workspace_name.lower()[: max(room, 1)]}-{region}-{workspace_id}"


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it (its wheels do): the catalog is read on every run,
and the pure-Python parser took a fifth of `heiki check` (no marks are needed here)."""


def _read(name: str) -> dict[str, Any]:
    text = resources.files("heiki.catalog").joinpath("data", name).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_LOADER)  # a safe loader: libyaml's when present
    if not isinstance(data, dict):
        raise CatalogError(f"catalog file {name} is not a mapping")
    return data


_provenance = provenance


def _subnet_constraint(entry: dict[str, Any]) -> SubnetConstraint:
    return SubnetConstraint(
        role=entry["role"],
        name=entry.get("name", ""),
        delegation=entry.get("delegation", ""),
        min_size=int(entry["min_size"]),
        max_size=int(entry.get("max_size", 0)),
        recommended_size=entry.get("recommended_size"),
        provenance=_provenance(entry, f"subnet {entry['role']}"),
    )


def _private_link(data: dict[str, Any]) -> tuple[PrivateLinkService, ...]:
    services = []
    for entry in data["entries"]:
        where = f"private_link {entry.get('resource_type')}/{entry.get('group_id')}"
        services.append(
            PrivateLinkService(
                resource_type=entry["resource_type"],
                group_id=entry["group_id"],
                private_dns_zones=tuple(entry["private_dns_zones"]),
                public_forwarder_zones=tuple(entry["public_forwarder_zones"]),
                members=tuple(
                    EndpointMember(m["name"], int(m["ip_index"])) for m in entry["members"]
                ),
                records=tuple(
                    ZoneRecordTemplate(
                        r["zone"],
                        r["name"],
                        r["member"],
                        r.get("public", ""),
                        tuple(r.get("kinds", ())),
                        tuple(r.get("except_kinds", ())),
                    )
                    for r in entry["records"]
                ),
                public_names=tuple(entry.get("public_names", ())),
                provenance=_provenance(entry, where),
                notes=entry.get("notes", ""),
                static_ip=bool(entry.get("static_ip", True)),
            )
        )
    return tuple(services)


def _egress(data: dict[str, Any]) -> tuple[EgressProfile, ...]:
    profiles = []
    for name, entry in data["profiles"].items():
        destinations = []
        for d in entry["destinations"]:
            if bool(d.get("service_tag")) == bool(d.get("fqdn")):
                raise CatalogError(f"egress {name}: a destination needs a service_tag or an fqdn")
            destinations.append(
                EgressDestination(
                    protocol=d["protocol"],
                    ports=tuple(int(p) for p in d["ports"]),
                    service_tag=d.get("service_tag", ""),
                    fqdn=d.get("fqdn", ""),
                    note=d.get("note", ""),
                    when=d.get("when", ""),
                    owner=d.get("owner", ""),
                )
            )
        profiles.append(
            EgressProfile(
                name=name,
                title=entry["title"],
                destinations=tuple(destinations),
                provenance=_provenance(entry, f"egress {name}"),
            )
        )
    return tuple(profiles)


@functools.cache
def load_catalog() -> Catalog:
    """Load the built-in catalog (read once per process; the result is immutable)."""
    private_link = _read("private_link.yaml")
    egress = _read("egress.yaml")
    platform = _read("platform.yaml")
    public = _read("public_endpoints.yaml")
    decisions = _read("decisions.yaml")
    coverage = _read("coverage.yaml")

    nsg = platform["nsg_default_rules"]
    routes = platform["system_routes"]
    skus = platform["firewall_skus"]
    ci_names = platform["compute_instance_names"]
    _provenance(routes, "system_routes")
    _provenance(skus, "firewall_skus")
    _provenance(ci_names, "compute_instance_names")
    _provenance(platform["subnet_reserved"], "subnet_reserved")
    _provenance(platform["docker_bridge"], "docker_bridge")
    _provenance(platform["service_endpoints"], "service_endpoints")
    _provenance(platform["managed_network"], "managed_network")
    _provenance(platform["firewall_snat_private_ranges"], "firewall_snat_private_ranges")
    _provenance(platform["api_versions"], "api_versions")
    _provenance(platform["deployment_limits"], "deployment_limits")
    _provenance(platform["name_rules"], "name_rules")
    _provenance(platform["workspace_storage_roles"], "workspace_storage_roles")
    _provenance(platform["public_ip_compute_control"], "public_ip_compute_control")
    _provenance(platform["aml_v1_api"], "aml_v1_api")
    _provenance(platform["default_outbound_access"], "default_outbound_access")
    _provenance(platform["bastion_nsg"], "bastion_nsg")
    _provenance(platform["service_endpoint_policies"], "service_endpoint_policies")
    _provenance(platform["foundation_model_accounts"], "foundation_model_accounts")
    _provenance(platform["online_endpoint_names"], "online_endpoint_names")
    _provenance(platform["batch_endpoint_storage"], "batch_endpoint_storage")
    _provenance(platform["aks_addressing"], "aks_addressing")
    aks = platform["aks_addressing"]
    batch = platform["batch_endpoint_storage"]
    online = platform["online_endpoint_names"]
    models = platform["foundation_model_accounts"]
    limits = platform["deployment_limits"]
    return Catalog(
        version=str(private_link["version"]),
        private_link=_private_link(private_link),
        egress_profiles=_egress(egress),
        capabilities=tuple((k, tuple(v)) for k, v in egress["capabilities"].items()),
        azure_dns=parse_address(platform["platform_addresses"]["azure_dns"]["address"]),
        azure_dns_provenance=_provenance(platform["platform_addresses"]["azure_dns"], "azure_dns"),
        subnet_reserved_leading=int(platform["subnet_reserved"]["leading"]),
        subnet_reserved_trailing=int(platform["subnet_reserved"]["trailing"]),
        nsg_default_rules=tuple(DefaultSecurityRule(**r) for r in nsg["rules"]),
        nsg_default_rules_provenance=_provenance(nsg, "nsg_default_rules"),
        system_none_prefixes=tuple(parse_prefix(p) for p in routes["none_prefixes"]),
        service_endpoint_tags=tuple(platform["service_endpoints"]["tags"].items()),
        firewall_snat_private_ranges=tuple(
            parse_prefix(p) for p in platform["firewall_snat_private_ranges"]["prefixes"]
        ),
        docker_bridge=parse_prefix(platform["docker_bridge"]["prefix"]),
        reserved_subnets=tuple(_subnet_constraint(e) for e in platform["reserved_subnets"]),
        delegated_subnets=tuple(_subnet_constraint(e) for e in platform["delegated_subnets"]),
        firewall_tiers=tuple(FirewallTier(name=k, **v) for k, v in skus["tiers"].items()),
        compute_instance_suffixes=tuple(ci_names["suffixes"]),
        compute_instance_host_patterns=tuple(ci_names["host_patterns"]),
        compute_instance_cname_target=ci_names["cname_target"],
        managed_network_required_tags=tuple(platform["managed_network"]["required_service_tags"]),
        managed_network_fqdn_ports=tuple(
            int(p) for p in platform["managed_network"]["fqdn_rule_ports"]
        ),
        public_endpoints=tuple(
            PublicEndpoint(e["pattern"], tuple(e["service_tags"])) for e in public["endpoints"]
        ),
        public_endpoints_provenance=_provenance(public, "public_endpoints"),
        aml_v1_sdk_support_ends=str(platform["aml_v1_api"]["sdk_support_ends"]),
        public_ip_compute_control_tags=tuple(
            str(t) for t in platform["public_ip_compute_control"]["service_tags"]
        ),
        workspace_storage_roles=tuple(
            (str(k), str(v)) for k, v in platform["workspace_storage_roles"]["roles"].items()
        ),
        coverage=parse_coverage(coverage),
        online_endpoint_names=(
            str(online["type"]),
            str(online["public"]),
            str(online["cname_target"]),
        ),
        batch_endpoint_storage=(
            str(batch["type"]),
            tuple(str(g) for g in batch["storage_groups"]),
        ),
        aks_addressing=AksAddressing(
            default_max_pods=tuple(
                (str(k).lower(), int(v)) for k, v in aks["default_max_pods"].items()
            ),
            surge_nodes=int(aks["surge_nodes"]),
            default_node_count=int(aks["default_node_count"]),
        ),
        foundation_model_accounts=(
            str(models["type"]),
            tuple(str(k) for k in models["kinds"]),
            str(models["preferred_suffix"]),
        ),
        service_endpoint_policy_aliases=tuple(
            (str(k), str(v)) for k, v in platform["service_endpoint_policies"]["aliases"].items()
        ),
        bastion_nsg_rules=tuple(
            (direction.capitalize(), str(rule["peer"]), tuple(int(p) for p in rule["ports"]))
            for direction in ("inbound", "outbound")
            for rule in platform["bastion_nsg"][direction]
        ),
        private_subnet_api_version=str(
            platform["default_outbound_access"]["private_from_api_version"]
        ),
        name_rules=tuple(
            NameRule(str(kind), str(rule["pattern"]), str(rule["says"]), str(rule["what"]))
            for kind, rule in platform["name_rules"]["rules"].items()
        ),
        deployment_limits=DeploymentLimits(
            int(limits["parameters"]),
            int(limits["resources"]),
            int(limits["outputs"]),
            int(limits["template_bytes"]),
            int(limits["resource_bytes"]),
            int(limits["job_bytes"]),
            int(limits["job_metadata_allowance"]),
        ),
        api_versions=tuple(
            (str(k), str(v)) for k, v in platform["api_versions"]["versions"].items()
        ),
        decisions=tuple(
            Decision(
                id=d["id"],
                question=d["question"],
                decision=d["decision"],
                sources=tuple(d["sources"]),
                as_of=str(d["as_of"]),
            )
            for d in decisions["decisions"]
        ),
    )
