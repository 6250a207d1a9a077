"""Synthetic estates of growing size, written as blueprints (what a user would write)."""

from __future__ import annotations

from heiki.model.environment import Environment
from heiki.sources import load_blueprint
from heiki.sources.yamlread import parse_yaml


def spoke_estate(spokes: int, workspaces: bool = False) -> str:
    """A hub with a resolver and firewall, on-premises forwarding to it, and ``spokes`` spokes.

    Each spoke is a /24 with a VM subnet holding one VM and a private-endpoint subnet with a
    storage account's blob endpoint; with ``workspaces`` each spoke also gets an Azure ML
    workspace with four compute instances and a cluster (six more endpoints).
    """
    lines = [
        "name: synthetic",
        "location: japaneast",
        "onprem:",
        "  address_space: [192.168.0.0/16]",
        "  clients: [192.168.10.0/24]",
        "  dns: {servers: [192.168.0.53], forward_to: hub}",
        "hub:",
        "  address_space: 10.0.0.0/16",
        "  firewall: {sku: standard}",
        "spokes:",
    ]
    for index in range(spokes):
        second, third = divmod(index, 256)
        base = f"10.{second + 1}.{third}"
        lines += [
            f"  s{index}:",
            f"    address_space: {base}.0/24",
            "    egress: [pypi]",
            f"    storage_accounts: [{{name: st{index:05d}syn, private_endpoints: [blob]}}]",
            f"    vms: [{{name: vm-{index}}}]",
        ]
        if workspaces:
            lines += [
                "    subnets: {compute: " + f"{base}.0/27, cluster: {base}.64/26, "
                f"pe: {base}.32/27, vms: {base}.128/27" + "}",
                "    workspace:",
                f"      name: mlw-{index}",
                "      compute:",
                f"        instances: [ci-{index}-a, ci-{index}-b, ci-{index}-c, ci-{index}-d]",
                f"        clusters: [{{name: cc-{index}, image_build: true}}]",
            ]
        else:
            lines += ["    subnets: {pe: " + f"{base}.0/27, vms: {base}.32/27" + "}"]
    return "\n".join(lines) + "\n"


def load_estate(spokes: int, workspaces: bool = False) -> Environment:
    return load_blueprint(
        parse_yaml(spoke_estate(spokes, workspaces), "synthetic.yaml")
    ).environment
