"""The HTML report on top of the check, on the benchmark estates (a workspace per spoke).

Run: python benchmarks/bench_html.py [--sizes 10,50,100]
Columns: the check (rules and record), the page (diagram layout, flows, SVG and HTML text) and
its size. Targets at 100 spokes: the page under 2 s on top of the check, the file under 10 MB.
"""

from __future__ import annotations

import argparse
import gc
import time

from estates import load_estate

from heiki.catalog import load_catalog
from heiki.reports.html.page import html_page
from heiki.reports.record import check_environment, check_record


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,50,100")
    args = parser.parse_args()
    gc.disable()  # as the CLI runs (see heiki/analyses/bulk.py)
    catalog = load_catalog()
    print(f"{'spokes':>6} {'check s':>8} {'page s':>7} {'page MB':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        env = load_estate(size, workspaces=True)
        start = time.perf_counter()
        result = check_environment(env, catalog, f"estate-{size}")
        record = check_record(result)
        checked = time.perf_counter()
        page = html_page(env, env.name, result, record)
        done = time.perf_counter()
        size_mb = len(page.encode("utf-8")) / 2**20
        print(f"{size:>6} {checked - start:>8.2f} {done - checked:>7.2f} {size_mb:>8.2f}")


if __name__ == "__main__":
    main()
