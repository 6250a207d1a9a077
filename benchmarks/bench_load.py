"""Load time (parse + expand + validate) and JSON rendering on synthetic estates of growing size.

Run: python benchmarks/bench_load.py [--sizes 1,10,50,200]
Each estate is a hub plus N spokes, each spoke an Azure ML workspace with 4 compute instances,
a cluster and 6 private endpoints. Figures are the best of 3 runs, in seconds.
"""

from __future__ import annotations

import argparse
import time

from heiki.reports.serialize import dumps
from heiki.reports.show import environment_document
from heiki.sources import load_blueprint
from heiki.sources.yamlread import parse_yaml


def estate(spokes: int) -> str:
    lines = [
        "name: synthetic",
        "location: japaneast",
        "onprem:",
        "  address_space: [192.168.0.0/16]",
        "  dns: {servers: [192.168.0.53], forward_to: hub}",
        "hub:",
        "  address_space: 10.0.0.0/16",
        "  firewall: {sku: standard}",
        "spokes:",
    ]
    for index in range(spokes):
        second, third = divmod(index + 1, 256)
        lines += [
            f"  s{index}:",
            f"    address_space: 10.{second + 1}.{third}.0/24",
            "    egress: [azure-ml, mcr, pypi]",
            "    subnets: {compute: "
            + f"10.{second + 1}.{third}.0/27"
            + ", cluster: "
            + f"10.{second + 1}.{third}.64/26"
            + ", pe: "
            + f"10.{second + 1}.{third}.32/27"
            + "}",
            "    workspace:",
            f"      name: mlw-{index}",
            "      compute:",
            f"        instances: [ci-{index}-a, ci-{index}-b, ci-{index}-c, ci-{index}-d]",
            f"        clusters: [{{name: cc-{index}, image_build: true}}]",
        ]
    return "\n".join(lines) + "\n"


def best_of(runs: int, action) -> float:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,10,50,200")
    args = parser.parse_args()
    print(f"{'spokes':>6} {'resources':>9} {'load s':>8} {'json s':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        text = estate(size)
        result = load_blueprint(parse_yaml(text, "synthetic.yaml"))
        resources = sum(1 for _ in result.environment.resources())
        load_s = best_of(3, lambda t=text: load_blueprint(parse_yaml(t, "synthetic.yaml")))
        json_s = best_of(
            3, lambda r=result: dumps(environment_document(r.environment, "synthetic.yaml"))
        )
        print(f"{size:>6} {resources:>9} {load_s:>8.3f} {json_s:>8.3f}")


if __name__ == "__main__":
    main()
