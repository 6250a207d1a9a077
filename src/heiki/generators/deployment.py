"""The ARM output of ``heiki build --to arm``: one subscription-scope template that creates the
resource group and deploys the environment into it as one nested deployment (inner scope) per
module - the modules, order and parameters of the Bicep project, so that the two outputs are
the same deployment and each nested deployment stays inside Azure's limits.

Deploy with ``az deployment sub create``; heiki imports it again (``heiki check azuredeploy.json``)
to prove that what is deployed is what was verified.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from heiki.catalog import Catalog, load_catalog
from heiki.generators.addresses import AddressPlan, ArmAddresses
from heiki.generators.arm import SCHEMA, resource_group_of
from heiki.generators.layout import Grouping, Module, layout, module_parameter
from heiki.model.environment import Environment
from heiki.sources.arm.size import SizeProblem, size_problems

SUBSCRIPTION_SCHEMA = (
    "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
)


def _arm_addresses(plan: AddressPlan, grouping: Grouping) -> ArmAddresses:
    return ArmAddresses(plan)


def _deployment_name(module: str) -> str:
    # named after the subscription deployment, as main.bicep names its modules
    return f"take(format('{{0}}-{module}', deployment().name), 64)"


_GROUP_ID = "[subscriptionResourceId('Microsoft.Resources/resourceGroups', parameters('resourceGroupName'))]"


def _nested(
    module: Module,
    parameters: dict[str, Any],
    api: str,
    env_name: str,
    deployed: frozenset[str] | None = None,
) -> dict[str, Any]:
    """A module as a nested deployment into the resource group. In a part (``deployed`` = the
    modules of that part) it waits only for modules of its part: the earlier parts, and the
    resource group, are done before the part starts."""
    depends = [
        *([_GROUP_ID] if deployed is None else []),
        *(
            f"[resourceId(parameters('resourceGroupName'), 'Microsoft.Resources/deployments', "
            f"{_deployment_name(need)})]"
            for need in module.needs
            if deployed is None or need in deployed
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
            *_deployments(cut.modules, cut.parameters, api, env.name, catalog),
        ],
    }


def _deployments(
    modules: list[Module],
    parameters: dict[str, Any],
    api: str,
    env_name: str,
    catalog: Catalog,
) -> list[dict[str, Any]]:
    """One nested deployment per module; beyond Azure's resources per template (the resource
    group and 799 modules) the modules go, in their deployment order, into parts - subscription
    deployments of up to that many modules each, deployed one after another."""
    room = catalog.deployment_limits.resources - 1
    if len(modules) <= room:
        return [_nested(m, parameters, api, env_name) for m in modules]
    parts = [modules[i : i + room] for i in range(0, len(modules), room)]
    result = []
    for number, part in enumerate(parts, start=1):
        used = ["resourceGroupName", *dict.fromkeys(n for m in part for n in m.parameters)]
        names = frozenset(m.name for m in part)
        previous = (
            [
                "[subscriptionResourceId('Microsoft.Resources/deployments', "
                f"{_deployment_name(f'part-{number - 1}')})]"
            ]
            if number > 1
            else []
        )
        result.append(
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": api,
                "name": f"[{_deployment_name(f'part-{number}')}]",
                "location": "[parameters('location')]",
                "dependsOn": [_GROUP_ID, *previous],
                "properties": {
                    "mode": "Incremental",
                    "expressionEvaluationOptions": {"scope": "inner"},
                    "parameters": {name: {"value": f"[parameters('{name}')]"} for name in used},
                    "template": {
                        "$schema": SUBSCRIPTION_SCHEMA,
                        "contentVersion": "1.0.0.0",
                        "metadata": {"generator": "heiki", "environment": env_name, "part": number},
                        "parameters": {
                            "resourceGroupName": {"type": "string"},
                            **{name: module_parameter(parameters[name]) for name in used[1:]},
                        },
                        "resources": [_nested(m, parameters, api, env_name, names) for m in part],
                    },
                },
            }
        )
    return result


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


@dataclass(frozen=True)
class ArmDeployment:
    """The files of ``heiki build --to arm``: name -> JSON document."""

    files: dict[str, Any]
    linked: bool
    """The modules are files linked by ``templateLink.relativePath`` (one file would be over
    Azure's size limits): deploy as a template spec."""
    whole: list[SizeProblem]
    """Why the single file would not deploy (empty when it is what was written)."""
    remaining: list[tuple[str, SizeProblem]]
    """Files still over a limit after linking (a single resource definition over 1 MB)."""


def arm_deployment(env: Environment, catalog: Catalog | None = None) -> ArmDeployment:
    """``azuredeploy.json`` with every module inline; beyond Azure's size limits (the job is the
    first: 1 MB compressed) the modules become ``modules/<module>.json``, linked by
    ``relativePath`` - the layout a template spec packages, each module then its own job."""
    catalog = catalog or load_catalog()
    limits = catalog.deployment_limits
    template = subscription_template(env, catalog)
    parameters = parameters_file(template["parameters"])
    whole = size_problems(template, limits, parameters)
    if not whole:
        files = {"azuredeploy.json": template, "azuredeploy.parameters.json": parameters}
        return ArmDeployment(files, False, [], [])
    main = (
        template  # made for this call alone: linked in place (a deep copy took 1 s at 1,000 spokes)
    )
    modules: dict[str, Any] = {}

    def link(resources: list[dict[str, Any]]) -> None:
        for resource in resources:
            if resource["type"] != "Microsoft.Resources/deployments":
                continue
            inner = resource["properties"]["template"]
            if "part" in inner["metadata"]:  # a part holds module deployments: link those
                link(inner["resources"])
                continue
            del resource["properties"]["template"]
            path = f"modules/{inner['metadata']['module']}.json"
            resource["properties"].pop("expressionEvaluationOptions", None)  # linked: inner
            # relative to the file that declares it: a part is inline in azuredeploy.json
            resource["properties"]["templateLink"] = {"relativePath": path}
            modules[path] = inner

    link(main["resources"])
    files = {"azuredeploy.json": main, **modules, "azuredeploy.parameters.json": parameters}
    remaining = [
        (name, problem)
        for name, document in files.items()
        if name != "azuredeploy.parameters.json"
        for problem in size_problems(document, limits)
    ]
    return ArmDeployment(files, True, whole, remaining)
