"""Azure Machine Learning: workspaces (with the managed network), computes, registries.

The workspace and registry GUIDs in their DNS names are assigned by Azure at creation; a template
cannot know them, so a stable placeholder is derived from the resource ID and tagged
``heiki-assumed`` (deployed-resource JSON carries the real ``workspaceId``)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from heiki.model.base import ASSUMED_TAG, REGISTRIES_TAG
from heiki.model.ml import (
    Compute,
    ComputeType,
    DatastoresAuthMode,
    IsolationMode,
    KubernetesCompute,
    ManagedNetwork,
    OutboundRule,
    OutboundRuleType,
    Registry,
    ScoringExposure,
    Workspace,
    WorkspaceKind,
    placeholder_guid,
)
from heiki.model.source import SourceLocation
from heiki.model.values import FqdnPattern, PortRange, ResourceId
from heiki.sources.arm.convert.context import ConvertContext, tags_of
from heiki.sources.arm.convert.reader import Props
from heiki.sources.arm.convert.services import public_access
from heiki.sources.arm.resources import ArmResource


def _outbound_rule(name: str, props: Props) -> OutboundRule | None:
    kind = props.text("type")
    rule_type = next((t for t in OutboundRuleType if t.value.lower() == kind.lower()), None)
    if rule_type is None:
        return None
    destination = props.get("destination")
    if rule_type is OutboundRuleType.FQDN:
        try:
            return OutboundRule(
                name, rule_type, destination=FqdnPattern(str(destination)), source=props.where
            )
        except ValueError:
            return None
    target = props.sub("destination")
    if rule_type is OutboundRuleType.PRIVATE_ENDPOINT:
        return OutboundRule(
            name,
            rule_type,
            service_resource_id=target.rid("serviceResourceId"),
            subresource_target=target.text("subresourceTarget"),
            source=props.where,
        )
    ports = []
    for text in target.text("portRanges", "*").split(","):
        try:
            ports.append(PortRange.parse(text.strip()))
        except ValueError:
            continue
    return OutboundRule(
        name,
        rule_type,
        service_tag=target.text("serviceTag"),
        protocol=target.text("protocol", "TCP"),
        port_ranges=tuple(ports),
        source=props.where,
    )


def _managed_network(ctx: ConvertContext, workspace: ArmResource, props: Props) -> ManagedNetwork:
    settings = props.sub("managedNetwork")
    mode_text = settings.text("isolationMode", "Disabled")
    mode = next(
        (m for m in IsolationMode if m.value.lower() == mode_text.lower()), IsolationMode.DISABLED
    )
    rules: dict[str, OutboundRule] = {}
    outbound = settings.sub("outboundRules")
    for name in outbound.data:
        rule = _outbound_rule(name, outbound.sub(name))
        if rule is not None:
            rules[name.lower()] = rule
    for child in ctx.children(workspace, "outboundRules"):
        rule = _outbound_rule(child.short_name, ctx.props(child))
        if rule is not None:
            rules[child.short_name.lower()] = rule
    return ManagedNetwork(
        isolation_mode=mode,
        outbound_rules=tuple(rules.values()),
        firewall_sku=settings.text("firewallSku", "Standard"),
    )


def workspaces(ctx: ConvertContext) -> list[Workspace]:
    declared = ctx.of_type("Microsoft.MachineLearningServices/workspaces")
    result = [w for r in declared if (w := _workspace(ctx, r, None)) is not None]
    hubs = {w.id: w for w in result if w.kind is WorkspaceKind.HUB}
    for workspace in declared:  # projects take what they share from their hub
        hub = ctx.props(workspace).rid("hubResourceId")
        if hub is not None and hub in hubs and workspace.kind.lower() == "project":
            project = _workspace(ctx, workspace, hubs[hub])
            if project is not None:
                result.append(project)
    return result


def _workspace(
    ctx: ConvertContext, workspace: ArmResource, hub: Workspace | None
) -> Workspace | None:
    """A workspace; a project (``hub`` given) shares its hub's dependencies and network."""
    props = ctx.props(workspace)
    if hub is None and props.rid("hubResourceId") is not None:
        return None  # a project: read once its hub is known
    storage = props.rid("storageAccount") if hub is None else hub.storage_account
    vault = props.rid("keyVault") if hub is None else hub.key_vault
    if storage is None or vault is None:
        return None
    guid = props.text("workspaceId")
    tags = tuple(t for t in tags_of(workspace) if t[0] != REGISTRIES_TAG)
    wanted = {n.lower() for n in str(workspace.tags.get(REGISTRIES_TAG, "")).split(";") if n}
    registries = tuple(
        r.id
        for r in ctx.of_type("Microsoft.MachineLearningServices/registries")
        if r.name.lower() in wanted
    )
    if not guid:
        guid = placeholder_guid(workspace.id)
        tags = (*tags, (ASSUMED_TAG, "workspace_id"))
    kind = next(
        (k for k in WorkspaceKind if k.value.lower() == workspace.kind.lower()),
        WorkspaceKind.DEFAULT,
    )
    own = Workspace(
        id=workspace.id,
        name=workspace.name,
        location=workspace.location,
        tags=tags,
        source=workspace.source,
        workspace_id=guid,
        storage_account=storage,
        key_vault=vault,
        container_registry=props.rid("containerRegistry"),
        application_insights=props.rid("applicationInsights"),
        public_network_access=public_access(props),
        managed_network=_managed_network(ctx, workspace, props),
        image_build_compute=props.text("imageBuildCompute"),
        kind=kind,
        registries=registries,
        v1_legacy_mode=props.flag("v1LegacyMode", False),
        system_datastores_auth_mode=next(
            (
                m
                for m in DatastoresAuthMode
                if m.value.lower() == props.text("systemDatastoresAuthMode").lower()
            ),
            DatastoresAuthMode.ACCESS_KEY,
        ),
    )
    if hub is None:
        return own
    return replace(
        own,
        kind=WorkspaceKind.PROJECT,
        hub=hub.id,
        container_registry=hub.container_registry,
        application_insights=hub.application_insights,
        public_network_access=hub.public_network_access,
        managed_network=hub.managed_network,
        system_datastores_auth_mode=hub.system_datastores_auth_mode,
    )


