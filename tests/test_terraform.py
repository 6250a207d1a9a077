"""Terraform folders as input: HCL constructs, Terraform's functions (examples from its
documentation), variables in Terraform's precedence, count / for_each / dynamic, azurerm mapped
into the model, and the two Azure/terraform quickstarts checked end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from garbage import left_in_cycles
from heiki.cli.main import cli
from heiki.sources import load
from heiki.sources.arm.expressions.unknown import Unknown
from heiki.sources.terraform.evaluate import Context, Evaluator, TfEvalError
from heiki.sources.terraform.functions import FUNCTIONS, LAZY
from heiki.sources.terraform.syntax import parse_text

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "templates" / "azure-terraform"


def value(expression: str, **names: Any) -> Any:
    def resolve(name: str, where: Any) -> Any:
        if name in names:
            return names[name]
        raise TfEvalError(f"unknown name {name}", where)

    body = parse_text(f"x = {expression}\n", "test.tf")
    context = Context(resolve, functions=FUNCTIONS, lazy=LAZY)
    return Evaluator(context).evaluate(body.attributes["x"].value)


# -- functions: the examples of developer.hashicorp.com/terraform/language/functions ------------

EXAMPLES = {
    'cidrsubnet("172.16.0.0/12", 4, 2)': "172.18.0.0/16",
    'cidrsubnet("10.1.2.0/24", 4, 15)': "10.1.2.240/28",
    'cidrhost("10.12.112.0/20", 16)': "10.12.112.16",
    'cidrhost("10.12.112.0/20", 268)': "10.12.113.12",
    'cidrnetmask("172.16.0.0/12")': "255.240.0.0",
    'cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)': [
        "10.1.0.0/20",
        "10.1.16.0/20",
        "10.1.32.0/24",
        "10.1.48.0/20",
    ],
    'format("Hello, %s!", "Ander")': "Hello, Ander!",
    'format("There are %d lights", 4)': "There are 4 lights",
    'formatlist("Hello, %s!", ["Valentina", "Ander"])': ["Hello, Valentina!", "Hello, Ander!"],
    'join(", ", ["foo", "bar", "baz"])': "foo, bar, baz",
    'split(",", "foo,bar,baz")': ["foo", "bar", "baz"],
    'lower("HELLO")': "hello",
    'replace("1 + 2 + 3", "+", "-")': "1 - 2 - 3",
    'replace("hello world", "/w.*d/", "everybody")': "hello everybody",
    'substr("hello world", 1, 4)': "ello",
    'concat(["a", ""], ["b", "c"])': ["a", "", "b", "c"],
    'merge({a="b", c="d"}, {e="f", c="z"})': {"a": "b", "c": "z", "e": "f"},
    'lookup({a="ay", b="bee"}, "c", "what?")': "what?",
    'element(["a", "b", "c"], 3)': "a",
    'length({a = "b"})': 1,
    "keys({a=1, c=2, d=3})": ["a", "c", "d"],
    "values({a=3, c=2, d=1})": [3, 2, 1],
    'coalesce("", "b")': "b",
    'flatten([["a", "b"], [], ["c"]])': ["a", "b", "c"],
    'distinct(["a", "b", "a", "c", "d", "b"])': ["a", "b", "c", "d"],
    'contains(["a", "b", "c"], "a")': True,
    'startswith("hello world", "hello")': True,
    'zipmap(["a", "b"], [1, 2])': {"a": 1, "b": 2},
    "range(3)": [0, 1, 2],
    "range(1, 4)": [1, 2, 3],
    'jsonencode({"hello"="world"})': '{"hello":"world"}',
    'jsondecode("{\\"hello\\": \\"world\\"}")': {"hello": "world"},
    "min(12, 54, 3)": 3,
    "tostring(1)": "1",
    'trimprefix("helloworld", "hello")': "world",
    'toset(["b", "a", "b"])': ["a", "b"],
    'try(tonumber("x"), 5)': 5,
    'can(tonumber("x"))': False,
    "one([])": None,
}


@pytest.mark.parametrize("expression", sorted(EXAMPLES))
def test_documented_function_examples(expression: str) -> None:
    assert value(expression) == EXAMPLES[expression]


# -- expressions ------------------------------------------------------------------------------


def test_references_templates_conditionals_and_operators() -> None:
    names = {"var": {"env": "dev", "n": 3, "items": ["a", "b"]}}
    assert value('"st-${var.env}-${var.n + 1}"', **names) == "st-dev-4"
    assert value('var.env == "prod" ? 1 : 2', **names) == 2
    assert value("!(var.n > 2) || var.n % 2 == 1", **names) is True
    assert value("var.items[1]", **names) == "b"


def test_for_expressions_and_splats() -> None:
    names = {"var": {"subnets": [{"name": "a", "size": 24}, {"name": "b", "size": 26}]}}
    assert value("[for s in var.subnets : upper(s.name) if s.size > 24]", **names) == ["B"]
    assert value("{for s in var.subnets : s.name => s.size}", **names) == {"a": 24, "b": 26}
    assert value("var.subnets[*].name", **names) == ["a", "b"]
    assert value("{for s in var.subnets : s.size => s.name...}", **names) == {
        "24": ["a"],
        "26": ["b"],
    }


def test_unknown_values_propagate() -> None:
    names = {"random_string": {"p": {"result": Unknown("known after apply")}}}
    assert isinstance(value('"kv-${random_string.p.result}"', **names), Unknown)
    assert isinstance(value("upper(random_string.p.result)", **names), Unknown)
    assert isinstance(value("timestamp()"), Unknown)


# -- root modules -----------------------------------------------------------------------------

MAIN = """
variable "prefix" {
  type    = string
  default = "from-default"
}
variable "space" {
  type    = string
  default = "10.40.0.0/16"
}
locals {
  subnets = { compute = 0, pe = 1 }
}
resource "azurerm_resource_group" "rg" {
  name     = "rg-${var.prefix}"
  location = "West Europe"
}
resource "azurerm_virtual_network" "vnet" {
  name                = "vnet-${var.prefix}"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = [var.space]
}
resource "azurerm_subnet" "this" {
  for_each             = local.subnets
  name                 = "snet-${each.key}"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = [cidrsubnet(var.space, 8, each.value)]
}
resource "azurerm_network_security_group" "nsg" {
  count               = 2
  name                = "nsg-${count.index}"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  dynamic "security_rule" {
    for_each = ["443", "445"]
    content {
      name                       = "allow-${security_rule.value}"
      priority                   = 100 + security_rule.key
      direction                  = "Outbound"
      access                     = "Allow"
      protocol                   = "Tcp"
      source_port_range          = "*"
      destination_port_range     = security_rule.value
      source_address_prefix      = "*"
      destination_address_prefix = "Storage"
    }
  }
}
resource "azurerm_subnet_network_security_group_association" "a" {
  subnet_id                 = azurerm_subnet.this["compute"].id
  network_security_group_id = azurerm_network_security_group.nsg[0].id
}
resource "azurerm_dns_zone" "unmapped" {
  name                = "example.com"
  resource_group_name = azurerm_resource_group.rg.name
}
"""


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "root"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_root_module_becomes_the_model(tmp_path: Path) -> None:
    env = load([str(_folder(tmp_path, {"main.tf": MAIN}))]).environment
    (vnet,) = env.virtual_networks
    assert vnet.name == "vnet-from-default" and vnet.location == "westeurope"
    subnets = {s.name: s for s in vnet.subnets}
    assert str(subnets["snet-compute"].address_prefix) == "10.40.0.0/24"
    assert str(subnets["snet-pe"].address_prefix) == "10.40.1.0/24"
    assert subnets["snet-compute"].network_security_group is not None
    assert subnets["snet-compute"].network_security_group.name == "nsg-0"
    assert subnets["snet-pe"].default_outbound_access is True  # azurerm's default
    nsgs = {n.name: n for n in env.network_security_groups}
    assert [r.name for r in nsgs["nsg-1"].security_rules] == ["allow-443", "allow-445"]
    assert [r.priority for r in nsgs["nsg-1"].security_rules] == [100, 101]
    assert [u.type for u in env.unmodelled] == ["azurerm_dns_zone"]


def test_variables_follow_terraforms_precedence(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {
            "main.tf": MAIN,
            "terraform.tfvars": 'prefix = "from-tfvars"\nspace = "10.50.0.0/16"\n',
            "b.auto.tfvars": 'prefix = "from-auto"\n',
        },
    )
    names = lambda **kw: {v.name for v in load([str(folder)], **kw).environment.virtual_networks}  # noqa: E731
    assert names() == {"vnet-from-auto"}
    extra = tmp_path / "extra.tfvars"
    extra.write_text('prefix = "from-var-file"\n', encoding="utf-8")
    assert names(var_files=[str(extra)]) == {"vnet-from-var-file"}
    assert names(var_files=[str(extra)], variables=["prefix=from-cli"]) == {"vnet-from-cli"}
    env = load([str(folder)]).environment
    assert str(env.virtual_networks[0].address_space[0]) == "10.50.0.0/16"


def test_a_variable_without_a_value_is_a_placeholder(tmp_path: Path) -> None:
    text = MAIN.replace('  default = "from-default"\n', "")
    result = load([str(_folder(tmp_path, {"main.tf": text}))])
    assert result.environment.virtual_networks[0].name == "vnet-prefix"
    (warning,) = [d for d in result.diagnostics if d.code == "IN065"]
    assert "prefix = 'prefix'" in warning.message and warning.location is not None


def test_a_random_name_is_kept_under_a_placeholder(tmp_path: Path) -> None:
    text = (
        MAIN
        + """
