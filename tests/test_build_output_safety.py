"""`heiki build` never leaves a half-written, mixed or stray file (issue 18, item 4): the set is
staged in a fresh folder and swapped in whole, under a lock; --force replaces what a build wrote
and keeps everything else; a symlink planted in the output is never followed."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from heiki.cli.main import cli
from heiki.cli.output import MANIFEST


def _build(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", *args])
    return result.exit_code, result.output


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def test_a_symlink_planted_in_the_output_is_never_followed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _build("closed-aml", "-o", str(out))[0] == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    # the names an earlier heiki staged under, and a link where an output file goes
    for name in (".azuredeploy.json.tmp", ".heiki-staging", "azuredeploy.json.tmp"):
        (out / name).symlink_to(victim)
    (out / "azuredeploy.json").unlink()
    (out / "azuredeploy.json").symlink_to(victim)
    code, output = _build("closed-aml", "-o", str(out), "--force")
    assert code == 0, output
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not (out / "azuredeploy.json").is_symlink()
    assert json.loads((out / "azuredeploy.json").read_text(encoding="utf-8"))["resources"]


def test_force_replaces_what_a_build_wrote_and_keeps_everything_else(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _build("closed-aml", "--to", "bicep", "-o", str(out))[0] == 0
    (out / "NOTES.md").write_text("mine", encoding="utf-8")
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    code, output = _build("closed-aml", "--to", "arm", "-o", str(out), "--force")
    assert code == 0, output
    files = _files(out)
    assert files["NOTES.md"] == b"mine" and files[".git/HEAD"].startswith(b"ref:")
    # the Bicep files the first build wrote are gone: no stale module beside the new template
    assert not any(name.endswith(".bicep") for name in files)
    assert "azuredeploy.json" in files
    manifest = json.loads(files[MANIFEST])
    assert "azuredeploy.json" in manifest["files"] and "NOTES.md" not in manifest["files"]


def test_nothing_is_left_beside_the_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _build("nsg-only", "-o", str(out))[0] == 0
    assert _build("nsg-only", "-o", str(out), "--force")[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_unwritable_targets_are_located_errors(tmp_path: Path) -> None:
    code, output = _build("closed-aml", "-o", "")
    assert code == 2 and "IN072" in output
    code, output = _build("closed-aml", "-o", "/dev/null", "--force")
    assert code == 2 and "IN072" in output and "/dev/null" in output
    read_only = tmp_path / "ro"
    read_only.mkdir()
    read_only.chmod(0o555)
    try:
        if os.access(read_only, os.W_OK):  # running as root: permissions do not bind
            return
        code, output = _build("closed-aml", "-o", str(read_only / "out"))
        assert code == 2 and "IN072" in output
    finally:
        read_only.chmod(0o755)


def _command(out: Path, design: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "heiki", "build", design, "-o", str(out), *extra]


def test_two_builds_into_one_folder_never_mix(tmp_path: Path) -> None:
    for trial in range(4):
        out = tmp_path / f"out{trial}"
        runs = [
            subprocess.Popen(
                _command(out, design), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for design in ("closed-aml", "nsg-only")
        ]
        codes = [run.wait(timeout=120) for run in runs]
        assert sorted(codes) == [0, 2], [run.stderr.read() for run in runs if run.stderr]
        winner = ("closed-aml", "nsg-only")[codes.index(0)]
        template = json.loads((out / "azuredeploy.json").read_text(encoding="utf-8"))
        names = json.dumps(template)
        assert ("mlw-closed" in names) == (winner == "closed-aml")
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_killed_builds_leave_the_old_set_or_the_new_one(tmp_path: Path) -> None:
    """SIGKILL at random moments of 100 builds (8 at a time): every folder holds exactly the
    previous set or exactly the new one, and the next build succeeds."""
    old_design, new_design = "nsg-only", "closed-aml"
    reference = tmp_path / "reference"
    assert _build(new_design, "-o", str(reference / "new"))[0] == 0
    assert _build(old_design, "-o", str(reference / "old"))[0] == 0
    old_set, new_set = _files(reference / "old"), _files(reference / "new")
    rng = random.Random(18)
    outcomes = {"old": 0, "new": 0}
    for batch in range(13):
        folders = []
        for slot in range(8):
            out = tmp_path / f"b{batch}-{slot}"
            out.mkdir()
            for name, data in old_set.items():
                (out / name).parent.mkdir(parents=True, exist_ok=True)
                (out / name).write_bytes(data)
            folders.append(out)
        runs = [
            subprocess.Popen(
                _command(out, new_design, "--force"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for out in folders
        ]
        started = time.monotonic()
        deadlines = sorted((rng.uniform(0.05, 1.5), i) for i in range(len(runs)))
        for deadline, index in deadlines:
            time.sleep(max(0.0, started + deadline - time.monotonic()))
            runs[index].send_signal(signal.SIGKILL)
        for run in runs:
            run.wait(timeout=120)
        for out in folders:
            found = _files(out)
            assert found in (old_set, new_set), sorted(set(found) ^ set(new_set))
            outcomes["old" if found == old_set else "new"] += 1
    assert outcomes["old"] + outcomes["new"] == 104
    # the kills landed before and after the swap (seeded: 65 old, 39 new on the dev machine)
    assert outcomes["old"] > 0 and outcomes["new"] > 0
    # and after all that, builds succeed and clean up what the killed ones left beside them
    for out in sorted(tmp_path.glob("b*-*")):
        if out.is_dir() and not out.name.startswith("."):
            assert _build(new_design, "-o", str(out), "--force")[0] == 0
            assert _files(out) == new_set
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
