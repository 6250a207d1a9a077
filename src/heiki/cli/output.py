"""Writing the files of ``heiki build`` so that nothing can be half-written, mixed or lost.

- The whole set is written into a fresh staging folder beside the output, created exclusively
  with an unpredictable name (``tempfile.mkdtemp``): no fixed name a symlink could be planted on.
- The finished folder replaces the output by rename, so the output path shows the old set or
  the new one, never a mix; an interruption leaves at most a staging folder beside it, which the
  next build into that output removes.
- A lock on the parent folder (``flock``) keeps two builds into one output from interleaving:
  the second waits, then finds the folder no longer empty (IN070 without ``--force``).
- ``--force`` replaces the files this build writes and removes the ones an earlier build wrote
  (its manifest, ``.heiki-build.json``); every other file in the folder is kept (hard-linked into
  the new set before the swap, so an interruption loses nothing).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

MANIFEST = ".heiki-build.json"
_STAGING = ".heiki-staging-"
_RETIRED = ".heiki-retired-"


class OutputError(Exception):
    """The output cannot be written; ``path`` is what stood in the way. Nothing was changed."""

    def __init__(self, message: str, path: Path | str) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path)


class OutputNotEmpty(OutputError):
    """The folder holds files and ``--force`` was not given."""


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` (the output's parent) for the duration."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, the rename still keeps sets apart
        yield
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _check_target(target: Path) -> Path:
    parent = target.absolute().parent
    if target.is_symlink():
        raise OutputError("the output folder is a symbolic link; give the real folder", target)
    if target.exists() and not target.is_dir():
        raise OutputError("the output exists and is not a folder", target)
    if parent.exists() and not parent.is_dir():
        raise OutputError("the output's parent is not a folder", parent)
    return parent


def _previous(target: Path) -> set[str]:
    """The files an earlier build wrote (its manifest); none when there is no readable one."""
    manifest = target / MANIFEST
    try:
        if not stat.S_ISREG(manifest.lstat().st_mode) or manifest.lstat().st_size > 10_000_000:
            return set()
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    files = data.get("files") if isinstance(data, dict) else None
    return {f for f in files if isinstance(f, str)} if isinstance(files, list) else set()


def _carry(old: Path, staging: Path, new: set[str], previous: set[str]) -> None:
    """Link every file of ``old`` that neither this build nor an earlier one wrote into
    ``staging``; a path where a file of this build must go but a folder stands (or the other
    way round) is an error."""
    written_dirs = {str(Path(name).parent) for name in new}
    for root, dirs, files in os.walk(old, followlinks=False):
        base = Path(root)
        for name in [*dirs, *files]:
            path = base / name
            relative = path.relative_to(old).as_posix()
            is_dir = path.is_dir() and not path.is_symlink()
            if relative in new:
                if is_dir:
                    raise OutputError(f"a folder stands where {relative} must be written", path)
                continue
            if not is_dir and any(
                d == relative or d.startswith(relative + "/") for d in written_dirs
            ):
                raise OutputError(f"a file stands where the folder {relative} must be", path)
            if is_dir or relative in previous or relative == MANIFEST:
                continue
            destination = staging / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            if path.is_symlink():
                os.symlink(os.readlink(path), destination)
            else:
                try:
                    os.link(path, destination)
                except OSError:
                    shutil.copy2(path, destination)
        # empty folders of the user are kept too
        for name in dirs:
            (staging / (base / name).relative_to(old)).mkdir(parents=True, exist_ok=True)


def _sweep(parent: Path, name: str) -> None:
    """Staging and retired folders an interrupted build of this output left behind."""
    for prefix in (_STAGING, _RETIRED):
        for leftover in parent.glob(f".{name}{prefix}*"):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)


def write_output(target: Path, files: dict[str, str], force: bool) -> list[Path]:
    """Write ``files`` (relative path -> text) as the folder ``target``; returns the paths
    written. Raises OutputNotEmpty / OutputError with nothing changed."""
    parent = _check_target(target)
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create it: {error.strerror or error}", parent) from None
    name = target.absolute().name
    with _locked(parent):
        _check_target(target)
        exists = target.exists()
        if exists and any(target.iterdir()) and not force:
            raise OutputNotEmpty("the folder is not empty", target)
        _sweep(parent, name)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}{_STAGING}", dir=parent))
        retired: Path | None = None
        try:
            for relative, text in files.items():
                path = staging / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(path, "x", encoding="utf-8") as handle:  # "x": never through a link
                    handle.write(text)
            manifest = {"files": sorted(files), "tool": "heiki build"}
            (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
            if exists and any(target.iterdir()):
                _carry(target, staging, set(files), _previous(target))
                os.chmod(staging, stat.S_IMODE(target.stat().st_mode))
                retired = Path(tempfile.mkdtemp(prefix=f".{name}{_RETIRED}", dir=parent))
                os.rename(target, retired / "old")
                try:
                    os.rename(staging, target)
                except OSError:
                    os.rename(retired / "old", target)  # put the old set back
                    raise
            else:
                os.chmod(staging, 0o777 & ~_umask())
                os.rename(staging, target)  # replaces an empty folder in one step
        except OSError as error:
            shutil.rmtree(staging, ignore_errors=True)
            raise OutputError(
                f"cannot write: {error.strerror or error}", error.filename or target
            ) from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)
    return [target / relative for relative in files]


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_report(target: Path, text: str, force: bool) -> None:
    """Write one report file (``-o report.html``) whole or not at all.

    The text goes to a fresh file beside the target (``mkstemp``: an unpredictable name, created
    exclusively, so no planted symlink is followed) and replaces the target by rename. An
    existing file is kept unless ``force``; a directory, device or FIFO is never written to.
    """
    parent = target.parent if str(target.parent) else Path(".")
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise OutputError("not a regular file", target)
    if target.exists() and not force:
        raise OutputNotEmpty("exists", target)
    if not parent.is_dir():
        raise OutputError("its folder does not exist", parent)
    try:
        descriptor, staging = tempfile.mkstemp(prefix=_STAGING, dir=parent)
    except OSError as error:
        raise OutputError(f"cannot be written ({error.strerror})", parent) from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(staging, 0o666 & ~_umask())
        os.replace(staging, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(staging)
        raise OutputError(f"cannot be written ({error.strerror})", target) from None
