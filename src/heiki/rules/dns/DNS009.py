"""DNS009: a forwarder or forwarding rule targets an Azure address that is not a DNS endpoint."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.values import Address
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext
from heiki.rules.dns._common import DOCS_RESOLVER, dns_endpoints


class ForwarderTargetNotDnsEndpoint(Rule):
    meta = RuleMeta(
        id="DNS009",
        name="forwarder-target-not-dns-endpoint",
        title="Forwarder target is not a resolver inbound endpoint, DNS proxy or DNS VM",
        severity=Severity.ERROR,
        rationale=(
            "A forwarder to an address where nothing answers DNS (a private endpoint, a firewall "
            "with the proxy off, a stale VM IP) makes every name under that zone time out."
        ),
        fix="Target the resolver inbound endpoint IP, the firewall's private IP with DNS proxy on, "
        "or a DNS VM.",
        references=(DOCS_RESOLVER,),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.world.env
        known = dns_endpoints(ctx)
        onprem_servers = set(ctx.world.onprem_by_ip)
        azure_dns = ctx.catalog.azure_dns

        def bad(address: Address) -> bool:
            owner = ctx.tracer.connectivity.owner(address)
            return (
                address != azure_dns
                and address not in known
                and address not in onprem_servers
                and owner is not None
            )

        onprem = env.on_premises
        for server in onprem.dns_servers if onprem else ():
            for forwarder in server.conditional_forwarders:
                for target in forwarder.targets:
                    if bad(target):
                        yield Violation(
                            f"on-premises DNS {server.name} forwards {forwarder.zone} to {target}, "
                            "where nothing answers DNS",
                            location=forwarder.source or server.source,
                        )
        for ruleset in env.dns_forwarding_rulesets:
            for rule in ruleset.forwarding_rules:
                for rule_target in rule.target_dns_servers:
                    if bad(rule_target.ip_address):
                        yield Violation(
                            f"ruleset {ruleset.name} rule {rule.name} forwards {rule.domain_name} "
                            f"to {rule_target.ip_address}, where nothing answers DNS",
                            ruleset.id,
                            rule.source,
                        )
