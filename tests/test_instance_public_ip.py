"""A VM NIC's instance-level public IP is that VM's internet exit and inbound exposure: the
evidence names it, not default outbound access."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from heiki.analyses.closure import public_inbound
from heiki.analyses.trace import Tracer, Verdict
from heiki.analyses.vantage import find_vantage
from heiki.catalog import load_catalog
from heiki.sources import load
from test_coverage import NET, ml_template, resource, rid, write


def _with_vm(public_ip: bool, private_subnet: bool) -> dict[str, Any]:
    document = ml_template()
    subnet = document["resources"][0]["properties"]["subnets"][0]["properties"]
    subnet["defaultOutboundAccess"] = not private_subnet
    config: dict[str, Any] = {
        "subnet": {"id": rid(f"{NET}/virtualNetworks/subnets", "vnet-ml", "snet-compute")},
        "privateIPAllocationMethod": "Dynamic",
    }
    extra = []
    if public_ip:
        config["publicIPAddress"] = {"id": rid(f"{NET}/publicIPAddresses", "pip-jump")}
        extra.append(resource(f"{NET}/publicIPAddresses", "pip-jump", sku={"name": "Standard"}))
    nic = resource(
        f"{NET}/networkInterfaces",
        "nic-jump",
        {"ipConfigurations": [{"name": "ipconfig1", "properties": config}]},
    )
    vm = resource(
        "Microsoft.Compute/virtualMachines",
        "vm-jump",
        {
            "networkProfile": {
                "networkInterfaces": [{"id": rid(f"{NET}/networkInterfaces", "nic-jump")}]
            }
        },
    )
    document["resources"] += [*extra, nic, vm]
    return document


def _trace(tmp_path: Path, document: dict[str, Any], vantage: str) -> Any:
    env = load([write(tmp_path, document)]).environment
    return env, Tracer(env, load_catalog()).trace(find_vantage(env, vantage), "any-internet", 443)


def test_the_vm_leaves_through_its_own_public_ip(tmp_path: Path) -> None:
    env, trace = _trace(tmp_path, _with_vm(public_ip=True, private_subnet=True), "vm-jump")
    assert trace.verdict is Verdict.DELIVERED
    assert trace.egress == "the public IP pip-jump of nic-jump"
    assert "default outbound access" not in trace.reason
    assert "nic-jump has a public IP" in public_inbound(env).summary


def test_the_subnet_speaks_for_its_host_with_a_public_ip(tmp_path: Path) -> None:
    _, trace = _trace(
        tmp_path, _with_vm(public_ip=True, private_subnet=True), "vnet-ml/snet-compute"
    )
    assert trace.verdict is Verdict.DELIVERED
    assert trace.egress == "the public IP pip-jump of nic-jump in snet-compute"


def test_without_the_public_ip_a_private_subnet_has_no_way_out(tmp_path: Path) -> None:
    env, trace = _trace(tmp_path, _with_vm(public_ip=False, private_subnet=True), "vm-jump")
    assert trace.verdict is Verdict.DROPPED
    assert public_inbound(env).status.value == "pass"
