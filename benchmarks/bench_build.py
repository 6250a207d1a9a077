"""Generating infrastructure code for synthetic estates: the ARM template (with name and
address-space parameters), the Bicep project (placement into hub / spoke / concern modules and
octet-arithmetic addresses), the Terraform root module (azapi, the same layout) and the
on-premises forwarders.

Run: python benchmarks/bench_build.py [--sizes 10,100,300]
Same estates as bench_check.py (an Azure ML workspace per spoke). Columns: load, ARM template
(the subscription-scope wrapper with the nested environment, serialised), Bicep project,
Terraform module, the on-premises artefacts, the size of the ARM JSON and the number of Bicep
modules.
"""

from __future__ import annotations

import argparse
import time

from estates import load_estate

from heiki.analyses.dns.forwarders import forwarder_plan
from heiki.catalog import load_catalog
from heiki.generators.bicep import bicep_project
from heiki.generators.deployment import subscription_template
from heiki.generators.onprem import bind_fragment, firewall_table, windows_dns_script
from heiki.generators.terraform import terraform_project
from heiki.reports.serialize import dumps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,100,300")
    args = parser.parse_args()
    catalog = load_catalog()
    print(
        f"{'spokes':>6} {'load s':>7} {'arm s':>6} {'bicep s':>8} {'tf s':>6} {'onprem s':>9} "
        f"{'arm MB':>7} {'modules':>8}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        t0 = time.perf_counter()
        env = load_estate(size, workspaces=True)
        t1 = time.perf_counter()
        text = dumps(subscription_template(env, catalog))
        t2 = time.perf_counter()
        files = bicep_project(env)
        t3 = time.perf_counter()
        terraform_project(env, catalog)
        t3b = time.perf_counter()
        plan = forwarder_plan(env, catalog)
        windows_dns_script(plan, env.name)
        bind_fragment(plan, env.name)
        firewall_table(env, catalog)
        t4 = time.perf_counter()
        print(
            f"{size:>6} {t1 - t0:>7.2f} {t2 - t1:>6.2f} {t3 - t2:>8.2f} {t3b - t3:>6.2f} "
            f"{t4 - t3b:>9.2f} "
            f"{len(text) / 1e6:>7.1f} {len(files) - 1:>8}"
        )


if __name__ == "__main__":
    main()
