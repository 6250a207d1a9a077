"""The blueprint format: a compact, high-level description of a closed Azure ML environment.

Pydantic is used here, at the input boundary only: it rejects unknown keys and wrong types, and
its error paths are mapped back to YAML line/column by the loader. Everything below becomes the
frozen model in ``expand.py``; nothing else in heiki sees these classes.
See docs/blueprint.md for the format with a full example.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from heiki.model.values import DnsName


def _dns_name(text: str) -> str:
    """A name that becomes a DNS name: refused here, where it is written, if DNS would refuse
    it (raises ValueError, which the schema reports at the value)."""
    DnsName(text)
    return text


def _record_name(text: str) -> str:
    if text != "@":
        DnsName(text)
    return text


_NOT_IN_NAMES = re.compile(r"[/\\?#%\x00-\x1f\x7f]")


def _resource_name(text: str) -> str:
    """A name that becomes a segment of resource IDs: no ``/`` (it would split the ID) nor the
    characters no Azure resource name allows. Each type's own rules are checked later (IN017)."""
    if not text.strip():
        raise ValueError("a name cannot be empty")
    bad = _NOT_IN_NAMES.search(text)
    if bad:
        raise ValueError(f"{text!r}: {bad.group()!r} cannot be part of an Azure resource name")
    return text


_ZONE_ID = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/privateDnsZones/"
    r"[^/]+$",
    re.IGNORECASE,
)


def _api_server_zone(text: str) -> str:
    """``hub``, ``system``, ``none`` or a private DNS zone's resource ID (AKS refuses others)."""
    if text.lower() in ("hub", "system", "none") or _ZONE_ID.match(text):
        return text
    raise ValueError(
        f"{text!r}: use hub, system, none or the resource ID of a private DNS zone "
        "(/subscriptions/.../providers/Microsoft.Network/privateDnsZones/<zone>)"
    )


DnsText = Annotated[str, AfterValidator(_dns_name)]
ResourceName = Annotated[str, AfterValidator(_resource_name)]
RecordName = Annotated[str, AfterValidator(_record_name)]


class Strict(BaseModel):
    # defer_build: one validator for the document, built when a blueprint is read, instead of
    # one per model at import (heiki --help and ARM inputs never build it)
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class SubnetSpec(Strict):
    """Override of a generated subnet: its name, its prefix, or both."""

    name: ResourceName | None = None
    prefix: str | None = None


SubnetOverride = str | SubnetSpec
"""A bare string is a prefix (``10.1.0.0/24``)."""


class NamedPrefix(Strict):
    name: ResourceName
    prefix: str


class RecordSpec(Strict):
    name: RecordName = "@"
    a: list[str] = Field(default_factory=list)
    cname: DnsText | None = None
    ttl: int = Field(default=3600, ge=0, le=2_147_483_647)
    """Seconds: 0 to 2^31 - 1 (RFC 2181, section 8)."""


class ZoneSpec(Strict):
    zone: DnsText
    records: list[RecordSpec] = Field(default_factory=list)


class ForwarderSpec(Strict):
    zone: DnsText
    targets: list[str]


class OnPremDnsSpec(Strict):
    servers: list[str]
    forward_to: Literal["hub", "none"] = "hub"
    """``hub``: conditional forwarders for every zone the environment needs, to the hub's DNS endpoint."""
    a_records: bool = False
    """Instead of forwarders: one A record per private name (the a-record-dns design)."""
    zones: list[ZoneSpec] = Field(default_factory=list)
    conditional_forwarders: list[ForwarderSpec] = Field(default_factory=list)
    default_forwarders: list[str] = Field(default_factory=list)


class DataSourceSpec(Strict):
    name: ResourceName
    address: str
    port: int = Field(ge=1, le=65535)
    protocol: Literal["tcp", "udp"] = "tcp"
    kind: str = "database"


class OnPremSpec(Strict):
    name: ResourceName = "onprem"
    address_space: list[str]
    clients: list[str | NamedPrefix] = Field(default_factory=list)
    dns: OnPremDnsSpec | None = None
    data_sources: list[DataSourceSpec] = Field(default_factory=list)
    connection: Literal["expressroute", "vpn", "none"] | None = None
    """Defaults to the hub gateway's kind."""


class FirewallSpec(Strict):
    name: ResourceName | None = None
    sku: Literal["basic", "standard", "premium"] = "standard"
    threat_intel: Literal["off", "alert", "deny"] = "deny"
    dns_proxy: bool | None = None
    """Defaults to on where the DNS design uses it and the SKU supports it."""
    private_ip: str | None = None
    east_west_ports: list[int] = Field(default_factory=lambda: [22, 443, 445, 8787, 18881])
    """Ports allowed between on-premises and the spokes, and between spokes, through the firewall."""


