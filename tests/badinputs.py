"""A generated corpus of bad inputs over every input kind (issue 18): blueprints, on-premises
files, ARM templates and parameter files, deployed-resource exports, Terraform folders and
configuration files, each broken in the ways users and attackers break them. Every case must end
in exit 2 with a located message and no traceback (tests/test_bad_input_corpus.py).

A case is a name, the files to write (relative path -> bytes) and the command line, in which
``{dir}`` stands for the folder the files are written to.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from heiki.designs import BUILTIN_DESIGNS, design_file

# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, bytes]
    argv: tuple[str, ...]
    expect: str
    """The input code the message must carry (``IN0``: any input code)."""
    located: bool = True
    """The message names the file at fault (not for command-line values)."""


WARNED = frozenset(
    {
        # a template value Azure's validation rejects is a warning at the value, and the rest of
        # the template is still checked (as IN064 does): exit 0 or 1, with the warning
        "arm/structure/prefix-word",
        "arm/structure/prefix-33",
        "arm/structure/subnet-outside",
        "arm/structure/copy-no-name",
        "arm/structure/param-bad-type",
        "terraform/prefix-word",
        "terraform/prefix-33",
        "arm/structure/subnets-not-list",
        "arm/structure/firewall-ip-outside",
    }
)
KNOWN_GAPS: frozenset[str] = frozenset()
"""Cases read without a word (none today: the last four - a `subnets` or `dependsOn` that is no
list, `uri()` of a relative base, a `!!binary` YAML name - now have their message)."""


def _design(name: str) -> str:
    resource = design_file(name)
    assert resource is not None
    return resource.read_text(encoding="utf-8")


# --- blueprints -------------------------------------------------------------------------------

_BLUEPRINT_EDITS: tuple[tuple[str, str, str, str], ...] = (
    # (label, old, new, expected code); applied to every design that contains ``old``
    ("bad-cidr-33", "address_space: 10.0.0.0/16", "address_space: 10.0.0.0/33", "IN0"),
    ("bad-cidr-octet", "address_space: 10.0.0.0/16", "address_space: 999.0.0.0/8", "IN0"),
    ("bad-cidr-word", "address_space: 10.0.0.0/16", "address_space: banana", "IN0"),
    ("cidr-empty", "address_space: 10.0.0.0/16", 'address_space: ""', "IN0"),
    ("cidr-list-of-maps", "address_space: 10.0.0.0/16", "address_space: [{a: 1}]", "IN0"),
    ("overlap-hub", "address_space: 10.1.0.0/16", "address_space: 10.0.0.0/16", "IN0"),
    ("location-list", "location: japaneast", "location: [japaneast]", "IN002"),
    ("location-map", "location: japaneast", "location: {a: b}", "IN002"),
    # found by fuzz/fuzz_blueprint.py: a region that would become part of a DNS name
    ("location-bad-chars", "location: japaneast", 'location: "japanea====st"', "IN017"),
    ("location-space-inside", "location: japaneast", 'location: "japan east!"', "IN017"),
    # found by fuzz/fuzz_blueprint.py in .ci/run: a region too long for the DNS labels it is in
    (
        "location-too-long",
        "location: japaneast",
        "location: japaneaany storage account in the regist",
        "IN017",
    ),
    # found by fuzz/fuzz_blueprint.py: a spoke key that is no VNet name (it goes into resource IDs)
    ("spoke-key-slash", "\n  ml:\n", "\n  m/l:\n", "IN002"),
    ("instance-name-slash", "instances: [ci-alice", "instances: [c/i-alice", "IN002"),
    ("workspace-name-hash", "name: mlw-closed", "name: mlw#closed", "IN002"),
    # found by fuzz/fuzz_blueprint.py: on-premises zone and record names DNS would refuse
    ("onprem-zone-bad-chars", "zone: corp.example.com", 'zone: "cor [sales-db]}"', "IN002"),
    ("onprem-zone-long-label", "zone: corp.example.com", "zone: " + "a" * 64 + ".com", "IN002"),
    ("cluster-min-above-max", "max_nodes: 8}", "max_nodes: 8, min_nodes: 9}", "IN002"),
    # found by fuzz/fuzz_blueprint.py in .ci/run: service names that become host labels
    ("ai-account-replacement-chars", "{name: ais-genai,", "{name: ais-ge\ufffd\ufffdi,", "IN017"),
    ("ai-account-space", "{name: ais-genai,", "{name: ais genai,", "IN017"),
    ("ai-account-64", "{name: ais-genai,", "{name: " + "a" * 64 + ",", "IN017"),
    ("search-double-hyphen", "{name: srch-genai}", "{name: srch--genai}", "IN017"),
    ("online-endpoint-short", "online_endpoints: [ep-chat]", "online_endpoints: [e]", "IN017"),
    ("batch-endpoint-slash", "batch_endpoints: [bep-score]", "batch_endpoints: [b/p]", "IN0"),
    # AKS clusters and the computes that attach them (issue 14)
    (
        "aks-name-slash",
        "      - {name: srch-genai}\n",
        "      - {name: srch-genai}\n    aks_clusters:\n      - {name: aks/score}\n",
        "IN002",
    ),
    (
        "aks-name-too-long",
        "      - {name: srch-genai}\n",
        "      - {name: srch-genai}\n    aks_clusters:\n      - {name: " + "a" * 64 + "}\n",
        "IN017",
    ),
    (
        "aks-zone-not-a-zone",
        "      - {name: srch-genai}\n",
        "      - {name: srch-genai}\n    aks_clusters:\n"
        "      - {name: aks-score, api_server_zone: /subscriptions/x/banana}\n",
        "IN002",
    ),
    (
        "kubernetes-compute-unknown-cluster",
        "      batch_endpoints: [bep-score]\n",
        "      batch_endpoints: [bep-score]\n      kubernetes_computes:\n"
        "        - {name: k8s-score, cluster: aks-none}\n",
        "IN020",
    ),
    (
        "firewall-ip-in-a-spoke",
        "threat_intel: deny}",
        "threat_intel: deny, private_ip: 10.1.0.4}",
        "IN011",
    ),
    (
        "firewall-ip-word",
        "threat_intel: deny}",
        "threat_intel: deny, private_ip: banana}",
        "IN0",
    ),
    (
        "onprem-record-ttl-negative",
        "a: [192.168.20.10]}",
        "a: [192.168.20.10], ttl: -5}",
        "IN002",
    ),
    (
        "onprem-record-bad-name",
        "{name: sales-db, a:",
        '{name: "sales db!", a:',
        "IN002",
    ),
    ("unknown-top-key", "location: japaneast", "location: japaneast\nlocaton: x", "IN002"),
    ("duplicate-top-key", "location: japaneast", "location: japaneast\nlocation: eastus", "IN005"),
    ("tab-indent", "\nhub:\n  ", "\nhub:\n\t", "IN001"),
    ("unclosed-flow", "location: japaneast", "location: [japaneast", "IN001"),
    ("unclosed-quote", "location: japaneast", 'location: "japaneast', "IN001"),
    ("bad-anchor", "location: japaneast", "location: *nowhere", "IN001"),
    ("firewall-word", "firewall: azure", "firewall: maybe", "IN002"),
    ("firewall-number", "firewall: azure", "firewall: 3", "IN002"),
    ("dns-word", "dns: private-resolver", "dns: sometimes", "IN002"),
    ("gateway-word", "gateway: vpn", "gateway: carrier-pigeon", "IN002"),
    ("spoke-list", "\nspokes:\n", "\nspokes: [1, 2]\nx:\n", "IN0"),
    ("ci-space", "instances: [ci-alice", 'instances: ["ci alice"', "IN017"),
    ("ci-bidi", "instances: [ci-alice", 'instances: ["ci\\u202ealice"', "IN017"),
    ("ci-emoji", "instances: [ci-alice", 'instances: ["ci-\\U0001F600"', "IN017"),
    ("ci-long", "instances: [ci-alice", "instances: [" + "c" * 70, "IN017"),
    ("ci-number", "instances: [ci-alice", "instances: [12345", "IN0"),
    ("onprem-dns-word", "servers: [192.168.0.53]", "servers: [dns.example]", "IN0"),
    ("onprem-dns-v6", "servers: [192.168.0.53]", "servers: ['::1']", "IN0"),
    ("onprem-forward-word", "forward_to: hub", "forward_to: everywhere", "IN0"),
    ("egress-unknown", "egress: [", "egress: [no-such-profile, ", "IN0"),
    ("bool-word", "bastion: true", "bastion: perhaps", "IN002"),
    ("bastion-list", "bastion: true", "bastion: [true]", "IN002"),
    ("key-int", "\nhub:\n", "\n1: x\nhub:\n", "IN0"),
    ("null-hub", "\nhub:\n", "\nhub: ~\nnothing:\n", "IN0"),
)

_BLUEPRINT_BYTES: tuple[tuple[str, bytes, str], ...] = (
    ("latin1", "description: caf\xe9\n".encode("latin-1"), "IN003"),
    ("nul-byte", b"name: a\x00b\n", "IN001"),
    ("control-char", b"name: a\x07b\n", "IN001"),
    ("lone-surrogate-escape", b'name: "\\ud800"\n', "IN0"),
    ("utf16-no-bom", "name: x\n".encode("utf-16-le"), "IN0"),
    ("just-a-list", b"- 1\n- 2\n", "IN0"),
    ("just-a-string", b"hello\n", "IN0"),
    ("just-a-number", b"42\n", "IN0"),
    ("binary", bytes(range(256)), "IN0"),
    ("deep-flow", b"[" * 20000 + b"]" * 20000, "IN001"),
    ("deep-block", b"".join(b"  " * i + b"a:\n" for i in range(3000)), "IN0"),
    ("alias-bomb", b"", "IN001"),
    ("merge-key-loop", b"a: &a {<<: *a}\n", "IN001"),
    ("multi-document", b"name: a\n---\nname: b\n", "IN001"),
    ("python-tag", b"name: !!python/object:os.system ls\n", "IN001"),
    ("binary-tag", b"name: !!binary aGVsbG8=\n", "IN0"),
    ("timestamp-name", b"name: 2001-12-14\nlocation: japaneast\n", "IN0"),
)


def _alias_bomb() -> bytes:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(9):
        this, last = chr(98 + i), chr(97 + i)
        lines.append(f"{this}: &{this} [{', '.join(f'*{last}' for _ in range(9))}]")
    return ("\n".join(lines) + "\n").encode()


def blueprint_cases() -> Iterator[Case]:
    for design in BUILTIN_DESIGNS:
        text = _design(design)
        for label, old, new, code in _BLUEPRINT_EDITS:
            if old in text:
                yield Case(
                    f"blueprint/{design}/{label}",
                    {"design.yaml": text.replace(old, new, 1).encode()},
                    ("check", "{dir}/design.yaml"),
                    code,
                )
        # a truncated design: cut inside a flow collection, always unbalanced
        cut = text.index("[") + 1
        yield Case(
            f"blueprint/{design}/truncated-in-flow",
            {"design.yaml": text[:cut].encode()},
            ("check", "{dir}/design.yaml"),
            "IN001",
        )
    for label, data, code in _BLUEPRINT_BYTES:
        yield Case(
            f"blueprint/bytes/{label}",
            {"design.yaml": data or _alias_bomb()},
            ("check", "{dir}/design.yaml"),
            code,
        )
    # the same broken bytes as an on-premises file beside a good design
    for label, data, code in _BLUEPRINT_BYTES:
        yield Case(
            f"onprem/bytes/{label}",
            {"onprem.yaml": data or _alias_bomb()},
            ("check", "closed-aml", "--onprem", "{dir}/onprem.yaml"),
            code,
        )
    onprem_edits = (
        ("servers-word", "onprem:\n  dns:\n    servers: [nameserver]\n"),
        ("prefix-word", "onprem:\n  address_space: [somewhere]\n"),
        ("unknown-key", "onprem:\n  addres_space: [192.168.0.0/16]\n"),
        ("not-a-map", "onprem: [1, 2]\n"),
        ("clients-word", "onprem:\n  clients: everyone\n"),
    )
    for label, text in onprem_edits:
        yield Case(
            f"onprem/edit/{label}",
            {"onprem.yaml": text.encode()},
            ("check", "closed-aml", "--onprem", "{dir}/onprem.yaml"),
            "IN0",
        )


# --- ARM ---------------------------------------------------------------------------------------

_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def _template(resources: list[object], **sections: object) -> dict[str, object]:
    return {"$schema": _SCHEMA, "contentVersion": "1.0.0.0", **sections, "resources": resources}


def _vnet(name: object = "vnet-a", prefix: object = "10.0.0.0/16", **extra: object) -> dict:
    return {
        "type": "Microsoft.Network/virtualNetworks",
        "apiVersion": "2023-04-01",
        "name": name,
        "location": "japaneast",
        "properties": {"addressSpace": {"addressPrefixes": [prefix]}, **extra},
    }


_EXPRESSIONS = (
    "[concat('a'",
    "[concat('a', ]",
    "[nosuchfunction('a')]",
    "[parameters('missing')]",
    "[variables('missing')]",
    "[add('a', 1)]",
    "[div(1, 0)]",
    "[mod(1, 0)]",
    "[int('x')]",
    "[json('{')]",
    "[substring('abc', 5, 1)]",
    "[substring('abc', -1, 1)]",
    "[split('a')]",
    "[first(1)]",
    "[createArray(1)[5]]",
    "[createObject('a', 1).b.c]",
    "[range(0, 100000000)]",
    "[padLeft('a', 2000000000, 'b')]",
    "[format('{0,2000000000}', 'a')]",
    "[format('{5}', 'a')]",
    "[format('{', 'a')]",
    "[base64ToString('***')]",
    "[dataUriToString('nodata')]",
    "[uri('not a uri', 'x')]",
    "[cidrSubnet('10.0.0.0/16', 40, 0)]",
    "[cidrSubnet('banana', 24, 0)]",
    "[cidrHost('10.0.0.0/30', 100)]",
    "[parseCidr('10.0.0.0/99')]",
    "[guid()]",
    "[uniqueString()]",
    "[resourceId()]",
    "[reference()]",
    "[if(true)]",
    "[lambda('x')]",
    "[map(createArray(1), 5)]",
    "[filter(createArray(1), lambda('x', lambdaVariables('y')))]",
    "[toLower(createArray(1))]",
    "[string(",
    "['unterminated]",
    "[)]",
    # found by fuzz/fuzz_expression.py: a trailing comma (the empty string is "in" every string)
    "[cidrSubnet('10.0.0.0/16', 28, ]",
    "[concat('a', -]",
    "[add(-., 1)]",  # found by fuzz/fuzz_expression.py: a sign and a point, no digits
    # found by fuzz/fuzz_expression.py: digits that are not ASCII ("⑤".isdigit(), int refuses)
    "[add(⑤, 1)]",
    "[add(1⑤, 1)]",
    "[add(1.², 1)]",
)


def arm_cases() -> Iterator[Case]:
    good = _template([_vnet()])
    text = json.dumps(good, indent=2)
    for index, expression in enumerate(_EXPRESSIONS):
        document = _template([_vnet(name=expression)])
        yield Case(
            f"arm/expression/{index:02d}",
            {"t.json": json.dumps(document).encode()},
            ("check", "{dir}/t.json"),
            "IN0",
        )
    for cut in range(1, len(text), max(1, len(text) // 40)):
        yield Case(
            f"arm/truncated/{cut:04d}",
            {"t.json": text[:cut].encode()},
            ("check", "{dir}/t.json"),
            "IN0",
        )
    structural = {
        "resources-not-list": {"$schema": _SCHEMA, "contentVersion": "1.0.0.0", "resources": 5},
        "resource-not-object": _template([5]),
        "no-type": _template([{"name": "x", "apiVersion": "2023-04-01"}]),
        "type-not-string": _template([{**_vnet(), "type": 5}]),
        "name-not-string": _template([_vnet(name=[1])]),
        "name-null": _template([_vnet(name=None)]),
        "prefix-word": _template([_vnet(prefix="banana")]),
        "prefix-33": _template([_vnet(prefix="10.0.0.0/33")]),
        "subnets-not-list": _template([_vnet(subnets="x")]),
        "subnet-outside": _template(
            [_vnet(subnets=[{"name": "s", "properties": {"addressPrefix": "11.0.0.0/24"}}])]
        ),
        "copy-count-huge": _template([{**_vnet(), "copy": {"name": "c", "count": 100000}}]),
        "copy-count-word": _template([{**_vnet(), "copy": {"name": "c", "count": "many"}}]),
        "copy-no-name": _template([{**_vnet(), "copy": {"count": 2}}]),
        "depends-not-list": _template([{**_vnet(), "dependsOn": 5}]),
        "firewall-ip-outside": _template(
            [
                _vnet(
                    subnets=[
                        {
                            "name": "AzureFirewallSubnet",
                            "properties": {"addressPrefix": "10.0.1.0/26"},
                        }
                    ]
                ),
                {
                    "type": "Microsoft.Network/azureFirewalls",
                    "apiVersion": "2023-04-01",
                    "name": "afw",
                    "location": "japaneast",
                    "properties": {
                        "ipConfigurations": [
                            {
                                "name": "c",
                                "properties": {
                                    "subnet": {
                                        "id": "[resourceId('Microsoft.Network/virtualNetworks/"
                                        "subnets', 'vnet-a', 'AzureFirewallSubnet')]"
                                    },
                                    "privateIPAddress": "10.9.0.4",
                                },
                            }
                        ]
                    },
                },
            ]
        ),
        "condition-word": _template([{**_vnet(), "condition": "[json('{')]"}]),
        "parameters-not-object": {**_template([_vnet()]), "parameters": [1]},
        "variables-not-object": {**_template([_vnet()]), "variables": "x"},
        "param-bad-type": {
            **_template([_vnet(name="[parameters('p')]")]),
            "parameters": {"p": {"type": "nosuchtype"}},
        },
        "nested-no-template": _template(
            [
                {
                    "type": "Microsoft.Resources/deployments",
                    "apiVersion": "2022-09-01",
                    "name": "d",
                    "properties": {"mode": "Incremental"},
                }
            ]
        ),
        "link-outside": _template(
            [
                {
                    "type": "Microsoft.Resources/deployments",
                    "apiVersion": "2022-09-01",
                    "name": "d",
                    "properties": {
                        "mode": "Incremental",
                        "templateLink": {"relativePath": "../../../../etc/passwd"},
                    },
                }
            ]
        ),
        "link-device": _template(
            [
                {
                    "type": "Microsoft.Resources/deployments",
                    "apiVersion": "2022-09-01",
                    "name": "d",
                    "properties": {
                        "mode": "Incremental",
                        "templateLink": {"relativePath": "/dev/zero"},
                    },
                }
            ]
        ),
        "deep": None,
        "bigint": None,
        "storage-name-space": _template(
            [
                {
                    "type": "Microsoft.Storage/storageAccounts",
                    "apiVersion": "2023-01-01",
                    "name": "St Bad",
                    "location": "japaneast",
                    "kind": "StorageV2",
                    "sku": {"name": "Standard_LRS"},
                    "properties": {},
                }
            ]
        ),
    }
    for label, document in structural.items():
        if label == "deep":
            data = b"[" * 100000 + b"]" * 100000
        elif label == "bigint":
            data = b'{"a": ' + b"9" * 5000 + b"}"
        else:
            data = json.dumps(document).encode()
        yield Case(f"arm/structure/{label}", {"t.json": data}, ("check", "{dir}/t.json"), "IN0")
    # parameter files
    template = _template(
        [_vnet(name="[parameters('name')]")],
        parameters={"name": {"type": "string", "maxLength": 10}},
    )
    parameter_files = {
        "undeclared": {"parameters": {"name": {"value": "a"}, "other": {"value": 1}}},
        "no-value": {"parameters": {"name": {}}},
        "not-object": [1, 2],
        "parameters-list": {"parameters": [1]},
        "syntax": None,
    }
    for label, document in parameter_files.items():
        data = b"{" if document is None else json.dumps(document).encode()
        yield Case(
            f"arm/parameters/{label}",
            {"t.json": json.dumps(template).encode(), "p.json": data},
            ("check", "{dir}/t.json", "--parameters", "{dir}/p.json"),
            "IN0",
        )
    for label, value in (("inline-undeclared", "other=1"), ("inline-no-equals", "{dir}/none")):
        yield Case(
            f"arm/parameters/{label}",
            {"t.json": json.dumps(template).encode()},
            ("check", "{dir}/t.json", "--parameters", value),
            "IN0",
            located=label != "inline-undeclared",
        )
    # exports of deployed resources
    exports = {
        "empty-list": [],
        "list-of-numbers": [1, 2],
        "resource-without-id": [{"type": "Microsoft.Network/virtualNetworks", "name": "v"}],
        "id-garbage": [{**_vnet(), "id": "not/an/id"}],
        "json-scalar": 5,
        "json-string": "hello",
    }
    for label, document in exports.items():
        yield Case(
            f"arm/export/{label}",
            {"e.json": json.dumps(document).encode()},
            ("check", "{dir}/e.json"),
            "IN0",
        )
    for label, data in (
        ("utf16-no-bom", json.dumps([_vnet()]).encode("utf-16-le")),
        ("latin1", '{"a": "caf\xe9"}'.encode("latin-1")),
        ("bom-then-garbage", b"\xef\xbb\xbf\x00\x01"),
        ("empty-file", b""),
        ("nul", b"\x00"),
    ):
        yield Case(f"arm/bytes/{label}", {"e.json": data}, ("check", "{dir}/e.json"), "IN0")


# --- Terraform ---------------------------------------------------------------------------------

_TF_GOOD = """
variable "prefix" { default = "10.0.0.0/16" }
resource "azurerm_resource_group" "rg" {
  name     = "rg-a"
  location = "japaneast"
}
resource "azurerm_virtual_network" "v" {
  name                = "vnet-a"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = [var.prefix]
}
"""

_TF_EDITS = (
    ("unbalanced-brace", "}\n", ""),
    ("unclosed-string", '"rg-a"', '"rg-a'),
    ("unknown-function", "[var.prefix]", "[nosuch(var.prefix)]"),
    ("undeclared-variable", "[var.prefix]", "[var.nothing]"),
    ("undeclared-resource", "azurerm_resource_group.rg.name", "azurerm_resource_group.nope.name"),
    ("cidrsubnet-bits", "[var.prefix]", "[cidrsubnet(var.prefix, 40, 0)]"),
    ("cidrsubnet-word", "[var.prefix]", '[cidrsubnet("banana", 8, 0)]'),
    ("cidrhost-range", "[var.prefix]", '[cidrhost("10.0.0.0/30", 100)]'),
    ("count-word", 'name     = "rg-a"', 'count = "many"\n  name     = "rg-a"'),
    ("count-negative", 'name     = "rg-a"', 'count = -1\n  name     = "rg-a"'),
    ("for-each-number", 'name     = "rg-a"', 'for_each = 5\n  name     = "rg-a"'),
    ("self-reference", "azurerm_resource_group.rg.location", "azurerm_virtual_network.v.location"),
    ("prefix-word", '"10.0.0.0/16"', '"banana"'),
    ("prefix-33", '"10.0.0.0/16"', '"10.0.0.0/33"'),
    ("vnet-name-space", '"vnet-a"', '"vnet a"'),
    ("division-by-zero", "[var.prefix]", "[1 / 0]"),
    ("index-out-of-range", "[var.prefix]", "[[1][5]]"),
    ("attribute-of-string", "[var.prefix]", "[var.prefix.x]"),
    ("bad-operator", "[var.prefix]", "[var.prefix +]"),
    ("heredoc-unclosed", 'default = "10.0.0.0/16"', "default = <<EOT\n10.0.0.0/16"),
    # the evaluation budget: bombs stop at a located error, in bounded time and memory
    ("count-million", 'name     = "rg-a"', 'count = 1000000\n  name     = "rg-a"'),
    ("format-width", '"rg-a"', 'format("%999999999d", 1)'),
    (
        "doubling-bomb",
        'resource "azurerm_virtual_network" "v" {',
        'locals {\n  a0 = ["x", "y"]\n'
        + "".join(f"  a{i} = concat(local.a{i - 1}, local.a{i - 1})\n" for i in range(1, 24))
        + '}\nresource "azurerm_virtual_network" "v" {\n  tags = { n = length(local.a23) }',
    ),
    # found by fuzz/fuzz_hcl.py: dynamic blocks without for_each, label or content
    (
        "dynamic-without-for-each",
        "  address_space       = [var.prefix]\n",
        '  address_space       = [var.prefix]\n  dynamic "subnet" {\n    content {}\n  }\n',
    ),
    (
        "dynamic-without-label",
        "  address_space       = [var.prefix]\n",
        "  address_space       = [var.prefix]\n  dynamic {\n    for_each = []\n    content {}\n  }\n",
    ),
    (
        "dynamic-for-each-number",
        "  address_space       = [var.prefix]\n",
        '  address_space       = [var.prefix]\n  dynamic "subnet" {\n    for_each = 5\n    content {}\n  }\n',
    ),
    # found by fuzz/fuzz_hcl.py: an azapi resource without its type, or with one in a bad form
    (
        "azapi-without-type",
        'variable "prefix"',
        'resource "azapi_resource" "x" {\n  name = "x"\n}\nvariable "prefix"',
    ),
    (
        "azapi-type-no-version",
        'variable "prefix"',
        'resource "azapi_resource" "x" {\n  type = "Microsoft.Storage/storageAccounts"\n'
        '  name = "x"\n}\nvariable "prefix"',
    ),
    (
        "azapi-child-of-bad-parent",
        'variable "prefix"',
        'resource "azapi_resource" "c" {\n  type = "Microsoft.Network/virtualNetworks/subnets@2024-01-01"\n'
        '  name = "s"\n  parent_id = "/subscriptions//x"\n}\nvariable "prefix"',
    ),
    (
        "nested-for-bomb",
        "[var.prefix]",
        "[length(flatten([for a in range(1000) : [for b in range(1000) : "
        "[for c in range(1000) : c]]]))]",
    ),
)


def terraform_cases() -> Iterator[Case]:
    for label, old, new in _TF_EDITS:
        assert old in _TF_GOOD, label
        yield Case(
            f"terraform/{label}",
            {"tf/main.tf": _TF_GOOD.replace(old, new, 1).encode()},
            ("check", "{dir}/tf"),
            "IN0",
        )
    for label, data in (
        ("latin1", 'variable "a" { default = "caf\xe9" }\n'.encode("latin-1")),
        ("binary", bytes(range(256))),
        ("deep", b'variable "a" { default = ' + b"[" * 5000 + b"]" * 5000 + b" }\n"),
    ):
        yield Case(f"terraform/bytes/{label}", {"tf/main.tf": data}, ("check", "{dir}/tf"), "IN0")
    for label, text in (
        ("tfvars-syntax", "prefix = \n"),
        ("tfvars-unknown-function", "prefix = nosuch()\n"),
    ):
        yield Case(
            f"terraform/{label}",
            {"tf/main.tf": _TF_GOOD.encode(), "v.tfvars": text.encode()},
            ("check", "{dir}/tf", "--var-file", "{dir}/v.tfvars"),
            "IN0",
        )
    yield Case(
        "terraform/var-without-equals",
        {"tf/main.tf": _TF_GOOD.encode()},
        ("check", "{dir}/tf", "--var", "prefix"),
        "IN0",
        located=False,
    )
    yield Case("terraform/empty-folder", {"tf/README": b"x"}, ("check", "{dir}/tf"), "IN003")
    # a module source leaving the root module's tree (no Git work tree here: its folder)
    outside = _TF_GOOD.encode()
    yield Case(
        "terraform/module-source-outside",
        {"tf/main.tf": b'module "m" {\n  source = "../outside"\n}\n', "outside/main.tf": outside},
        ("check", "{dir}/tf"),
        "IN060",
    )
    manifest = b'{"Modules": [{"Key": "m", "Source": "x/y/azurerm", "Dir": "../outside"}]}'
    yield Case(
        "terraform/modules-json-outside",
        {
            "tf/main.tf": b'module "m" {\n  source = "x/y/azurerm"\n}\n',
            "tf/.terraform/modules/modules.json": manifest,
            "outside/main.tf": outside,
        },
        ("check", "{dir}/tf"),
        "IN060",
    )


# --- configuration and command line ------------------------------------------------------------

_CONFIGS = (
    ("syntax", "select = [\n"),
    # found by fuzz/fuzz_toml.py: severity as an array of tables, or as a value
    ("severity-array-of-tables", "[[severity]]\nrule = ' '\n"),
    ("severity-string", "severity = 'error'\n"),
    ("suppress-number", "\n\n\nsuppress=2\n"),  # found by fuzz/fuzz_toml.py in .ci/run
    ("suppress-table", "[suppress]\nrule = 'CLS001'\n"),
    ("unknown-key", "selct = ['DNS']\n"),
    ("select-not-list", "select = 'DNS'\n"),
    ("select-numbers", "select = [1, 2]\n"),
    ("select-unknown", "select = ['ZZZ']\n"),
    ("ignore-empty", "ignore = ['']\n"),
    ("everything-ignored", "select = ['DNS']\nignore = ['DNS']\n"),
    ("severity-word", "[severity]\nDNS001 = 'fatal'\n"),
    ("severity-unknown-rule", "[severity]\nDNS999 = 'error'\n"),
    ("fail-on-word", "fail_on = 'sometimes'\n"),
    ("suppress-no-reason", "[[suppress]]\nrule = 'DNS001'\n"),
    ("suppress-no-rule", "[[suppress]]\nreason = 'because'\n"),
    ("suppress-unknown-rule", "[[suppress]]\nrule = 'QQQ'\nreason = 'because'\n"),
    ("suppress-extra-key", "[[suppress]]\nrule = 'DNS001'\nreason = 'b'\nwhen = 'x'\n"),
    ("deep", "select = " + "[" * 5000 + "]" * 5000 + "\n"),
    ("not-a-table", "heiki = 5\n"),
)

_OPTIONS = (
    ("select-unknown", ("check", "nsg-only", "--select", "ZZZ")),
    ("ignore-empty", ("check", "nsg-only", "--ignore", "")),
    ("select-and-ignore-all", ("check", "nsg-only", "--select", "NET", "--ignore", "NET")),
    ("parameters-with-blueprint", ("check", "nsg-only", "--parameters", "a=1")),
    ("var-with-blueprint", ("check", "nsg-only", "--var", "a=1")),
    ("subscription-with-blueprint", ("check", "nsg-only", "--subscription", "x")),
    ("missing-file", ("check", "{dir}/nothing.yaml")),
    ("missing-json", ("check", "{dir}/nothing.json")),
    ("unknown-design", ("check", "closed-amll")),
    ("directory-as-onprem", ("check", "closed-aml", "--onprem", "{dir}")),
    ("device-as-config", ("check", "--config", "/dev/zero")),
    ("directory-as-config", ("check", "--config", "{dir}")),
    ("missing-config", ("check", "--config", "{dir}/none.toml")),
    ("build-empty-output", ("build", "nsg-only", "-o", "")),
    ("build-onto-device", ("build", "nsg-only", "-o", "/dev/null", "--force")),
    ("resolve-bad-vantage", ("resolve", "pypi.org", "--from", "nowhere/none")),
    ("resolve-bad-name", ("resolve", "not a name", "--from", "onprem")),
    ("trace-bad-port", ("trace", "--from", "onprem", "--to", "pypi.org:70000")),
    ("trace-port-zero", ("trace", "--from", "onprem", "--to", "pypi.org:0")),
    ("trace-bad-protocol", ("trace", "--from", "onprem", "--to", "pypi.org:443/sctp")),
    ("trace-no-host", ("trace", "--from", "onprem", "--to", ":443")),
    ("trace-unicode-port", ("trace", "--from", "onprem", "--to", "pypi.org:⑤")),
    ("routes-bad-subnet", ("routes", "nowhere/none")),
    ("explain-unknown", ("explain", "ZZZ001")),
    ("target-bad-guid", ("show", "{dir}/e.json", "--subscription", "nope")),
    ("target-bad-group", ("show", "{dir}/e.json", "--resource-group", "a/b")),
    ("target-empty-location", ("show", "{dir}/e.json", "--location", "")),
)


def config_and_option_cases() -> Iterator[Case]:
    for label, text in _CONFIGS:
        yield Case(
            f"config/{label}",
            {"heiki.toml": text.encode()},
            ("check", "nsg-only", "--config", "{dir}/heiki.toml"),
            "IN050",
        )
    export = json.dumps(
        [
            {
                **_vnet(),
                "id": "/subscriptions/00000000-0000-0000-0000-000000000000/"
                "resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-a",
            }
        ]
    )
    for label, argv in _OPTIONS:
        yield Case(f"option/{label}", {"e.json": export.encode()}, argv, "")


def all_cases() -> list[Case]:
    return [
        *blueprint_cases(),
        *arm_cases(),
        *terraform_cases(),
        *config_and_option_cases(),
    ]