resource "random_string" "sfx" {
  length  = 4
  special = false
}
resource "azurerm_storage_account" "st" {
  name                     = "st${random_string.sfx.result}"
  resource_group_name      = azurerm_resource_group.rg.name
  location                 = azurerm_resource_group.rg.location
  account_tier             = "Standard"
  account_replication_type = "LRS"
  public_network_access_enabled = false
}
"""
    )
    result = load([str(_folder(tmp_path, {"main.tf": text}))])
    (account,) = result.environment.storage_accounts
    assert account.name.startswith("heiki-unknown-name-")
    assert account.public_network_access.value == "Disabled"
    assert any("known only after apply" in d.message for d in result.diagnostics)


def test_syntax_errors_are_located(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"main.tf": 'resource "a" "b" {\n  x = = 1\n}\n'})
    result = CliRunner().invoke(cli, ["check", str(folder)])
    assert (
        result.exit_code == 2 and "main.tf:2" in result.output and "Traceback" not in result.output
    )


@pytest.mark.parametrize("name", ["101-machine-learning", "201-machine-learning-moderately-secure"])
def test_the_azure_terraform_quickstarts_are_checked(name: str) -> None:
    folder = SHARED / name
    if not folder.is_dir():
        pytest.skip("../shared not present")
    result = CliRunner().invoke(cli, ["check", str(folder), "--format", "json"])
    assert result.exit_code == 1, result.output
    record = json.loads(result.stdout)
    assert record["summary"]["workspaces"] == 1
    rules = {f["rule"] for f in record["findings"]}
    assert "CLS002" in rules  # the registry's admin user (admin_enabled = true in both)
    if name.startswith("201"):
        assert record["summary"]["private_endpoints"] == 5
        assert record["summary"]["private_dns_zones"] == 6
        assert "AML001" in rules  # azurerm 3.0's computes keep their public IP


# -- modules and data sources across folders ----------------------------------------------------

NETWORK = """
resource "azurerm_resource_group" "rg" {
  name     = "rg-net"
  location = "japaneast"
}
module "spoke" {
  source = "./modules/spoke"
  count  = 2
  name   = "spoke-${count.index}"
  space  = cidrsubnet("10.60.0.0/14", 2, count.index)
  group  = azurerm_resource_group.rg.name
}
module "registry" {
  source  = "Azure/avm-res-network-virtualnetwork/azurerm"
  version = "0.7.0"
}
output "first_subnet" {
  value = module.spoke[0].subnet_id
}
"""
SPOKE = """
variable "name" { type = string }
variable "space" { type = string }
variable "group" { type = string }
resource "azurerm_virtual_network" "this" {
  name                = "vnet-${var.name}"
  location            = "japaneast"
  resource_group_name = var.group
  address_space       = [var.space]
}
resource "azurerm_subnet" "compute" {
  name                 = "snet-compute"
  resource_group_name  = var.group
  virtual_network_name = azurerm_virtual_network.this.name
  address_prefixes     = [cidrsubnet(var.space, 8, 0)]
}
output "subnet_id" {
  value = azurerm_subnet.compute.id
}
"""


def test_local_modules_expand_with_their_variables_and_outputs(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"main.tf": NETWORK})
    (folder / "modules" / "spoke").mkdir(parents=True)
    (folder / "modules" / "spoke" / "main.tf").write_text(SPOKE, encoding="utf-8")
    result = load([str(folder)])
    names = sorted(v.name for v in result.environment.virtual_networks)
    assert names == ["vnet-spoke-0", "vnet-spoke-1"]
    spaces = sorted(str(v.address_space[0]) for v in result.environment.virtual_networks)
    assert spaces == ["10.60.0.0/16", "10.61.0.0/16"]
    notices = [d.message for d in result.diagnostics if "module registry" in d.message]
    assert notices and "terraform init" in notices[0]


def test_registry_modules_are_read_from_terraform_init(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"main.tf": NETWORK})
    (folder / "modules" / "spoke").mkdir(parents=True)
    (folder / "modules" / "spoke" / "main.tf").write_text(SPOKE, encoding="utf-8")
    installed = folder / ".terraform" / "modules" / "registry"
    installed.mkdir(parents=True)
    (installed / "main.tf").write_text(
        SPOKE.replace("vnet-${var.name}", "vnet-from-registry")
        .replace('variable "name" { type = string }', 'variable "name" {\n  default = "r"\n}')
        .replace(
            'variable "space" { type = string }',
            'variable "space" {\n  default = "10.70.0.0/16"\n}',
        )
        .replace(
            'variable "group" { type = string }', 'variable "group" {\n  default = "rg-net"\n}'
        ),
        encoding="utf-8",
    )
    manifest = {
        "Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "registry", "Dir": ".terraform/modules/registry"},
        ]
    }
    (folder / ".terraform" / "modules" / "modules.json").write_text(
        json.dumps(manifest), encoding="utf-8"
    )
    result = load([str(folder)])
    assert "vnet-from-registry" in {v.name for v in result.environment.virtual_networks}
    assert not [d for d in result.diagnostics if "module registry" in d.message]


def test_data_sources_bind_to_another_folder(tmp_path: Path) -> None:
    network = tmp_path / "network"
    network.mkdir()
    (network / "main.tf").write_text(
        MAIN.replace('resource "azurerm_dns_zone"', 'resource "azurerm_dns_zone"'), encoding="utf-8"
    )
    workload = tmp_path / "workload"
    workload.mkdir()
    (workload / "main.tf").write_text(
        """
