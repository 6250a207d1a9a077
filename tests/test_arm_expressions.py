"""The ARM expression language against the examples of Microsoft's template-function reference
(learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-*), plus the
uniqueString / guid vectors captured from real deployments (shared/reference/arm-details.md)."""

from __future__ import annotations

from typing import Any

import pytest

from heiki.sources.arm.expressions import (
    ExpressionError,
    Scope,
    Unknown,
    UserFunction,
    evaluate_string,
    evaluate_value,
    parse_expression,
)

SUB = "00000000-0000-0000-0000-000000000000"
DOGS = [
    {"name": "Evie", "age": 5, "interests": ["Ball", "Frisbee"]},
    {"name": "Casper", "age": 3, "interests": ["Other dogs"]},
    {"name": "Indy", "age": 2, "interests": ["Butter"]},
    {"name": "Kira", "age": 8, "interests": ["Rubs"]},
]


def scope() -> Scope:
    return Scope(
        parameters={
            "objectToTest": {
                "null1": None,
                "null2": None,
                "string": "default",
                "int": 1,
                "object": {"first": "default"},
                "array": [1],
            },
            "firstObject": {"one": "a", "two": "b", "three": "c1"},
            "secondObject": {"three": "c2", "four": "d", "five": "e"},
            "prefix": "st",
        },
        variables={"dogs": DOGS, "unsorted": {"item002": {"a": 2}, "item001": {"a": 1}}},
        copy_indexes={"": 2, "vmLoop": 7},
        functions={
            "contoso.uniquename": UserFunction(
                ("namePrefix",), "[concat(toLower(parameters('namePrefix')), '-fn')]"
            )
        },
    )


def ev(text: str) -> Any:
    return evaluate_string(text, scope())


