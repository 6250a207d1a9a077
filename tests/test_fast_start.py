"""`heiki --version` and `--help` import no layer below the command line, and checking a
blueprint imports neither the ARM nor the Terraform reader nor any generator: start-up time is
what a CI step pays on every run (benchmarks/bench_start.py measures it)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("heiki.sources", "heiki.analyses", "heiki.reports", "heiki.generators", "heiki.rules")


def _modules_after(code: str) -> list[str]:
    script = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_version_and_help_load_no_layer_below_the_cli() -> None:
    code = (
        "import contextlib, io\n"
        "from heiki.cli.main import cli\n"
        "for args in (['--version'], ['--help'], ['check', '--help']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "        cli(args, prog_name='heiki')\n"
    )
    loaded = _modules_after(code)
    assert [m for m in loaded if m.startswith(HEAVY)] == []
    assert "importlib.metadata" not in loaded


def test_a_blueprint_check_loads_no_template_reader_and_no_generator() -> None:
    code = (
        "import contextlib, io\n"
        "from heiki.cli.main import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    cli(['check'], prog_name='heiki')\n"
    )
    loaded = _modules_after(code)
    assert "heiki.reports.record" in loaded  # the check did run
    unwanted = ("heiki.sources.terraform", "heiki.sources.arm.load", "heiki.generators", "hcl2")
    assert [m for m in loaded if m.startswith(unwanted)] == []
