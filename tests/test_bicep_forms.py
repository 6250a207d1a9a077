"""What the Bicep compiler emits, loaded as Azure loads it: one minimal template per documented
output form (symbolic names, ``existing``, ``@batchSize``, module loops, ``scope:`` on modules and
extension resources, ``dependsOn`` on modules, user-defined types and functions, languageVersion
2.0 ``imports`` / ``extensions``), each expanding to the resources Azure would deploy."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from heiki.cli.main import cli
from heiki.sources.arm.expressions import Unknown
from heiki.sources.arm.template import Expansion, expand_template

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
RG = f"{SUB}/resourceGroups/rg-heiki/providers"
ROLE = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"


def expand(document: dict[str, Any]) -> Expansion:
    """The expansion of ``document``; and, as a user would run it, ``heiki check`` on it loads
    (exit 0 or 1, never a refusal or a traceback)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "main.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        result = CliRunner().invoke(cli, ["check", str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["summary"] is not None
    return expand_template(document)


def template(resources: Any, **sections: Any) -> dict[str, Any]:
    return {"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": resources, **sections}


def symbolic(resources: dict[str, Any], **sections: Any) -> dict[str, Any]:
    return template(resources, languageVersion="2.0", **sections)


def storage(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Microsoft.Storage/storageAccounts",
        "apiVersion": "2023-05-01",
        "name": name,
        "location": "japaneast",
        "kind": "StorageV2",
        "sku": {"name": "Standard_LRS"},
        **extra,
    }


def role_assignment(scope: str, name: str = "[guid('x')]", **extra: Any) -> dict[str, Any]:
    return {
        "type": "Microsoft.Authorization/roleAssignments",
        "apiVersion": "2022-04-01",
        "scope": scope,
        "name": name,
        "properties": {"roleDefinitionId": ROLE, "principalId": "p", "principalType": "Group"},
        **extra,
    }


def module(
    name: str, inner: dict[str, Any], parameters: Any = None, **extra: Any
) -> dict[str, Any]:
    return {
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": name,
        "properties": {
            "expressionEvaluationOptions": {"scope": "inner"},
            "mode": "Incremental",
            "parameters": parameters if parameters is not None else {},
            "template": inner,
        },
        **extra,
    }


def by_type(expansion: Expansion, resource_type: str) -> list[Any]:
    return [r for r in expansion.resources if r.type.lower() == resource_type.lower()]


# -- extension resources: `scope: someResource` is written as 'Microsoft.X/type/name' -------------


def test_relative_scope_to_a_resource_of_the_same_template() -> None:
    result = expand(
        template(
            [
                storage("stdata"),
                role_assignment("[format('Microsoft.Storage/storageAccounts/{0}', 'stdata')]"),
            ]
        )
    )
    (assignment,) = by_type(result, "Microsoft.Authorization/roleAssignments")
    assert assignment.id.startswith(
        f"{RG}/Microsoft.Storage/storageAccounts/stdata/providers/Microsoft.Authorization/"
        "roleAssignments/"
    )


def test_relative_scope_to_an_existing_resource_with_symbolic_names() -> None:
    result = expand(
        symbolic(
            {
                "vault": {
                    "existing": True,
                    "type": "Microsoft.KeyVault/vaults",
                    "apiVersion": "2023-07-01",
                    "name": "kv-shared",
                },
                "lock": {
                    "type": "Microsoft.Authorization/locks",
                    "apiVersion": "2020-05-01",
                    "scope": "[format('Microsoft.KeyVault/vaults/{0}', 'kv-shared')]",
                    "name": "no-delete",
                    "properties": {"level": "CanNotDelete"},
                    "dependsOn": ["vault"],
                },
            }
        )
    )
    assert [r.id for r in result.resources] == [
        f"{RG}/Microsoft.KeyVault/vaults/kv-shared/providers/Microsoft.Authorization/locks/no-delete"
    ]


