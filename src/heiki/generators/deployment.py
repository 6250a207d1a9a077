"""The ARM output of ``heiki build --to arm``: one subscription-scope template that creates the
resource group and deploys the environment into it as one nested deployment (inner scope) per
module - the modules, order and parameters of the Bicep project, so that the two outputs are
the same deployment and each nested deployment stays inside Azure's limits.

Deploy with ``az deployment sub create``; heiki imports it again (``heiki check azuredeploy.json``)
to prove that what is deployed is what was verified.
"""

from __future__ import annotations

from typing import Any

from heiki.catalog import Catalog, load_catalog
from heiki.generators.addresses import AddressPlan, ArmAddresses
from heiki.generators.arm import SCHEMA, resource_group_of
from heiki.generators.layout import Grouping, Module, layout, module_parameter
from heiki.model.environment import Environment

SUBSCRIPTION_SCHEMA = (
    "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
)


def _arm_addresses(plan: AddressPlan, grouping: Grouping) -> ArmAddresses:
    return ArmAddresses(plan)


def _deployment_name(module: str) -> str:
    # named after the subscription deployment, as main.bicep names its modules
    return f"take(format('{{0}}-{module}', deployment().name), 64)"


def _nested(module: Module, parameters: dict[str, Any], api: str, env_name: str) -> dict[str, Any]:
    depends = [
        "[subscriptionResourceId('Microsoft.Resources/resourceGroups', "
        "parameters('resourceGroupName'))]",
        *(
            f"[resourceId(parameters('resourceGroupName'), 'Microsoft.Resources/deployments', "
            f"{_deployment_name(need)})]"
            for need in module.needs
        ),
    ]
    return {
        "type": "Microsoft.Resources/deployments",
        "apiVersion": api,
        "name": f"[{_deployment_name(module.name)}]",
        "resourceGroup": "[parameters('resourceGroupName')]",
        "dependsOn": depends,
        "properties": {
            "mode": "Incremental",
            "expressionEvaluationOptions": {"scope": "inner"},
            "parameters": {
                name: {"value": f"[parameters('{name}')]"} for name in module.parameters
            },
            "template": {
                "$schema": SCHEMA,
                "contentVersion": "1.0.0.0",
                "metadata": {"generator": "heiki", "environment": env_name, "module": module.name},
                "parameters": {
                    name: module_parameter(parameters[name]) for name in module.parameters
                },
                "resources": module.resources,
            },
        },
    }


def subscription_template(env: Environment, catalog: Catalog | None = None) -> dict[str, Any]:
    """``az deployment sub create``: the resource group, then one nested deployment per module."""
    catalog = catalog or load_catalog()
    cut = layout(env, catalog, _arm_addresses)
    api = catalog.api_version("Microsoft.Resources/deployments")
    return {
        "$schema": SUBSCRIPTION_SCHEMA,
        "contentVersion": "1.0.0.0",
        "metadata": {"generator": "heiki", "environment": env.name},
        "parameters": {
            "resourceGroupName": {
                "type": "string",
                "defaultValue": resource_group_of(env),
                "metadata": {"description": "Resource group that holds the environment."},
            },
            **cut.parameters,
        },
        "resources": [
            {
                "type": "Microsoft.Resources/resourceGroups",
                "apiVersion": catalog.api_version("Microsoft.Resources/resourceGroups"),
                "name": "[parameters('resourceGroupName')]",
                "location": "[parameters('location')]",
            },
            *(_nested(m, cut.parameters, api, env.name) for m in cut.modules),
        ],
    }


PARAMETERS_SCHEMA = (
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#"
)


def parameters_file(parameters: dict[str, Any]) -> dict[str, Any]:
    """A parameter file with every parameter that has a default, set to it: the place to change
    names, address spaces or SKUs (``az deployment ... -p @file``), and what ``heiki check
    --parameters`` verifies. Parameters without a default (the SSH key) are given on the command
    line."""
    return {
        "$schema": PARAMETERS_SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {
            name: {"value": spec["defaultValue"]}
            for name, spec in parameters.items()
            if "defaultValue" in spec
        },
    }