class HubSpec(Strict):
    name: ResourceName | None = None
    location: str | None = None
    address_space: str | list[str]
    gateway: Literal["expressroute", "vpn", "none"] = "expressroute"
    firewall: FirewallSpec | Literal["none"] = Field(default_factory=FirewallSpec)
    dns: Literal["private-resolver", "firewall-proxy", "dns-vm", "azure"] = "private-resolver"
    bastion: bool = True
    subnets: dict[str, SubnetOverride] = Field(default_factory=dict)


class InstanceSpec(Strict):
    name: ResourceName
    public_ip: bool = False
    vm_size: str = "Standard_DS3_v2"


class ClusterSpec(Strict):
    name: ResourceName
    image_build: bool = False
    public_ip: bool = False
    vm_size: str = "Standard_DS3_v2"
    min_nodes: int = Field(default=0, ge=0)
    max_nodes: int = Field(default=4, ge=1)

    @model_validator(mode="after")
    def _nodes_in_order(self) -> ClusterSpec:
        # Azure refuses a scale setting whose minimum is above its maximum
        if self.min_nodes > self.max_nodes:
            raise ValueError(f"min_nodes ({self.min_nodes}) is above max_nodes ({self.max_nodes})")
        return self


class ComputeSpec(Strict):
    instances: list[ResourceName | InstanceSpec] = Field(default_factory=list)
    clusters: list[ClusterSpec] = Field(default_factory=list)


class NamedResourceSpec(Strict):
    name: ResourceName | None = None


class ContainerRegistrySpec(Strict):
    name: ResourceName | None = None
    sku: Literal["Basic", "Standard", "Premium"] = "Premium"
    admin_user: bool = False


class AppInsightsSpec(Strict):
    name: ResourceName | None = None
    ampls: bool = True
    """Reach App Insights over an Azure Monitor Private Link Scope instead of public egress."""


class ManagedNetworkSpec(Strict):
    isolation_mode: Literal["disabled", "allow_internet_outbound", "allow_only_approved_outbound"]


class OnlineEndpointSpec(Strict):
    """A managed online endpoint of the workspace: scored on
    ``<name>.<region>.inference.ml.azure.com`` through the workspace's private endpoint."""

    name: ResourceName
    public_network_access: Literal["enabled", "disabled"] = "disabled"
    auth_mode: Literal["aml_token", "aad_token", "key"] = "aml_token"
    """``key``: static keys (local authentication), which closure reports."""


class AiAccountSpec(Strict):
    """An Azure OpenAI / AI Services account reached through a private endpoint."""

    name: ResourceName
    kind: Literal["AIServices", "OpenAI"] = "AIServices"
    custom_subdomain: ResourceName | None = None
    """The host label of its endpoints (required for a private endpoint); defaults to the name."""
    public_network_access: Literal["enabled", "disabled"] = "disabled"
    local_auth: bool = False
    """API keys accepted besides Entra ID."""


class SearchServiceSpec(Strict):
    """An AI Search service reached through a private endpoint."""

    name: ResourceName
    sku: Literal["basic", "standard", "standard2", "standard3"] = "standard"
    public_network_access: Literal["enabled", "disabled"] = "disabled"
    local_auth: bool = False


class AksClusterSpec(Strict):
    """An AKS cluster whose node pool runs in the spoke's ``aks`` subnet."""

    name: ResourceName
    private: bool = True
    """A private API server (``enablePrivateCluster``)."""
    api_server_zone: Annotated[str, AfterValidator(_api_server_zone)] = "hub"
    """The private API server's zone: ``hub`` (a ``privatelink.<region>.azmk8s.io`` zone the
    blueprint creates, linked where the environment resolves names - the hub's DNS, as
    Microsoft's hub-and-spoke guidance has it), ``system`` (AKS creates it, linked to the
    cluster's VNet only), ``none`` (public DNS) or the resource ID of a zone you bring."""
    outbound_type: Literal[
        "userDefinedRouting", "loadBalancer", "managedNATGateway", "userAssignedNATGateway", "none"
    ] = "userDefinedRouting"
    """How the nodes leave: ``userDefinedRouting`` through the spoke's route to the firewall."""
    local_accounts: bool | None = None
    """Kubernetes local accounts; default: on where a Kubernetes compute attaches the cluster
    (the Azure ML extension requires them), else off."""
    network_plugin: Literal["azure-overlay", "azure", "kubenet"] = "azure-overlay"
    """Azure CNI Overlay (pods outside the subnet), Azure CNI on the node subnet (every pod takes
    a subnet address: NET006 checks the room) or kubenet."""
    nodes: int = Field(default=3, ge=1, le=1000)
    max_pods: int | None = Field(default=None, ge=10, le=250)
    authorized_ip_ranges: list[str] = Field(default_factory=list)


class KubernetesComputeSpec(Strict):
    """An AKS cluster of the same spoke attached to the workspace."""

    name: ResourceName
    cluster: ResourceName
    """The name of one of the spoke's ``aks_clusters``."""
    type: Literal["Kubernetes", "AKS"] = "Kubernetes"
    """``Kubernetes``: the Azure ML extension (current); ``AKS``: the v1 inference cluster."""
    front_end: Literal["internal", "public", "node-port", "cluster-ip", "none"] = "internal"
    """How the scoring front end (azureml-fe) is exposed; ``none``: training only."""
    https: bool = True