def test_relative_scope_to_a_child_resource_in_another_module() -> None:
    inner = template(
        [
            {
                "type": "Microsoft.Insights/diagnosticSettings",
                "apiVersion": "2021-05-01-preview",
                "scope": "[format('Microsoft.Network/virtualNetworks/{0}/subnets/{1}', "
                "parameters('vnet'), 'snet')]",
                "name": "diag",
                "properties": {},
            }
        ],
        parameters={"vnet": {"type": "string"}},
    )
    result = expand(template([module("diag", inner, {"vnet": {"value": "vnet-ml"}})]))
    (setting,) = result.resources
    assert setting.id == (
        f"{RG}/Microsoft.Network/virtualNetworks/vnet-ml/subnets/snet/providers/"
        "Microsoft.Insights/diagnosticSettings/diag"
    )


def test_a_scope_known_only_at_deployment_keeps_the_resource_with_a_notice() -> None:
    inner = template(
        [],
        outputs={"id": {"type": "string", "value": "[reference('x', '2020-01-01').someId]"}},
    )
    result = expand(
        template(
            [
                module("m", inner),
                role_assignment(
                    "[reference(resourceId('Microsoft.Resources/deployments', 'm'), "
                    "'2022-09-01').outputs.id.value]"
                ),
            ]
        )
    )
    assert len(by_type(result, "Microsoft.Authorization/roleAssignments")) == 1
    assert any("scope is known only when the deployment runs" in n for n in result.notices)


# -- nested deployment parameters -------------------------------------------------------------


def test_a_module_parameter_given_as_one_expression_resolves_its_value() -> None:
    inner = template([storage("[parameters('name')]")], parameters={"name": {"type": "string"}})
    parameters = {
        "name": "[if(empty(parameters('given')), createObject('value', 'stdefault'), "
        "createObject('value', parameters('given')))]"
    }
    for given, expected in (("", "stdefault"), ("stmine", "stmine")):
        result = expand(
            template(
                [module("m", inner, parameters)],
                parameters={"given": {"type": "string", "defaultValue": given}},
            )
        )
        assert [r.name for r in result.resources] == [expected]


def test_the_whole_parameters_object_as_one_expression() -> None:
    inner = template([storage("[parameters('name')]")], parameters={"name": {"type": "string"}})
    result = expand(
        template([module("m", inner, "[createObject('name', createObject('value', 'stx'))]")])
    )
    assert [r.name for r in result.resources] == ["stx"]


# -- names known only when the deployment runs ------------------------------------------------


def test_a_runtime_name_keeps_the_resource_and_its_type() -> None:
    identity = {
        "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
        "apiVersion": "2023-01-31",
        "name": "id-ml",
        "location": "japaneast",
    }
    name = (
        "[guid(reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', "
        "'id-ml'), '2023-01-31').principalId)]"
    )
    result = expand(
        template(
            [
                identity,
                storage("stteam"),
                role_assignment(
                    "[format('Microsoft.Storage/storageAccounts/{0}', 'stteam')]", name
                ),
            ]
        )
    )
    (assignment,) = by_type(result, "Microsoft.Authorization/roleAssignments")
    assert assignment.name == "heiki-unknown-name-1"
    assert "principalId" in assignment.assumed_name
    assert len(result.resources) == 3


def test_a_child_named_from_a_module_output_is_kept_under_its_parent() -> None:
    inner = template([], outputs={"n": {"type": "string", "value": "[reference('x').name]"}})
    vnet = {
        "type": "Microsoft.Network/virtualNetworks",
        "apiVersion": "2023-09-01",
        "name": "vnet-a",
        "location": "japaneast",
        "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}},
        "resources": [
            {
                "type": "subnets",
                "apiVersion": "2023-09-01",
                "name": "[reference('m').outputs.n.value]",
                "properties": {"addressPrefix": "10.0.1.0/24"},
            }
        ],
    }
    result = expand(symbolic({"m": module("m", inner), "vnet": vnet}))
    subnet = by_type(result, "Microsoft.Network/virtualNetworks/subnets")[0]
    assert subnet.name == "vnet-a/heiki-unknown-name-1"


