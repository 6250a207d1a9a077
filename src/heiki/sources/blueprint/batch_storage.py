"""Azure Batch's storage for compute in a customer VNet, without an exfiltration path.

Azure ML compute instances and clusters in a customer VNet reach storage accounts that Azure
Batch owns, even when the workspace's storage has private endpoints (learn.microsoft.com:
how-to-access-azureml-behind-firewall, "Microsoft storage access"). Allowing the ``Storage`` tag or
``*.blob.core.windows.net`` through the firewall would open every account in the world; the
documented way (how-to-prevent-data-loss-exfiltration) is a ``Microsoft.Storage`` service endpoint
on the compute subnets with a service endpoint policy that admits the workspace's own accounts and
the ``/services/Azure/MachineLearning`` alias - nothing else. A spoke chooses it with
``batch_storage: service-endpoint-policy`` (the default behind a hub firewall) or ``none``.
"""

from __future__ import annotations

from dataclasses import replace

from heiki.catalog import Catalog
from heiki.model.environment import Environment
from heiki.model.ml import Compute
from heiki.model.network import (
    ServiceEndpointPolicy,
    ServiceEndpointPolicyDefinition,
    Subnet,
    VirtualNetwork,
)
from heiki.model.values import ResourceId
from heiki.sources.blueprint import schema as bp
from heiki.sources.yamlread import LocatedDocument

STORAGE_SERVICE = "Microsoft.Storage"


def scope_batch_storage(
    env: Environment, spec: bp.BlueprintSpec, doc: LocatedDocument, catalog: Catalog
) -> Environment:
    """``env`` with a storage service endpoint and a policy on the compute subnets of every
    spoke that asks for them."""
    alias = next(
        (a for a, owner in catalog.service_endpoint_policy_aliases if owner == "azure-ml"), None
    )
    policies: list[ServiceEndpointPolicy] = []
    scoped: dict[ResourceId, ResourceId] = {}
    # indexes, so that a large estate is not spokes x computes
    by_name = {v.name.lower(): v for v in reversed(env.virtual_networks)}
    computes_in: dict[ResourceId, list[Compute]] = {}
    for compute in env.computes:
        if compute.subnet is not None:
            computes_in.setdefault(compute.subnet, []).append(compute)
    storage_of = {w.id: w.storage_account for w in env.workspaces}
    for key, spoke in spec.spokes.items():
        mode = spoke.batch_storage or ("service-endpoint-policy" if env.firewalls else "none")
        vnet = by_name.get((spoke.name or f"vnet-{key}").lower())
        if mode != "service-endpoint-policy" or vnet is None or alias is None:
            continue
        computes = [c for s in vnet.subnets for c in computes_in.get(s.id, ())]
        if not computes:
            continue
        accounts = sorted(
            {str(storage_of[c.workspace]) for c in computes if c.workspace in storage_of}
        )
        policy = ServiceEndpointPolicy(
            id=ResourceId.build(
                vnet.id.subscription_id,
                vnet.id.resource_group or "",
                "Microsoft.Network/serviceEndpointPolicies",
                f"sep-{key}",
            ),
            name=f"sep-{key}",
            location=vnet.location,
            definitions=(
                ServiceEndpointPolicyDefinition(
                    "azure-ml-storage",
                    STORAGE_SERVICE,
                    (*accounts, alias),
                    "the workspace's accounts and the storage Azure ML's compute runs on",
                ),
            ),
            source=doc.location(("spokes", key, "batch_storage"))
            if spoke.batch_storage
            else doc.location(("spokes", key)),
        )
        policies.append(policy)
        for compute in computes:
            assert compute.subnet is not None
            scoped[compute.subnet] = policy.id
    if not policies:
        return env
    vnets = [_scoped(vnet, scoped) for vnet in env.virtual_networks]
    return replace(
        env,
        virtual_networks=tuple(vnets),
        service_endpoint_policies=(*env.service_endpoint_policies, *policies),
    )


def _scoped(vnet: VirtualNetwork, scoped: dict[ResourceId, ResourceId]) -> VirtualNetwork:
    if not any(s.id in scoped for s in vnet.subnets):
        return vnet
    return replace(vnet, subnets=tuple(_with_policy(s, scoped.get(s.id)) for s in vnet.subnets))


def _with_policy(subnet: Subnet, policy: ResourceId | None) -> Subnet:
    if policy is None:
        return subnet
    endpoints = subnet.service_endpoints
    if STORAGE_SERVICE.lower() not in (e.lower() for e in endpoints):
        endpoints = (*endpoints, STORAGE_SERVICE)
    return replace(
        subnet,
        service_endpoints=endpoints,
        service_endpoint_policies=tuple(dict.fromkeys((*subnet.service_endpoint_policies, policy))),
    )
