"""Deployment functions (MS Learn: template-functions-deployment) and the scope functions of the
resource page that describe where the deployment goes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from heiki.sources.arm.expressions.functions.registry import arm_function
from heiki.sources.arm.expressions.functions.values import need_str
from heiki.sources.arm.expressions.unknown import PartialObject, Unknown

if TYPE_CHECKING:
    from heiki.sources.arm.expressions.evaluator import Evaluator


@arm_function("parameters", 1, 1)
def _parameters(ev: Evaluator, args: list[Any]) -> Any:
    return ev.scope.parameter(need_str("parameters", args, 0))


@arm_function("variables", 1, 1)
def _variables(ev: Evaluator, args: list[Any]) -> Any:
    return ev.scope.variable(need_str("variables", args, 0))


@arm_function("deployment", 0, 0)
def _deployment(ev: Evaluator, args: list[Any]) -> Any:
    return ev.scope.deployment()


@arm_function("environment", 0, 0)
def _environment(ev: Evaluator, args: list[Any]) -> Any:
    return ev.scope.environment


@arm_function("resourceGroup", 0, 0)
def _resource_group(ev: Evaluator, args: list[Any]) -> Any:
    return ev.scope.resource_group()


@arm_function("subscription", 0, 0)
def _subscription(ev: Evaluator, args: list[Any]) -> Any:
    return ev.scope.subscription()


@arm_function("tenant", 0, 0)
def _tenant(ev: Evaluator, args: list[Any]) -> Any:
    return ev.scope.tenant()


@arm_function("deployer", 0, 0)
def _deployer(ev: Evaluator, args: list[Any]) -> Any:
    """Who runs the deployment (MS Learn: template-functions-deployment#deployer): the tenant is
    the deployment's, the principal is known only when someone deploys."""
    return PartialObject(
        {
            "tenantId": ev.scope.tenant_id,
            "objectId": Unknown("deployer().objectId is the principal that runs the deployment"),
        }
    )


@arm_function("managementGroup", 0, 1)
def _management_group(ev: Evaluator, args: list[Any]) -> Any:
    return Unknown("the management group of the deployment is not known offline")


@arm_function("utcNow", 0, 1)
def _utc_now(ev: Evaluator, args: list[Any]) -> Any:
    return Unknown("utcNow() is the time of the deployment")
