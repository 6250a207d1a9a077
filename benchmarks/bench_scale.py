"""Scale: the full CLI check (JSON report) of hub-and-spoke estates of growing size, against the
time it takes merely to ``json.load`` the same estate's ARM template.

Run: python benchmarks/bench_scale.py [--spokes 10,100,300,1000,2000] [--check-arm]
[--check-terraform]

Each estate is written twice: as a blueprint (what a user writes) and as the ARM template heiki
builds from it (``heiki build --to arm``). For each size the table shows the wall time and peak
memory of ``heiki check BLUEPRINT --format json`` (a fresh process), the report's size, the ARM
template's size (with its module files, where it is linked) and its ``json.load`` time (best of
three), and the ratios the scale targets are written in:

- check time / ARM parse time at 1,000 spokes: target at most 10x;
- check time at 1,000 spokes / at 100 spokes: target at most 12x;
- peak memory: under 1 GB at 1,000 spokes, under 2 GB at 2,000.

``--check-arm`` also checks the ARM form (slower: ARM expressions are evaluated);
``--check-terraform`` the Terraform form ``heiki build --to terraform`` writes (one block per
resource, so 47 MB of HCL at 1,000 spokes: the HCL parser sets its pace).
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

sys.path.insert(0, str(Path(__file__).parent))
from estates import spoke_estate


def _run(arguments: list[str], output: Path) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit code) of one heiki run in a fresh process."""
    start = time.perf_counter()
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "heiki", *arguments], stdout=sink, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


LOAD_RUNS = 3
"""The ARM parse time is the best of this many loads: one load alone varied by half between runs
(0.14 to 0.22 s at 1,000 spokes), and the best is the cost of parsing, as ``timeit`` takes it."""


def _load_all(documents: list[Path]) -> float:
    """Seconds to ``json.load`` every document once."""
    start = time.perf_counter()
    for document in documents:
        with document.open("rb") as handle:
            json.load(handle)
    return time.perf_counter() - start


def _build(blueprint: Path, target: str, folder: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "heiki", "build", str(blueprint), "--to", target, "-o", str(folder)],
        check=True,
        capture_output=True,
    )


def _arm(blueprint: Path, folder: Path) -> Path:
    _build(blueprint, "arm", folder)
    return folder / "azuredeploy.json"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spokes", default="10,100,300,1000,2000")
    parser.add_argument("--check-arm", action="store_true")
    parser.add_argument("--check-terraform", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.spokes.split(",")]
    header = (
        f"{'spokes':>6} {'check s':>8} {'peak MB':>8} {'report MB':>9} {'ARM MB':>7} "
        f"{'ARM load s':>10} {'check/load':>10}"
    )
    if args.check_arm:
        header += f" {'ARM check s':>11} {'ARM peak MB':>11}"
    if args.check_terraform:
        header += f" {'TF MB':>6} {'TF check s':>10} {'TF peak MB':>10}"
    print(header)
    times: dict[int, float] = {}
    for spokes in sizes:
        with tempfile.TemporaryDirectory() as temp:
            folder = Path(temp)
            blueprint = folder / "estate.yaml"
            blueprint.write_text(spoke_estate(spokes, workspaces=True), encoding="utf-8")
            report = folder / "report.json"
            wall, peak, code = _run(["check", str(blueprint), "--format", "json"], report)
            if code not in (0, 1):
                raise SystemExit(f"heiki check exited {code} at {spokes} spokes")
            template = _arm(blueprint, folder / "arm")
            # beyond Azure's size limits the modules are files of their own: load them all
            documents = sorted((folder / "arm").rglob("*.json"))
            arm_bytes = sum(p.stat().st_size for p in documents)
            load = min(_load_all(documents) for _ in range(LOAD_RUNS))
            times[spokes] = wall
            line = (
                f"{spokes:>6} {wall:>8.2f} {peak:>8.0f} {report.stat().st_size / 2**20:>9.1f} "
                f"{arm_bytes / 2**20:>7.1f} {load:>10.3f} {wall / load:>9.1f}x"
            )
            if args.check_arm:
                arm_wall, arm_peak, arm_code = _run(
                    ["check", str(template), "--format", "json"], folder / "arm-report.json"
                )
                if arm_code not in (0, 1):
                    raise SystemExit(f"heiki check of the ARM form exited {arm_code}")
                line += f" {arm_wall:>11.2f} {arm_peak:>11.0f}"
            if args.check_terraform:
                configuration = folder / "terraform"
                _build(blueprint, "terraform", configuration)
                tf_bytes = sum(p.stat().st_size for p in configuration.rglob("*.tf"))
                tf_wall, tf_peak, tf_code = _run(
                    ["check", str(configuration), "--format", "json"], folder / "tf-report.json"
                )
                if tf_code not in (0, 1):
                    raise SystemExit(f"heiki check of the Terraform form exited {tf_code}")
                line += f" {tf_bytes / 2**20:>6.1f} {tf_wall:>10.2f} {tf_peak:>10.0f}"
            print(line, flush=True)
    if 100 in times and 1000 in times:
        print(f"1,000 / 100 spokes: {times[1000] / times[100]:.1f}x (target at most 12x)")


if __name__ == "__main__":
    main()