CASES: dict[str, list[tuple[str, Any]]] = {
    "string": [
        ("[base64('one, two, three')]", "b25lLCB0d28sIHRocmVl"),
        ("[base64ToString('b25lLCB0d28sIHRocmVl')]", "one, two, three"),
        ('[base64ToJson(base64(\'{"one": "a", "two": "b"}\'))]', {"one": "a", "two": "b"}),
        ("[concat('prefix', '-', 'suffix')]", "prefix-suffix"),
        ("[concat('a', 1, true())]", "a1True"),
        ("[contains('OneTwoThree', 'e')]", True),
        ("[contains('OneTwoThree', 'z')]", False),
        ("[contains('OneTwoThree', 'one')]", False),
        ("[dataUri('Hello')]", "data:text/plain;charset=utf8;base64,SGVsbG8="),
        ("[dataUriToString('data:;base64,SGVsbG8sIFdvcmxkIQ==')]", "Hello, World!"),
        ("[empty('')]", True),
        ("[endsWith('abcdef', 'ef')]", True),
        ("[endsWith('abcdef', 'F')]", True),
        ("[endsWith('abcdef', 'e')]", False),
        ("[startsWith('abcdef', 'ab')]", True),
        ("[startsWith('abcdef', 'A')]", True),
        ("[startsWith('abcdef', 'e')]", False),
        ("[first('One Two Three')]", "O"),
        ("[last('One Two Three')]", "e"),
        (
            "[format('{0}, {1}. Formatted number: {2:N0}', 'Hello', 'User', 8175133)]",
            "Hello, User. Formatted number: 8,175,133",
        ),
        ("[format('{{literal}} {0}-{1:D3}', 'vm', 7)]", "{literal} vm-007"),
        ("[format('{0,5}|{0,-5}|', 'ab')]", "   ab|ab   |"),
        ("[format('{0} {1} {2}', createArray('a'), null(), false())]", "['a']  False"),
        ("[indexOf('test', 't')]", 0),
        ("[indexOf('abcdef', 'CD')]", 2),
        ("[indexOf('abcdef', 'z')]", -1),
        ("[lastIndexOf('test', 't')]", 3),
        ("[lastIndexOf('abcdef', 'AB')]", 0),
        ("[join(createArray('one', 'two', 'three'), ',')]", "one,two,three"),
        ('[json(\'{"a": "b"}\')]', {"a": "b"}),
        ("[json('null')]", None),
        ("[json('[1, 2, 3]')[1]]", 2),
        ("[length('One Two Three')]", 13),
        ("[padLeft('123', 10, '0')]", "0000000123"),
        ("[padLeft(42, 5)]", "   42"),
        ("[replace('123-123-1234', '-', '')]", "1231231234"),
        ("[replace('123-123-1234', '1234', 'xxxx')]", "123-123-xxxx"),
        ("[skip('one two three', 4)]", "two three"),
        ("[split('one,two,three', ',')]", ["one", "two", "three"]),
        ("[split('one;two,three', createArray(',', ';'))]", ["one", "two", "three"]),
        (
            "[string(createObject('valueA', 10, 'valueB', 'Example Text'))]",
            '{"valueA":10,"valueB":"Example Text"}',
        ),
        ("[string(createArray('a', 'b', 'c'))]", '["a","b","c"]'),
        ("[string(5)]", "5"),
        ("[string(true())]", "True"),
        ("[substring('one two three', 4, 3)]", "two"),
        ("[take('one two three', 2)]", "on"),
        ("[toLower('One Two Three')]", "one two three"),
        ("[toUpper('One Two Three')]", "ONE TWO THREE"),
        ("[trim('    one two three   ')]", "one two three"),
        (
            "[uri('http://contoso.com/resources/', 'nested/azuredeploy.json')]",
            "http://contoso.com/resources/nested/azuredeploy.json",
        ),
        (
            "[uriComponent('http://contoso.com/resources/nested/azuredeploy.json')]",
            "http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json",
        ),
        (
            "[uriComponentToString('http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json')]",
            "http://contoso.com/resources/nested/azuredeploy.json",
        ),
    ],
    "hash": [
        ("[uniqueString('aaa')]", "zavj67f3en4hc"),
        ("[uniqueString('bbb')]", "w5eragfxe33cy"),
        ("[uniqueString('zzz')]", "cryksdzzzawae"),
        ("[uniqueString('xxx', 'yyy', 'zzz')]", "lghi7k5js7itq"),
        ("[uniqueString('xxx-yyy-zzz')]", "lghi7k5js7itq"),
        (f"[uniqueString('/subscriptions/{SUB}', 'resource-id')]", "cwvxuqg24sifi"),
        ("[guid('abc')]", "a9b46cc2-65a6-5559-9f14-7091827ab32f"),
        ("[guid('abc', 'efg')]", "61d06a12-4dad-5505-8b24-d6eafb52a77d"),
        ("[guid('a', 'b', 'c')]", "a98fa280-e03f-5afa-8d8e-92d0a9c201e8"),
    ],
    "array": [
        ("[array(1)]", [1]),
        ("[array('efgh')]", ["efgh"]),
        ("[array(createObject('a', 'b'))]", [{"a": "b"}]),
        ("[createArray(1, 2, 3)]", [1, 2, 3]),
        ("[createArray()]", []),
        ("[concat(createArray('1-1', '1-2'), createArray('2-1'))]", ["1-1", "1-2", "2-1"]),
        ("[contains(createArray('one', 'two', 'three'), 'three')]", True),
        ("[contains(createArray('one', 'two', 'three'), 'four')]", False),
        ("[empty(createArray())]", True),
        ("[first(createArray('one', 'two', 'three'))]", "one"),
        ("[last(createArray('one', 'two', 'three'))]", "three"),
        ("[indexOf(createArray('one', 'two', 'three'), 'two')]", 1),
        ("[indexOf(createArray('one', 'two', 'three'), 'TWO')]", -1),
        ("[lastIndexOf(createArray(1, 2, 3, 1), 1)]", 3),
        (
            "[intersection(createArray('one', 'two', 'three'), createArray('two', 'three'))]",
            ["two", "three"],
        ),
        ("[length(createArray('a', 'b', 'c'))]", 3),
        ("[range(1, 3)]", [1, 2, 3]),
        ("[skip(createArray('one', 'two', 'three'), 2)]", ["three"]),
        ("[take(createArray('one', 'two', 'three'), 2)]", ["one", "two"]),
        (
            "[union(createArray('one', 'two', 'three'), createArray('three', 'four'))]",
            ["one", "two", "three", "four"],
        ),
        (
            "[flatten(createArray(createArray('one', 'two'), createArray('three')))]",
            ["one", "two", "three"],
        ),
        ("[tryIndexFromEnd(createArray('a', 'b', 'c'), 1)]", "c"),
    ],
    "object": [
        (
            "[createObject('intProp', 1, 'boolProp', true(), 'arrayProp', createArray('a'))]",
            {"intProp": 1, "boolProp": True, "arrayProp": ["a"]},
        ),
        ("[contains(parameters('firstObject'), 'ONE')]", True),
        ("[empty(createObject())]", True),
        (
            "[intersection(createObject('one', 'a', 'two', 'b', 'three', 'c'), "
            "createObject('one', 'a', 'two', 'z', 'three', 'c'))]",
            {"one": "a", "three": "c"},
        ),
        ("[length(parameters('firstObject'))]", 3),
        (
            "[union(parameters('firstObject'), parameters('secondObject'))]",
            {"one": "a", "two": "b", "three": "c2", "four": "d", "five": "e"},
        ),
        (
            "[union(createObject('a', createObject('x', 1)), createObject('a', createObject('y', 2)))]",
            {"a": {"x": 1, "y": 2}},
        ),
        ("[items(variables('unsorted'))[0].key]", "item001"),
        ("[objectKeys(createObject('a', 1, 'b', 2))]", ["a", "b"]),
        (
            "[shallowMerge(createArray(createObject('one', 'a'), createObject('two', 'b'), "
            "createObject('two', 'c')))]",
            {"one": "a", "two": "c"},
        ),
        ("[null()]", None),
        ("[tryGet(parameters('firstObject'), 'missing')]", None),
        ("[tryGet(parameters('objectToTest'), 'object', 'first')]", "default"),
        ("[parameters('objectToTest').Object.FIRST]", "default"),
    ],
    "logical": [
        ("[and(bool('true'), bool('false'))]", False),
        ("[or(bool('true'), bool('false'))]", True),
        ("[not(bool('true'))]", False),
        ("[bool('true')]", True),
        ("[bool(0)]", False),
        ("[bool(1)]", True),
        ("[if(equals('a', 'a'), 'yes', 'no')]", "yes"),
        ("[if(equals('a', 'b'), 'yes', 'no')]", "no"),
        ("[if(true(), 'ok', substring('a', 5, 1))]", "ok"),
        ("[true()]", True),
        ("[false()]", False),
    ],
    "comparison": [
        (
            "[coalesce(parameters('objectToTest').null1, parameters('objectToTest').null2, "
            "parameters('objectToTest').string)]",
            "default",
        ),
        ("[coalesce(parameters('objectToTest').null1, parameters('objectToTest').int)]", 1),
        ("[coalesce(null(), null())]", None),
        ("[equals(1, 1)]", True),
        ("[equals('a', 'A')]", False),
        ("[equals(createArray('a', 'b'), createArray('a', 'b'))]", True),
        ("[equals(createObject('a', 'b'), createObject('A', 'b'))]", True),
        ("[greater(10, 5)]", True),
        ("[greater('A', 'a')]", False),
        ("[greaterOrEquals(5, 5)]", True),
        ("[less(10, 5)]", False),
        ("[less('A', 'a')]", True),
        ("[lessOrEquals(5, 5)]", True),
    ],
    "numeric": [
        ("[add(5, 3)]", 8),
        ("[sub(7, 3)]", 4),
        ("[mul(5, 3)]", 15),
        ("[div(8, 3)]", 2),
        ("[div(-8, 3)]", -2),
        ("[mod(7, 3)]", 1),
        ("[mod(-7, 3)]", -1),
        ("[int('4')]", 4),
        ("[float('3.5')]", 3.5),
        ("[max(createArray(0, 3, 2, 5, 4))]", 5),
        ("[max(0, 3, 2, 5, 4)]", 5),
        ("[min(createArray(0, 3, 2, 5, 4))]", 0),
        ("[copyIndex()]", 2),
        ("[copyIndex(1)]", 3),
        ("[copyIndex('vmLoop', 10)]", 17),
    ],
    "lambda": [
        (
            "[filter(variables('dogs'), lambda('dog', greaterOrEquals(lambdaVariables('dog').age, 5)))]",
            [DOGS[0], DOGS[3]],
        ),
        (
            "[map(variables('dogs'), lambda('dog', lambdaVariables('dog').name))]",
            ["Evie", "Casper", "Indy", "Kira"],
        ),
        (
            "[map(createArray('a', 'b'), lambda('x', 'i', concat(lambdaVariables('x'), "
            "string(lambdaVariables('i')))))]",
            ["a0", "b1"],
        ),
        (
            "[reduce(map(variables('dogs'), lambda('dog', lambdaVariables('dog').age)), 0, "
            "lambda('cur', 'next', add(lambdaVariables('cur'), lambdaVariables('next'))))]",
            18,
        ),
        (
            "[map(sort(variables('dogs'), lambda('a', 'b', less(lambdaVariables('a').age, "
            "lambdaVariables('b').age))), lambda('d', lambdaVariables('d').name))]",
            ["Indy", "Casper", "Evie", "Kira"],
        ),
        (
            "[objectKeys(toObject(variables('dogs'), lambda('entry', lambdaVariables('entry').name)))]",
            ["Evie", "Casper", "Indy", "Kira"],
        ),
        (
            "[toObject(variables('dogs'), lambda('e', lambdaVariables('e').name), "
            "lambda('e', lambdaVariables('e').age)).Kira]",
            8,
        ),
        (
            "[groupBy(createArray('foo', 'bar', 'baz'), lambda('x', substring(lambdaVariables('x'), 0, 1)))]",
            {"f": ["foo"], "b": ["bar", "baz"]},
        ),
        (
            "[mapValues(createObject('foo', 'foo'), lambda('val', toUpper(lambdaVariables('val'))))]",
            {"foo": "FOO"},
        ),
    ],
    "deployment": [
        ("[parameters('prefix')]", "st"),
        ("[length(variables('dogs'))]", 4),
        ("[deployment().name]", "heiki"),
        ("[environment().name]", "AzureCloud"),
        ("[environment().suffixes.storage]", "core.windows.net"),
        ("[environment().suffixes.keyvaultDns]", ".vault.azure.net"),
        ("[environment().suffixes.acrLoginServer]", ".azurecr.io"),
        ("[resourceGroup().location]", "japaneast"),
        ("[resourceGroup().id]", f"/subscriptions/{SUB}/resourceGroups/rg-heiki"),
        ("[subscription().subscriptionId]", SUB),
        (
            "[format('https://{0}.blob.{1}/', 'stx', environment().suffixes.storage)]",
            "https://stx.blob.core.windows.net/",
        ),
        ("[contoso.uniqueName('ABC')]", "abc-fn"),
    ],
    "resource": [
        (
            "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-hub')]",
            f"/subscriptions/{SUB}/resourceGroups/rg-heiki/providers/Microsoft.Network/virtualNetworks/vnet-hub",
        ),
        (
            "[resourceId('rg-net', 'Microsoft.Network/virtualNetworks/subnets', 'vnet', 'snet')]",
            f"/subscriptions/{SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet",
        ),
        (
            "[resourceId('11111111-1111-1111-1111-111111111111', 'rg-net', "
            "'Microsoft.Network/privateDnsZones', 'privatelink.blob.core.windows.net')]",
            "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-net/providers/"
            "Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net",
        ),
        (
            "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', "
            "'b24988ac-6180-42a0-ab88-20f7382dd24c')]",
            f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/"
            "b24988ac-6180-42a0-ab88-20f7382dd24c",
        ),
        (
            "[tenantResourceId('Microsoft.Authorization/policyDefinitions', 'p1')]",
            "/providers/Microsoft.Authorization/policyDefinitions/p1",
        ),
        (
            "[extensionResourceId(resourceGroup().id, 'Microsoft.Authorization/locks', 'lock1')]",
            f"/subscriptions/{SUB}/resourceGroups/rg-heiki/providers/Microsoft.Authorization/locks/lock1",
        ),
    ],
    "date": [
        ("[dateTimeAdd('2020-04-07T14:53:14Z', 'P3Y')]", "2023-04-07T14:53:14Z"),
        ("[dateTimeAdd('2020-04-07T14:53:14Z', '-PT9H')]", "2020-04-07T05:53:14Z"),
        ("[dateTimeAdd('2020-01-31T00:00:00Z', 'P1M')]", "2020-02-29T00:00:00Z"),
        ("[dateTimeFromEpoch(1683040573)]", "2023-05-02T15:16:13Z"),
        ("[dateTimeToEpoch('2023-05-02T15:16:13Z')]", 1683040573),
    ],
    "cidr": [
        (
            "[parseCidr('10.144.0.0/20')]",
            {
                "network": "10.144.0.0",
                "netmask": "255.255.240.0",
                "broadcast": "10.144.15.255",
                "firstUsable": "10.144.0.1",
                "lastUsable": "10.144.15.254",
                "cidr": 20,
            },
        ),
        (
            "[parseCidr('fdad:3236:5555::/48').lastUsable]",
            "fdad:3236:5555:ffff:ffff:ffff:ffff:ffff",
        ),
        ("[cidrSubnet('10.144.0.0/20', 24, 3)]", "10.144.3.0/24"),
        ("[cidrSubnet('fdad:3236:5555::/48', 52, 1)]", "fdad:3236:5555:1000::/52"),
        ("[cidrHost('10.144.3.0/24', 0)]", "10.144.3.1"),
        ("[cidrHost('fdad:3236:5555:3000::/52', 4)]", "fdad:3236:5555:3000::5"),
    ],
    "syntax": [
        ("[[not an expression]", "[not an expression]"),
        ("plain text", "plain text"),
        ("[concat('it''s', ' ok')]", "it's ok"),
        ("[createObject('a', createArray(1, 2)).a[1]]", 2),
        ("[CONCAT('a', 'B')]", "aB"),
        ("[ concat( 'a' , 'b' ) ]", "ab"),
        ("[createObject('Name', 'x').name]", "x"),
        ("[createArray(-1, 2)[0]]", -1),
        ("[parameters('objectToTest')['string']]", "default"),
    ],
}

