"""PE001: an NSG on a private-endpoint subnet does not apply because network policies are off."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.network import (
    Access,
    Direction,
    NetworkSecurityGroup,
    PrivateEndpointNetworkPolicies,
    SecurityRule,
)
from heiki.model.values import Prefix, ResourceId
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class EndpointPoliciesDisabled(Rule):
    meta = RuleMeta(
        id="PE001",
        name="pe-network-policies-disabled",
        title="NSG rules meant for private endpoints are not applied",
        severity=Severity.WARNING,
        rationale=(
            "With privateEndpointNetworkPolicies Disabled (the ARM default) NSG rules are not "
            "evaluated for traffic to the private endpoints in the subnet. That matters where an "
            "inbound rule would decide differently from the defaults: a deny meant to keep some "
            "VNet, peered or on-premises sources away from the endpoints is silently lost. Allow "
            "rules lose nothing (every source that can reach an endpoint gets through anyway), "
            "so they are not reported."
        ),
        fix="Set privateEndpointNetworkPolicies to NetworkSecurityGroupEnabled (or Enabled) on "
        "the subnet.",
        references=(
            "https://learn.microsoft.com/en-us/azure/private-link/disable-private-endpoint-network-policy",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.env
        addresses: dict[ResourceId, list[Prefix]] = {}
        for endpoint in ctx.tracer.env.private_endpoints:
            for config in endpoint.ip_configurations:
                addresses.setdefault(endpoint.subnet, []).append(
                    Prefix(f"{config.private_ip_address}/32")
                )
        enabled = (
            PrivateEndpointNetworkPolicies.ENABLED,
            PrivateEndpointNetworkPolicies.NSG_ENABLED,
        )
        for vnet in env.virtual_networks:
            for subnet in vnet.subnets:
                if (
                    subnet.id not in addresses
                    or subnet.private_endpoint_network_policies in enabled
                ):
                    continue
                nsg = env.get_typed(subnet.network_security_group, NetworkSecurityGroup)
                if nsg is None:
                    continue
                # Disabled policies let everything reach the endpoints, which is what the
                # defaults and any allow rule do for the sources that can reach them; only a
                # deny that the defaults would not make is lost.
                lost = [r for r in nsg.security_rules if _denies_endpoints(r, addresses[subnet.id])]
                if lost:
                    names = ", ".join(f"{r.name} ({r.priority})" for r in lost[:3])
                    yield Violation(
                        f"{vnet.name}/{subnet.name} holds private endpoints and NSG {nsg.name} "
                        f"denies traffic to them in {names}, but network policies are "
                        f"{subnet.private_endpoint_network_policies.value}: the rule does not "
                        "apply to the endpoints",
                        subnet.id,
                        lost[0].source or subnet.source,
                    )


_ANY = ("*", "any", "0.0.0.0/0")
_WITHIN_VNET = ("virtualnetwork",)


def _covers(prefixes: tuple[str, ...], targets: list[Prefix]) -> bool:
    for text in prefixes:
        lowered = text.strip().lower()
        if lowered in _ANY or lowered in _WITHIN_VNET:
            return True
        try:
            network = Prefix(lowered, strict=False)
        except ValueError:
            continue  # a service tag never names private endpoint addresses
        if any(target.subnet_of(network) for target in targets):
            return True
    return False


def _reaches_vnet(prefixes: tuple[str, ...]) -> bool:
    """Sources that can reach a private endpoint at all: the VNet side (VirtualNetwork covers
    peered VNets and on-premises) or any private range; the internet and service tags cannot."""
    for text in prefixes:
        lowered = text.strip().lower()
        if lowered in _ANY or lowered in _WITHIN_VNET:
            return True
        try:
            if Prefix(lowered, strict=False).is_private:
                return True
        except ValueError:
            continue
    return False


def _denies_endpoints(rule: SecurityRule, endpoints: list[Prefix]) -> bool:
    """An inbound deny of traffic to the endpoints from a source that can reach them: the
    defaults would allow it (AllowVnetInBound), so the NSG decides differently."""
    return (
        rule.direction is Direction.INBOUND
        and rule.access is Access.DENY
        and not rule.destination_application_security_groups
        and _covers(rule.destination_address_prefixes, endpoints)
        and (
            bool(rule.source_application_security_groups)
            or _reaches_vnet(rule.source_address_prefixes)
        )
    )
