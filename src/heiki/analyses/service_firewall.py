"""Whether a service's public endpoint admits a flow: public network access, then the service
firewall (storage and Key Vault ``networkAcls``, Container Registry ``networkRuleSet`` on Premium,
and the firewall of every other type the catalog describes).

Azure evaluates the firewall on the source address as the service sees it: a flow over a service
endpoint arrives from the subnet's private address and is admitted only by a virtual-network rule
for that subnet (IP rules never match it); a flow that leaves through a firewall, a NAT gateway,
a public IP or default outbound access arrives from a public address, which an IP rule may list -
heiki does not know those addresses offline, so such a flow is unknown rather than guessed.
Trusted-service bypasses (``AzureServices``) admit Azure services, never a customer's compute.
(MS Learn: storage-network-security, key-vault network-security, container-registry
access-selected-networks, cognitive-services-virtual-networks.)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from heiki.model.environment import Environment
from heiki.model.ml import PublicNetworkAccess
from heiki.model.services import ContainerRegistry, DefaultAction, NetworkAcls
from heiki.model.values import ResourceId


class Admission(StrEnum):
    ADMITTED = "admitted"
    REFUSED = "refused"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ServiceDecision:
    """Whether a service's own firewall admits a flow, and why."""

    admission: Admission
    reason: str
    """The rule that decided, in words (empty when nothing restricts the endpoint)."""


_OPEN = ServiceDecision(Admission.ADMITTED, "")


def service_decision(
    env: Environment,
    service: ResourceId,
    *,
    via_service_endpoint: bool,
    subnet: ResourceId | None,
) -> ServiceDecision:
    """How ``service``'s public endpoint treats a flow from ``subnet`` that arrives over a
    service endpoint of that subnet, or (``via_service_endpoint`` false) from a public address."""
    resource = env.get(service)
    access = getattr(resource, "public_network_access", None)
    acls = getattr(resource, "network_acls", None)
    if resource is None:
        surface = next(
            (u.surface for u in env.unmodelled if u.resource_id.lower() == str(service).lower()),
            None,
        )
        if surface is None:
            return _OPEN
        access, acls = surface.public_network_access, surface.network_acls
    name = service.name
    if access is PublicNetworkAccess.DISABLED:
        return ServiceDecision(
            Admission.REFUSED, f"{name} refuses public traffic (public network access disabled)"
        )
    if isinstance(resource, ContainerRegistry) and not resource.network_rules_apply:
        return _OPEN  # decision acr-network-rules-premium: below Premium the rules do nothing
    if not isinstance(acls, NetworkAcls) or acls.default_action is DefaultAction.ALLOW:
        return _OPEN
    if via_service_endpoint:
        if subnet is not None and subnet in acls.virtual_network_rules:
            return ServiceDecision(
                Admission.ADMITTED,
                f"{name}'s firewall has a virtual network rule for {subnet.name}",
            )
        where = f"for {subnet.name}" if subnet is not None else "for the source subnet"
        return ServiceDecision(
            Admission.REFUSED,
            f"{name}'s firewall denies by default and has no virtual network rule {where} "
            "(traffic over a service endpoint is matched by virtual network rules only)",
        )
    if acls.ip_rules:
        return ServiceDecision(
            Admission.UNKNOWN,
            f"{name}'s firewall denies by default except {len(acls.ip_rules)} IP range(s) "
            f"({', '.join(acls.ip_rules[:3])}); whether the flow's public source address is "
            "among them is not known offline",
        )
    return ServiceDecision(
        Admission.REFUSED,
        f"{name}'s firewall denies traffic from the internet (default action Deny, no IP rule)",
    )
