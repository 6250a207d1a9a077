"""Coverage data: how the public surface of a resource type heiki does not simulate is read, and
what the verdict leaves out for each such type (``catalog/data/coverage.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from heiki.catalog.provenance import Provenance, provenance


@dataclass(frozen=True, slots=True)
class PublicAccessSpec:
    """How a resource type says public network access is open (property, values, defaults)."""

    property: str
    """A dotted path below ``properties``."""
    open_values: tuple[str, ...]
    """Values (compared case-insensitively as text) that leave the public endpoint open."""
    absent_open: bool
    absent_with_private_endpoint_open: bool | None = None
    """What an absent property means once the resource has a private endpoint (None: as above)."""


@dataclass(frozen=True, slots=True)
class AclSpec:
    """Where a resource type keeps its network ACL: default action and IP rules."""

    path: str = ""
    """The service firewall object below ``properties`` ("" = ``properties`` itself)."""
    child: str = ""
    """A child resource type holding the rules instead (``networkRuleSets``, ``firewallRules``)."""
    default_action: str = ""
    ip_rules: str = ""
    ip_key: str = ""
    ip_start: str = ""
    ip_end: str = ""
    filter_flag: str = ""
    """A flag that, when true, makes the virtual-network filter deny everything not listed."""
    absent_action: str = "Allow"
    """``Allow``, ``Deny``, or ``deny_with_rules`` (the rules are the only way in once listed)."""


@dataclass(frozen=True, slots=True)
class LocalAuthSpec:
    """How a resource type says local (key) authentication is on."""

    property: str
    enabled_values: tuple[str, ...]
    absent_enabled: bool


_EGRESS_SAYS = "its nodes leave through {property} {value}, not a firewall"


@dataclass(frozen=True, slots=True)
class EgressSpec:
    """Where a type says how its own nodes reach the internet (AKS ``outboundType``)."""

    property: str
    uninspected: tuple[str, ...]
    """Values that send the nodes out through their own public IP or NAT gateway, not a firewall."""
    absent: str
    """Azure's default when the property is not written."""
    says: str = _EGRESS_SAYS
    """What closure says of an uninspected value (``{property}``, ``{value}`` filled in)."""


@dataclass(frozen=True, slots=True)
class SurfaceSpec:
    """The network surface of a resource type heiki reads without simulating it."""

    type: str
    label: str
    kind_labels: tuple[tuple[str, str], ...]
    public_access: PublicAccessSpec | None
    acls: AclSpec | None
    local_auth: LocalAuthSpec | None
    not_covered: str
    provenance: Provenance
    public_names: tuple[str, ...] = ()
    """Name templates of the public endpoint (``{name}.search.windows.net``)."""
    host: str = ""
    """The property (under ``properties``) that names the public host, where it is not the
    resource's name (Cognitive Services: ``customSubDomainName``)."""
    egress: EgressSpec | None = None
    """How its nodes leave (AKS); None: the type runs no nodes of its own in the network."""
    node_pool_children: str = ""
    """A child type that declares node pools apart from the list (AKS ``agentPools``): read with
    its parent, as if listed there."""
    node_subnets: tuple[str, str] = ("", "")
    """(list property, key) naming the subnets its nodes run in (AKS agent pools)."""
    api_server_zone: tuple[str, str, str] = ("", "", "")
    """A private API server's DNS zone: (property, value when absent, the zone's name) -
    AKS: ``apiServerAccessProfile.privateDNSZone``, ``system``, ``privatelink.{region}.azmk8s.io``."""
    api_server_forwarder: str = ""
    """The public zone on-premises DNS forwards for a private API server's name
    (``{region}.azmk8s.io``, the private-endpoint DNS page's "public DNS zone forwarder")."""

    def label_for(self, kind: str) -> str:
        for name, label in self.kind_labels:
            if name.lower() == kind.lower():
                return label
        return self.label


@dataclass(frozen=True, slots=True)
class KindCoverage:
    """Kinds of a modelled type that heiki does not simulate (``computeType``, workspace kind)."""

    type: str
    property: str
    labels: tuple[tuple[str, str], ...]
    not_covered: tuple[tuple[str, str], ...]
    provenance: Provenance

    def label(self, kind: str) -> str:
        return next((v for k, v in self.labels if k.lower() == kind.lower()), "")

    def consequence(self, kind: str) -> str:
        return next((v for k, v in self.not_covered if k.lower() == kind.lower()), "")