def test_a_copy_count_known_only_at_deployment_is_reported_not_fatal() -> None:
    loop = storage(
        "[format('st{0}', copyIndex())]", copy={"name": "l", "count": "[length(utcNow())]"}
    )
    result = expand(template([loop, storage("stfixed")]))
    assert [r.name for r in result.resources] == ["stfixed"]
    (unexpanded,) = result.unexpanded
    assert unexpanded.type == "Microsoft.Storage/storageAccounts"
    assert "known only when the deployment runs" in unexpanded.reason


# -- the documented Bicep output forms ---------------------------------------------------------


def test_batch_size_is_a_serial_copy_loop() -> None:
    loop = storage(
        "[format('st{0}', copyIndex())]",
        copy={"name": "accounts", "count": 3, "mode": "serial", "batchSize": 1},
    )
    assert [r.name for r in expand(template([loop])).resources] == ["st0", "st1", "st2"]


def test_module_loop_with_depends_on_and_scope_on_another_group() -> None:
    inner = template([storage("[parameters('name')]")], parameters={"name": {"type": "string"}})
    loop = module(
        "[format('acct-{0}', copyIndex())]",
        inner,
        {"name": {"value": "[format('st{0}', copyIndex())]"}},
        copy={"name": "accounts", "count": 2},
        resourceGroup="rg-data",
        subscriptionId="11111111-1111-1111-1111-111111111111",
        dependsOn=["first"],
    )
    result = expand(symbolic({"first": storage("stfirst"), "accounts": loop}))
    assert [r.id for r in result.resources] == [
        f"{RG}/Microsoft.Storage/storageAccounts/stfirst",
        "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-data/providers/"
        "Microsoft.Storage/storageAccounts/st0",
        "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-data/providers/"
        "Microsoft.Storage/storageAccounts/st1",
    ]


def test_module_scoped_to_a_management_group_deploys_above_subscriptions() -> None:
    inner = template(
        [
            {
                "type": "Microsoft.Authorization/policyAssignments",
                "apiVersion": "2024-04-01",
                "name": "deny-public",
                "properties": {},
            }
        ]
    )
    result = expand(
        template(
            [
                module(
                    "policy",
                    inner,
                    scope="[format('Microsoft.Management/managementGroups/{0}', 'mg')]",
                )
            ]
        )
    )
    assert [r.id for r in result.resources] == [
        f"{SUB}/providers/Microsoft.Authorization/policyAssignments/deny-public"
    ]


def test_user_defined_types_nullable_parameters_and_functions() -> None:
    result = expand(
        symbolic(
            {
                "account": storage(
                    "[__bicep.accountName(parameters('config').prefix)]",
                    tags="[if(equals(parameters('owner'), null()), createObject(), "
                    "createObject('owner', parameters('owner')))]",
                )
            },
            definitions={
                "config": {
                    "type": "object",
                    "properties": {"prefix": {"type": "string", "maxLength": 8}},
                }
            },
            parameters={
                "config": {"$ref": "#/definitions/config", "defaultValue": {"prefix": "ml"}},
                "owner": {"type": "string", "nullable": True},
            },
            functions=[
                {
                    "namespace": "__bicep",
                    "members": {
                        "accountName": {
                            "parameters": [{"type": "string", "name": "prefix"}],
                            "output": {
                                "type": "string",
                                "value": "[format('st{0}data', parameters('prefix'))]",
                            },
                        }
                    },
                }
            ],
        )
    )
    (account,) = result.resources
    assert account.name == "stmldata" and account.body["tags"] == {}
    assert not result.assumed_parameters  # a nullable parameter is null, not missing