def computes(ctx: ConvertContext) -> list[Compute]:
    result = []
    for compute in ctx.of_type("Microsoft.MachineLearningServices/workspaces/computes"):
        props = ctx.props(compute)
        kind_text = props.text("computeType")
        kind = next((k for k in ComputeType if k.value.lower() == kind_text.lower()), None)
        if kind is None:
            continue  # Kubernetes computes: kubernetes_computes; other attached computes are not modelled
        inner = props.sub("properties")
        subnet = inner.rid("subnet")
        if kind is ComputeType.AML_COMPUTE:
            scale = inner.sub("scaleSettings")
            sizes = (scale.number("minNodeCount", 0), scale.number("maxNodeCount", 1))
        else:
            sizes = (0, 1)  # a compute instance is one VM; the model's defaults
        result.append(
            Compute(
                id=compute.id,
                name=compute.short_name,
                location=compute.location,
                tags=tags_of(compute),
                source=compute.source,
                workspace=compute.parent_id,
                compute_type=kind,
                subnet=subnet,
                enable_node_public_ip=inner.flag("enableNodePublicIp", True),
                vm_size=inner.text("vmSize", "Standard_DS3_v2"),
                min_nodes=sizes[0],
                max_nodes=sizes[1],
            )
        )
    return result


KUBERNETES_ATTACH = ("AKS", "Kubernetes")
"""The compute types that attach a Kubernetes cluster: ``AKS`` (the v1 inference cluster,
whose front end the compute configures) and ``Kubernetes`` (the Azure ML extension's)."""

AZUREML_EXTENSION = "microsoft.azureml.kubernetes"
"""The ``extensionType`` of the Azure ML extension on an AKS or Arc cluster."""