@dataclass(frozen=True, slots=True)
class Coverage:
    """What heiki covers: the surfaces of unmodelled types and the types it does not model."""

    default_not_covered: str
    surfaces: tuple[SurfaceSpec, ...]
    kinds: tuple[KindCoverage, ...]
    not_modelled: tuple[tuple[str, str], ...]
    """Type -> what the verdict leaves out (types with no network surface of their own)."""

    def surface(self, resource_type: str) -> SurfaceSpec | None:
        return next((s for s in self.surfaces if s.type.lower() == resource_type.lower()), None)

    def api_server_forwarders(self, resource_type: str, region: str) -> str:
        """The public zone to forward for a private API server of this type ("" if none)."""
        spec = self.surface(resource_type)
        template = spec.api_server_forwarder if spec is not None else ""
        return template.replace("{region}", region)

    def api_server_zone_name(self, region: str) -> str:
        """The private DNS zone of a private AKS API server in ``region``."""
        spec = self.surface("Microsoft.ContainerService/managedClusters")
        template = spec.api_server_zone[2] if spec is not None else ""
        return template.replace("{region}", region)

    def kind_coverage(self, resource_type: str) -> KindCoverage | None:
        return next((k for k in self.kinds if k.type.lower() == resource_type.lower()), None)

    def has_no_surface(self, resource_type: str) -> bool:
        lowered = resource_type.lower()
        return any(t.lower() == lowered for t, _ in self.not_modelled)

    def consequence(self, resource_type: str, kind: str = "") -> str:
        """What the verdict does not cover because a resource of this type (and kind) is not
        modelled."""
        kinds = self.kind_coverage(resource_type)
        if kinds is not None and kinds.consequence(kind):
            return kinds.consequence(kind)
        surface = self.surface(resource_type)
        if surface is not None:
            return surface.not_covered
        lowered = resource_type.lower()
        found = next((text for t, text in self.not_modelled if t.lower() == lowered), None)
        return found or self.default_not_covered


def _strings(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(str(v).lower() for v in items)


def parse_coverage(data: dict[str, Any]) -> Coverage:
    surfaces = []
    for entry in data["surfaces"]:
        where = f"coverage {entry['type']}"
        access = entry.get("public_access")
        acls = entry.get("acls")
        local = entry.get("local_auth")
        with_pe = access.get("absent_with_private_endpoint") if access else None
        surfaces.append(
            SurfaceSpec(
                type=entry["type"],
                label=entry["label"],
                kind_labels=tuple(
                    (str(k), str(v)) for k, v in entry.get("kind_labels", {}).items()
                ),
                public_access=PublicAccessSpec(
                    access["property"],
                    _strings(access["open"]),
                    access.get("absent", "open") == "open",
                    None if with_pe is None else with_pe == "open",
                )
                if access
                else None,
                acls=AclSpec(**{k: str(v) for k, v in acls.items()}) if acls else None,
                local_auth=LocalAuthSpec(
                    local["property"],
                    _strings(local["enabled"]),
                    local.get("absent", "enabled") == "enabled",
                )
                if local
                else None,
                not_covered=entry["not_covered"],
                provenance=provenance(entry, where),
                public_names=tuple(str(n) for n in entry.get("public_names", ())),
                host=str(entry.get("host", "")),
                egress=EgressSpec(
                    str(entry["egress"]["property"]),
                    _strings(entry["egress"]["uninspected"]),
                    str(entry["egress"]["absent"]),
                    str(entry["egress"].get("says", _EGRESS_SAYS)),
                )
                if entry.get("egress")
                else None,
                node_pool_children=str((entry.get("node_subnets") or {}).get("children", "")),
                node_subnets=(
                    str(entry["node_subnets"]["list"]),
                    str(entry["node_subnets"]["key"]),
                )
                if entry.get("node_subnets")
                else ("", ""),
                api_server_zone=(
                    str(entry["api_server_zone"]["property"]),
                    str(entry["api_server_zone"]["absent"]),
                    str(entry["api_server_zone"]["zone"]),
                )
                if entry.get("api_server_zone")
                else ("", "", ""),
                api_server_forwarder=str((entry.get("api_server_zone") or {}).get("forwarder", "")),
            )
        )
    kinds = [
        KindCoverage(
            type=entry["type"],
            property=entry["property"],
            labels=tuple((str(k), str(v)) for k, v in entry["labels"].items()),
            not_covered=tuple((str(k), str(v)) for k, v in entry.get("not_covered", {}).items()),
            provenance=provenance(entry, f"coverage kinds {entry['type']}"),
        )
        for entry in data["kinds"]
    ]
    not_modelled = []
    for entry in data["not_modelled"]:
        provenance(entry, f"coverage not_modelled {entry['types'][0]}")
        not_modelled += [(str(t), str(entry["not_covered"])) for t in entry["types"]]
    return Coverage(
        default_not_covered=str(data["default_not_covered"]),
        surfaces=tuple(surfaces),
        kinds=tuple(kinds),
        not_modelled=tuple(not_modelled),
    )
