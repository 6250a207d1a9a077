"""The azurerm half of the Terraform output: the types checkov checks are written as azurerm (one
writer per type, generators/azurerm.py), anything a writer cannot say stays an azapi_resource,
and the reader's azurerm table reads back what the writers write (the whole-model proof is
test_terraform_roundtrip.py)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import hcl2
import pytest

from heiki.generators.arm import arm_template
from heiki.generators.azurerm import WRITERS, Context, azurerm_form
from heiki.generators.terraform import terraform_project
from heiki.sources import load


def _arm_resources(design: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(resources: list[dict[str, Any]]) -> None:
        for resource in resources:
            if resource["type"] == "Microsoft.Resources/deployments":
                walk(resource["properties"]["template"]["resources"])
            else:
                found.append(resource)

    walk(arm_template(load(design).environment)["resources"])
    return found


_CONTEXT = Context(endpoints=lambda resource: [])


def _first(design: str, arm_type: str) -> dict[str, Any]:
    return next(r for r in _arm_resources(design) if r["type"] == arm_type)


@pytest.mark.parametrize(
    ("arm_type", "azurerm_type"),
    [
        ("Microsoft.Storage/storageAccounts", "azurerm_storage_account"),
        ("Microsoft.KeyVault/vaults", "azurerm_key_vault"),
        ("Microsoft.ContainerRegistry/registries", "azurerm_container_registry"),
        ("Microsoft.MachineLearningServices/workspaces", "azurerm_machine_learning_workspace"),
        ("Microsoft.Network/networkSecurityGroups", "azurerm_network_security_group"),
        ("Microsoft.Compute/virtualMachines", "azurerm_linux_virtual_machine"),
        ("Microsoft.Network/networkInterfaces", "azurerm_network_interface"),
        ("Microsoft.Network/azureFirewalls", "azurerm_firewall"),
        ("Microsoft.DataFactory/factories", "azurerm_data_factory"),
        ("Microsoft.Network/virtualNetworks", "azurerm_virtual_network"),
    ],
)
def test_each_checked_type_is_written_as_azurerm(arm_type: str, azurerm_type: str) -> None:
    form = azurerm_form(_first("closed-aml", arm_type), _CONTEXT)
    assert form is not None and form.type == azurerm_type
    text = "".join(terraform_project(load("closed-aml").environment).values())
    assert f'resource "{azurerm_type}" ' in text
    assert f'type      = "{arm_type}@' not in text  # none of that type left as azapi


def test_clusters_are_azurerm_and_compute_instances_stay_azapi() -> None:
    computes = [
        r
        for r in _arm_resources("closed-aml")
        if r["type"] == "Microsoft.MachineLearningServices/workspaces/computes"
    ]
    kinds = {r["properties"]["computeType"]: azurerm_form(r, _CONTEXT) for r in computes}
    cluster = kinds["AmlCompute"]
    assert cluster is not None and cluster.type == "azurerm_machine_learning_compute_cluster"
    assert cluster.attributes["local_auth_enabled"] is False
    assert kinds["ComputeInstance"] is None  # checkov checks no compute instance


@pytest.mark.parametrize(
    ("arm_type", "change"),
    [
        ("Microsoft.Storage/storageAccounts", lambda r: r["properties"].update(accessTier="Cool")),
        ("Microsoft.KeyVault/vaults", lambda r: r["properties"].update(enableSoftDelete=False)),
        (
            "Microsoft.Storage/storageAccounts",
            lambda r: r["properties"].update(publicNetworkAccess="[parameters('access')]"),
        ),
        (
            "Microsoft.Network/networkSecurityGroups",
            lambda r: r["properties"]["securityRules"].append(
                {
                    "name": "x",
                    "properties": {"priority": 100, "sourceApplicationSecurityGroups": []},
                }
            ),
        ),
        ("Microsoft.Network/virtualNetworks", lambda r: r.update(extendedLocation={"name": "x"})),
    ],
    ids=["unknown-property", "soft-delete-off", "expression-flag", "rule-with-asg", "edge-zone"],
)
def test_what_azurerm_cannot_say_stays_azapi(arm_type: str, change: Any) -> None:
    resource = copy.deepcopy(_first("closed-aml", arm_type))
    assert azurerm_form(resource, _CONTEXT) is not None
    change(resource)
    assert azurerm_form(resource, _CONTEXT) is None


def test_every_writer_is_for_a_type_the_reader_maps() -> None:
    from heiki.sources.terraform.azurerm import MAPPINGS

    mapped = {m.arm_type.lower() for m in MAPPINGS.values()}
    assert set(WRITERS) <= mapped


def test_suppressions_carry_reasons_and_name_the_endpoint() -> None:
    files = terraform_project(load("closed-aml").environment)
    skips = re.findall(r"#checkov:skip=(CKV\w+):(.*)", "".join(files.values()))
    assert skips and all(len(reason.strip()) > 20 for _, reason in skips)
    storage = re.search(r'resource "azurerm_storage_account"[^}]*', files["ml.tf"])
    assert storage is not None
    assert "CKV2_AZURE_33: reached through private endpoint pep-" in storage.group(0)


def _folder(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "root"
    folder.mkdir()
    (folder / "main.tf").write_text(text, encoding="utf-8")
    return folder


def test_the_reader_reads_what_the_writers_write(tmp_path: Path) -> None:
    """IP forwarding on a NIC (an NVA) and a storage account's resource-instance rule: both
    matter to the verdict and both were once dropped by the azurerm reader."""
    folder = _folder(
        tmp_path,
        """
resource "azurerm_virtual_network" "v" {
  name                = "vnet-a"
  location            = "westeurope"
  resource_group_name = "rg-a"
  address_space       = ["10.0.0.0/16"]
  subnet {
    name             = "snet-a"
    address_prefixes = ["10.0.0.0/24"]
  }
}
resource "azurerm_network_interface" "nva" {
  name                  = "nic-nva"
  location              = "westeurope"
  resource_group_name   = "rg-a"
  ip_forwarding_enabled = true
  ip_configuration {
    name                          = "ipconfig1"
    subnet_id                     = "${azurerm_virtual_network.v.id}/subnets/snet-a"
    private_ip_address_allocation = "Static"
    private_ip_address            = "10.0.0.4"
  }
}
resource "azurerm_storage_account" "st" {
  name                          = "sta"
  location                      = "westeurope"
  resource_group_name           = "rg-a"
  account_tier                  = "Standard"
  account_replication_type      = "LRS"
  public_network_access_enabled = false
  network_rules {
    default_action = "Deny"
    bypass         = ["AzureServices"]
    private_link_access {
      endpoint_resource_id = "/subscriptions/s/resourceGroups/rg-a/providers/Microsoft.MachineLearningServices/workspaces/mlw"
    }
  }
}
""",
    )
    env = load([str(folder)]).environment
    (nic,) = env.network_interfaces
    assert nic.enable_ip_forwarding is True
    (account,) = env.storage_accounts
    assert [str(r).rsplit("/", 1)[-1] for r in account.network_acls.resource_access_rules] == [
        "mlw"
    ]


def test_providers_declare_azurerm_and_azapi() -> None:
    files = terraform_project(load("closed-aml").environment)
    providers = hcl2.loads(files["providers.tf"])  # type: ignore[no-untyped-call]
    required = providers["terraform"][0]["required_providers"][0]
    assert {"azapi", "azurerm"} <= set(required)
    assert required["azurerm"]["source"].strip('"') == "hashicorp/azurerm"
