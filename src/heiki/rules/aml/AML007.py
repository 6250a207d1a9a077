"""AML007: public-IP compute behind a default route to an appliance, without the service routes."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.network import NextHopType, RouteTable
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class ForcedTunnelPublicCompute(Rule):
    meta = RuleMeta(
        id="AML007",
        name="forced-tunnel-public-compute",
        title="Compute with a public IP behind a default route to a firewall, without the "
        "Azure ML service routes",
        severity=Severity.ERROR,
        rationale=(
            "Azure ML and Batch manage compute that has a public IP through inbound calls to "
            "that IP. With 0.0.0.0/0 sent to a firewall, the replies go to the firewall, which "
            "drops the asymmetric flow: compute creation fails or nodes stay unusable - unless "
            "the route table sends AzureMachineLearning and BatchNodeManagement.<region> "
            "straight to Internet."
        ),
        fix="Create the compute without a public IP (enableNodePublicIp false, with a workspace "
        "private endpoint), or add routes for the AzureMachineLearning and "
        "BatchNodeManagement.<region> service tags with next hop Internet.",
        references=(
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-access-azureml-behind-firewall",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        env = ctx.env
        for compute in env.computes:
            if compute.subnet is None or not compute.enable_node_public_ip:
                continue
            subnet = env.subnet(compute.subnet)
            table = env.get_typed(subnet.route_table, RouteTable) if subnet else None
            if subnet is None or table is None:
                continue
            forced = any(
                r.address_prefix == "0.0.0.0/0" and r.next_hop_type is NextHopType.VIRTUAL_APPLIANCE
                for r in table.routes
            )
            if not forced:
                continue
            region = (compute.location or env.location).replace(" ", "").lower()
            direct = {
                r.address_prefix.lower()
                for r in table.routes
                if r.next_hop_type is NextHopType.INTERNET
            }
            # the control plane calls in from these tags; replies must leave the way they came
            missing = [
                tag.format(region=region)
                for tag in ctx.catalog.public_ip_compute_control_tags
                if tag.format(region=region).lower() not in direct
                and tag.split(".")[0].lower() not in direct
            ]
            if missing:
                yield Violation(
                    f"{compute.compute_type.value} {compute.name} has a public IP, but route "
                    f"table {table.name} of {subnet.name} sends 0.0.0.0/0 to an appliance and "
                    f"has no Internet route for {', '.join(missing)}",
                    compute.id,
                )