class WorkspaceSpec(Strict):
    name: ResourceName
    public_network_access: Literal["enabled", "disabled"] = "disabled"
    storage: NamedResourceSpec = Field(default_factory=NamedResourceSpec)
    key_vault: NamedResourceSpec = Field(default_factory=NamedResourceSpec)
    container_registry: ContainerRegistrySpec = Field(default_factory=ContainerRegistrySpec)
    app_insights: AppInsightsSpec | Literal[False] = Field(default_factory=AppInsightsSpec)
    registry: bool = False
    """Use the blueprint's shared ML registry (top-level ``registry``) through a private endpoint."""
    managed_network: ManagedNetworkSpec | None = None
    compute: ComputeSpec = Field(default_factory=ComputeSpec)
    online_endpoints: list[ResourceName | OnlineEndpointSpec] = Field(default_factory=list)
    batch_endpoints: list[ResourceName] = Field(default_factory=list)
    """Batch endpoints: private with the workspace; their deployments need the storage's queue
    and table private endpoints too, which the workspace then gets."""
    kubernetes_computes: list[KubernetesComputeSpec] = Field(default_factory=list)


class RunnersSpec(Strict):
    kind: Literal["github-actions", "azure-pipelines"] = "github-actions"
    count: int = Field(default=1, ge=0, le=50)


class LakeSpec(Strict):
    name: ResourceName
    layers: list[str] = Field(default_factory=lambda: ["bronze", "silver", "gold"])


class DataFactorySpec(Strict):
    name: ResourceName | None = None
    managed_vnet: bool = True
    self_hosted_ir: bool = True
    sources: list[str] = Field(default_factory=list)
    """Names of on-premises data sources the pipelines copy into the lake."""


class StorageAccountSpec(Strict):
    name: ResourceName
    public_network_access: Literal["enabled", "disabled"] = "disabled"
    hns: bool = False
    shared_key: bool = False
    private_endpoints: list[str] = Field(default_factory=list)
    """Group IDs (``blob``, ``file``, ``dfs``...) to create private endpoints for."""
    purpose: str = ""


class VmSpec(Strict):
    name: ResourceName
    role: Literal[
        "workload",
        "jumpbox",
        "git-server",
        "ci-runner",
        "integration-runtime",
        "package-mirror",
        "model-mirror",
        "dns-server",
    ] = "workload"
    product: str = ""
    public_ip: bool = False


class SpokeSpec(Strict):
    name: ResourceName | None = None
    """VNet name; defaults to ``vnet-<key>``."""
    location: str | None = None
    address_space: str | list[str]
    stage: Literal["dev", "prod"] | None = None
    egress: list[str] = Field(default_factory=list)
    """Egress profiles from the catalog, allowed through the hub firewall (or NSG service tags)."""
    use_remote_gateways: bool | None = None
    default_outbound_access: bool = False
    """Subnets keep Azure's implicit internet access (before private subnets became default)."""
    batch_storage: Literal["service-endpoint-policy", "none"] | None = None
    """How compute reaches Azure Batch's storage: a storage service endpoint scoped by a policy
    to the workspace's accounts and Azure ML's alias (the default behind a hub firewall), or
    nothing added (``none``: the egress rules must allow it)."""
    workspace: WorkspaceSpec | None = None
    git_server: (
        Literal["github-enterprise-server", "azure-devops-server", "github.com", "azure-devops"]
        | None
    ) = None
    runners: RunnersSpec | None = None
    lake: LakeSpec | None = None
    data_factory: DataFactorySpec | None = None
    storage_accounts: list[StorageAccountSpec] = Field(default_factory=list)
    ai_services: list[AiAccountSpec] = Field(default_factory=list)
    search_services: list[SearchServiceSpec] = Field(default_factory=list)
    aks_clusters: list[AksClusterSpec] = Field(default_factory=list)
    vms: list[VmSpec] = Field(default_factory=list)
    subnets: dict[str, SubnetOverride] = Field(default_factory=dict)


class RegistrySpec(Strict):
    name: ResourceName
    public_network_access: Literal["enabled", "disabled"] = "disabled"


class BlueprintSpec(Strict):
    name: ResourceName
    description: str = ""
    talk: str = ""
    """Which slides of the source talk this design reproduces (built-in designs)."""
    location: str = "japaneast"
    subscription: str = "00000000-0000-0000-0000-000000000000"
    resource_group: str | None = None
    onprem: OnPremSpec | None = None
    hub: HubSpec | None = None
    spokes: dict[ResourceName, SpokeSpec] = Field(default_factory=dict)
    registry: RegistrySpec | None = None


class OnPremFileSpec(Strict):
    """A file holding only an on-premises section (``--onprem FILE``)."""

    onprem: OnPremSpec
