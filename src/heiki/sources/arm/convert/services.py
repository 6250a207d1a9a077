"""PaaS dependencies of a workspace: storage, Key Vault, container registry, Application
Insights, Azure Monitor Private Link Scopes, Data Factory."""

from __future__ import annotations

from heiki.model.base import ROLE_TAG
from heiki.model.endpoints import ConnectionState
from heiki.model.ml import PublicNetworkAccess
from heiki.model.network import VmRole
from heiki.model.services import (
    AccessMode,
    ApplicationInsights,
    ContainerRegistry,
    DataFactory,
    DefaultAction,
    IntegrationRuntime,
    IntegrationRuntimeType,
    KeyVault,
    ManagedPrivateEndpoint,
    NetworkAcls,
    PrivateLinkScope,
    StorageAccount,
)
from heiki.model.values import ResourceId
from heiki.sources.arm.convert.context import ConvertContext, located
from heiki.sources.arm.convert.reader import Props


def public_access(props: Props, key: str = "publicNetworkAccess") -> PublicNetworkAccess:
    """ARM's default is Enabled; ``SecuredByPerimeter`` is not the internet either."""
    text = props.text(key, "Enabled").lower()
    return PublicNetworkAccess.ENABLED if text == "enabled" else PublicNetworkAccess.DISABLED


def network_acls(props: Props, key: str = "networkAcls") -> NetworkAcls:
    acls = props.sub(key)
    if not acls:
        return NetworkAcls()
    return NetworkAcls(
        default_action=DefaultAction.DENY
        if acls.text("defaultAction").lower() == "deny"
        else DefaultAction.ALLOW,
        bypass=tuple(b.strip() for b in acls.text("bypass", "AzureServices").split(",") if b),
        ip_rules=tuple(rule.text("value") for rule in acls.subs("ipRules") if rule.text("value")),
        virtual_network_rules=tuple(
            rid for rule in acls.subs("virtualNetworkRules") if (rid := rule.rid("id"))
        ),
        resource_access_rules=tuple(
            rid for rule in acls.subs("resourceAccessRules") if (rid := rule.rid("resourceId"))
        ),
    )


def storage_accounts(ctx: ConvertContext) -> list[StorageAccount]:
    result = []
    for account in ctx.of_type("Microsoft.Storage/storageAccounts"):
        props = ctx.props(account)
        result.append(
            StorageAccount(
                **located(account),
                kind=account.kind or "StorageV2",
                sku=str(account.sku.get("name", "Standard_LRS")),
                is_hns_enabled=props.flag("isHnsEnabled", False),
                public_network_access=public_access(props),
                network_acls=network_acls(props),
                allow_shared_key_access=props.flag("allowSharedKeyAccess", True),
                allow_blob_public_access=props.flag("allowBlobPublicAccess", False),
                minimum_tls_version=props.text("minimumTlsVersion", "TLS1_2"),
            )
        )
    return result


def key_vaults(ctx: ConvertContext) -> list[KeyVault]:
    result = []
    for vault in ctx.of_type("Microsoft.KeyVault/vaults"):
        props = ctx.props(vault)
        result.append(
            KeyVault(
                **located(vault),
                sku=props.sub("sku").text("name", "standard"),
                public_network_access=public_access(props),
                network_acls=network_acls(props),
                enable_rbac_authorization=props.flag("enableRbacAuthorization", False),
                enable_purge_protection=props.flag("enablePurgeProtection", False),
            )
        )
    return result


def container_registries(ctx: ConvertContext) -> list[ContainerRegistry]:
    result = []
    for registry in ctx.of_type("Microsoft.ContainerRegistry/registries"):
        props = ctx.props(registry)
        result.append(
            ContainerRegistry(
                **located(registry),
                sku=str(registry.sku.get("name", "Basic")),
                admin_user_enabled=props.flag("adminUserEnabled", False),
                public_network_access=public_access(props),
                network_acls=network_acls(props, "networkRuleSet"),
                network_rule_bypass_options=props.text("networkRuleBypassOptions", "AzureServices"),
                data_endpoint_enabled=props.flag("dataEndpointEnabled", False),
            )
        )
    return result


def application_insights(ctx: ConvertContext) -> list[ApplicationInsights]:
    result = []
    for component in ctx.of_type("Microsoft.Insights/components"):
        props = ctx.props(component)
        result.append(
            ApplicationInsights(
                **located(component),
                public_network_access_for_ingestion=public_access(
                    props, "publicNetworkAccessForIngestion"
                ),
                public_network_access_for_query=public_access(props, "publicNetworkAccessForQuery"),
                workspace_resource_id=props.rid("WorkspaceResourceId"),
            )
        )
    return result


