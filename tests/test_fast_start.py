"""`heiki --version` and `--help` import no layer below the command line, and checking a
blueprint imports neither the ARM nor the Terraform reader nor any generator: start-up time is
what a CI step pays on every run (benchmarks/bench_start.py measures it)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

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
    unwanted = (
        "heiki.sources.terraform",
        "heiki.sources.arm.load",
        "heiki.sources.arm.expressions.evaluator",  # a blueprint needs only `Unknown`
        "heiki.generators",
        "hcl2",
    )
    assert [m for m in loaded if m.startswith(unwanted)] == []


def _is_dataclass_decorator(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    return isinstance(target, ast.Name) and target.id == "dataclass"


def test_every_dataclass_has_its_own_docstring() -> None:
    # Without one, dataclass() builds a __doc__ from inspect.signature() at import: 104 classes
    # of the default check cost it 6-10 ms of start-up. And a value type should say what it is.
    missing = []
    for path in sorted((Path(__file__).parent.parent / "src" / "heiki").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            if not any(_is_dataclass_decorator(d) for d in node.decorator_list):
                continue
            first = node.body[0]
            if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)):
                missing.append(f"{path.name}:{node.lineno} {node.name}")
    assert missing == []


def test_the_fast_exit_flushes_the_output_and_keeps_the_exit_codes() -> None:
    # `python -m heiki` and the console script leave without freeing the run's objects
    # (os._exit): everything printed must still arrive, with sys.exit's status and message.
    run = [sys.executable, "-m", "heiki"]
    done = subprocess.run([*run, "check", "--format", "json"], capture_output=True, timeout=120)
    assert done.returncode == 0
    assert json.loads(done.stdout)["verdict"]["closed"] is True  # the whole document arrived
    done = subprocess.run([*run, "check", "nsg-only"], capture_output=True, timeout=120)
    assert done.returncode == 1
    assert done.stdout.decode().rstrip().endswith("warning(s).")
    done = subprocess.run([*run, "check", "no-such-design"], capture_output=True, timeout=120)
    assert done.returncode == 2
    assert b"IN040" in done.stderr


def test_a_reader_that_stops_early_gets_no_error_from_the_fast_exit() -> None:
    with subprocess.Popen(
        # the page is larger than a pipe's buffer: the write meets the closed pipe
        [sys.executable, "-m", "heiki", "check", "--format", "html"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()  # `heiki check --format html | head -1`
        errors = process.stderr.read()
        process.wait(timeout=120)
    assert first.lower().startswith(b"<!doctype html>")
    assert b"Traceback" not in errors and b"Exception ignored" not in errors
