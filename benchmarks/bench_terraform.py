"""Load a Terraform folder of growing size: parse (python-hcl2), evaluate, map to ARM resources,
and the whole load into the model.

Run: python benchmarks/bench_terraform.py [--spokes 50,200,400]
Each spoke is ten resources (a VNet, three subnets, an NSG with rules, a route table, three
associations and a storage account); 200 spokes = 2,000 resources. Target: 2,000 resources
under 1 s.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from heiki.catalog import load_catalog
from heiki.sources import load
from heiki.sources.terraform.load import load_terraform

SPOKE = """
resource "azurerm_virtual_network" "s{i}" {{
  name                = "vnet-{i}"
  location            = var.location
  resource_group_name = "rg-bench"
  address_space       = [cidrsubnet("10.0.0.0/8", 8, {i})]
}}
resource "azurerm_subnet" "s{i}" {{
  for_each             = {{ compute = 0, cluster = 1, pe = 2 }}
  name                 = "snet-${{each.key}}"
  resource_group_name  = "rg-bench"
  virtual_network_name = azurerm_virtual_network.s{i}.name
  address_prefixes     = [cidrsubnet(azurerm_virtual_network.s{i}.address_space[0], 8, each.value)]
}}
resource "azurerm_network_security_group" "s{i}" {{
  name                = "nsg-{i}"
  location            = var.location
  resource_group_name = "rg-bench"
  security_rule {{
    name                       = "deny-internet"
    priority                   = 4096
    direction                  = "Outbound"
    access                     = "Deny"
    protocol                   = "*"
    source_port_range          = "*"
    destination_port_range     = "*"
    source_address_prefix      = "*"
    destination_address_prefix = "Internet"
  }}
}}
resource "azurerm_route_table" "s{i}" {{
  name                = "rt-{i}"
  location            = var.location
  resource_group_name = "rg-bench"
  route {{
    name                   = "default"
    address_prefix         = "0.0.0.0/0"
    next_hop_type          = "VirtualAppliance"
    next_hop_in_ip_address = "10.255.0.4"
  }}
}}
resource "azurerm_subnet_network_security_group_association" "s{i}" {{
  for_each                  = azurerm_subnet.s{i}
  subnet_id                 = each.value.id
  network_security_group_id = azurerm_network_security_group.s{i}.id
}}
resource "azurerm_storage_account" "s{i}" {{
  name                     = "stbench{i}"
  location                 = var.location
  resource_group_name      = "rg-bench"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}}
"""


def write(folder: Path, spokes: int) -> int:
    text = 'variable "location" {\n  default = "japaneast"\n}\n'
    text += "".join(SPOKE.format(i=i) for i in range(spokes))
    (folder / "main.tf").write_text(text, encoding="utf-8")
    return spokes * 10


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spokes", default="50,200,400")
    args = parser.parse_args()
    catalog = load_catalog()
    print(f"{'spokes':>6} {'resources':>9} {'KiB':>6} {'terraform s':>11} {'model s':>8}")
    for spokes in (int(s) for s in args.spokes.split(",")):
        with tempfile.TemporaryDirectory() as temp:
            folder = Path(temp)
            count = write(folder, spokes)
            size = (folder / "main.tf").stat().st_size // 1024
            start = time.perf_counter()
            load_terraform([folder], [], [], catalog, "0" * 8 + "-0000-0000-0000-" + "0" * 12, "rg")
            middle = time.perf_counter()
            load([str(folder)])
            end = time.perf_counter()
            print(f"{spokes:>6} {count:>9} {size:>6} {middle - start:>11.2f} {end - middle:>8.2f}")


if __name__ == "__main__":
    main()