data "azurerm_subnet" "pe" {
  name                 = "snet-pe"
  virtual_network_name = "vnet-from-default"
  resource_group_name  = "rg-from-default"
}
resource "azurerm_storage_account" "st" {
  name                     = "stworkload"
  resource_group_name      = "rg-from-default"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}
resource "azurerm_private_endpoint" "blob" {
  name                = "pe-blob"
  location            = "westeurope"
  resource_group_name = "rg-from-default"
  subnet_id           = data.azurerm_subnet.pe.id
  private_service_connection {
    name                           = "blob"
    private_connection_resource_id = azurerm_storage_account.st.id
    subresource_names              = ["blob"]
    is_manual_connection           = false
  }
}
""",
        encoding="utf-8",
    )
    result = load([str(network), str(workload)])
    (endpoint,) = result.environment.private_endpoints
    subnet = result.environment.subnet(endpoint.subnet)
    assert subnet is not None and subnet.name == "snet-pe"
    assert not [d for d in result.diagnostics if "not in the environment" in d.message]


# -- plan and state JSON ----------------------------------------------------------------------


def _plan() -> dict[str, Any]:
    """A small plan in the documented format (terraform show -json): IDs are unknown until
    apply, and the endpoint's subnet_id too - configuration says which subnet it refers to."""
    rg = {"resource_group_name": "rg-plan", "location": "japaneast"}
    resources = [
        {
            "address": "azurerm_virtual_network.vnet",
            "mode": "managed",
            "type": "azurerm_virtual_network",
            "name": "vnet",
            "provider_name": "registry.terraform.io/hashicorp/azurerm",
            "values": {**rg, "name": "vnet-plan", "address_space": ["10.80.0.0/16"]},
        },
        {
            "address": "azurerm_subnet.pe",
            "mode": "managed",
            "type": "azurerm_subnet",
            "name": "pe",
            "values": {
                "resource_group_name": "rg-plan",
                "name": "snet-pe",
                "virtual_network_name": "vnet-plan",
                "address_prefixes": ["10.80.1.0/24"],
            },
        },
        {
            "address": "azurerm_storage_account.st",
            "mode": "managed",
            "type": "azurerm_storage_account",
            "name": "st",
            "values": {
                **rg,
                "name": "stplan",
                "account_tier": "Standard",
                "account_replication_type": "LRS",
                "public_network_access_enabled": False,
            },
        },
        {
            "address": "azurerm_private_endpoint.blob",
            "mode": "managed",
            "type": "azurerm_private_endpoint",
            "name": "blob",
            "values": {
                **rg,
                "name": "pe-blob",
                "private_service_connection": [
                    {"name": "blob", "is_manual_connection": False, "subresource_names": ["blob"]}
                ],
            },
        },
    ]
    changes = [
        {
            "address": r["address"],
            "mode": "managed",
            "type": r["type"],
            "name": r["name"],
            "change": {"actions": ["create"], "after": r["values"], "after_unknown": {"id": True}},
        }
        for r in resources
    ]
    changes[-1]["change"]["after_unknown"] = {
        "id": True,
        "subnet_id": True,
        "private_service_connection": [{"private_connection_resource_id": True}],
    }
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"resources": resources}},
        "resource_changes": changes,
        "configuration": {
            "root_module": {
                "resources": [
                    {
                        "address": "azurerm_private_endpoint.blob",
                        "expressions": {
                            "subnet_id": {
                                "references": ["azurerm_subnet.pe.id", "azurerm_subnet.pe"]
                            },
                            "private_service_connection": [
                                {
                                    "private_connection_resource_id": {
                                        "references": [
                                            "azurerm_storage_account.st.id",
                                            "azurerm_storage_account.st",
                                        ]
                                    }
                                }
                            ],
                        },
                    }
                ]
            }
        },
    }