def private_link_scopes(ctx: ConvertContext) -> list[PrivateLinkScope]:
    result = []
    for scope in ctx.of_type("Microsoft.Insights/privateLinkScopes"):
        modes = ctx.props(scope).sub("accessModeSettings")

        def mode(key: str, settings: Props = modes) -> AccessMode:
            text = settings.text(key, "Open").lower()
            return AccessMode.PRIVATE_ONLY if text == "privateonly" else AccessMode.OPEN

        scoped = tuple(
            rid
            for child in ctx.children(scope, "scopedResources")
            if (rid := ctx.props(child).rid("linkedResourceId")) is not None
        )
        result.append(
            PrivateLinkScope(
                **located(scope),
                ingestion_access_mode=mode("ingestionAccessMode"),
                query_access_mode=mode("queryAccessMode"),
                scoped_resources=scoped,
            )
        )
    return result


_SINK_TYPES = ("azureblobfs", "azureblobstorage", "azuredatalakestore")


def _storage_by_url(ctx: ConvertContext, url: str) -> ResourceId | None:
    """``https://<account>.dfs.core.windows.net/`` -> the storage account of that name."""
    host = url.split("//", 1)[-1].split("/", 1)[0]
    account = host.split(".", 1)[0].lower()
    return next(
        (
            a.id
            for a in ctx.of_type("Microsoft.Storage/storageAccounts")
            if a.name.lower() == account
        ),
        None,
    )


def data_factories(ctx: ConvertContext) -> list[DataFactory]:
    """The factory with its managed VNet, managed private endpoints, integration runtimes and
    linked services: sources reached through a self-hosted runtime are the on-premises data
    sources (by linked-service name), storage linked services are the sinks. Self-hosted runtime
    nodes register at run time; the VMs tagged ``heiki-role: integration-runtime`` are taken as
    its nodes."""
    shir_vms = tuple(
        vm.id
        for vm in ctx.of_type("Microsoft.Compute/virtualMachines")
        if str(vm.tags.get(ROLE_TAG, "")) == VmRole.INTEGRATION_RUNTIME.value
    )
    result = []
    for factory in ctx.of_type("Microsoft.DataFactory/factories"):
        props = ctx.props(factory)
        managed_vnets = ctx.children(factory, "managedVirtualNetworks")
        endpoints = []
        for vnet in managed_vnets:
            for child in ctx.children(vnet, "managedPrivateEndpoints"):
                item = ctx.props(child)
                target = item.rid("privateLinkResourceId")
                if target is None:
                    continue
                state_text = item.sub("connectionState").text("status", "Pending")
                state = next(
                    (s for s in ConnectionState if s.value.lower() == state_text.lower()),
                    ConnectionState.PENDING,
                )
                endpoints.append(
                    ManagedPrivateEndpoint(child.short_name, target, item.text("groupId"), state)
                )
        runtimes = []
        self_hosted: set[str] = set()
        for child in ctx.children(factory, "integrationRuntimes"):
            item = ctx.props(child)
            if item.text("type").lower() == "selfhosted":
                self_hosted.add(child.short_name.lower())
                runtimes.append(
                    IntegrationRuntime(
                        child.short_name, IntegrationRuntimeType.SELF_HOSTED, nodes=shir_vms
                    )
                )
            else:
                runtimes.append(
                    IntegrationRuntime(
                        child.short_name,
                        IntegrationRuntimeType.MANAGED,
                        managed_virtual_network=bool(item.sub("managedVirtualNetwork")),
                    )
                )
        sources = []
        sinks = []
        for child in ctx.children(factory, "linkedservices"):
            item = ctx.props(child)
            via = item.sub("connectVia").text("referenceName").lower()
            kind = item.text("type").lower()
            if kind in _SINK_TYPES:
                url = item.sub("typeProperties").text("url")
                sink = _storage_by_url(ctx, url) if url else None
                if sink is not None:
                    sinks.append(sink)
            elif via and via in self_hosted:
                sources.append(child.short_name)
        result.append(
            DataFactory(
                **located(factory),
                public_network_access=public_access(props),
                managed_virtual_network=bool(managed_vnets),
                managed_private_endpoints=tuple(endpoints),
                integration_runtimes=tuple(runtimes),
                linked_sources=tuple(sources),
                linked_sinks=tuple(sinks),
            )
        )
    return result
