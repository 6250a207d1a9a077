"""DNS010: DNS proxy or custom DNS configured for a Basic firewall."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.firewall import FirewallPolicy
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext
from heiki.rules.dns._common import DOCS_FW_DNS


class DnsProxyOnBasicFirewall(Rule):
    meta = RuleMeta(
        id="DNS010",
        name="dns-proxy-on-basic-firewall",
        title="DNS settings on an Azure Firewall Basic policy",
        severity=Severity.ERROR,
        rationale=(
            "Basic has no DNS proxy and no custom DNS. A policy with a dnsSettings block is "
            "rejected at deployment (FirewallPolicyHigherTierOnlyProperties), and clients pointed "
            "at the firewall for DNS get no answer."
        ),
        fix="Remove dnsSettings from the Basic policy and use a DNS Private Resolver, or move to "
        "Standard.",
        references=(
            DOCS_FW_DNS,
            "https://learn.microsoft.com/en-us/azure/firewall/features-by-sku",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.env
        for firewall in env.firewalls:
            tier = ctx.catalog.firewall_tier(firewall.sku_tier.value)
            policy = env.get_typed(firewall.firewall_policy, FirewallPolicy)
            if tier is None or tier.dns_proxy or policy is None or policy.dns_settings is None:
                continue
            yield Violation(
                f"firewall {firewall.name} is {firewall.sku_tier.value}, but its policy "
                f"{policy.name} has DNS settings (proxy "
                f"{'on' if policy.dns_settings.enable_proxy else 'off'})",
                policy.id,
            )