def test_a_plan_loads_with_unknowns_and_references(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_plan(), indent=1), encoding="utf-8")
    result = load([str(path)])
    env = result.environment
    (endpoint,) = env.private_endpoints
    subnet = env.subnet(endpoint.subnet)
    assert subnet is not None and subnet.name == "snet-pe"  # from configuration's references
    assert env.storage_accounts[0].public_network_access.value == "Disabled"
    assert endpoint.source is not None and endpoint.source.line is not None
    assert endpoint.private_link_service.name == "stplan" and endpoint.group_ids == ("blob",)


def test_a_state_uses_the_applied_ids(tmp_path: Path) -> None:
    plan = _plan()
    vnet = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-plan/providers/Microsoft.Network/virtualNetworks/vnet-plan"
    values = plan["planned_values"]["root_module"]["resources"]
    values[0]["values"]["id"] = vnet
    values[1]["values"]["id"] = f"{vnet}/subnets/snet-pe"
    values[3]["values"]["subnet_id"] = f"{vnet}/subnets/snet-pe"
    account = vnet.replace(
        "Microsoft.Network/virtualNetworks/vnet-plan", "Microsoft.Storage/storageAccounts/stplan"
    )
    values[2]["values"]["id"] = account
    values[3]["values"]["private_service_connection"][0]["private_connection_resource_id"] = account
    state = {"format_version": "1.0", "values": {"root_module": {"resources": values}}}
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state), encoding="utf-8")
    env = load([str(path)]).environment
    assert str(env.virtual_networks[0].id) == vnet
    assert env.subnet(env.private_endpoints[0].subnet) is not None


