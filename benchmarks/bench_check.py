"""The whole verdict on synthetic estates: rules, readiness, closure, toil and the JSON record.

Run: python benchmarks/bench_check.py [--sizes 10,100,300]
Same estates as bench_trace.py (an Azure ML workspace per spoke). Columns: load (parse, expand,
validate), the rule run (which builds the DNS matrix, egress report, readiness, closure and toil
it needs), rendering the canonical record and its JSON, SARIF and Markdown, and the total.
"""

from __future__ import annotations

import argparse
import time

from estates import load_estate

from heiki.catalog import load_catalog
from heiki.reports.markdown import markdown_document
from heiki.reports.record import check_environment, check_record
from heiki.reports.sarif import sarif_document
from heiki.reports.serialize import dumps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,100,300")
    args = parser.parse_args()
    catalog = load_catalog()
    print(
        f"{'spokes':>6} {'load s':>7} {'rules s':>8} {'report s':>9} {'total s':>8} "
        f"{'findings':>8} {'json MB':>8}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        t0 = time.perf_counter()
        env = load_estate(size, workspaces=True)
        t1 = time.perf_counter()
        result = check_environment(env, catalog, f"estate-{size}")
        t2 = time.perf_counter()
        record = check_record(result)
        text = dumps(record)
        dumps(sarif_document(record))
        markdown_document(record)
        t3 = time.perf_counter()
        print(
            f"{size:>6} {t1 - t0:>7.2f} {t2 - t1:>8.2f} {t3 - t2:>9.2f} {t3 - t0:>8.2f} "
            f"{len(result.findings):>8} {len(text) / 1e6:>8.1f}"
        )


if __name__ == "__main__":
    main()
