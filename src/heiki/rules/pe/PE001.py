"""PE001: an NSG on a private-endpoint subnet does not apply because network policies are off."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.network import (
    Direction,
    NetworkSecurityGroup,
    PrivateEndpointNetworkPolicies,
)
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
            "evaluated for traffic to the private endpoints in the subnet: the inbound rules "
            "written to protect them allow nothing and deny nothing."
        ),
        fix="Set privateEndpointNetworkPolicies to NetworkSecurityGroupEnabled (or Enabled) on "
        "the subnet.",
        references=(
            "https://learn.microsoft.com/en-us/azure/private-link/disable-private-endpoint-network-policy",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.env
        endpoint_subnets = {pe.subnet for pe in env.private_endpoints}
        enabled = (
            PrivateEndpointNetworkPolicies.ENABLED,
            PrivateEndpointNetworkPolicies.NSG_ENABLED,
        )
        for vnet in env.virtual_networks:
            for subnet in vnet.subnets:
                if (
                    subnet.id not in endpoint_subnets
                    or subnet.private_endpoint_network_policies in enabled
                ):
                    continue
                nsg = env.get_typed(subnet.network_security_group, NetworkSecurityGroup)
                inbound = (
                    [r for r in nsg.security_rules if r.direction is Direction.INBOUND]
                    if nsg
                    else []
                )
                if inbound:
                    yield Violation(
                        f"{vnet.name}/{subnet.name} holds private endpoints and NSG {nsg.name if nsg else '?'} "
                        f"has {len(inbound)} inbound rule(s), but network policies are "
                        f"{subnet.private_endpoint_network_policies.value}",
                        subnet.id,
                        subnet.source,
                    )