HUB = """
resource "azurerm_virtual_network" "hub" {
  name                = "vnet-hub"
  location            = "japaneast"
  resource_group_name = "rg-hub"
  address_space       = ["10.0.0.0/16"]
}
resource "azurerm_subnet" "inbound" {
  name                 = "snet-dns-inbound"
  resource_group_name  = "rg-hub"
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.0.1.0/28"]
  delegation {
    name = "resolver"
    service_delegation {
      name = "Microsoft.Network/dnsResolvers"
    }
  }
}
resource "azurerm_private_dns_resolver" "hub" {
  name                = "dnspr-hub"
  resource_group_name = "rg-hub"
  location            = "japaneast"
  virtual_network_id  = azurerm_virtual_network.hub.id
}
resource "azurerm_private_dns_resolver_inbound_endpoint" "in" {
  name                    = "inbound"
  private_dns_resolver_id = azurerm_private_dns_resolver.hub.id
  location                = "japaneast"
  ip_configurations {
    private_ip_allocation_method = "Dynamic"
    subnet_id                    = azurerm_subnet.inbound.id
  }
}
"""


def test_a_resolver_inbound_endpoint_is_what_onprem_forwards_to(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"main.tf": HUB})
    onprem = tmp_path / "onprem.yaml"
    onprem.write_text(
        "onprem:\n  address_space: [192.168.0.0/16]\n  dns:\n    servers: [192.168.0.53]\n"
        "    forward_to: hub\n",
        encoding="utf-8",
    )
    env = load([str(folder)], onprem=str(onprem)).environment
    (resolver,) = env.dns_resolvers
    (inbound,) = resolver.inbound_endpoints
    assert str(inbound.private_ip_address) == "10.0.1.4"  # dynamic: .4 of its subnet, assumed
    assert resolver.virtual_network == env.virtual_networks[0].id


