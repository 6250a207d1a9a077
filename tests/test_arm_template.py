"""Template expansion: one named case per template feature, the two Azure quickstarts, and
errors located by JSON pointer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from garbage import left_in_cycles
from heiki.sources.arm.expressions import Scope, Unknown
from heiki.sources.arm.load import read_json
from heiki.sources.arm.template import (
    Expansion,
    TemplateError,
    expand_template,
    parameter_problem,
    parameter_values,
)

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
QUICKSTARTS = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "templates" / "azure-quickstart"
)
RG = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-heiki/providers"


def template(resources: Any, **sections: Any) -> dict[str, Any]:
    return {"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": resources, **sections}


def names(expansion: Expansion) -> list[str]:
    return [r.name for r in expansion.resources]


def vnet(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Microsoft.Network/virtualNetworks",
        "apiVersion": "2023-09-01",
        "name": name,
        "location": "[resourceGroup().location]",
        "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}},
        **extra,
    }


def test_copy_loop_creates_one_resource_per_index() -> None:
    loop = vnet("[format('vnet-{0:D2}', copyIndex(1))]", copy={"name": "vnets", "count": 3})
    assert names(expand_template(template([loop]))) == ["vnet-01", "vnet-02", "vnet-03"]


def test_condition_false_skips_and_unknown_keeps_with_a_notice() -> None:
    result = expand_template(
        template(
            [
                vnet("kept", condition="[equals(parameters('mode'), 'on')]"),
                vnet("skipped", condition="[equals(parameters('mode'), 'off')]"),
                vnet("maybe", condition="[equals(utcNow(), 'x')]"),
            ],
            parameters={"mode": {"type": "string", "defaultValue": "on"}},
        )
    )
    assert names(result) == ["kept", "maybe"]
    assert any("condition unknown" in n and "/resources/2" in n for n in result.notices)


def test_child_resources_nested_and_by_full_name() -> None:
    parent = vnet("vnet-hub")
    parent["resources"] = [
        {
            "type": "subnets",
            "apiVersion": "2023-09-01",
            "name": "snet-a",
            "properties": {"addressPrefix": "10.0.1.0/24"},
        }
    ]
    by_name = {
        "type": "Microsoft.Network/virtualNetworks/subnets",
        "apiVersion": "2023-09-01",
        "name": "vnet-hub/snet-b",
        "properties": {"addressPrefix": "10.0.2.0/24"},
    }
    result = expand_template(template([parent, by_name]))
    subnets = {r.name: r for r in result.resources if r.type.endswith("/subnets")}
    assert set(subnets) == {"vnet-hub/snet-a", "vnet-hub/snet-b"}
    assert subnets["vnet-hub/snet-a"].id == (
        f"{RG}/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-a"
    )
    assert subnets["vnet-hub/snet-a"].pointer == "/resources/0/resources/0"


def test_property_and_variable_copy_loops() -> None:
    network = vnet("vnet")
    network["properties"]["copy"] = [
        {
            "name": "subnets",
            "count": "[length(variables('prefixes'))]",
            "input": {
                "name": "[format('snet-{0}', copyIndex('subnets'))]",
                "properties": {"addressPrefix": "[variables('prefixes')[copyIndex('subnets')]]"},
            },
        }
    ]
    result = expand_template(
        template(
            [network],
            variables={
                "copy": [
                    {
                        "name": "prefixes",
                        "count": 2,
                        "input": "[format('10.0.{0}.0/24', copyIndex('prefixes'))]",
                    }
                ]
            },
        )
    )
    subnets = result.resources[0].properties["subnets"]
    assert [s["name"] for s in subnets] == ["snet-0", "snet-1"]
    assert subnets[1]["properties"]["addressPrefix"] == "10.0.1.0/24"


def _module(scope: str, body: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": "mod",
        "properties": {
            "expressionEvaluationOptions": {"scope": scope},
            "mode": "Incremental",
            **body,
        },
        **extra,
    }


INNER_TEMPLATE = template(
    [vnet("[parameters('name')]")],
    parameters={"name": {"type": "string"}},
    outputs={
        "vnetId": {
            "type": "string",
            "value": "[resourceId('Microsoft.Network/virtualNetworks', parameters('name'))]",
        }
    },
)


def test_nested_inner_scope_parameters_outputs_and_target_group() -> None:
    module = _module(
        "inner",
        {
            "parameters": {"name": {"value": "[concat(parameters('prefix'), '-hub')]"}},
            "template": INNER_TEMPLATE,
        },
        resourceGroup="rg-net",
    )
    consumer = {
        "type": "Microsoft.Network/privateDnsZones",
        "apiVersion": "2020-06-01",
        "name": "privatelink.blob.core.windows.net",
        "location": "global",
        "properties": {
            # how Bicep addresses a module deployed to another resource group
            "linked": "[reference(extensionResourceId(format('/subscriptions/{0}/resourceGroups/{1}', "
            "subscription().subscriptionId, 'rg-net'), 'Microsoft.Resources/deployments', 'mod'), "
            "'2022-09-01').outputs.vnetId.value]"
        },
    }
    result = expand_template(
        template([module, consumer], parameters={"prefix": {"type": "string", "defaultValue": "x"}})
    )
    vnets = [r for r in result.resources if r.type.endswith("virtualNetworks")]
    assert [r.name for r in vnets] == ["x-hub"]
    assert "/resourceGroups/rg-net/" in vnets[0].id
    zone = next(r for r in result.resources if r.type.endswith("privateDnsZones"))
    assert zone.properties["linked"].endswith(
        "/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/x-hub"
    )
    assert vnets[0].pointer == "/resources/0/properties/template/resources/0"


def test_nested_outer_scope_sees_the_parent() -> None:
    module = _module("outer", {"template": template([vnet("[variables('name')]")])})
    result = expand_template(template([module], variables={"name": "from-parent"}))
    assert names(result) == ["from-parent"]


def test_an_expansion_leaves_no_cycles_for_the_paused_collector() -> None:
    # a check runs with the cyclic collector paused: what the expansion no longer needs (the
    # modules' templates, declarations and scopes) must go by reference counting alone
    inner = _module(
        "inner",
        {"parameters": {"name": {"value": "hub"}}, "template": INNER_TEMPLATE},
    )
    outer = {**_module("outer", {"template": template([vnet("[variables('name')]")])})}
    outer["name"] = "mod-outer"
    loop = vnet("[format('vnet-{0}', copyIndex())]", copy={"name": "v", "count": 3})
    document = template([inner, outer, loop], variables={"name": "from-parent"})

    def expand() -> None:
        assert len(expand_template(document).resources) == 5

    left = left_in_cycles(expand)
    assert not left & {"_Deployment", "_Declaration", "_Instance", "Scope"}, left


def test_symbolic_names_existing_and_module_outputs() -> None:
    document = {
        "$schema": SCHEMA,
        "languageVersion": "2.0",
        "contentVersion": "1.0.0.0",
        "resources": {
            "hub": {
                "existing": True,
                "type": "Microsoft.Network/virtualNetworks",
                "apiVersion": "2023-09-01",
                "name": "vnet-hub",
                "resourceGroup": "rg-hub",
            },
            "spoke": vnet("vnet-spoke", dependsOn=["hub"]),
            "mod": _module(
                "inner",
                {"parameters": {"name": {"value": "inner-vnet"}}, "template": INNER_TEMPLATE},
            ),
            "peering": {
                "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
                "apiVersion": "2023-09-01",
                "name": "vnet-spoke/to-hub",
                "dependsOn": ["spoke"],
                "properties": {
                    "remoteVirtualNetwork": {
                        "id": "[resourceId('rg-hub', "
                        "'Microsoft.Network/virtualNetworks', 'vnet-hub')]"
                    },
                    "hubGuid": "[reference('hub').resourceGuid]",
                    "fromModule": "[reference('mod').outputs.vnetId.value]",
                    "spokeSpace": "[reference('spoke').addressSpace.addressPrefixes[0]]",
                },
            },
        },
    }
    result = expand_template(document)
    assert "vnet-hub" not in names(result)  # existing: referenced, never deployed
    peering = next(r for r in result.resources if r.symbol == "peering")
    assert isinstance(peering.properties["hubGuid"], Unknown)
    assert peering.properties["fromModule"].endswith("/virtualNetworks/inner-vnet")
    assert peering.properties["spokeSpace"] == "10.0.0.0/16"
    assert any(u.pointer.endswith("/properties/hubGuid") for u in result.unknowns)


def test_runtime_values_are_listed_with_their_place() -> None:
    storage = {
        "type": "Microsoft.Web/sites/config",
        "apiVersion": "2022-03-01",
        "name": "app/appsettings",
        "properties": {
            "conn": "[concat('AccountKey=', listKeys(resourceId('Microsoft.Storage/storageAccounts', 'st'), '2023-01-01').keys[0].value)]",
            "secret": "[parameters('password')]",
        },
    }
    result = expand_template(
        template([storage], parameters={"password": {"type": "securestring"}}),
        parameters={"password": Unknown("parameter 'password' is a Key Vault reference")},
    )
    reasons = {u.pointer: u.reason for u in result.unknowns}
    assert "listKeys() returns secrets" in reasons["/resources/0/properties/conn"]
    assert "Key Vault reference" in reasons["/resources/0/properties/secret"]


def test_linked_templates_local_loaded_remote_unknown(tmp_path: Path) -> None:
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "vnet.json").write_text(json.dumps(INNER_TEMPLATE))
    local = _module(
        "inner",
        {
            "templateLink": {"relativePath": "nested/vnet.json"},
            "parameters": {"name": {"value": "linked"}},
        },
    )
    remote = _module(
        "inner", {"templateLink": {"uri": "https://example.com/t.json"}}, name="remote"
    )
    main = tmp_path / "main.json"
    result = expand_template(template([local, remote]), str(main), loader=read_json)
    assert names(result) == ["linked"]
    assert result.resources[0].file.endswith("nested/vnet.json")
    assert any(
        "https://example.com/t.json" in n and "not available offline" in n for n in result.notices
    )


def test_subscription_scope_ids_have_no_resource_group() -> None:
    document = template(
        [
            {
                "type": "Microsoft.Resources/resourceGroups",
                "apiVersion": "2022-09-01",
                "name": "rg-new",
                "location": "japaneast",
            }
        ]
    )
    document["$schema"] = (
        "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
    )
    result = expand_template(document)
    assert result.resources[0].id == (
        "/subscriptions/00000000-0000-0000-0000-000000000000/providers/"
        "Microsoft.Resources/resourceGroups/rg-new"
    )


def test_parameter_defaults_may_use_later_parameters() -> None:
    result = expand_template(
        template(
            [vnet("[parameters('name')]")],
            parameters={
                "name": {
                    "type": "string",
                    "defaultValue": "[concat(parameters('prefix'), '-vnet')]",
                },
                "prefix": {"type": "string", "defaultValue": "hub"},
            },
        )
    )
    assert names(result) == ["hub-vnet"]


def test_parameter_file_values_and_references() -> None:
    values = parameter_values(
        {
            "parameters": {
                "a": {"value": 1},
                "b": {"reference": {"keyVault": {"id": "x"}, "secretName": "s"}},
            }
        },
        "p.json",
    )
    assert values["a"] == 1 and isinstance(values["b"], Unknown)
    with pytest.raises(TemplateError) as caught:
        parameter_values({"parameters": {"c": {"nothing": 1}}}, "p.json")
    assert caught.value.pointer == "/parameters/c"


PARAMETER_PROBLEMS: dict[str, tuple[dict[str, Any], Any, str | None]] = {
    "string-ok": ({"type": "string"}, "hub", None),
    "string-given-an-int": ({"type": "string"}, 3, "is not of type string"),
    "int-given-a-bool": ({"type": "int"}, True, "is not of type int"),
    "securestring-given-an-object": ({"type": "secureString"}, {}, "is not of type"),
    "array-given-a-string": ({"type": "array"}, "a", "is not of type array"),
    "allowed": ({"type": "string", "allowedValues": ["Basic", "Standard"]}, "Standard", None),
    # decision arm-allowed-values-case
    "allowed-ignoring-case": ({"type": "string", "allowedValues": ["Standard"]}, "standard", None),
    "not-allowed": (
        {"type": "string", "allowedValues": ["Basic", "Standard", "Premium"]},
        "Basik",
        '"Basik" is not one of the allowed values',
    ),
    "array-items-allowed": ({"type": "array", "allowedValues": ["1", "2", "3"]}, ["1", "3"], None),
    "array-item-not-allowed": (
        {"type": "array", "allowedValues": ["1", "2", "3"]},
        ["1", "4"],
        '"4" is not one of',
    ),
    "int-not-allowed-as-string": ({"type": "int", "allowedValues": [1, 2]}, 3, "3 is not one of"),
    "below-min-value": ({"type": "int", "minValue": 1}, 0, "below minValue 1"),
    "above-max-value": ({"type": "int", "maxValue": 10}, 11, "above maxValue 10"),
    "too-short": ({"type": "string", "minLength": 3}, "ab", "below minLength 3"),
    "too-long": ({"type": "string", "maxLength": 10}, "GEN-UNIQUE-6", "above maxLength 10"),
    "array-too-long": ({"type": "array", "maxLength": 1}, [1, 2], "above maxLength 1"),
    "unknown-type-not-checked": ({"$ref": "#/definitions/x"}, 3, None),
}


@pytest.mark.parametrize("case", sorted(PARAMETER_PROBLEMS))
def test_parameter_values_azure_would_reject(case: str) -> None:
    declared, value, expected = PARAMETER_PROBLEMS[case]
    problem = parameter_problem(declared, value)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and expected in problem


def test_a_rejected_parameter_value_is_a_located_warning_and_the_expansion_goes_on() -> None:
    result = expand_template(
        template(
            [vnet("[concat('vnet-', parameters('tier'))]")],
            parameters={
                "tier": {"type": "string", "allowedValues": ["Basic", "Standard"]},
                "size": {"type": "int", "defaultValue": 0, "minValue": 1},
            },
        ),
        parameters={"tier": "Basik"},
    )
    assert names(result) == ["vnet-Basik"]
    assert [(p[0], p[2]) for p in result.problems] == [
        (
            "parameter 'tier': the given value \"Basik\" is not one of the allowed values "
            '["Basic", "Standard"]',
            "/parameters/tier",
        ),
        ("parameter 'size': the default value 0 is below minValue 1", "/parameters/size"),
    ]


ERRORS = {
    "variable-cycle": (
        template(
            [vnet("[variables('a')]")], variables={"a": "[variables('b')]", "b": "[variables('a')]"}
        ),
        "/variables/",
        "cycle",
    ),
    "parameter-self-reference": (
        template(
            [vnet("x")], parameters={"a": {"type": "string", "defaultValue": "[parameters('a')]"}}
        ),
        "/parameters/a",
        "refers to itself",
    ),
    "unknown-function": (
        template([vnet("[nope('x')]")]),
        "/resources/0/name",
        "unknown function 'nope'",
    ),
    "wrong-argument-count": (
        template([vnet("[substring('abc')]")]),
        "/resources/0/name",
        "takes 2..3 argument(s)",
    ),
    "name-segments": (
        template(
            [
                {
                    "type": "Microsoft.Network/virtualNetworks/subnets",
                    "apiVersion": "x",
                    "name": "only-one",
                }
            ]
        ),
        "/resources/0/name",
        "needs 2",
    ),
    "self-reference": (
        template([vnet("v", properties={"x": "[reference('v').addressSpace]"})]),
        "/resources/0",
        "depends on itself",
    ),
    "not-a-template": ({"foo": 1}, "", "no resources"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_are_located(case: str) -> None:
    document, pointer, message = ERRORS[case]
    with pytest.raises(TemplateError) as caught:
        expand_template(document, "t.json")
    assert message in caught.value.message, caught.value
    assert caught.value.pointer.startswith(pointer), caught.value
    assert caught.value.file == "t.json"


needs_quickstarts = pytest.mark.skipif(not QUICKSTARTS.is_dir(), reason="../shared not present")


@needs_quickstarts
@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        (
            "machine-learning-workspace-vnet",
            {"Microsoft.Network/privateEndpoints": 1, "Microsoft.Network/privateDnsZones": 2},
        ),
        (
            "machine-learning-end-to-end-secure",
            {"Microsoft.Network/privateEndpoints": 5, "Microsoft.Network/privateDnsZones": 6},
        ),
    ],
)
def test_quickstarts_expand_completely(folder: str, expected: dict[str, int]) -> None:
    path = QUICKSTARTS / folder / "azuredeploy.json"
    values = parameter_values(
        read_json(QUICKSTARTS / folder / "azuredeploy.parameters.json"), "parameters.json"
    )
    result = expand_template(read_json(path), str(path), values, loader=read_json)
    for resource_type, count in expected.items():
        assert sum(r.type == resource_type for r in result.resources) == count
    assert all(r.id.startswith("/subscriptions/") for r in result.resources)
    # no expression is left unevaluated
    assert (
        "[" not in json.dumps([r.body for r in result.resources], default=str).replace("[[", "")[:0]
    )
    for resource in result.resources:
        text = json.dumps(resource.body, default=str)
        assert '"[' not in text, (resource.name, text[:200])


def test_output_copy_loops() -> None:
    result = expand_template(
        template(
            [],
            outputs={
                "subnets": {
                    "type": "array",
                    "copy": {
                        "count": "[length(range(0, 3))]",
                        "input": "[cidrSubnet('10.144.0.0/20', 24, range(0, 3)[copyIndex()])]",
                    },
                }
            },
        )
    )
    assert result.outputs["subnets"]["value"] == ["10.144.0.0/24", "10.144.1.0/24", "10.144.2.0/24"]


def test_wrong_argument_type_in_a_template_is_located() -> None:
    with pytest.raises(TemplateError) as caught:
        expand_template(template([vnet("x", properties={"n": "[add('one', 1)]"})]), "t.json")
    assert caught.value.pointer == "/resources/0/properties"
    assert "add(): argument 1 must be an integer, not string" in caught.value.message
    assert caught.value.expression == "[add('one', 1)]"


def test_outer_scope_module_in_another_group_references_its_own_resources() -> None:
    inner = template(
        [
            vnet("[variables('name')]"),
            {
                "type": "Microsoft.Network/networkSecurityGroups",
                "apiVersion": "2023-09-01",
                "name": "nsg",
                "location": "japaneast",
                "properties": {
                    "space": "[reference(variables('name')).addressSpace.addressPrefixes[0]]",
                    "group": "[resourceGroup().name]",
                },
            },
        ]
    )
    module = _module("outer", {"template": inner}, resourceGroup="rg-other")
    result = expand_template(template([module], variables={"name": "shared"}))
    nsg = next(r for r in result.resources if r.name == "nsg")
    assert "/resourceGroups/rg-other/" in nsg.id  # deployed into the module's target group
    assert nsg.properties["space"] == "10.0.0.0/16"  # its sibling, through reference()
    assert nsg.properties["group"] == "rg-heiki"  # outer scope: the parent's resourceGroup()


def _linking(folder: Path, relative: str) -> Path:
    main = folder / "main.json"
    main.write_text(
        json.dumps(
            template(
                [
                    _module(
                        "inner",
                        {
                            "templateLink": {"relativePath": relative},
                            "parameters": {"name": {"value": "linked"}},
                        },
                    )
                ]
            )
        ),
        encoding="utf-8",
    )
    return main


@pytest.mark.parametrize("relative", ["../outside/vnet.json", "/dev/zero", "../../etc/passwd"])
def test_a_linked_template_outside_the_tree_is_refused_where_it_is_named(
    tmp_path: Path, relative: str
) -> None:
    """A template from a pull request must not make heiki read any file the CI user can."""
    from click.testing import CliRunner

    from heiki.cli.main import cli

    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "vnet.json").write_text(json.dumps(INNER_TEMPLATE), "utf-8")
    (tmp_path / "repo").mkdir()
    main = _linking(tmp_path / "repo", relative)
    result = CliRunner().invoke(cli, ["show", str(main)])
    assert result.exit_code == 2, result.output
    assert "IN060" in result.output and "outside" in result.output
    assert "templateLink/relativePath" in result.output or "main.json:" in result.output


def test_allow_outside_names_a_folder_linked_templates_may_come_from(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from heiki.cli.main import cli

    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "vnet.json").write_text(json.dumps(INNER_TEMPLATE), "utf-8")
    (tmp_path / "repo").mkdir()
    main = _linking(tmp_path / "repo", "../shared/vnet.json")
    allowed = ["--allow-outside", str(tmp_path / "shared")]
    result = CliRunner().invoke(cli, ["show", str(main), "--format", "json", *allowed])
    assert result.exit_code == 0, result.output
    assert '"linked"' in result.output


def test_a_fifo_as_linked_template_is_refused_at_once(tmp_path: Path) -> None:
    import os

    from click.testing import CliRunner

    from heiki.cli.main import cli

    os.mkfifo(tmp_path / "pipe.json")
    main = _linking(tmp_path, "pipe.json")
    result = CliRunner().invoke(cli, ["show", str(main)])
    assert result.exit_code == 2 and "FIFO" in result.output, result.output


def test_a_scope_given_to_two_templates_answers_each_with_its_own_values() -> None:
    scope = Scope()
    first = expand_template(
        template([vnet("[variables('name')]")], variables={"name": "a"}), scope=scope
    )
    second = expand_template(
        template([vnet("[variables('name')]")], variables={"name": "b"}), scope=scope
    )
    assert names(first) == ["a"] and names(second) == ["b"]
