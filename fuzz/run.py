"""Run every harness for a while on its seed corpus and report the executions.

Run: python fuzz/run.py [--seconds 60] [--jobs 2] [--corpus DIR] [--only yaml,json]
CI runs 60 s per harness; a long run is the same with more seconds (and a --corpus folder that
keeps what the fuzzer found between runs). Exit 1 when a harness crashed (its input is in
crash-* in the working folder: add it to tests/badinputs.py once fixed).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
HARNESSES = ("yaml", "json", "toml", "expression", "template", "blueprint", "hcl")
_DONE = re.compile(r"Done (\d+) runs")


def _run(harness: str, corpus: Path, seconds: int, work: Path) -> tuple[str, int, int, str]:
    done = subprocess.run(
        [
            sys.executable,
            str(HERE / f"fuzz_{harness}.py"),
            f"-max_total_time={seconds}",
            "-rss_limit_mb=2048",
            "-timeout=20",
            f"-artifact_prefix={work}/{harness}-",
            str(corpus),
        ],
        capture_output=True,
        text=True,
        cwd=HERE,
        check=False,
    )
    output = done.stdout + done.stderr
    found = _DONE.search(output)
    return harness, done.returncode, int(found.group(1)) if found else 0, output[-3000:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--only", default=",".join(HARNESSES))
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from seeds import write

    corpus_root = args.corpus or Path(tempfile.mkdtemp(prefix="heiki-corpus-"))
    folders = write(corpus_root)
    work = Path(tempfile.mkdtemp(prefix="heiki-fuzz-artifacts-"))
    wanted = [h for h in args.only.split(",") if h]
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda h: _run(h, folders[h], args.seconds, work), wanted))
    crashed = False
    total = 0
    for harness, code, runs, output in results:
        total += runs
        print(f"{harness:<11} {runs:>9} executions  exit {code}")
        if code != 0:
            crashed = True
            print(output)
    print(f"total       {total:>9} executions")
    artifacts = sorted(work.iterdir())
    if artifacts:
        print("artifacts:", *artifacts, sep="\n  ")
    sys.exit(1 if crashed else 0)


if __name__ == "__main__":
    main()
