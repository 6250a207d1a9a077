"""DNS004: a workspace private endpoint lacks the notebooks zone."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.dns import PrivateDnsZone
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext
from heiki.rules.dns._common import DOCS_AML_DNS, expected_zones, service_dns


class WorkspaceEndpointMissingZone(Rule):
    meta = RuleMeta(
        id="DNS004",
        name="workspace-endpoint-missing-zone",
        title="Workspace private endpoint does not register in both Azure ML zones",
        severity=Severity.ERROR,
        rationale=(
            "An amlworkspace endpoint carries names in two zones: privatelink.api.azureml.ms and "
            "privatelink.notebooks.azure.net. Without the notebooks zone, studio notebooks and the "
            "file browser fail while the API works - a classic half-working workspace."
        ),
        fix="Add both privatelink.api.azureml.ms and privatelink.notebooks.azure.net to the "
        "endpoint's zone group.",
        references=(DOCS_AML_DNS,),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.env
        for endpoint in env.private_endpoints:
            if "amlworkspace" not in (g.lower() for g in endpoint.group_ids):
                continue
            if not endpoint.dns_zone_groups:
                continue  # DNS001 reports endpoints without any zone group
            configured = {
                (
                    z.name
                    if (z := env.get_typed(c.private_dns_zone, PrivateDnsZone))
                    else c.private_dns_zone.name
                ).lower()
                for g in endpoint.dns_zone_groups
                for c in g.zone_configs
            }
            for zone in expected_zones(ctx.catalog, env, endpoint):
                if zone.lower() not in configured:
                    yield Violation(
                        f"workspace endpoint {endpoint.name} has no zone-group entry for {zone}",
                        endpoint.id,
                        # the same defect as a wrong zone name (DNS002), reported once
                        defects=(service_dns(endpoint.private_link_service),),
                        causes=(service_dns(endpoint.private_link_service),),
                    )
