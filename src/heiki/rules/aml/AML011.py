"""AML011: a Kubernetes compute serves predictions on a public IP."""

from __future__ import annotations

from collections.abc import Iterable

from heiki.diagnostics import Severity
from heiki.model.ml import ScoringExposure
from heiki.rules.base import Rule, RuleMeta, Violation
from heiki.rules.context import RuleContext


class PublicScoringFrontEnd(Rule):
    meta = RuleMeta(
        id="AML011",
        name="kubernetes-scoring-public",
        title="A Kubernetes compute's scoring front end has a public IP",
        severity=Severity.ERROR,
        rationale=(
            "Attaching AKS creates the inference router azureml-fe behind a load balancer; "
            "unless the compute asks for an internal one, Azure gives it a public IP - the "
            "endpoints answer from the internet while the workspace itself is private, and the "
            "callers inside the network reach their model over the internet."
        ),
        fix="AKS (v1) compute: set loadBalancerType: InternalLoadBalancer (and "
        "loadBalancerSubnet); Kubernetes compute: install the Azure ML extension with "
        "inferenceRouterServiceType=loadBalancer and internalLoadBalancerProvider=azure. Give "
        "the callers a DNS name for the internal address.",
        references=(
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-secure-kubernetes-inferencing-environment",
            "https://learn.microsoft.com/en-us/azure/machine-learning/how-to-deploy-kubernetes-extension",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for compute in ctx.env.kubernetes_computes:
            if compute.exposure is ScoringExposure.PUBLIC:
                yield Violation(
                    f"{compute.attach_type} compute {compute.name} serves predictions through a "
                    f"public load balancer ({compute.exposure_reason})",
                    compute.id,
                    compute.exposure_source,
                    (f"{compute.name}: {compute.exposure_reason}",),
                    defects=(f"public-ip:{compute.id}",),
                )
