"""Everything of the input that the converters did not put into the model, with what the verdict
therefore does not cover, and the public surface of each such resource read generically from
the catalog's property names (``catalog/data/coverage.yaml``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from heiki.catalog.coverage import AclSpec, SurfaceSpec
from heiki.model.coverage import NodePool, ServiceSurface, UnmodelledResource
from heiki.model.environment import Environment
from heiki.model.ml import PublicNetworkAccess
from heiki.model.services import DefaultAction, NetworkAcls
from heiki.model.values import ResourceId
from heiki.sources.arm.convert.context import ConvertContext
from heiki.sources.arm.convert.ml import AZUREML_EXTENSION
from heiki.sources.arm.convert.reader import Props
from heiki.sources.arm.resources import ArmResource

# Indexed by the model under their own IDs; any other modelled child is folded into a parent.
_INDEXED_CHILDREN = frozenset(
    t.lower()
    for t in (
        "Microsoft.Network/virtualNetworks/subnets",
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        "Microsoft.Network/dnsResolvers/inboundEndpoints",
        "Microsoft.Network/dnsResolvers/outboundEndpoints",
        "Microsoft.MachineLearningServices/workspaces/computes",
    )
)


def _path(props: Props, dotted: str) -> tuple[Props, str]:
    """The property bag holding the last segment of a dotted path, and that segment."""
    *parents, last = dotted.split(".")
    for part in parents:
        props = props.sub(part)
    return props, last


def _text(value: Any) -> str | None:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (str, int)):
        return str(value).lower()
    return None


def _public_access(
    ctx: ConvertContext, resource: ArmResource, spec: SurfaceSpec
) -> PublicNetworkAccess | None:
    access = spec.public_access
    if access is None:
        return None
    holder, key = _path(ctx.props(resource), access.property)
    value = _text(holder.get(key))
    if value is None:
        opened = access.absent_open
        if access.absent_with_private_endpoint_open is not None and ctx.has_private_endpoint(
            resource.id
        ):
            opened = access.absent_with_private_endpoint_open
    else:
        opened = value in access.open_values
    return PublicNetworkAccess.ENABLED if opened else PublicNetworkAccess.DISABLED


def _acls(ctx: ConvertContext, resource: ArmResource, spec: AclSpec) -> NetworkAcls:
    holders: list[Props] = []
    if spec.child:
        holders = [ctx.props(child) for child in ctx.children(resource, spec.child)]
    else:
        props = ctx.props(resource)
        holders = [props.sub(spec.path) if spec.path else props]
        if not holders[0]:
            holders = []
    ip_rules: list[str] = []
    action = ""
    filtered = False
    for holder in holders:
        if spec.default_action:
            action = action or holder.text(spec.default_action)
        if spec.filter_flag:
            filtered = filtered or holder.flag(spec.filter_flag, False)
        if spec.ip_start:
            start, end = holder.text(spec.ip_start), holder.text(spec.ip_end)
            if start:
                ip_rules.append(start if start == end or not end else f"{start}-{end}")
        elif spec.ip_key:
            ip_rules += [
                r.text(spec.ip_key) for r in holder.subs(spec.ip_rules) if r.text(spec.ip_key)
            ]
        elif spec.ip_rules:
            ip_rules += list(holder.strings(spec.ip_rules))
    if action:
        deny = action.lower() == "deny"
    elif spec.absent_action == "deny_with_rules":
        deny = bool(ip_rules) or filtered or bool(spec.child and spec.ip_start)
    else:
        deny = spec.absent_action.lower() == "deny"
    return NetworkAcls(
        default_action=DefaultAction.DENY if deny else DefaultAction.ALLOW,
        bypass=(),
        ip_rules=tuple(ip_rules),
    )


def _local_auth(ctx: ConvertContext, resource: ArmResource, spec: SurfaceSpec) -> bool | None:
    local = spec.local_auth
    if local is None:
        return None
    holder, key = _path(ctx.props(resource), local.property)
    value = _text(holder.get(key))
    return local.absent_enabled if value is None else value in local.enabled_values


def _egress(ctx: ConvertContext, resource: ArmResource, spec: SurfaceSpec) -> str:
    egress = spec.egress
    if egress is None:
        return ""
    holder, key = _path(ctx.props(resource), egress.property)
    value = holder.get(key)
    written = value if isinstance(value, str) and value else egress.absent
    return written if written.lower() in egress.uninspected else ""


def surface_of(ctx: ConvertContext, resource: ArmResource) -> ServiceSurface | None:
    """The public surface of a resource heiki does not simulate: from the catalog's property
    names for its type, else from the ``publicNetworkAccess`` / ``disableLocalAuth`` that most
    Azure resource providers share; None when neither says anything."""
    spec = ctx.catalog.coverage.surface(resource.type)
    if spec is not None:
        return ServiceSurface(
            public_network_access=_public_access(ctx, resource, spec),
            network_acls=_acls(ctx, resource, spec.acls) if spec.acls else None,
            local_auth_enabled=_local_auth(ctx, resource, spec),
            uninspected_egress=(how := _egress(ctx, resource, spec)),
            uninspected_says=(
                spec.egress.says.format(property=spec.egress.property, value=how)
                if how and spec.egress
                else ""
            ),
        )
    props = ctx.props(resource)
    access = _text(props.get("publicNetworkAccess"))
    local = props.get("disableLocalAuth")
    if access is None and not isinstance(local, bool):
        return None
    return ServiceSurface(
        public_network_access=None
        if access is None
        else (PublicNetworkAccess.ENABLED if access == "enabled" else PublicNetworkAccess.DISABLED),
        local_auth_enabled=(not local) if isinstance(local, bool) else None,
    )


def _top_level_id(resource: ArmResource) -> ResourceId:
    text = str(resource.id)
    head, _, tail = text.rpartition("/providers/")
    parts = tail.split("/")
    return ResourceId(f"{head}/providers/{'/'.join(parts[:3])}")


def _in_model(env: Environment, resource: ArmResource, modelled: frozenset[str]) -> bool:
    """Whether the converters took this resource (or its parent took it as a child)."""
    kind = resource.kind_of
    if kind == "microsoft.resources/resourcegroups":
        return True  # a container: the IDs of what it holds already say where it lives
    if kind == "microsoft.kubernetesconfiguration/extensions":
        # the Azure ML extension of an attached cluster is read as that compute's front end
        text = str(resource.id).lower()
        written = {k.lower(): v for k, v in resource.properties.items()}.get("extensiontype")
        return str(written).lower() == AZUREML_EXTENSION and any(
            c.cluster is not None and text.startswith(f"{c.cluster.text.lower()}/providers/")
            for c in env.kubernetes_computes
        )
    if kind not in modelled:
        return False
    if kind.count("/") == 1 or kind in _INDEXED_CHILDREN:
        return env.get(resource.id) is not None
    return env.get(_top_level_id(resource)) is not None


def unmodelled(
    ctx: ConvertContext,
    env: Environment,
    modelled: frozenset[str],
    extra: Iterable[UnmodelledResource] = (),
) -> tuple[UnmodelledResource, ...]:
    """Every input resource the model does not hold, with its label, consequence and surface."""
    coverage = ctx.catalog.coverage
    found = [
        replace(r, not_covered=r.not_covered or coverage.consequence(r.type, r.kind)) for r in extra
    ]
    pool_children = {
        f"{spec.type}/{spec.node_pool_children}".lower()
        for spec in coverage.surfaces
        if spec.node_pool_children
    }
    present = {r.id for r in ctx.resources}
    for resource in ctx.resources:
        if _in_model(env, resource, modelled):
            continue
        if resource.kind_of in pool_children and resource.parent_id in present:
            continue  # a node pool declared apart: read as a pool of its cluster
        kinds = coverage.kind_coverage(resource.type)
        kind = resource.kind
        label = ""
        reason = ""
        if kinds is not None:
            kind = ctx.props(resource).text(kinds.property) or resource.kind
            label = kinds.label(kind)
            reason = "" if label else f"{kinds.property} {kind or 'not set'} not read"
        elif resource.kind_of in modelled:
            reason = "a property it needs is missing or known only after deployment"
        spec = coverage.surface(resource.type)
        if spec is not None:
            label = spec.label_for(resource.kind)
        found.append(
            UnmodelledResource(
                resource_id=str(resource.id),
                type=resource.type,
                name=resource.name,
                kind=kind,
                label=label,
                not_covered=coverage.consequence(resource.type, kind),
                reason=reason,
                surface=surface_of(ctx, resource),
                no_surface=coverage.has_no_surface(resource.type),
                host=_host(ctx, resource, spec),
                subnets=_node_subnets(ctx, resource, spec),
                node_pools=_node_pools(ctx, resource, spec),
                network_plugin=_network(ctx, resource, spec, "networkPlugin"),
                network_plugin_mode=_network(ctx, resource, spec, "networkPluginMode"),
                api_server_zone=_api_server_zone(ctx, resource, spec),
                source=resource.source,
            )
        )
    return tuple(found)


def _host(ctx: ConvertContext, resource: ArmResource, spec: SurfaceSpec | None) -> str:
    """The public host label a surface names by property (a custom subdomain), if written."""
    if spec is None or not spec.host:
        return ""
    return (ctx.props(resource).text(spec.host) or "").strip()


def _api_server_zone(ctx: ConvertContext, resource: ArmResource, spec: SurfaceSpec | None) -> str:
    """The DNS zone of a private API server (AKS ``privateDNSZone``); empty when not private."""
    if spec is None or not spec.api_server_zone[0]:
        return ""
    surface = surface_of(ctx, resource)
    if surface is None or surface.public_network_access is not PublicNetworkAccess.DISABLED:
        return ""
    holder, key = _path(ctx.props(resource), spec.api_server_zone[0])
    value = holder.get(key)
    return value if isinstance(value, str) and value else spec.api_server_zone[1]


def _pool_profiles(
    ctx: ConvertContext, resource: ArmResource, spec: SurfaceSpec
) -> Iterator[tuple[str, Props]]:
    """(name, properties) of a resource's node pools: those in its list, then those declared as
    child resources (AKS ``agentPools``)."""
    for pool in ctx.props(resource).subs(spec.node_subnets[0]):
        yield pool.text("name"), pool
    if spec.node_pool_children:
        for child in ctx.children(resource, spec.node_pool_children):
            yield child.short_name, ctx.props(child)


def _node_pools(
    ctx: ConvertContext, resource: ArmResource, spec: SurfaceSpec | None
) -> tuple[NodePool, ...]:
    """An AKS cluster's agent pools: subnet, node count (``maxCount`` when autoscaling, else
    ``count``, else the catalog's default), ``maxPods`` and pod subnet."""
    if spec is None or not spec.node_subnets[0]:
        return ()
    default_nodes = ctx.catalog.aks_addressing.default_node_count
    pools = []
    for name, pool in _pool_profiles(ctx, resource, spec):
        subnet = pool.get(spec.node_subnets[1])
        if not isinstance(subnet, str) or not subnet.startswith("/subscriptions/"):
            continue
        nodes = pool.number("count", default_nodes)
        if pool.flag("enableAutoScaling", False):
            nodes = pool.number("maxCount", nodes)
        written = pool.number("maxPods", 0)
        pod_subnet = pool.get("podSubnetID")
        pools.append(
            NodePool(
                name=name or "pool",
                subnet=subnet,
                nodes=nodes,
                max_pods=written or None,
                pod_subnet=pod_subnet if isinstance(pod_subnet, str) else "",
            )
        )
    return tuple(pools)


def _network(ctx: ConvertContext, resource: ArmResource, spec: SurfaceSpec | None, key: str) -> str:
    """A ``networkProfile`` setting of a type with node pools (AKS), as written."""
    if spec is None or not spec.node_subnets[0]:
        return ""
    return ctx.props(resource).sub("networkProfile").text(key)


def _node_subnets(
    ctx: ConvertContext, resource: ArmResource, spec: SurfaceSpec | None
) -> tuple[str, ...]:
    """The subnets a type's own nodes run in (AKS: agentPoolProfiles[].vnetSubnetID)."""
    if spec is None or not spec.node_subnets[0]:
        return ()
    found: list[str] = []
    for _, pool in _pool_profiles(ctx, resource, spec):
        value = pool.get(spec.node_subnets[1])
        if isinstance(value, str) and value.startswith("/subscriptions/"):
            found.append(value)
    return tuple(dict.fromkeys(found))
