"""The PaaS around a workspace: storage (incl. ADLS Gen2), Key Vault, Container Registry,
Application Insights / AMPLS, and Data Factory with its managed VNet and integration runtimes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from heiki.model.base import LocatedResource
from heiki.model.endpoints import ConnectionState
from heiki.model.ml import PublicNetworkAccess
from heiki.model.values import ResourceId


class DefaultAction(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True, slots=True)
class NetworkAcls:
    """A service firewall (storage ``networkAcls``, Key Vault ``networkAcls``, ACR ``networkRuleSet``)."""

    default_action: DefaultAction = DefaultAction.ALLOW
    bypass: tuple[str, ...] = ("AzureServices",)
    ip_rules: tuple[str, ...] = ()
    virtual_network_rules: tuple[ResourceId, ...] = ()
    resource_access_rules: tuple[ResourceId, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class StorageAccount(LocatedResource):
    """A storage account (``Microsoft.Storage/storageAccounts``) with its public access and network
    rules."""

    kind: str = "StorageV2"
    sku: str = "Standard_LRS"
    is_hns_enabled: bool = False
    public_network_access: PublicNetworkAccess = PublicNetworkAccess.ENABLED
    network_acls: NetworkAcls = NetworkAcls()
    allow_shared_key_access: bool = True
    allow_blob_public_access: bool = False
    minimum_tls_version: str = "TLS1_2"


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyVault(LocatedResource):
    """A key vault (``Microsoft.KeyVault/vaults``) with its public access and network rules."""

    sku: str = "standard"
    public_network_access: PublicNetworkAccess = PublicNetworkAccess.ENABLED
    network_acls: NetworkAcls = NetworkAcls()
    enable_rbac_authorization: bool = True
    enable_purge_protection: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ContainerRegistry(LocatedResource):
    """A container registry (``Microsoft.ContainerRegistry/registries``) with its access settings."""

    sku: str = "Premium"
    admin_user_enabled: bool = False
    public_network_access: PublicNetworkAccess = PublicNetworkAccess.ENABLED
    network_acls: NetworkAcls = NetworkAcls()
    """``networkRuleSet``: Azure applies it to Premium registries only."""
    network_rule_bypass_options: str = "AzureServices"
    data_endpoint_enabled: bool = False

    @property
    def network_rules_apply(self) -> bool:
        return self.sku.lower() == "premium"


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationInsights(LocatedResource):
    """An Application Insights component: where telemetry is ingested and queried from."""

    public_network_access_for_ingestion: PublicNetworkAccess = PublicNetworkAccess.ENABLED
    public_network_access_for_query: PublicNetworkAccess = PublicNetworkAccess.ENABLED
    workspace_resource_id: ResourceId | None = None
    """The Log Analytics workspace of a workspace-based component."""


class AccessMode(StrEnum):
    OPEN = "Open"
    PRIVATE_ONLY = "PrivateOnly"


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivateLinkScope(LocatedResource):
    """An Azure Monitor Private Link Scope (AMPLS)."""

    ingestion_access_mode: AccessMode = AccessMode.OPEN
    query_access_mode: AccessMode = AccessMode.OPEN
    scoped_resources: tuple[ResourceId, ...] = ()


@dataclass(frozen=True, slots=True)
class ManagedPrivateEndpoint:
    """A Data Factory managed private endpoint (in the factory's managed VNet)."""

    name: str
    private_link_resource_id: ResourceId
    group_id: str
    connection_state: ConnectionState = ConnectionState.PENDING


class IntegrationRuntimeType(StrEnum):
    MANAGED = "Managed"
    SELF_HOSTED = "SelfHosted"


@dataclass(frozen=True, slots=True)
class IntegrationRuntime:
    """A Data Factory integration runtime: Azure (optionally in the managed VNet) or self-hosted."""

    name: str
    runtime_type: IntegrationRuntimeType
    managed_virtual_network: bool = False
    nodes: tuple[ResourceId, ...] = ()
    """For a self-hosted IR: the VMs that run it (empty if it runs on-premises)."""
    on_premises_nodes: tuple[str, ...] = ()
    """For a self-hosted IR on-premises: the on-premises host names."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DataFactory(LocatedResource):
    """A Data Factory with its managed VNet, managed private endpoints, runtimes and linked sources."""

    public_network_access: PublicNetworkAccess = PublicNetworkAccess.ENABLED
    managed_virtual_network: bool = False
    managed_private_endpoints: tuple[ManagedPrivateEndpoint, ...] = ()
    integration_runtimes: tuple[IntegrationRuntime, ...] = ()
    linked_sources: tuple[str, ...] = ()
    """On-premises data sources the factory's pipelines copy from (by name)."""
    linked_sinks: tuple[ResourceId, ...] = ()
    """Where the pipelines write (e.g. the lake's storage account)."""
