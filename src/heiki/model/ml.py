"""Azure Machine Learning: workspaces (with managed network), computes and registries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from heiki.model.base import LocatedResource
from heiki.model.source import SourceLocation
from heiki.model.values import FqdnPattern, PortRange, ResourceId


def placeholder_guid(resource_id: ResourceId) -> str:
    """The GUID Azure assigns a workspace or registry at creation (it appears in their DNS
    names) is unknown before deployment: every source derives the same stable placeholder."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"heiki:{resource_id.text.lower()}"))


class PublicNetworkAccess(StrEnum):
    ENABLED = "Enabled"
    DISABLED = "Disabled"


class IsolationMode(StrEnum):
    DISABLED = "Disabled"
    ALLOW_INTERNET_OUTBOUND = "AllowInternetOutbound"
    ALLOW_ONLY_APPROVED_OUTBOUND = "AllowOnlyApprovedOutbound"


class OutboundRuleType(StrEnum):
    PRIVATE_ENDPOINT = "PrivateEndpoint"
    SERVICE_TAG = "ServiceTag"
    FQDN = "FQDN"


@dataclass(frozen=True, slots=True)
class OutboundRule:
    """A managed-network outbound rule; which fields apply depends on ``rule_type``."""

    name: str
    rule_type: OutboundRuleType
    service_resource_id: ResourceId | None = None
    subresource_target: str = ""
    service_tag: str = ""
    protocol: str = ""
    port_ranges: tuple[PortRange, ...] = ()
    destination: FqdnPattern | None = None
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class ManagedNetwork:
    """A workspace's managed virtual network (``managedNetwork``): isolation mode, outbound rules,
    firewall SKU."""

    isolation_mode: IsolationMode = IsolationMode.DISABLED
    outbound_rules: tuple[OutboundRule, ...] = ()
    firewall_sku: str = "Standard"


class DatastoresAuthMode(StrEnum):
    """How the workspace reaches its system datastores (``systemDatastoresAuthMode``)."""

    ACCESS_KEY = "AccessKey"
    IDENTITY = "Identity"
    USER_DELEGATION_SAS = "UserDelegationSAS"


class WorkspaceKind(StrEnum):
    DEFAULT = "Default"
    HUB = "Hub"
    PROJECT = "Project"


@dataclass(frozen=True, slots=True, kw_only=True)
class Workspace(LocatedResource):
    """An Azure ML workspace (``Microsoft.MachineLearningServices/workspaces``) with its
    dependencies and network settings."""

    workspace_id: str
    """The workspace GUID used in its DNS names (``<guid>.workspace.<region>.api.azureml.ms``).

    Azure assigns it at creation; sources that cannot know it derive a stable placeholder.
    """
    storage_account: ResourceId
    key_vault: ResourceId
    container_registry: ResourceId | None = None
    application_insights: ResourceId | None = None
    public_network_access: PublicNetworkAccess = PublicNetworkAccess.ENABLED
    managed_network: ManagedNetwork = ManagedNetwork()
    image_build_compute: str = ""
    """Name of the compute cluster used for image builds; empty = Azure default (serverless)."""
    kind: WorkspaceKind = WorkspaceKind.DEFAULT
    registries: tuple[ResourceId, ...] = ()
    """ML registries this workspace uses for promotion."""
    system_datastores_auth_mode: DatastoresAuthMode = DatastoresAuthMode.ACCESS_KEY
    """Keys (the default) need shared-key access on the storage account; Identity does not."""
    v1_legacy_mode: bool = False
    """``v1LegacyMode``: keeps the v1 API's network isolation and turns the v2 API off."""
    hub: ResourceId | None = None
    """A project's hub (``hubResourceId``): the project shares the hub's storage, Key Vault,
    registry, managed network, public access and private endpoints, so what holds for the hub
    holds for it."""


class ComputeType(StrEnum):
    COMPUTE_INSTANCE = "ComputeInstance"
    AML_COMPUTE = "AmlCompute"


