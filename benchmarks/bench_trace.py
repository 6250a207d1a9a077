"""Trace every workload subnet x required destination on synthetic estates.

Run: python benchmarks/bench_trace.py [--sizes 100,1000]
Each spoke of the estate has an Azure ML workspace with four compute instances and a cluster
(compute and cluster subnets), six private endpoints, a VM subnet, and egress [pypi] through the
hub firewall. The traces are the egress report's: every destination of the catalog profiles the
subnet's roles need, plus any-internet and foreign-storage.

Columns: wall time for the whole report (tracer tables built inside the timing), traces, mean
per trace; a single trace on the built tracer (median and slowest of 500); the first trace of a
fresh tracer (it builds the tables it touches: the hub firewall's routes and compiled policy).
"""

from __future__ import annotations

import argparse
import statistics
import time

from estates import load_estate

from heiki.analyses.egress import egress_report
from heiki.analyses.trace import Tracer
from heiki.catalog import load_catalog


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000")
    args = parser.parse_args()
    catalog = load_catalog()
    print(
        f"{'spokes':>6} {'subnets':>7} {'traces':>7} {'total s':>8} {'mean ms':>8} "
        f"{'single median ms':>16} {'single max ms':>13} {'first ms':>8}"
    )
    totals = {}
    for size in (int(s) for s in args.sizes.split(",")):
        env = load_estate(size, workspaces=True)
        start = time.perf_counter()
        tracer = Tracer(env, catalog)
        report = egress_report(env, catalog, tracer)
        total = time.perf_counter() - start
        traces = sum(len(s.required) + 2 for s in report.subnets)
        singles = []
        for subnet in report.subnets[:: max(1, len(report.subnets) // 50)][:50]:
            for required in subnet.required[:10]:
                t0 = time.perf_counter()
                tracer.trace(
                    subnet.vantage, required.target, required.trace.port, required.trace.protocol
                )
                singles.append(time.perf_counter() - t0)
        fresh = Tracer(env, catalog)
        t1 = time.perf_counter()
        fresh.trace(report.subnets[-1].vantage, "pypi.org", 443, "tcp")
        first = time.perf_counter() - t1
        totals[size] = total
        print(
            f"{size:>6} {len(report.subnets):>7} {traces:>7} {total:>8.2f} "
            f"{total / traces * 1000:>8.3f} {statistics.median(singles) * 1000:>16.3f} "
            f"{max(singles) * 1000:>13.3f} {first * 1000:>8.1f}"
        )
    if len(totals) >= 2:
        sizes = sorted(totals)
        print(f"ratio {sizes[-1]} / {sizes[0]} spokes: {totals[sizes[-1]] / totals[sizes[0]]:.1f}x")


if __name__ == "__main__":
    main()
