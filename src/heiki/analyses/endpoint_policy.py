"""Service endpoint policies: which storage accounts a subnet's service endpoint may reach.

Azure applies a policy to traffic that leaves a subnet over its service endpoint for the policy's
service: an account is reachable when a definition lists it, its resource group or subscription,
or a Microsoft alias that covers it (``/services/Azure/MachineLearning`` for the storage Azure ML's
compute needs). Anything else is dropped - the documented guard that keeps a ``Storage`` service
endpoint from becoming an exfiltration path (learn.microsoft.com: virtual-network-service-endpoint-
policies-overview, how-to-prevent-data-loss-exfiltration).
"""

from __future__ import annotations

from dataclasses import dataclass

from heiki.catalog import Catalog
from heiki.model.environment import Environment
from heiki.model.network import ServiceEndpointPolicy, Subnet
from heiki.model.values import ResourceId

SCOPED_SERVICE_ENDPOINT = "service endpoint scoped by"
"""How a flow left when a policy limits the service endpoint to listed accounts (egress text)."""


@dataclass(frozen=True, slots=True)
class PolicyDecision:
    """Whether service endpoint policies let a subnet reach a storage account, and which decided."""

    allowed: bool
    reason: str
    policies: tuple[str, ...]
    """The names of the policies that scoped the flow."""


def service_of_route(catalog: Catalog, subnet: Subnet, tag: str, region: str) -> str | None:
    """The service endpoint (``Microsoft.Storage``) whose route covers service tag ``tag``."""
    for service in subnet.service_endpoints:
        if (catalog.service_endpoint_tag(service, region) or "").lower() == tag.lower():
            return service
    return None


def policy_decision(
    env: Environment,
    catalog: Catalog,
    subnet: Subnet,
    service: str,
    account: ResourceId | None,
    owner: str,
    what: str,
) -> PolicyDecision | None:
    """How the subnet's policies for ``service`` treat a flow to ``what``: an account of the
    environment (``account``), a Microsoft-owned one (``owner`` ``azure-ml``), or an account
    outside the environment (neither). None when no policy scopes that service."""
    policies = [
        policy
        for policy_id in subnet.service_endpoint_policies
        if (policy := env.get_typed(policy_id, ServiceEndpointPolicy)) is not None
        and policy.for_service(service)
    ]
    if not policies:
        return None
    names = tuple(p.name for p in policies)
    aliases = dict((a.lower(), o) for a, o in catalog.service_endpoint_policy_aliases)
    for policy in policies:
        for definition in policy.for_service(service):
            for entry in definition.service_resources:
                lowered = entry.strip().rstrip("/").lower()
                if lowered.startswith("/services/"):
                    if owner and aliases.get(lowered) == owner:
                        return PolicyDecision(True, f"{policy.name} allows {entry}", names)
                    continue
                if account is not None and str(account).lower() == lowered:
                    return PolicyDecision(True, f"{policy.name} lists {account.name}", names)
                scope = lowered.count("/") <= 4  # a subscription or a resource group
                if scope and account is not None and str(account).lower().startswith(lowered + "/"):
                    return PolicyDecision(
                        True, f"{policy.name} allows every account in {entry}", names
                    )
                if scope and account is None and not owner:
                    # an account outside the environment may well live in that scope
                    return PolicyDecision(
                        True,
                        f"{policy.name} allows every account in {entry}, {what} included",
                        names,
                    )
    return PolicyDecision(
        False,
        f"service endpoint policy {', '.join(names)} does not allow {what} "
        f"(only the listed accounts and aliases of {service})",
        names,
    )
