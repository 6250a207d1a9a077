"""Start-up time of the command: `heiki --version`, `heiki --help` and `heiki check` on the
default design, each as a fresh process (what a user and a CI step wait for).

Run: python benchmarks/bench_start.py [--runs 5]
Targets (issue 17): --version under 0.15 s, the default check under 0.35 s on the 2-core
development machine. Reports the best and the median of the runs.

Each command runs once untimed first, with bytecode writing allowed: `pip install` compiles a
package's modules, so a user's first run does not compile them - a machine that sets
PYTHONDONTWRITEBYTECODE (this one does) would otherwise time the compiler on every run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

COMMANDS = (["--version"], ["--help"], ["check"], ["check", "--format", "json"])


def _heiki() -> list[str]:
    found = shutil.which("heiki")
    return [found] if found else [sys.executable, "-m", "heiki"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    command = _heiki()
    compiling = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for arguments in COMMANDS:
        subprocess.run([*command, *arguments], capture_output=True, check=False, env=compiling)
    print(f"{'command':<28} {'best':>7} {'median':>7}")
    for arguments in COMMANDS:
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run([*command, *arguments], capture_output=True, check=False)
            times.append(time.perf_counter() - start)
        label = "heiki " + " ".join(arguments)
        print(f"{label:<28} {min(times):>6.3f}s {statistics.median(times):>6.3f}s")


if __name__ == "__main__":
    main()