def kubernetes_computes(ctx: ConvertContext) -> list[KubernetesCompute]:
    """The Kubernetes clusters attached to workspaces, with how their scoring front end is
    exposed: written on an AKS compute (``loadBalancerType``, ``loadBalancerSubnet``,
    ``sslConfiguration``), or in the settings of the cluster's Azure ML extension."""
    result = []
    for compute in ctx.of_type("Microsoft.MachineLearningServices/workspaces/computes"):
        props = ctx.props(compute)
        attach = next(
            (k for k in KUBERNETES_ATTACH if k.lower() == props.text("computeType").lower()), ""
        )
        if not attach:
            continue
        cluster = props.rid("resourceId")
        front = (
            _aks_front_end(ctx, props.sub("properties"), cluster)
            if attach == "AKS"
            else _extension_front_end(ctx, cluster)
        )
        result.append(
            KubernetesCompute(
                id=compute.id,
                name=compute.short_name,
                location=compute.location,
                tags=tags_of(compute),
                source=compute.source,
                workspace=compute.parent_id,
                attach_type=attach,
                cluster=cluster,
                exposure=front.exposure,
                scoring_subnet=front.subnet,
                https=front.https,
                exposure_reason=front.reason,
                exposure_default=front.default,
                exposure_source=front.where or compute.source,
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class _FrontEnd:
    """How a compute's scoring front end is exposed, and where the input says so."""

    exposure: ScoringExposure
    reason: str
    where: SourceLocation | None = None
    subnet: ResourceId | None = None
    https: bool = True
    default: bool = False
    """Nothing is written: Azure's default holds."""


def _node_subnet(ctx: ConvertContext, cluster: ResourceId | None) -> ResourceId | None:
    """The subnet of the cluster's first node pool, when the cluster is in the input."""
    if cluster is None:
        return None
    for resource in ctx.of_type("Microsoft.ContainerService/managedClusters"):
        if resource.id == cluster:
            for pool in ctx.props(resource).subs("agentPoolProfiles"):
                if (subnet := pool.rid("vnetSubnetID")) is not None:
                    return subnet
    return None


def _aks_front_end(ctx: ConvertContext, inner: Props, cluster: ResourceId | None) -> _FrontEnd:
    """AKS v1: ``loadBalancerType`` PublicIp (the default) or InternalLoadBalancer, in
    ``loadBalancerSubnet`` (a subnet name of the cluster's VNet) or the cluster's subnet."""
    https = inner.sub("sslConfiguration").text("status").lower() in ("enabled", "auto")
    written = inner.text("loadBalancerType")
    if written.lower() != "internalloadbalancer":
        if not written:
            reason = "loadBalancerType not set: PublicIp, Azure's default"
            return _FrontEnd(ScoringExposure.PUBLIC, reason, inner.where, https=https, default=True)
        reason = f"loadBalancerType {written}"
        return _FrontEnd(ScoringExposure.PUBLIC, reason, inner.where, https=https)
    base = inner.sub("aksNetworkingConfiguration").rid("subnetId") or _node_subnet(ctx, cluster)
    named = inner.text("loadBalancerSubnet")
    subnet = base
    if base is not None and named and base.parent is not None:
        subnet = base.parent.child("subnets", named)
    reason = "loadBalancerType InternalLoadBalancer"
    return _FrontEnd(ScoringExposure.INTERNAL, reason, inner.where, subnet, https)


_ROUTER_SERVICES = {
    "nodeport": ScoringExposure.NODE_PORT,
    "clusterip": ScoringExposure.CLUSTER_IP,
}


def _extension_front_end(ctx: ConvertContext, cluster: ResourceId | None) -> _FrontEnd:
    """Kubernetes: the Azure ML extension's ``enableInference``, ``inferenceRouterServiceType``
    (loadBalancer, nodePort, clusterIP), ``internalLoadBalancerProvider`` (azure: an internal
    load balancer) and ``allowInsecureConnections`` (HTTP instead of HTTPS)."""
    if cluster is None:
        return _FrontEnd(ScoringExposure.UNKNOWN, "the attached cluster is not written")
    scope = f"{cluster.text.lower()}/providers/"
    for extension in ctx.of_type("Microsoft.KubernetesConfiguration/extensions"):
        props = ctx.props(extension)
        if props.text("extensionType").lower() != AZUREML_EXTENSION:
            continue
        if not str(extension.id).lower().startswith(scope):
            continue
        settings = props.sub("configurationSettings")
        where = extension.source
        https = settings.text("allowInsecureConnections").lower() != "true"
        if settings.text("enableInference").lower() != "true":
            return _FrontEnd(
                ScoringExposure.NONE, "enableInference is not True", where, https=https
            )
        written = settings.text("inferenceRouterServiceType")
        service = written.lower()
        reason = f"inferenceRouterServiceType {written}"
        if service == "loadbalancer":
            if settings.text("internalLoadBalancerProvider").lower() == "azure":
                reason += ", internalLoadBalancerProvider azure"
                return _FrontEnd(
                    ScoringExposure.INTERNAL, reason, where, _node_subnet(ctx, cluster), https
                )
            reason += " without an internal provider"
            return _FrontEnd(ScoringExposure.PUBLIC, reason, where, https=https)
        if service in _ROUTER_SERVICES:
            exposure = _ROUTER_SERVICES[service]
            subnet = _node_subnet(ctx, cluster) if exposure is ScoringExposure.NODE_PORT else None
            return _FrontEnd(exposure, reason, where, subnet, https)
        reason = "inferenceRouterServiceType not read"
        return _FrontEnd(ScoringExposure.UNKNOWN, reason, where, https=https)
    reason = "the cluster's Azure ML extension (microsoft.azureml.kubernetes) is not in the input"
    return _FrontEnd(ScoringExposure.UNKNOWN, reason)


def registries(ctx: ConvertContext) -> list[Registry]:
    result = []
    for registry in ctx.of_type("Microsoft.MachineLearningServices/registries"):
        props = ctx.props(registry)
        result.append(
            Registry(
                id=registry.id,
                name=registry.name,
                location=registry.location,
                tags=(*tags_of(registry), (ASSUMED_TAG, "registry_id")),
                source=registry.source,
                public_network_access=public_access(props),
                registry_id=placeholder_guid(registry.id),
                regions=tuple(
                    r.text("location") for r in props.subs("regionDetails") if r.text("location")
                )
                or (registry.location,),
            )
        )
    return result
