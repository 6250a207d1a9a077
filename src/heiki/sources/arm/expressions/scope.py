"""What an expression can see: parameters, variables, the deployment and its target scope.

The template loader gives every template (and every inner-scope nested deployment) its own
``Scope``; the defaults describe a resource-group deployment with documented placeholder values
(subscription 00000000-..., resource group ``rg-heiki``), overridable from the command line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from heiki.defaults import (
    DEFAULT_DEPLOYMENT,
    DEFAULT_LOCATION,
    DEFAULT_RESOURCE_GROUP,
    DEFAULT_SUBSCRIPTION,
    DEFAULT_TENANT,
)
from heiki.sources.arm.expressions.errors import ExpressionError
from heiki.sources.arm.expressions.unknown import Unknown

__all__ = [
    "DEFAULT_DEPLOYMENT",
    "DEFAULT_LOCATION",
    "DEFAULT_RESOURCE_GROUP",
    "DEFAULT_SUBSCRIPTION",
    "DEFAULT_TENANT",
    "Scope",
    "UserFunction",
    "azure_cloud_environment",
]


def azure_cloud_environment() -> dict[str, Any]:
    """``environment()`` in public Azure (MS Learn, deployment functions; arm-details.md 2)."""
    return {
        "name": "AzureCloud",
        "gallery": "https://gallery.azure.com/",
        "graph": "https://graph.windows.net/",
        "portal": "https://portal.azure.com",
        "graphAudience": "https://graph.windows.net/",
        "activeDirectoryDataLake": "https://datalake.azure.net/",
        "batch": "https://batch.core.windows.net/",
        "media": "https://rest.media.azure.net",
        "sqlManagement": "https://management.core.windows.net:8443/",
        "vmImageAliasDoc": "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/"
        "arm-compute/quickstart-templates/aliases.json",
        "resourceManager": "https://management.azure.com/",
        "authentication": {
            "loginEndpoint": "https://login.microsoftonline.com/",
            "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "suffixes": {
            "acrLoginServer": ".azurecr.io",
            "azureDatalakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            "azureDatalakeStoreFileSystem": "azuredatalakestore.net",
            "azureFrontDoorEndpointSuffix": "azurefd.net",
            "keyvaultDns": ".vault.azure.net",
            "sqlServerHostname": ".database.windows.net",
            "storage": "core.windows.net",
        },
    }


@dataclass(frozen=True, slots=True)
class UserFunction:
    """A function from the template's ``functions`` section (``namespace.name``)."""

    parameters: tuple[str, ...]
    output: Any
    """The unevaluated ``output.value``: an expression string or a JSON value."""


@dataclass
class Scope:
    """What an expression can refer to: parameters, variables and the deployment context."""

    parameters: dict[str, Any] = field(default_factory=dict)
    parameter_resolver: Callable[[str], Any] | None = None
    """Evaluates a declared parameter's default on first use (defaults may refer to others)."""
    variables: dict[str, Any] = field(default_factory=dict)
    """Evaluated variables; ``variable_resolver`` evaluates the others on first use."""
    variable_resolver: Callable[[str], Any] | None = None
    subscription_id: str = DEFAULT_SUBSCRIPTION
    tenant_id: str = DEFAULT_TENANT
    resource_group_name: str = DEFAULT_RESOURCE_GROUP
    location: str = DEFAULT_LOCATION
    deployment_name: str = DEFAULT_DEPLOYMENT
    template: dict[str, Any] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=azure_cloud_environment)
    copy_indexes: dict[str, int] = field(default_factory=dict)
    """The copy loops being expanded: loop name -> current index ("" for the innermost)."""
    functions: dict[str, UserFunction] = field(default_factory=dict)
    """User functions by lower-cased ``namespace.name``."""
    reference_resolver: Callable[[Any, Any, bool], Any] | None = None
    references_resolver: Callable[[str, bool], Any] | None = None
    known: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Expression text -> its value in this scope, for values that cannot change (text,
    numbers, unknowns): a template names the same parameter or resource ID again and again
    (at 1,000 spokes, 175,000 evaluations of 92,000 expressions). Never copied to a child."""

    def parameter(self, name: str) -> Any:
        for key, value in self.parameters.items():
            if key.lower() == name.lower():
                return value
        if self.parameter_resolver is not None:
            return self.parameter_resolver(name)
        raise ExpressionError(f"the template has no parameter {name!r}")

    def variable(self, name: str) -> Any:
        for key, value in self.variables.items():
            if key.lower() == name.lower():
                return value
        if self.variable_resolver is not None:
            return self.variable_resolver(name)
        raise ExpressionError(f"the template has no variable {name!r}")

    def copy_index(self, loop: str | None) -> int:
        if loop is None:
            if "" not in self.copy_indexes:
                raise ExpressionError("copyIndex() is only allowed inside a copy loop")
            return self.copy_indexes[""]
        for key, value in self.copy_indexes.items():
            if key and key.lower() == loop.lower():
                return value
        raise ExpressionError(f"copyIndex({loop!r}): no copy loop of that name is being expanded")

    def resource_group(self) -> dict[str, Any]:
        return {
            "id": f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group_name}",
            "name": self.resource_group_name,
            "type": "Microsoft.Resources/resourceGroups",
            "location": self.location,
            "managedBy": None,
            "tags": {},
            "properties": {"provisioningState": "Succeeded"},
        }

    def subscription(self) -> dict[str, Any]:
        return {
            "id": f"/subscriptions/{self.subscription_id}",
            "subscriptionId": self.subscription_id,
            "tenantId": self.tenant_id,
            "displayName": Unknown("the subscription's display name is not known offline"),
        }

    def tenant(self) -> dict[str, Any]:
        return {
            "tenantId": self.tenant_id,
            "countryCode": Unknown("the tenant's country is not known offline"),
            "displayName": Unknown("the tenant's display name is not known offline"),
        }

    def deployment(self) -> dict[str, Any]:
        return {
            "name": self.deployment_name,
            "properties": {
                "template": {
                    "contentVersion": self.template.get("contentVersion", "1.0.0.0"),
                    "$schema": self.template.get("$schema", ""),
                },
                "templateLink": None,
                "parameters": {},
                "mode": "Incremental",
                "provisioningState": "Accepted",
            },
            "location": self.location,
        }

    def reference(self, target: Any, api_version: Any, full: bool) -> Any:
        if self.reference_resolver is not None:
            return self.reference_resolver(target, api_version, full)
        return Unknown(f"reference({target!r}) is a deployment-time value")

    def references(self, name: str, full: bool) -> Any:
        if self.references_resolver is not None:
            return self.references_resolver(name, full)
        return Unknown(f"references({name!r}) is a deployment-time value")

    def child(self, **changes: Any) -> Scope:
        """A copy with some fields changed (copy loops, nested deployments)."""
        values = {
            name: getattr(self, name) for name in self.__dataclass_fields__ if name != "known"
        }
        values.update(changes)
        return Scope(**values)
