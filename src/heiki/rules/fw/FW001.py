"""FW001: an allow-list covers only part of what its purpose needs, or has a malformed entry."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.firewall import ApplicationRule, FirewallAction, FirewallPolicy, NetworkRule
from heiki.model.values import DnsName, FqdnPattern
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext

PROBE = "heiki-probe"


def _allowed_patterns(policy: FirewallPolicy) -> list[tuple[FqdnPattern, str]]:
    found = []
    for group in policy.rule_collection_groups:
        for collection in group.rule_collections:
            if collection.action is not FirewallAction.ALLOW:
                continue
            for rule in collection.rules:
                if isinstance(rule, ApplicationRule):
                    found += [(p, rule.name) for p in rule.target_fqdns]
                elif isinstance(rule, NetworkRule):
                    # an FQDN on a port other than 80/443 (NTP, UDP 5831) is a network rule's
                    found += [(FqdnPattern(str(n)), rule.name) for n in rule.destination_fqdns]
    return found


class IncompleteAllowList(Rule):
    meta = RuleMeta(
        id="FW001",
        name="incomplete-allow-list",
        title="Firewall allow-list is incomplete for its purpose or malformed",
        severity=Severity.WARNING,
        rationale=(
            "Package and model sources need sets of hosts: pip needs pypi.org and "
            "files.pythonhosted.org; conda needs the apex and the wildcard. Allowing part of a set "
            "gives the 'pip hangs' failure. A wildcard without its dot (*pytorch.org) also matches "
            "evilpytorch.org."
        ),
        fix="Allow every host of the ecosystem (see the catalog's egress profiles), write "
        "wildcards as *.domain and add the apex separately.",
        references=(
            "https://learn.microsoft.com/en-us/azure/firewall/firewall-faq",
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-access-azureml-behind-firewall",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        region = ctx.env.location
        for policy in ctx.env.firewall_policies:
            patterns = _allowed_patterns(policy)
            for pattern, rule_name in patterns:
                if not pattern.is_well_formed:
                    yield Violation(
                        f"policy {policy.name} rule {rule_name} allows '{pattern}', which is not "
                        f"a valid FQDN pattern (did you mean '*.{pattern.base}'?)",
                        policy.id,
                    )
            profiles = {
                profile.name: [d.for_region(region).fqdn for d in profile.destinations if d.fqdn]
                for profile in ctx.catalog.egress_profiles
            }
            for name, fqdns in profiles.items():
                if not fqdns:
                    continue
                # Intent shows only in hosts no other profile shares (login.microsoftonline.com
                # says nothing about Azure DevOps).
                shared = {f for other, hosts in profiles.items() if other != name for f in hosts}
                # nor in hosts another profile's wildcard covers ({region}.api.azureml.ms is
                # Azure ML's *.azureml.ms before it is the Kubernetes extension's)
                others = [(FqdnPattern(f), name) for f in shared if f.startswith("*.")]
                distinctive = [f for f in fqdns if f not in shared and not self._covered(f, others)]
                covered = [f for f in fqdns if self._covered(f, patterns)]
                if not any(f in covered for f in distinctive):
                    continue
                if len(covered) < len(fqdns):
                    missing = [f for f in fqdns if f not in covered]
                    yield Violation(
                        f"policy {policy.name} allows {', '.join(covered[:3])} of '{name}' "
                        f"but not {', '.join(missing)}",
                        policy.id,
                    )

    @staticmethod
    def _covered(fqdn: str, patterns: list[tuple[FqdnPattern, str]]) -> bool:
        name = DnsName(fqdn.replace("*", PROBE))
        return any(p.matches(name) for p, _ in patterns)