def test_module_sources_stay_in_the_repository_unless_allowed(tmp_path: Path) -> None:
    """`../modules/x` inside the Git work tree is read; a source leaving it is refused at the
    `source` unless --allow-outside names the folder."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "modules" / "net").mkdir(parents=True)
    (repo / "modules" / "net" / "main.tf").write_text(
        'resource "azurerm_virtual_network" "v" {\n  name = "vnet-shared"\n'
        '  location = "westeurope"\n  resource_group_name = "rg"\n'
        '  address_space = ["10.7.0.0/16"]\n}\n',
        encoding="utf-8",
    )
    root = repo / "envs" / "prod"
    root.mkdir(parents=True)
    (root / "main.tf").write_text('module "net" {\n  source = "../../modules/net"\n}\n')
    env = load([str(root)]).environment
    assert [v.name for v in env.virtual_networks] == ["vnet-shared"]

    shutil.rmtree(repo / ".git")  # no work tree: the root module's own folder is the tree
    runner = CliRunner()
    result = runner.invoke(cli, ["show", str(root)])
    assert result.exit_code == 2
    assert "IN060" in result.output and "main.tf:2:" in result.output
    assert "--allow-outside" in result.output
    allowed = load([str(root)], allow_outside=[str(repo / "modules")]).environment
    assert [v.name for v in allowed.virtual_networks] == ["vnet-shared"]


def test_a_load_leaves_no_cycles_for_the_paused_collector() -> None:
    # a check runs with the cyclic collector paused: the parsed blocks of a configuration must
    # go by reference counting alone once its resources are evaluated

    def read() -> None:
        assert load(
            (str(SHARED / "201-machine-learning-moderately-secure"),)
        ).environment.virtual_networks

    left = left_in_cycles(read)
    assert not left & {"Block", "Attribute", "Body", "TerraformModule"}, left


_LARGE_FILE = """
# a comment
resource "azurerm_resource_group" "rg{n}" {{
  name     = "rg-{n}"
  location = "japaneast"
  tags = {{
    note = <<EOT
resource "not" "a block" {{
EOT
  }}
}}
/* a block comment
data "not" "a block" {{}}
*/
locals {{
  value{n} = [
    1,
    2,
  ]
}}
"""


@pytest.mark.parametrize("piece_size", [1, 40, 97, 200, 1000])
def test_a_large_file_parsed_in_pieces_reads_as_a_whole(
    monkeypatch: pytest.MonkeyPatch, piece_size: int
) -> None:
    import heiki.sources.terraform.syntax as syntax

    text = "".join(_LARGE_FILE.format(n=n) for n in range(12))
    whole = parse_text(text, "main.tf")
    monkeypatch.setattr(syntax, "_PIECE_SIZE", piece_size)
    assert len(syntax._pieces(text)) > 1  # cut, at times inside the heredoc or the comment
    assert parse_text(text, "main.tf") == whole
    # an error reads as in the whole text (its line counted from the file's top)
    broken = text + 'resource "a" "b" {\n  x = \n}\n'
    with pytest.raises(syntax.HclSyntaxError) as raised:
        parse_text(broken, "main.tf")
    assert raised.value.line == text.count("\n") + 2
    assert f"at line {raised.value.line}," in raised.value.message


_SNIPPETS = [
    'resource "azurerm_resource_group" "rg" {\n  name = "rg"\n}\n',
    "locals {\n  list = [\n    1,\n  ]\n}\n",
    'variable "v" {\n  default = <<EOT\nresource "x" "y" {\nEOT\n}\n',
    '/* a comment\ndata "x" "y" {}\n*/\n',
    '# data "x" "y" {\n',
    'module "m" {\n  source = "./m"\n  value = {\n    a = "b"\n  }\n}\n',
    'output "o" {\n  value = join(",", [\n"a",\n"b"])\n}\n',
    'resource "azurerm_subnet" "s" {\n  delegation {\n    name = "d"\n  }\n}\n',
    'x = "${\nupper("a")\n}"\n',
    'resource "broken" "one" {\n',
    "}\n",
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(range(len(_SNIPPETS))), min_size=2, max_size=14),
    st.integers(min_value=1, max_value=120),
)
def test_pieces_read_as_the_whole_text_or_fail_as_it_does(
    chosen: list[int], piece_size: int
) -> None:
    import heiki.sources.terraform.syntax as syntax

    text = "".join(_SNIPPETS[i] for i in chosen)

    def outcome() -> object:
        try:
            return parse_text(text, "main.tf")
        except syntax.HclSyntaxError as error:
            return (error.message, error.line, error.column)

    whole = outcome()
    saved = syntax._PIECE_SIZE
    syntax._PIECE_SIZE = piece_size
    try:
        assert outcome() == whole
    finally:
        syntax._PIECE_SIZE = saved
