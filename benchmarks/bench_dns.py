"""Resolve every private endpoint name from every workload vantage of synthetic estates.

Run: python benchmarks/bench_dns.py [--sizes 10,100,1000]
Vantages are the on-premises clients and every subnet that holds a VM or compute; names are the
client-facing names of every private endpoint. The figure is wall time for all resolutions
(tables built once per estate), best of 3 runs.
"""

from __future__ import annotations

import argparse
import time

from estates import load_estate

from heiki.analyses.dns import Outcome, Resolver
from heiki.analyses.dns.matrix import private_names, workload_vantages
from heiki.catalog import load_catalog


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,100,1000")
    args = parser.parse_args()
    catalog = load_catalog()
    print(
        f"{'spokes':>6} {'names':>6} {'vantages':>8} {'resolutions':>11} {'build s':>8} "
        f"{'resolve s':>9} {'us/res':>7}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        env = load_estate(size)
        best_build = best_resolve = float("inf")
        count = 0
        for _ in range(3):
            start = time.perf_counter()
            resolver = Resolver(env, catalog)
            names = [n.name for n in private_names(resolver.world.env, catalog)]
            vantages = workload_vantages(resolver.world.env)
            built = time.perf_counter()
            private = 0
            for vantage in vantages:
                for name in names:
                    if resolver.resolve(vantage, name).outcome is Outcome.PRIVATE:
                        private += 1
            done = time.perf_counter()
            count = len(names) * len(vantages)
            assert private == count, f"{count - private} names did not resolve privately"
            best_build = min(best_build, built - start)
            best_resolve = min(best_resolve, done - built)
        print(
            f"{size:>6} {len(names):>6} {len(vantages):>8} {count:>11} {best_build:>8.3f} "
            f"{best_resolve:>9.3f} {best_resolve / count * 1e6:>7.1f}"
        )


if __name__ == "__main__":
    main()
