"""DNS011: FQDN network rules without the DNS proxy, or clients that do not share its answers."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.firewall import FirewallPolicy, NetworkRule
from heiki.model.values import Prefix
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class FqdnNetworkRulesWithoutProxy(Rule):
    meta = RuleMeta(
        id="DNS011",
        name="fqdn-network-rules-without-proxy",
        title="FQDN network rules need the firewall DNS proxy, used by the clients",
        severity=Severity.ERROR,
        rationale=(
            "A network rule with destination FQDNs matches the IPs the firewall itself resolved. "
            "Without the DNS proxy the rule is not applied; with it, clients that resolve through "
            "another path can get different IPs (CDNs, private endpoints) and be dropped."
        ),
        fix="Enable the DNS proxy on the policy and make the clients' DNS the firewall or the same "
        "upstream the proxy uses; or use application rules for HTTP/S.",
        references=(
            "https://learn.microsoft.com/en-us/azure/firewall/fqdn-filtering-network-rules",
            "https://learn.microsoft.com/en-us/azure/firewall/dns-settings",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.env
        for firewall in env.firewalls:
            policy = env.get_typed(firewall.firewall_policy, FirewallPolicy)
            if policy is None:
                continue
            rules = [
                rule
                for group in policy.rule_collection_groups
                for collection in group.rule_collections
                for rule in collection.rules
                if isinstance(rule, NetworkRule) and rule.destination_fqdns
            ]
            if not rules:
                continue
            settings = policy.dns_settings
            if settings is None or not settings.enable_proxy:
                if settings is None or settings.require_proxy_for_network_rules:
                    names = ", ".join(r.name for r in rules[:5])
                    yield Violation(
                        f"policy {policy.name} has network rules with FQDNs ({names}) but the "
                        "DNS proxy is off: those rules never match",
                        policy.id,
                    )
                continue
            proxy_upstream = set(settings.servers)
            sources = {s for r in rules for s in r.source_addresses}
            for vnet in env.virtual_networks:
                if not any(_overlaps(space, sources) for space in vnet.address_space):
                    continue
                servers = set(vnet.dns_servers)
                if firewall.private_ip_address in servers or (
                    servers and proxy_upstream and servers <= proxy_upstream
                ):
                    continue
                used = ", ".join(str(s) for s in sorted(servers)) or "Azure-provided DNS"
                yield Violation(
                    f"{vnet.name} sends traffic to FQDN network rules of {policy.name} but "
                    f"resolves with {used}, not through the firewall DNS proxy",
                    vnet.id,
                )


def _overlaps(space: Prefix, sources: set[str]) -> bool:
    for source in sources:
        if source == "*":
            return True
        try:
            if space.overlaps(Prefix(source, strict=False)):
                return True
        except ValueError:
            continue
    return False
