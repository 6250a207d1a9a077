"""Every case of the generated bad-input corpus (tests/badinputs.py) ends in exit 2 with an
error message - a located one where a file is at fault - and never a traceback or a hang."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from badinputs import KNOWN_GAPS, WARNED, Case, all_cases
from heiki.cli.main import cli

CASES = all_cases()
SECONDS_PER_CASE = 10.0
MEGABYTES_PER_CASE = 512
"""How much one case may raise the process's peak memory (bombs must stop at a budget)."""


def _peak_megabytes() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def test_the_corpus_is_large_and_covers_every_input_kind() -> None:
    assert len(CASES) >= 400, len(CASES)
    assert {case.name for case in CASES} >= KNOWN_GAPS
    assert len(KNOWN_GAPS) * 10 < len(CASES)
    assert not KNOWN_GAPS & WARNED
    kinds = {case.name.split("/")[0] for case in CASES}
    assert kinds == {"blueprint", "onprem", "arm", "terraform", "config", "option"}
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_bad_input_is_exit_2_with_a_message_and_no_traceback(case: Case, tmp_path: Path) -> None:
    for name, data in case.files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    argv = [part.replace("{dir}", str(tmp_path)) for part in case.argv]
    started, peak = time.monotonic(), _peak_megabytes()
    result = CliRunner().invoke(cli, argv)
    elapsed = time.monotonic() - started
    grown = _peak_megabytes() - peak
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{case.name}: {type(result.exception).__name__}: {result.exception}"
    )
    assert "Traceback" not in output and "INT002" not in output, f"{case.name}\n{output}"
    assert elapsed < SECONDS_PER_CASE, f"{case.name}: {elapsed:.1f} s"
    assert grown < MEGABYTES_PER_CASE, f"{case.name}: peak memory up {grown:.0f} MB"
    if case.name in KNOWN_GAPS:  # read without a word today; must not crash, hang or blow up
        assert result.exit_code in (0, 1, 2), output
        return
    if case.name in WARNED:  # a template value Azure rejects: a warning, the rest is checked
        assert result.exit_code in (0, 1), output
        assert "warning IN" in output, f"{case.name}\n{output[-2000:]}"
        return
    assert result.exit_code == 2, f"{case.name}: exit {result.exit_code}\n{output[-2000:]}"
    assert "error" in output.lower(), f"{case.name}\n{output}"
    if case.expect:
        assert case.expect in output, f"{case.name}: expected {case.expect}\n{output[-2000:]}"
    if case.files and case.expect and case.located:  # a file is at fault: the message says which
        assert str(tmp_path) in output or any(name in output for name in case.files), output
