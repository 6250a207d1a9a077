"""NSG002: an NSG allows outbound to the whole Storage or AzureCloud service tag."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.analyses.addressing import FOREIGN_STORAGE
from heiki.analyses.bastion import bastion_nsgs, is_bastion_rule
from heiki.diagnostics import Severity
from heiki.model.network import Access, Direction, ServiceEndpointPolicy
from heiki.model.values import ResourceId
from heiki.rules._trace import trace_evidence
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext

BROAD_TAGS = ("storage", "azurecloud")


def is_broad_tag(entry: str) -> bool:
    """``Storage``, ``Storage.<region>``, ``AzureCloud``, ``AzureCloud.<region>``."""
    return entry.strip().lower().split(".", 1)[0] in BROAD_TAGS


class BroadStorageTag(Rule):
    meta = RuleMeta(
        id="NSG002",
        name="nsg-broad-storage-tag",
        title="NSG allows outbound to every storage account (Storage / AzureCloud tag)",
        severity=Severity.ERROR,
        rationale=(
            "A service tag covers a whole service, not your accounts: Storage.<region> lets the "
            "subnet write to any storage account in the region - the stray-Blob exfiltration path "
            "of the talk (slide 9)."
        ),
        fix="Reach your storage through private endpoints and drop the tag; if a platform "
        "dependency needs it, send it through a firewall with FQDN rules instead.",
        references=(
            "https://learn.microsoft.com/en-us/azure/virtual-network/service-tags-overview",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        traces = {
            s.vantage.subnet: s.foreign_storage for s in ctx.egress.subnets if s.vantage.subnet
        }
        bastion = bastion_nsgs(ctx.env)
        subnets_of: dict[ResourceId, list[ResourceId]] = {}
        for vnet in ctx.env.virtual_networks:
            for subnet in vnet.subnets:
                if subnet.network_security_group is not None:
                    subnets_of.setdefault(subnet.network_security_group, []).append(subnet.id)
        for nsg in ctx.env.network_security_groups:
            users = subnets_of.get(nsg.id, [])
            for rule in nsg.security_rules:
                if rule.direction is not Direction.OUTBOUND or rule.access is not Access.ALLOW:
                    continue
                if nsg.id in bastion and is_bastion_rule(ctx.catalog, rule):
                    continue  # Bastion's documented AzureCloud 443, not a workload's path
                broad = [p for p in rule.destination_address_prefixes if is_broad_tag(p)]
                if not broad:
                    continue
                if users and all(_scoped(ctx, u) for u in users):
                    continue  # storage leaves over a service endpoint a policy scopes
                trace = next((traces[u] for u in users if u in traces), None)
                yield Violation(
                    f"NSG {nsg.name} rule {rule.name} allows outbound to {', '.join(broad)}: "
                    f"{FOREIGN_STORAGE} is reachable from every subnet it protects",
                    nsg.id,
                    rule.source or nsg.source,
                    trace_evidence(trace) if trace else (),
                )


def _scoped(ctx: RuleContext, subnet_id: ResourceId) -> bool:
    """A subnet whose storage traffic leaves over a ``Microsoft.Storage`` service endpoint that a
    service endpoint policy limits to listed accounts: the Storage tag reaches only those."""
    subnet = ctx.env.subnet(subnet_id)
    if subnet is None or "microsoft.storage" not in (s.lower() for s in subnet.service_endpoints):
        return False
    return any(
        policy is not None and policy.for_service("Microsoft.Storage")
        for policy in (
            ctx.env.get_typed(p, ServiceEndpointPolicy) for p in subnet.service_endpoint_policies
        )
    )
