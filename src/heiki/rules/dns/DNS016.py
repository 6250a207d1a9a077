"""DNS016: a private AKS cluster's API server zone is not where its nodes' DNS servers look."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.coverage import UnmodelledResource
from heiki.model.dns import PrivateDnsZone
from heiki.model.environment import Environment
from heiki.model.network import VirtualNetwork
from heiki.model.values import Address, ResourceId
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext

DOCS_AKS_DNS = (
    "https://learn.microsoft.com/en-us/azure/aks/private-clusters#hub-and-spoke-with-custom-dns"
)


class AksApiServerZoneUnreachable(Rule):
    meta = RuleMeta(
        id="DNS016",
        name="aks-api-server-zone-unreachable",
        title="A private AKS cluster's API server name cannot be resolved by its nodes",
        severity=Severity.ERROR,
        rationale=(
            "A private cluster's nodes find the API server through a private DNS zone "
            "(privatelink.<region>.azmk8s.io). The zone AKS creates itself ('system') is linked "
            "to the cluster's VNet only; when that VNet uses custom DNS servers - a resolver or "
            "firewall proxy in the hub, as in every closed hub-and-spoke - the servers never see "
            "the zone, the nodes cannot reach the API server and the cluster deployment fails."
        ),
        fix="Bring your own zone privatelink.<region>.azmk8s.io, link it to the VNet of the DNS "
        "servers (the hub) and set apiServerAccessProfile.privateDNSZone to its resource ID "
        "(azurerm: private_dns_zone_id), with an identity allowed to write it.",
        references=(DOCS_AKS_DNS,),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.env
        for cluster in env.unmodelled:
            zone = cluster.api_server_zone
            if not zone or zone.lower() == "none":
                continue
            vnet = _custom_dns_vnet(env, cluster)
            if vnet is None:
                continue  # Azure DNS answers from the zone's link to the cluster's VNet
            servers = ", ".join(str(a) for a in vnet.dns_servers)
            name = cluster.name.rsplit("/", 1)[-1]
            if zone.lower() == "system":
                yield Violation(
                    f"AKS cluster {name} is private with the API server zone AKS creates, linked "
                    f"to {vnet.name} only, but {vnet.name} uses DNS servers {servers}: the nodes "
                    "cannot resolve the API server and the deployment fails",
                    _rid(cluster.resource_id),
                    cluster.source,
                    (
                        "apiServerAccessProfile.privateDNSZone = system",
                        f"{vnet.name} DNS servers: {servers}",
                    ),
                )
                continue
            found = env.get_typed(_rid(zone), PrivateDnsZone)
            if found is None:
                continue  # a zone outside the input: its links are not known
            linked = _server_vnets(env, vnet.dns_servers)
            if linked and not any(found.is_linked_to(v.id) for v in linked):
                where = ", ".join(v.name for v in linked)
                yield Violation(
                    f"AKS cluster {name} uses API server zone {found.name}, which is not linked to "
                    f"{where}, where {vnet.name}'s DNS servers {servers} resolve: the nodes cannot "
                    "resolve the API server",
                    _rid(cluster.resource_id),
                    cluster.source,
                    (
                        f"{found.name} linked to: "
                        + (
                            ", ".join(
                                str(link.virtual_network.name)
                                for link in found.virtual_network_links
                            )
                            or "nothing"
                        ),
                    ),
                )


def _rid(text: str) -> ResourceId | None:
    try:
        return ResourceId(text)
    except ValueError:
        return None


def _custom_dns_vnet(env: Environment, cluster: UnmodelledResource) -> VirtualNetwork | None:
    """The first VNet of the cluster's node pools that uses custom DNS servers."""
    for text in cluster.subnets:
        subnet = _rid(text)
        vnet = env.vnet_of_subnet(subnet) if subnet is not None else None
        if vnet is not None and vnet.dns_servers:
            return vnet
    return None


def _server_vnets(env: Environment, servers: Iterable[Address]) -> list[VirtualNetwork]:
    """The VNets that hold the DNS servers (a resolver inbound endpoint, a firewall, a VM)."""
    found: list[VirtualNetwork] = []
    for address in servers:
        for vnet in env.virtual_networks:
            if any(address in s.address_prefix for s in vnet.subnets) and vnet not in found:
                found.append(vnet)
    return found