FLAT = [
    (f"{group}-{i}", text, want)
    for group, cases in CASES.items()
    for i, (text, want) in enumerate(cases)
]


@pytest.mark.parametrize(("case", "text", "expected"), FLAT, ids=[c for c, _, _ in FLAT])
def test_documented_example(case: str, text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_there_are_at_least_80_cases_and_every_group() -> None:
    assert len(FLAT) >= 80
    assert {
        "string",
        "array",
        "object",
        "logical",
        "comparison",
        "numeric",
        "lambda",
        "deployment",
        "resource",
        "date",
        "cidr",
        "hash",
    } <= set(CASES)


# --- unknown values ---------------------------------------------------------------------------

UNKNOWN_CASES = {
    "listKeys": "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'st'), '2023-01-01').keys[0].value]",
    "concat-with-unknown": "[concat('DefaultEndpointsProtocol=https;AccountKey=', "
    "listKeys('st', '2023-01-01').keys[0].value)]",
    "newGuid": "[newGuid()]",
    "utcNow": "[utcNow()]",
    "reference-runtime": "[reference('vm').outputs.ip.value]",
    "equals-unknown": "[equals(newGuid(), 'x')]",
    "if-unknown-condition": "[if(equals(utcNow(), 'x'), 1, 2)]",
    "coalesce-unknown-first": "[coalesce(null(), newGuid(), 'x')]",
    "pickZones": "[pickZones('Microsoft.Compute', 'virtualMachines', 'japaneast')]",
    "format-unknown": "[format('{0}-{1}', 'a', utcNow())]",
    "property-of-unknown": "[reference('x', '2020-01-01', 'Full').properties.ipConfigurations[0]]",
}


@pytest.mark.parametrize("case", sorted(UNKNOWN_CASES))
def test_runtime_values_stay_unknown(case: str) -> None:
    value = ev(UNKNOWN_CASES[case])
    assert isinstance(value, Unknown), value
    assert value.reason


def test_unknowns_do_not_spoil_what_is_decided() -> None:
    assert ev("[length(createArray(newGuid(), 'a'))]") == 2
    assert ev("[and(false(), equals(newGuid(), 'x'))]") is False
    assert ev("[or(true(), equals(newGuid(), 'x'))]") is True
    assert ev("[if(true(), 'known', newGuid())]") == "known"
    assert ev("[coalesce('first', newGuid())]") == "first"
    inside = ev("[createArray('a', newGuid())]")
    assert inside[0] == "a" and isinstance(inside[1], Unknown)


def test_evaluate_value_walks_objects_and_arrays() -> None:
    value = evaluate_value(
        {
            "name": "[concat(parameters('prefix'), 'data')]",
            "tags": ["[[x]", 1, None],
            "[concat('k', 'ey')]": True,
        },
        scope(),
    )
    assert value == {"name": "stdata", "tags": ["[x]", 1, None], "key": True}


def test_a_scope_keeps_unchangeable_values_and_never_what_reads_resources() -> None:
    asked: list[str] = []

    def variable(name: str) -> Any:
        asked.append(f"variable {name}")
        return {"text": "v", "list": [1]}

    def reference(target: Any, api_version: Any, full: bool) -> Any:
        asked.append(f"reference {target}")  # what is declared may grow between two calls
        return {"prefix": f"10.0.{len(asked)}.0/24"}

    outer = Scope(variable_resolver=variable, reference_resolver=reference)
    for _ in range(2):
        assert evaluate_string("[variables('v').text]", outer) == "v"
        assert evaluate_string("[variables('v').list]", outer) == [1]
    assert asked == ["variable v", "variable v", "variable v"]  # the text once, the list twice
    first = evaluate_string("[reference('snet').prefix]", outer)
    assert evaluate_string("[reference('snet').prefix]", outer) != first
    # a copy of the scope (a copy loop's) answers its own copy index, not the outer one's
    outer = Scope(copy_indexes={"": 0})
    inner = outer.child(copy_indexes={"": 1})
    assert evaluate_string("[copyIndex()]", outer) == 0
    assert evaluate_string("[copyIndex()]", inner) == 1


# --- errors, located in the expression ---------------------------------------------------------

ERRORS = {
    "unknown-function": ("[concat('a', nope(1))]", "unknown function 'nope'", 13),
    "too-few-args": ("[substring('abc')]", "substring() takes 2..3 argument(s), 1 given", 1),
    "too-many-args": ("[not(true(), false())]", "not() takes 1 argument(s), 2 given", 1),
    "wrong-type": ("[add('a', 1)]", "add(): argument 1 must be an integer, not string", 1),
    "missing-parameter": ("[parameters('nope')]", "the template has no parameter 'nope'", 1),
    "missing-variable": ("[variables('nope')]", "the template has no variable 'nope'", 1),
    "unclosed-call": ("[concat('a']", "expected ')', found the end", 11),
    "unterminated-string": ("[concat('a)]", "unterminated string", 8),
    "missing-property": ("[createObject('a', 1).b]", "the object has no property 'b'", 21),
    "index-out-of-range": ("[createArray(1)[3]]", "index 3 is outside the array of length 1", 15),
    "bare-name": ("[concat(foo)]", "'foo' must be called as a function", 8),
    "trailing": ("[concat('a') x]", "unexpected 'x' after the expression", 13),
    "division-by-zero": ("[div(1, 0)]", "div(): division by zero", 1),
    "copy-index-outside": ("[copyIndex('other')]", "no copy loop of that name", 1),
    "bad-format": ("[format('{0} {1}', 'a')]", "refers to argument 1 but only 1 given", 1),
    "bad-cidr": ("[cidrSubnet('10.0.0.0/24', 16, 0)]", "/16 does not fit in 10.0.0.0/24", 1),
    "resource-id-names": (
        "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v')]",
        "needs 2 name(s), 1 given",
        1,
    ),
    "lambda-arity": ("[map(createArray(1), lambda('a', 'b', 'c', 1))]", "at most 2 allowed", 1),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_name_the_problem_and_the_place(case: str) -> None:
    text, message, offset = ERRORS[case]
    with pytest.raises(ExpressionError) as caught:
        ev(text)
    assert message in caught.value.message
    assert caught.value.expression == text
    if offset is not None:
        assert caught.value.offset == offset, caught.value
    assert "Traceback" not in str(caught.value)


def test_parse_keeps_offsets() -> None:
    node = parse_expression("[concat('a', parameters('b'))]")
    assert node.offset == 1  # type: ignore[union-attr]


def test_deeply_nested_expressions_parse() -> None:
    text = "[" + "concat(" * 60 + "'x'" + ")" * 60 + "]"
    assert ev(text) == "x"


# --- properties -------------------------------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from heiki.sources.arm.expressions.hashing import unique_string  # noqa: E402

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(st.lists(_TEXT, min_size=1, max_size=4))
def test_unique_string_shape_and_dash_join(parts: list[str]) -> None:
    value = unique_string(*parts)
    assert len(value) == 13 and set(value) <= set("abcdefghijklmnopqrstuvwxyz234567")
    assert value[-1] in "acegikmoqsuwy246"  # the 65th bit is always zero
    assert value == unique_string("-".join(parts))


@given(_TEXT)
def test_string_literals_round_trip(text: str) -> None:
    quoted = text.replace("'", "''")
    assert evaluate_string(f"['{quoted}']", Scope()) == text
    assert evaluate_string(f"[concat('{quoted}', '')]", Scope()) == text


@given(st.lists(st.text(alphabet="abc{}", max_size=5), max_size=4))
def test_format_with_plain_holes_is_concatenation(parts: list[str]) -> None:
    template = "".join(f"{{{i}}}" for i in range(len(parts)))
    assert evaluate_string(
        "[format('" + template + "'" + "".join(f", '{p}'" for p in parts) + ")]", Scope()
    ) == "".join(parts)
