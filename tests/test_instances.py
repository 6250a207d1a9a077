"""One defect repeated at one place in the source is one finding: the resources of a Terraform
``for_each`` module call or an ARM copy loop that share a defect are instances of the first
finding (JSON ``instance_of``, folded under it in text, Markdown, SARIF and HTML), and the verdict
counts the defect once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from jsonschema import Draft202012Validator

from heiki.cli.main import cli
from heiki.diagnostics import Severity
from heiki.model.source import SourceLocation
from heiki.rules.engine import link_instances
from heiki.rules.findings import Finding
from test_reports import report_schema

RG = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers"


def _finding(name: str, line: int = 51, message: str = "", rule: str = "NET002") -> Finding:
    return Finding(
        rule_id=rule,
        title="t",
        severity=Severity.ERROR,
        message=message or f"route default in {name} sends 0.0.0.0/0 to 10.0.1.4",
        resource=f"{RG}/Microsoft.Network/routeTables/{name}",
        location=SourceLocation("modules/spoke/main.tf", line, 1),
        evidence=(),
        fix="Use the firewall's private IP.",
    )


def test_findings_at_one_place_differing_only_by_their_resource_are_one_defect() -> None:
    first, second, third = link_instances(
        (_finding("rt-s1"), _finding("rt-s10"), _finding("rt-s2"))
    )
    assert first.instance_of is None
    assert second.instance_of == first.id and third.instance_of == first.id


def test_other_places_other_words_and_other_rules_stay_findings_of_their_own() -> None:
    findings = (
        _finding("rt-s1"),
        _finding("rt-s2", line=60),  # another line of the module
        _finding("rt-s3", message="route default in rt-s3 sends 0.0.0.0/0 to 10.0.9.9"),
        _finding("rt-s4", rule="NET001"),
        # the name of another resource in the message is part of what it says
        _finding("rt-s5", message="route default in rt-s1 sends 0.0.0.0/0 to 10.0.1.4"),
    )
    assert all(f.instance_of is None for f in link_instances(findings))
    # without a line, a place is no place
    unplaced = [Finding(**{**_fields(f), "location": None}) for f in findings[:1] * 2]
    assert all(f.instance_of is None for f in link_instances(tuple(unplaced)))


def test_consequences_are_no_instances() -> None:
    root = _finding("rt-s1")
    consequence = Finding(**{**_fields(_finding("rt-s2")), "caused_by": "x"})
    assert [f.instance_of for f in link_instances((root, consequence))] == [None, None]


def _fields(finding: Finding) -> dict[str, Any]:
    return {name: getattr(finding, name) for name in Finding.__dataclass_fields__}


SPOKE_MODULE = """
variable "name" { type = string }
variable "prefix" { type = string }

resource "azurerm_virtual_network" "spoke" {
  name                = "vnet-${var.name}"
  resource_group_name = "rg-net"
  location            = "japaneast"
  address_space       = [var.prefix]
}

resource "azurerm_subnet" "workload" {
  name                 = "snet-workload"
  resource_group_name  = "rg-net"
  virtual_network_name = azurerm_virtual_network.spoke.name
  address_prefixes     = [var.prefix]
}

resource "azurerm_route_table" "spoke" {
  name                = "rt-${var.name}"
  resource_group_name = "rg-net"
  location            = "japaneast"
  route {
    name                   = "default"
    address_prefix         = "0.0.0.0/0"
    next_hop_type          = "VirtualAppliance"
    next_hop_in_ip_address = "10.0.1.4"
  }
}

resource "azurerm_subnet_route_table_association" "workload" {
  subnet_id      = azurerm_subnet.workload.id
  route_table_id = azurerm_route_table.spoke.id
}
"""

ROOT_MODULE = """
resource "azurerm_resource_group" "net" {
  name     = "rg-net"
  location = "japaneast"
}

module "spoke" {
  source   = "./modules/spoke"
  for_each = { s1 = "10.1.1.0/24", s2 = "10.1.2.0/24", s3 = "10.1.3.0/24" }
  name     = each.key
  prefix   = each.value
}
"""


def _configuration(tmp_path: Path) -> str:
    (tmp_path / "modules" / "spoke").mkdir(parents=True)
    (tmp_path / "modules" / "spoke" / "main.tf").write_text(SPOKE_MODULE)
    (tmp_path / "main.tf").write_text(ROOT_MODULE)
    return str(tmp_path)


def _check(folder: str, output: str) -> str:
    result = CliRunner().invoke(cli, ["check", folder, "--format", output])
    assert result.exit_code == 1, result.output
    return result.stdout


def test_a_module_called_for_each_spoke_gives_one_finding(tmp_path: Path) -> None:
    folder = _configuration(tmp_path)
    record = json.loads(_check(folder, "json"))
    assert not list(Draft202012Validator(report_schema()).iter_errors(record))
    routes = [f for f in record["findings"] if f["rule"] == "NET002"]
    assert [f["resource"].rsplit("/", 1)[-1] for f in routes] == ["rt-s1", "rt-s2", "rt-s3"]
    assert routes[0]["instance_of"] is None
    assert all(f["instance_of"] == routes[0]["id"] for f in routes[1:])
    assert _defects(record) == record["verdict"]["errors"]

    text = _check(folder, "text")
    assert text.count("NET002 ") == 1
    assert "the same at this place for 2 more: rt-s2, rt-s3" in text
    markdown = _check(folder, "markdown")
    assert markdown.count("`NET002`") == 1 and "for 2 more: rt-s2, rt-s3" in markdown
    sarif = json.loads(_check(folder, "sarif"))
    results = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "NET002"]
    assert len(results) == 1
    assert [i.rsplit("/", 1)[-1] for i in results[0]["properties"]["instances"]] == [
        "rt-s2",
        "rt-s3",
    ]
    html = _check(folder, "html")
    assert "the same at this place for 2 more" in html


def test_a_copy_loop_gives_one_finding(tmp_path: Path) -> None:
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            {
                "type": "Microsoft.Network/routeTables",
                "apiVersion": "2023-09-01",
                "name": "[format('rt-{0}', copyIndex())]",
                "location": "japaneast",
                "copy": {"name": "tables", "count": 4},
                "properties": {
                    "routes": [
                        {
                            "name": "default",
                            "properties": {
                                "addressPrefix": "0.0.0.0/0",
                                "nextHopType": "VirtualAppliance",
                                "nextHopIpAddress": "10.0.1.4",
                            },
                        }
                    ]
                },
            }
        ],
    }
    path = tmp_path / "azuredeploy.json"
    path.write_text(json.dumps(template, indent=2))
    record = json.loads(_check(str(path), "json"))
    routes = [f for f in record["findings"] if f["rule"] == "NET002"]
    assert len(routes) == 4
    assert sum(1 for f in routes if f["instance_of"] is None) == 1
    assert _defects(record) == record["verdict"]["errors"]


def _defects(record: dict[str, Any]) -> int:
    """Errors the verdict counts: root findings that are not another instance, and input
    diagnostics."""
    roots = [f for f in record["findings"] if not f["caused_by"] and not f["instance_of"]]
    return sum(1 for f in roots if f["severity"] == "error") + sum(
        1 for d in record["diagnostics"] if d["severity"] == "error"
    )
