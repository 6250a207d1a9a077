"""Scale on ARM written the way a platform team writes many spokes: one spoke module deployed by
a copy loop (``estates.spoke_loop_template``), checked by the CLI in a fresh process.

Run: python benchmarks/bench_arm_loop.py [--spokes 100,400,800]
(800 is Azure's limit on a copy loop's count.) Columns: spokes, the template's size, the wall
time and peak memory of ``heiki check TEMPLATE --format json``, and the time to ``json.load``
the template (best of three) - the module is written once, so the template stays small while
heiki evaluates it once per spoke.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from estates import ARM_COPY_MAX, spoke_loop_template


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spokes", default=f"100,400,{ARM_COPY_MAX}")
    args = parser.parse_args()
    print(f"{'spokes':>6} {'template KB':>11} {'check s':>8} {'peak MB':>8} {'load ms':>8}")
    for spokes in (int(s) for s in args.spokes.split(",")):
        with tempfile.TemporaryDirectory() as temp:
            template = Path(temp) / "main.json"
            template.write_text(json.dumps(spoke_loop_template(spokes), indent=2), "utf-8")
            loads = []
            for _ in range(3):
                start = time.perf_counter()
                json.loads(template.read_bytes())
                loads.append(time.perf_counter() - start)
            start = time.perf_counter()
            with (Path(temp) / "report.json").open("wb") as sink:
                process = subprocess.Popen(
                    [sys.executable, "-m", "heiki", "check", str(template), "--format", "json"],
                    stdout=sink,
                    stderr=subprocess.DEVNULL,
                )
                _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) not in (0, 1):
                raise SystemExit(f"heiki check exited {status} at {spokes} spokes")
            print(
                f"{spokes:>6} {template.stat().st_size / 1024:>11.1f} {wall:>8.2f} "
                f"{usage.ru_maxrss / 1024:>8.0f} {min(loads) * 1000:>8.2f}"
            )


if __name__ == "__main__":
    main()