@dataclass(frozen=True, slots=True, kw_only=True)
class Compute(LocatedResource):
    """A compute instance or cluster: an ARM child of the workspace (``workspaces/computes``)."""

    workspace: ResourceId
    compute_type: ComputeType
    subnet: ResourceId | None = None
    """``None`` means not in a customer VNet (Azure-managed or managed VNet)."""
    enable_node_public_ip: bool = True
    vm_size: str = "Standard_DS3_v2"
    min_nodes: int = 0
    max_nodes: int = 1


class ScoringExposure(StrEnum):
    """How a Kubernetes compute's scoring front end (the inference router ``azureml-fe``) is
    exposed to the callers of its endpoints."""

    PUBLIC = "public"
    """A load balancer with a public IP (AKS v1 ``loadBalancerType: PublicIp``, the default;
    the extension's ``inferenceRouterServiceType: loadBalancer`` without an internal provider)."""
    INTERNAL = "internal"
    """An internal load balancer with a private address in a subnet of the cluster's VNet."""
    NODE_PORT = "node-port"
    """A port of every node (30000-32767), on the nodes' own addresses."""
    CLUSTER_IP = "cluster-ip"
    """Only inside the cluster: callers outside it cannot reach it."""
    NONE = "none"
    """Inference is not enabled: the compute trains only."""
    UNKNOWN = "unknown"
    """Decided where the input does not show it (the Azure ML extension is not in the input)."""


def extension_settings(exposure: ScoringExposure, https: bool) -> dict[str, str] | None:
    """The Azure ML extension's configuration settings that give a Kubernetes compute this
    front end (what the readers take them to mean); None for an unknown exposure."""
    services = {
        ScoringExposure.INTERNAL: "loadBalancer",
        ScoringExposure.PUBLIC: "loadBalancer",
        ScoringExposure.NODE_PORT: "nodePort",
        ScoringExposure.CLUSTER_IP: "clusterIP",
    }
    if exposure is ScoringExposure.UNKNOWN:
        return None
    if exposure is ScoringExposure.NONE:
        return {"enableTraining": "True", "enableInference": "False"}
    settings = {
        "enableTraining": "True",
        "enableInference": "True",
        "inferenceRouterServiceType": services[exposure],
        "allowInsecureConnections": "False" if https else "True",
    }
    if exposure is ScoringExposure.INTERNAL:
        settings["internalLoadBalancerProvider"] = "azure"
    return settings


@dataclass(frozen=True, slots=True, kw_only=True)
class KubernetesCompute(LocatedResource):
    """An AKS (or Arc) cluster attached to a workspace (``workspaces/computes`` of type ``AKS``,
    the v1 inference cluster, or ``Kubernetes``, which runs the Azure ML extension)."""

    workspace: ResourceId
    attach_type: str
    """``AKS`` or ``Kubernetes``, as the compute writes it."""
    cluster: ResourceId | None = None
    """The cluster it attaches (``resourceId``); None when not written."""
    exposure: ScoringExposure = ScoringExposure.UNKNOWN
    scoring_subnet: ResourceId | None = None
    """Where an internal front end takes its address (the load balancer subnet, else the
    nodes'); None when public, cluster-only or unknown."""
    https: bool = False
    """Scoring is served over TLS on 443; else plain HTTP on 80."""
    exposure_reason: str = ""
    """Where the exposure was read, or why it is a default (for the evidence)."""
    exposure_default: bool = False
    """The input does not write it: the exposure is Azure's default (``loadBalancerType``)."""
    exposure_source: SourceLocation | None = None
    """The line that decides the exposure (the compute, or the extension's settings)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Registry(LocatedResource):
    """An Azure ML registry: models and environments shared between workspaces and regions."""

    public_network_access: PublicNetworkAccess = PublicNetworkAccess.ENABLED
    registry_id: str = ""
    """The registry GUID used in ``<guid>.registry.<region>.privatelink.api.azureml.ms``."""
    regions: tuple[str, ...] = ()
