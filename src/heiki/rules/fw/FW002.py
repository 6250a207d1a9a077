"""FW002: a firewall rule is over-broad (any FQDN, any destination, all ports)."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.firewall import ApplicationRule, FirewallAction, NetworkProtocol, NetworkRule
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext

_ANY = ("*", "0.0.0.0/0", "internet")


class OverBroadRule(Rule):
    meta = RuleMeta(
        id="FW002",
        name="over-broad-firewall-rule",
        title="Firewall rule allows any destination, any FQDN or every port",
        severity=Severity.WARNING,
        rationale=(
            "An allow rule for '*' turns the firewall into a router: every destination is open "
            "and nothing is left to inspect - a closed environment in name only."
        ),
        fix="Name the destinations (FQDNs, service tags, prefixes) and ports each workload needs.",
        references=("https://learn.microsoft.com/en-us/azure/firewall/rule-processing",),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for policy in ctx.env.firewall_policies:
            for group in policy.rule_collection_groups:
                for collection in group.rule_collections:
                    if collection.action is not FirewallAction.ALLOW:
                        continue
                    for rule in collection.rules:
                        problem = self._problem(rule)
                        if problem:
                            yield Violation(
                                f"policy {policy.name} collection {collection.name} rule "
                                f"{rule.name} {problem}",
                                policy.id,
                                rule.source or collection.source,
                            )

    @staticmethod
    def _problem(rule: object) -> str:
        if isinstance(rule, ApplicationRule):
            if any(p.is_everything for p in rule.target_fqdns):
                return "allows every FQDN ('*')"
            return ""
        if isinstance(rule, NetworkRule):
            anywhere = any(d.strip().lower() in _ANY for d in rule.destination_addresses)
            all_ports = not rule.destination_ports or any(
                r.low == 0 and r.high == 65535 for r in rule.destination_ports
            )
            any_protocol = NetworkProtocol.ANY in rule.ip_protocols
            if anywhere and (all_ports or any_protocol):
                return "allows any destination on any port"
            if anywhere:
                return "allows any destination"
        return ""
