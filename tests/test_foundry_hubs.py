"""AI Foundry hubs and hub-based projects (Azure ML workspaces of kind Hub / Project): a project
names its hub (``hubResourceId``) and shares the hub's storage, Key Vault, registry, managed
network and public access - so a defect of the hub is one finding that names its projects, and a
project is never judged apart from its hub."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dnshelp import CATALOG
from heiki.analyses.closure import CheckStatus
from heiki.generators.arm import arm_template
from heiki.model.ml import IsolationMode, WorkspaceKind
from heiki.rules.context import RuleContext
from heiki.rules.engine import run_rules
from heiki.sources import load
from test_coverage import ML, resource, rid, write

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def _template(mode: str = "AllowOnlyApprovedOutbound", access: str = "Disabled") -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "resources": [
            resource(
                "Microsoft.Storage/storageAccounts",
                "sthub",
                {"publicNetworkAccess": "Disabled", "allowSharedKeyAccess": False},
                kind="StorageV2",
                sku={"name": "Standard_LRS"},
            ),
            resource("Microsoft.KeyVault/vaults", "kv-hub", {"publicNetworkAccess": "Disabled"}),
            resource(
                f"{ML}/workspaces",
                "hub-genai",
                {
                    "storageAccount": rid("Microsoft.Storage/storageAccounts", "sthub"),
                    "keyVault": rid("Microsoft.KeyVault/vaults", "kv-hub"),
                    "publicNetworkAccess": access,
                    "managedNetwork": {"isolationMode": mode},
                },
                kind="Hub",
            ),
            resource(
                f"{ML}/workspaces",
                "proj-chat",
                {"hubResourceId": rid(f"{ML}/workspaces", "hub-genai")},
                kind="Project",
            ),
        ],
    }


def _env(tmp_path: Path, **changes: str) -> Any:
    return load([write(tmp_path, _template(**changes))]).environment


def test_a_project_shares_its_hubs_dependencies_and_network(tmp_path: Path) -> None:
    env = _env(tmp_path)
    by_name = {w.name: w for w in env.workspaces}
    hub, project = by_name["hub-genai"], by_name["proj-chat"]
    assert hub.kind is WorkspaceKind.HUB and project.kind is WorkspaceKind.PROJECT
    assert project.hub == hub.id
    assert project.storage_account == hub.storage_account
    assert project.key_vault == hub.key_vault
    assert project.managed_network == hub.managed_network
    assert project.managed_network.isolation_mode is IsolationMode.ALLOW_ONLY_APPROVED_OUTBOUND
    assert not [u for u in env.unmodelled if u.name == "proj-chat"]


def test_an_open_hub_is_one_finding_that_names_its_projects(tmp_path: Path) -> None:
    env = _env(tmp_path, mode="AllowInternetOutbound", access="Enabled")
    ctx = RuleContext(env, CATALOG)
    findings = run_rules(env, CATALOG, context=ctx)
    open_network = [f for f in findings if f.rule_id == "AML010"]
    assert len(open_network) == 1
    assert "hub-genai" in open_network[0].message and "proj-chat" in open_network[0].message
    public = [f for f in findings if f.rule_id == "CLS001" and "accepts public" in f.message]
    assert [f.message for f in public] == [
        "hub-genai accepts public network access (and so do its project(s) proj-chat)"
    ]
    check = ctx.closure.get("egress through an inspecting firewall")
    assert check.status is CheckStatus.FAIL and "proj-chat" in check.evidence[0]


def test_a_closed_hub_closes_its_projects(tmp_path: Path) -> None:
    env = _env(tmp_path)
    findings = run_rules(env, CATALOG, context=RuleContext(env, CATALOG))
    assert not [f for f in findings if f.rule_id in ("AML010", "CLS001")]


def test_a_project_without_its_hub_in_the_input_is_not_modelled(tmp_path: Path) -> None:
    template = _template()
    template["resources"] = [r for r in template["resources"] if r["name"] != "hub-genai"]
    env = load([write(tmp_path, template)]).environment
    assert [w.name for w in env.workspaces] == []
    assert [u.name for u in env.unmodelled] == ["proj-chat"]


def test_hub_and_project_round_trip_through_the_generated_template(tmp_path: Path) -> None:
    env = _env(tmp_path)
    generated = arm_template(env, address_parameters=False, name_parameters=False)
    project = next(r for r in generated["resources"] if r["name"] == "proj-chat")
    assert project["kind"] == "Project" and set(project["properties"]) == {"hubResourceId"}
    path = tmp_path / "again.json"
    path.write_text(json.dumps(generated), encoding="utf-8")
    again = load([str(path)]).environment
    assert sorted((w.name, w.kind, w.hub) for w in again.workspaces) == sorted(
        (w.name, w.kind, w.hub) for w in env.workspaces
    )


def test_terraform_ai_foundry_hub_and_project(tmp_path: Path) -> None:
    folder = tmp_path / "tf"
    folder.mkdir()
    (folder / "main.tf").write_text(
        """
resource "azurerm_storage_account" "st" {
  name                          = "sthubtf"
  location                      = "westeurope"
  resource_group_name           = "rg"
  account_tier                  = "Standard"
  account_replication_type      = "LRS"
  public_network_access_enabled = false
}
resource "azurerm_key_vault" "kv" {
  name                          = "kv-hub-tf"
  location                      = "westeurope"
  resource_group_name           = "rg"
  tenant_id                     = "00000000-0000-0000-0000-000000000000"
  sku_name                      = "standard"
  public_network_access_enabled = false
}
resource "azurerm_ai_foundry" "hub" {
  name                  = "hub-tf"
  location              = "westeurope"
  resource_group_name   = "rg"
  storage_account_id    = azurerm_storage_account.st.id
  key_vault_id          = azurerm_key_vault.kv.id
  public_network_access = "Disabled"
  managed_network {
    isolation_mode = "AllowInternetOutbound"
  }
  identity {
    type = "SystemAssigned"
  }
}
resource "azurerm_ai_foundry_project" "p" {
  name               = "proj-tf"
  location           = "westeurope"
  ai_services_hub_id = azurerm_ai_foundry.hub.id
}
""",
        encoding="utf-8",
    )
    env = load([str(folder)]).environment
    by_name = {w.name: w for w in env.workspaces}
    assert by_name["hub-tf"].kind is WorkspaceKind.HUB
    assert by_name["proj-tf"].hub == by_name["hub-tf"].id
    findings = run_rules(env, CATALOG, context=RuleContext(env, CATALOG))
    (aml010,) = [f for f in findings if f.rule_id == "AML010"]
    assert "proj-tf" in aml010.message
