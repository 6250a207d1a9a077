"""``heiki diff`` of a one-rule change against one ``heiki check`` of the same estate.

Run: python benchmarks/bench_diff.py [--spokes 10,100,300]

For each size, the estate of bench_scale.py (a workspace per spoke) is written twice: as it is,
and with one spoke allowed one more egress profile (conda: four more firewall rules). The table
shows the wall time of ``heiki check HEAD --format json`` and of ``heiki diff BASE HEAD --format
json`` (each a fresh process, best of three), their ratio (target: under 1.5x at 100 spokes) and
the peak memory of the diff (both sides included). Both sides are checked at once in two
processes that share the catalog; on a one-CPU machine they run in turn and the ratio is about 2.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from estates import spoke_estate


def _run(arguments: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB of the process and its children, exit code)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "heiki", *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def _best(arguments: list[str], runs: int = 3) -> tuple[float, float]:
    results = []
    for _ in range(runs):
        wall, peak, code = _run(arguments)
        if code not in (0, 1):
            raise SystemExit(f"heiki {' '.join(arguments)} exited {code}")
        results.append((wall, peak))
    return min(results)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spokes", default="10,100,300")
    args = parser.parse_args()
    print(f"cpus: {os.cpu_count()}")
    print(f"{'spokes':>6} {'check s':>8} {'diff s':>7} {'diff/check':>10} {'diff peak MB':>12}")
    for spokes in (int(s) for s in args.spokes.split(",")):
        with tempfile.TemporaryDirectory() as temp:
            base = Path(temp) / "base.yaml"
            head = Path(temp) / "head.yaml"
            text = spoke_estate(spokes, workspaces=True)
            base.write_text(text, encoding="utf-8")
            changed = text.replace(
                "  s1:\n    address_space: 10.1.1.0/24\n    egress: [pypi]",
                "  s1:\n    address_space: 10.1.1.0/24\n    egress: [pypi, conda]",
            )
            assert changed != text
            head.write_text(changed, encoding="utf-8")
            check, _ = _best(["check", str(head), "--format", "json"])
            diff, peak = _best(["diff", str(base), str(head), "--format", "json"])
            print(f"{spokes:>6} {check:>8.2f} {diff:>7.2f} {diff / check:>9.2f}x {peak:>12.0f}")


if __name__ == "__main__":
    main()
