"""Resource functions (MS Learn: template-functions-resource): resource IDs built exactly as ARM
builds them, ``reference()`` / ``references()`` through the scope, and the runtime-only ones
(``list*``, ``pickZones``, ``providers``) as unknowns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from heiki.sources.arm.expressions.errors import ExpressionError
from heiki.sources.arm.expressions.functions.registry import arm_function
from heiki.sources.arm.expressions.functions.values import need_str
from heiki.sources.arm.expressions.unknown import Unknown

if TYPE_CHECKING:
    from heiki.sources.arm.expressions.evaluator import Evaluator


def _split(function: str, args: list[Any]) -> tuple[list[str], str, list[str]]:
    """(scope arguments before the type, the type, the names after it)."""
    strings = [need_str(function, args, i) for i in range(len(args))]
    position = next((i for i, text in enumerate(strings) if "/" in text), None)
    if position is None:
        raise ExpressionError(
            f"{function}(): no resource type (namespace/type) among the arguments"
        )
    return strings[:position], strings[position], strings[position + 1 :]


def _provider_path(function: str, resource_type: str, names: list[str]) -> str:
    namespace, *types = resource_type.strip("/").split("/")
    if not types:
        raise ExpressionError(f"{function}(): {resource_type!r} is not a namespace/type")
    if len(names) != len(types):
        raise ExpressionError(
            f"{function}(): {resource_type} needs {len(types)} name(s), {len(names)} given"
        )
    pairs = "/".join(f"{kind}/{name}" for kind, name in zip(types, names, strict=True))
    return f"/providers/{namespace}/{pairs}"


@arm_function("resourceId", 2, None)
def _resource_id(ev: Evaluator, args: list[Any]) -> Any:
    before, resource_type, names = _split("resourceId", args)
    if len(before) > 2:
        raise ExpressionError("resourceId(): too many arguments before the resource type")
    subscription = before[0] if len(before) == 2 else ev.scope.subscription_id
    group = before[-1] if before else ev.scope.resource_group_name
    path = _provider_path("resourceId", resource_type, names)
    return f"/subscriptions/{subscription}/resourceGroups/{group}{path}"


@arm_function("subscriptionResourceId", 2, None)
def _subscription_resource_id(ev: Evaluator, args: list[Any]) -> Any:
    before, resource_type, names = _split("subscriptionResourceId", args)
    if len(before) > 1:
        raise ExpressionError("subscriptionResourceId(): too many arguments before the type")
    subscription = before[0] if before else ev.scope.subscription_id
    path = _provider_path("subscriptionResourceId", resource_type, names)
    return f"/subscriptions/{subscription}{path}"


@arm_function("tenantResourceId", 2, None)
def _tenant_resource_id(ev: Evaluator, args: list[Any]) -> Any:
    before, resource_type, names = _split("tenantResourceId", args)
    if before:
        raise ExpressionError("tenantResourceId(): the first argument must be the resource type")
    return _provider_path("tenantResourceId", resource_type, names)


@arm_function("managementGroupResourceId", 2, None)
def _management_group_resource_id(ev: Evaluator, args: list[Any]) -> Any:
    before, resource_type, names = _split("managementGroupResourceId", args)
    if not before:
        return Unknown("the deployment's management group is not known offline")
    group = f"/providers/Microsoft.Management/managementGroups/{before[0]}"
    return group + _provider_path("managementGroupResourceId", resource_type, names)


@arm_function("extensionResourceId", 3, None)
def _extension_resource_id(ev: Evaluator, args: list[Any]) -> Any:
    base = need_str("extensionResourceId", args, 0).rstrip("/")
    strings = [need_str("extensionResourceId", args, i) for i in range(1, len(args))]
    return base + _provider_path("extensionResourceId", strings[0], strings[1:])


@arm_function("reference", 1, 3)
def _reference(ev: Evaluator, args: list[Any]) -> Any:
    target = args[0]
    api_version = args[1] if len(args) > 1 else None
    full = len(args) > 2 and isinstance(args[2], str) and args[2].lower() == "full"
    return ev.scope.reference(target, api_version, full)


@arm_function("references", 1, 2)
def _references(ev: Evaluator, args: list[Any]) -> Any:
    full = len(args) > 1 and isinstance(args[1], str) and args[1].lower() == "full"
    return ev.scope.references(need_str("references", args, 0), full)


@arm_function("pickZones", 3, 5)
def _pick_zones(ev: Evaluator, args: list[Any]) -> Any:
    return Unknown("pickZones(): availability zones per region are not known offline")


@arm_function("providers", 1, 2)
def _providers(ev: Evaluator, args: list[Any]) -> Any:
    return Unknown("providers(): resource provider metadata is not known offline")


def list_function(name: str) -> Unknown:
    """``listKeys()``, ``listSecrets()``, ``list*()``: secrets and state of deployed resources."""
    return Unknown(f"{name}() returns secrets or state of a deployed resource")
