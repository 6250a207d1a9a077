"""What the input holds that heiki does not simulate.

A verdict is a promise only about what heiki looked at. Every resource of the input is either in
the model or here, with what the verdict therefore does not cover; the public surface of such a
resource (public network access, service firewall, local authentication) is still read, so that
closure never passes while one of them is open.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from heiki.model.ml import PublicNetworkAccess
from heiki.model.services import NetworkAcls
from heiki.model.source import SourceLocation


@dataclass(frozen=True, slots=True)
class ServiceSurface:
    """The public surface of a resource heiki does not simulate, read generically."""

    public_network_access: PublicNetworkAccess | None = None
    """None: the type has no such setting (or heiki does not know where it is written)."""
    network_acls: NetworkAcls | None = None
    """The service firewall; None when the type has none."""
    local_auth_enabled: bool | None = None
    """Keys, SAS or local accounts accepted; None when the type has no such setting."""
    uninspected_egress: str = ""
    """How its nodes leave when that is not through a firewall (AKS ``outboundType``
    ``loadBalancer``: the cluster's own public IP); empty: inspected, or nothing to say."""
    uninspected_says: str = ""
    """That, said for people (the catalog's sentence for the type)."""


@dataclass(frozen=True, slots=True)
class NodePool:
    """An AKS agent pool: where its nodes run and how many pods each may run."""

    name: str
    subnet: str
    """The node subnet's ID as written."""
    nodes: int
    """``count``, or ``maxCount`` when the pool autoscales."""
    max_pods: int | None = None
    """``maxPods``; None: the network plugin's default."""
    pod_subnet: str = ""
    """``podSubnetID``: pods take their addresses there, not in the node subnet."""

    def pods_in_node_subnet(self, plugin: str, mode: str) -> bool:
        """Azure CNI on the node subnet (the legacy flat model) gives pods node-subnet
        addresses; kubenet, Azure CNI Overlay and a pod subnet do not."""
        return plugin.lower() == "azure" and mode.lower() != "overlay" and not self.pod_subnet


@dataclass(frozen=True, slots=True)
class UnmodelledResource:
    """A resource heiki reads but does not simulate: its type, what it leaves uncovered, and its
    surface."""

    resource_id: str
    """As text: resources deployed above a subscription have no subscription-scoped ID."""
    type: str
    name: str
    kind: str = ""
    """The ARM ``kind``, or the kind property that makes it unmodelled (``computeType``)."""
    label: str = ""
    """What it is, for people (``Kubernetes compute``); empty: the type says it."""
    not_covered: str = ""
    """What the verdict does not cover because of it."""
    reason: str = ""
    """Why it is not in the model when its type is (a kind heiki does not simulate, a property
    that could not be read, a count known only when the deployment runs)."""
    surface: ServiceSurface | None = None
    """What closure reads of it; None when heiki does not know where the type writes it."""
    no_surface: bool = False
    """The catalog says the type has no network endpoint of its own (RBAC, locks, extensions)."""
    host: str = ""
    """The first label of its public host names where the service takes it from a property
    rather than the name (a Cognitive Services account's custom subdomain); empty: the name."""
    subnets: tuple[str, ...] = ()
    """The subnets its own nodes run in (AKS agent pools), as IDs the input wrote."""
    node_pools: tuple[NodePool, ...] = ()
    """An AKS cluster's node pools, as written."""
    network_plugin: str = ""
    """``networkProfile.networkPlugin`` (``azure``, ``kubenet``, ``none``); empty: not written."""
    network_plugin_mode: str = ""
    """``networkProfile.networkPluginMode`` (``overlay``); empty: not written."""
    api_server_zone: str = ""
    """A private cluster's API server zone as written: ``system`` (AKS's own, linked to the
    cluster's VNet only), ``none`` (public DNS) or a zone's resource ID; empty: not private."""
    source: SourceLocation | None = None

    @property
    def title(self) -> str:
        return self.label or self.type


@dataclass(frozen=True, slots=True)
class CoverageGap:
    """One line of the coverage notice: resources of one kind and what the verdict leaves out."""

    title: str
    count: int
    not_covered: str
    resources: tuple[UnmodelledResource, ...]

    @property
    def text(self) -> str:
        if self.resources[0].label:
            noun = self.title if self.count == 1 or self.title.endswith("s") else f"{self.title}s"
            what = f"{self.count} {noun}"
        else:
            what = f"{self.count} resource{'s' if self.count != 1 else ''} of type {self.title}"
        reasons = sorted({r.reason for r in self.resources if r.reason})
        why = f" ({'; '.join(reasons)})" if reasons else ""
        return f"{what} not modelled{why}: {self.not_covered}"


def coverage_gaps(unmodelled: Iterable[UnmodelledResource]) -> tuple[CoverageGap, ...]:
    """The unmodelled resources grouped once per kind, in a stable order."""
    groups: dict[tuple[str, str], list[UnmodelledResource]] = {}
    for resource in unmodelled:
        groups.setdefault((resource.title, resource.not_covered), []).append(resource)
    return tuple(
        CoverageGap(title, len(items), not_covered, tuple(items))
        for (title, not_covered), items in sorted(groups.items(), key=lambda g: g[0][0].lower())
    )