def test_a_user_defined_type_is_checked_like_a_built_in_one() -> None:
    result = expand(
        symbolic(
            {"account": storage("[parameters('name')]")},
            definitions={"shortName": {"type": "string", "maxLength": 5}},
            parameters={"name": {"$ref": "#/definitions/shortName", "defaultValue": "toolongname"}},
        )
    )
    assert any("maxLength 5" in message for message, _, _ in result.problems)


def test_imports_and_extension_resources_of_language_version_2() -> None:
    result = expand(
        symbolic(
            {
                "account": {**storage("stx"), "import": "az"},
                "group": {
                    "extension": "graph",
                    "type": "Microsoft.Graph/groups@v1.0",
                    "properties": {"uniqueName": "ml-users", "displayName": "ML users"},
                },
                "owner": {
                    "import": "kubernetes",
                    "type": "apps/Deployment@v1",
                    "name": "scorer",
                    "properties": {},
                },
            },
            imports={
                "az": {"provider": "AzureResourceManager", "version": "0.2.0"},
                "kubernetes": {"provider": "Kubernetes", "version": "1.0.0"},
            },
            extensions={"graph": {"name": "MicrosoftGraph", "version": "1.0"}},
        )
    )
    assert [(r.type, r.name) for r in result.resources] == [
        ("Microsoft.Storage/storageAccounts", "stx"),
        ("Microsoft.Graph/groups", "heiki-unknown-name-1"),
        ("apps/Deployment", "scorer"),
    ]


def test_deployer_gives_the_tenant_and_an_unknown_principal() -> None:
    result = expand(
        template(
            [
                storage(
                    "stteam",
                    tags={"by": "[deployer().objectId]", "tenant": "[deployer().tenantId]"},
                )
            ]
        )
    )
    tags = result.resources[0].body["tags"]
    assert isinstance(tags["by"], Unknown) and tags["tenant"].count("-") == 4


# -- parameters Azure would ask for ------------------------------------------------------------


def test_a_missing_parameter_gets_a_placeholder_and_is_listed() -> None:
    result = expand(
        template(
            [storage("[format('st{0}', parameters('prefix'))]")],
            parameters={
                "prefix": {"type": "string", "maxLength": 4},
                "adminKey": {"type": "securestring"},
                "size": {"type": "string", "allowedValues": ["Standard_D4s_v3", "Standard_D8s_v3"]},
                "count": {"type": "int"},
            },
        )
    )
    assert result.resources[0].name == "stpref"
    assumed = {p.name: p for p in result.assumed_parameters}
    assert sorted(assumed) == ["adminKey", "count", "prefix", "size"]
    assert assumed["adminKey"].secure and isinstance(assumed["adminKey"].value, Unknown)
    assert assumed["size"].value == "Standard_D4s_v3"
    assert isinstance(assumed["count"].value, Unknown)
    assert assumed["prefix"].pointer == "/parameters/prefix"


def test_secure_module_outputs_and_existing_resources_in_another_group() -> None:
    inner = template(
        [], outputs={"key": {"type": "securestring", "value": "[listKeys('x', '2020-01-01').k]"}}
    )
    result = expand(
        symbolic(
            {
                "shared": {
                    "existing": True,
                    "type": "Microsoft.Network/virtualNetworks",
                    "apiVersion": "2024-05-01",
                    "resourceGroup": "rg-hub",
                    "name": "vnet-hub",
                },
                "mod": module("secrets", inner),
                "account": storage(
                    "stteam",
                    tags={
                        "key": "[listOutputsWithSecureValues('mod', '2025-04-01').key]",
                        "hub": "[resourceId('rg-hub', 'Microsoft.Network/virtualNetworks', "
                        "'vnet-hub')]",
                    },
                ),
            }
        )
    )
    (account,) = result.resources
    assert isinstance(account.body["tags"]["key"], Unknown)
    assert account.body["tags"]["hub"].endswith(
        "/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub"
    )
